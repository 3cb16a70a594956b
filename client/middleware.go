package client

import (
	"context"
	"fmt"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// attemptHook wraps every attempt of every call (it sits inside the SDK's retry loop), which is
// the one place where calls are paced and counted: KMS, CloudHSMv2 and CloudTrail, and STS,
// Organizations, Account and EC2 during discovery. Once its slot comes, an attempt has timeout to
// be answered (and its answer read): a context deadline, where http.Client's Timeout started two
// goroutines and a timer per request (a sync keeps hundreds of calls in flight).
func attemptHook(account func() string, pacer Pacer, budget *callBudget, stats *CallStats, timeout time.Duration) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		if err := stack.Initialize.Add(markFollowUpPages, middleware.After); err != nil {
			return err
		}
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("awskms/PaceAndCount",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				key := CallKey{
					Account:   account(),
					Region:    awsmiddleware.GetRegion(ctx),
					Service:   awsmiddleware.GetServiceID(ctx),
					Operation: awsmiddleware.GetOperationName(ctx),
				}
				if err := pacer.Wait(ctx, key); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				followUp := IsFollowUpPage(ctx)
				if err := budget.acquire(ctx, followUp); err != nil {
					pacer.Done(key, false)
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				start := time.Now()
				attemptCtx, cancel := context.WithTimeout(ctx, timeout)
				out, md, err := next.HandleFinalize(attemptCtx, in)
				budget.release(ctx, followUp, time.Since(start))
				if err != nil && attemptCtx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
					// The SDK reports a request whose context ended as cancelled, which it never
					// retries; this attempt timed out and is retried like any timeout.
					err = &attemptTimeoutError{after: timeout}
				}
				cancel()
				pacer.Done(key, stats.record(key, err))
				return out, md, err
			}), "Retry", middleware.After)
	}
}

// attemptTimeoutError is an attempt that had no answer within request_timeout: retryable.
type attemptTimeoutError struct{ after time.Duration }

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no answer within request_timeout (%s)", e.after)
}
func (*attemptTimeoutError) RetryableError() bool { return true }
func (*attemptTimeoutError) Timeout() bool        { return true }
