package scheduler

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Every task handed to goroutines runs once, tasks run in parallel (Go never waits for a busy
// goroutine), and once stopped no goroutine is left waiting.
func TestGoroutinesRunEveryTaskAndEnd(t *testing.T) {
	before := runtime.NumGoroutine()
	g := newGoroutines()
	var ran atomic.Int64
	var wg sync.WaitGroup
	for round := range 3 {
		release := make(chan struct{})
		wg.Add(50)
		for range 50 {
			g.Go(func() {
				defer wg.Done()
				ran.Add(1)
				<-release // all 50 hold their goroutine at once
			})
		}
		close(release)
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: %d of %d tasks ran", round, ran.Load()-int64(50*round), 50)
		}
		if got := ran.Load(); got != int64(50*(round+1)) {
			t.Fatalf("round %d: %d tasks ran, want %d", round, got, 50*(round+1))
		}
	}
	g.stop()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after stop, %d before", n, before)
	}
}
