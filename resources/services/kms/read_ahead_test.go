package kms

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kmsaudit/cq-source-awskms/client"
)

// While the first page is still being handled, the next pages are read, up to ahead of them
// waiting; every page is handled once, in order, and next's error comes back after the pages
// read before it.
func TestReadAheadReadsWhileEarlierPagesAreHandled(t *testing.T) {
	const ahead, failAt = 3, 7
	boom := errors.New("page 7 failed")
	var calls atomic.Int64
	next := func(context.Context) (int, bool, error) {
		n := int(calls.Add(1))
		if n == failAt {
			return 0, false, boom
		}
		return n, true, nil
	}
	release := make(chan struct{})
	var handled []int
	done := make(chan error, 1)
	go func() {
		done <- readAhead(context.Background(), ahead, next, func(page int) {
			if page == 1 {
				<-release // the first page's rows take their time
			}
			handled = append(handled, page)
		})
	}()
	// Page 1 is held; pages 2..4 wait in the buffer and page 5 is read, waiting for a place.
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() < 1+ahead+1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d pages read while the first was handled, want %d", calls.Load(), 1+ahead+1)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if n := calls.Load(); n != 1+ahead+1 {
		t.Errorf("%d pages read while the first was handled, want at most %d", n, 1+ahead+1)
	}
	close(release)
	if err := <-done; !errors.Is(err, boom) {
		t.Errorf("readAhead returned %v, want %v", err, boom)
	}
	want := []int{1, 2, 3, 4, 5, 6}
	if len(handled) != len(want) {
		t.Fatalf("handled %v, want %v", handled, want)
	}
	for i := range want {
		if handled[i] != want[i] {
			t.Fatalf("handled %v, want %v", handled, want)
		}
	}
}

// A list of one page is read and handled on the caller's goroutine: no goroutine is started
// for it.
func TestReadAheadReadsAOnePageListOnTheCallersGoroutine(t *testing.T) {
	onCaller := func() bool {
		// The test function's own frame, not the closures' (named after it with .funcN).
		buf := make([]byte, 64<<10)
		return strings.Contains(string(buf[:runtime.Stack(buf, false)]), "TestReadAheadReadsAOnePageListOnTheCallersGoroutine(")
	}
	var read, handled bool
	err := readAhead(context.Background(), 4, func(context.Context) (int, bool, error) {
		read = onCaller()
		return 1, false, nil
	}, func(int) { handled = onCaller() })
	if err != nil || !read || !handled {
		t.Errorf("one page: err %v, read on the caller's goroutine %v, handled there %v; want nil, true, true", err, read, handled)
	}
}

// A list's third and later pages are read as a long list's (client.WithinLongList: the sync's
// other calls make room for it); its first two are not.
func TestReadAheadMarksPagesBeyondTheSecondAsALongList(t *testing.T) {
	var marked []bool
	err := readAhead(context.Background(), 4, func(ctx context.Context) (int, bool, error) {
		marked = append(marked, client.IsWithinLongList(ctx))
		return len(marked), len(marked) < 5, nil
	}, func(int) {})
	want := []bool{false, false, true, true, true}
	if err != nil || !slices.Equal(marked, want) {
		t.Errorf("pages marked %v (err %v), want %v", marked, err, want)
	}
}
