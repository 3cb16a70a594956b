package kms

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Workers run what they are handed on their own n goroutines, n at a time: 40 functions on 4
// workers start no goroutine beyond the 4.
func TestWorkersRunOnTheirOwnGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	w := startWorkers(4)
	var running, most, goroutines atomic.Int64
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		w.run(func() {
			defer wg.Done()
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			goroutines.Store(max(goroutines.Load(), int64(runtime.NumGoroutine()-before)))
			time.Sleep(time.Millisecond)
			running.Add(-1)
		})
	}
	wg.Wait()
	w.stop()
	if most.Load() > 4 || most.Load() < 2 {
		t.Errorf("at most %d functions ran at once, want 2 to 4", most.Load())
	}
	if g := goroutines.Load(); g > 4 {
		t.Errorf("%d goroutines beyond those before, want the 4 workers", g)
	}
}
