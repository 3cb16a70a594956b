package client

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// newRetryer retries throttled and transient failures up to max_retries times with jittered
// exponential backoff capped at max_backoff. The SDK's retry token bucket is disabled: in a large
// organization it runs dry and fails calls with "retry quota exceeded" long before max_retries.
func newRetryer(spec *Spec) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = *spec.MaxRetries + 1
			o.MaxBackoff = time.Duration(*spec.MaxBackoff) * time.Second
			o.RateLimiter = ratelimit.None
		})
	}
}
