package client

import (
	"context"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// attemptHook wraps every attempt of every call (it sits inside the SDK's retry loop), which is
// the one place where calls are paced and counted: KMS, CloudHSMv2 and CloudTrail, and STS,
// Organizations, Account and EC2 during discovery.
func attemptHook(account func() string, pacer Pacer, stats *CallStats) func(*middleware.Stack) error {
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
				out, md, err := next.HandleFinalize(ctx, in)
				pacer.Done(key, stats.record(key, err))
				return out, md, err
			}), "Retry", middleware.After)
	}
}
