package client

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// Services are the AWS clients of one (account, region) pair. Every call they make goes through
// the account's configuration, so through its retryer and attemptHook.
type Services struct {
	KMS        *kms.Client
	CloudHSMV2 *cloudhsmv2.Client
	CloudTrail *cloudtrail.Client
}

func newServices(cfg aws.Config, region string) *Services {
	cfg = cfg.Copy()
	cfg.Region = region
	return &Services{
		KMS:        kms.NewFromConfig(cfg),
		CloudHSMV2: cloudhsmv2.NewFromConfig(cfg),
		CloudTrail: cloudtrail.NewFromConfig(cfg),
	}
}
