package client

import (
	"container/list"
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

// servicePoolSize bounds the pairs whose clients are kept (about 5 KiB a pair, measured by
// TestServicesMemoryPerPair): more than the pairs the scheduler works on at once, so a pair's
// clients are built about once, and few enough that 2,000 pairs cost what 256 do.
const servicePoolSize = 256

// servicePool builds a pair's clients when a table first runs in it and keeps the most recently
// used ones; an evicted pair's clients stay valid for whoever holds them and are rebuilt if asked
// again. Credentials live in the account's configuration, so a rebuilt client reuses them.
type servicePool struct {
	mu    sync.Mutex
	size  int
	pairs map[Pair]*list.Element
	lru   *list.List // of *pooledServices, most recent first
}

type pooledServices struct {
	pair Pair
	s    *Services
}

func newServicePool() *servicePool {
	return &servicePool{size: servicePoolSize, pairs: map[Pair]*list.Element{}, lru: list.New()}
}

func (p *servicePool) get(pair Pair, cfg aws.Config) *Services {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.pairs[pair]; ok {
		p.lru.MoveToFront(e)
		return e.Value.(*pooledServices).s
	}
	s := newServices(cfg, pair.Region)
	p.pairs[pair] = p.lru.PushFront(&pooledServices{pair: pair, s: s})
	if p.lru.Len() > p.size {
		oldest := p.lru.Back()
		p.lru.Remove(oldest)
		delete(p.pairs, oldest.Value.(*pooledServices).pair)
	}
	return s
}
