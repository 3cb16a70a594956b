package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"
)

type ctxKey struct{}

// resourceContext behaves as context.WithTimeout: its deadline, its values, cancelled when its
// resource is done (whether or not anything looked at it before), when its parent is, and when
// its time is up, with the contexts made from it.
func TestResourceContextIsWithTimeout(t *testing.T) {
	parent, cancelParent := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	defer cancelParent()

	start := time.Now()
	rc := newResourceContext(parent, time.Hour)
	if d, ok := rc.Deadline(); !ok || d.Before(start.Add(time.Hour)) || d.After(time.Now().Add(time.Hour)) {
		t.Errorf("deadline %v %v, want an hour from now", d, ok)
	}
	rc.end()
	if !closed(rc.Done()) || !errors.Is(rc.Err(), context.Canceled) || !errors.Is(context.Cause(rc), context.Canceled) {
		t.Errorf("ended before use: done %v, err %v, cause %v; want closed, canceled, canceled", closed(rc.Done()), rc.Err(), context.Cause(rc))
	}

	rc = newResourceContext(parent, time.Hour)
	if got := rc.Value(ctxKey{}); got != "v" {
		t.Errorf("value %v, want the parent's v", got)
	}
	child, cancelChild := context.WithCancel(rc)
	defer cancelChild()
	if closed(child.Done()) || rc.Err() != nil {
		t.Fatalf("cancelled before its end: %v", rc.Err())
	}
	rc.end()
	if !closed(child.Done()) || !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("a context made from it: done %v, err %v after the resource's end", closed(child.Done()), child.Err())
	}

	rc = newResourceContext(parent, 20*time.Millisecond)
	select {
	case <-rc.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("not done at its deadline")
	}
	if !errors.Is(rc.Err(), context.DeadlineExceeded) {
		t.Errorf("err %v at its deadline, want DeadlineExceeded", rc.Err())
	}
	rc.end()

	short, cancelShort := context.WithTimeout(parent, time.Minute)
	defer cancelShort()
	want, _ := short.Deadline()
	rc = newResourceContext(short, time.Hour)
	if d, _ := rc.Deadline(); !d.Equal(want) {
		t.Errorf("deadline %v under a parent ending at %v, want the parent's", d, want)
	}
	cancelParent()
	if !closed(rc.Done()) || !errors.Is(rc.Err(), context.Canceled) {
		t.Errorf("parent cancelled: done %v, err %v", closed(rc.Done()), rc.Err())
	}
	rc.end()
}

func closed(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	case <-time.After(time.Second):
		return false
	}
}
