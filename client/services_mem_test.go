package client

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestServicesMemoryPerPair measures what 2,000 pairs' service clients hold on the heap, the way
// client.New built them before (all three clients of every pair up front) and the way it does now
// (a pair's clients when a table first runs there, at most servicePoolSize pairs kept). Run with
// -v to read the figures.
func TestServicesMemoryPerPair(t *testing.T) {
	const accounts, regions = 200, 10
	spec, err := ParseSpec(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newConfigFactory(spec, nil, &CallStats{})
	cfgs := make([]aws.Config, accounts)
	for i := range cfgs {
		cfg, err := f.base(context.Background(), "", "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""))
		cfgs[i] = f.paced(cfg, newAccountLabel(fmt.Sprint(i)))
	}
	pairs := accounts * regions

	// Pooled first: the heap a test binary starts with shrinks as it settles, which would make
	// a later measurement look smaller than it is.
	base := int64(heapAfterGC())
	pool := newServicePool()
	atStart := int64(heapAfterGC()) - base
	start := time.Now()
	for a := range accounts {
		for r := range regions {
			pool.get(Pair{AccountID: fmt.Sprint(a), Region: fmt.Sprintf("region-%d", r)}, cfgs[a])
		}
	}
	built := time.Since(start)
	afterAll := int64(heapAfterGC()) - base
	runtime.KeepAlive(pool)
	pool = nil

	before := int64(heapAfterGC())
	upFront := make([]*Services, 0, pairs)
	for a := range accounts {
		for r := range regions {
			upFront = append(upFront, newServices(cfgs[a], fmt.Sprintf("region-%d", r)))
		}
	}
	all := int64(heapAfterGC()) - before
	runtime.KeepAlive(upFront)

	perPair := float64(all) / float64(pairs)
	t.Logf("%d pairs, all clients up front: %.1f MiB (%.1f KiB a pair); pooled: %.1f KiB after discovery, %.1f MiB once every pair ran (at most %d pairs kept); %s to build a pair's clients",
		pairs, float64(all)/(1<<20), perPair/1024, float64(atStart)/1024, float64(afterAll)/(1<<20), servicePoolSize, built/time.Duration(pairs))
	if atStart > 64<<10 {
		t.Errorf("the pool holds %d bytes before any table ran, want next to nothing", atStart)
	}
	// 2,000 pairs through a pool of 256 hold an eighth of what building them all does.
	if afterAll > all/3 {
		t.Errorf("the pool holds %d bytes after %d pairs, want under a third of the %d that every pair's clients take", afterAll, pairs, all)
	}
}
