package client

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// Services are the AWS clients of one (account, region) pair. Every call they make goes through
// the account's configuration, so through its retryer, its credentials (one cache per account)
// and attemptHook, and through the sync's one HTTP client.
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

// servicePool builds a pair's clients when a table first runs in it, so a pair costs nothing
// until the scheduler reaches it.
type servicePool struct {
	mu    sync.Mutex
	pairs map[Pair]*Services
}

func newServicePool() *servicePool { return &servicePool{pairs: map[Pair]*Services{}} }

func (p *servicePool) get(pair Pair, cfg aws.Config) *Services {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.pairs[pair]
	if !ok {
		s = newServices(cfg, pair.Region)
		p.pairs[pair] = s
	}
	return s
}
