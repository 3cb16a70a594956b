package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A call's latency runs from its arrival: the time the emulator spent on it counts toward the
// latency, as AWS's own work counts toward the latency its clients see.
func TestLatencyCountsFromArrival(t *testing.T) {
	s := NewServer(NewWorld(DefaultConfig()), WithLatency(200*time.Millisecond, 0))
	k := StatKey{Account: "111122223333", Region: "us-east-1", Operation: "kms:ListGrants"}

	start := time.Now()
	s.delay(context.Background(), k, 1, start.Add(-150*time.Millisecond))
	if waited := time.Since(start); waited < 40*time.Millisecond || waited > 150*time.Millisecond {
		t.Errorf("a call that arrived 150 ms ago waited %v more, want about 50 ms of its 200", waited)
	}
	start = time.Now()
	s.delay(context.Background(), k, 2, start.Add(-250*time.Millisecond))
	if waited := time.Since(start); waited > 20*time.Millisecond {
		t.Errorf("a call that arrived 250 ms ago, past its 200 ms, waited %v more", waited)
	}
}

// An answer held for its latency goes out as it was written: status, headers and body, with its
// length.
func TestHeldAnswerIsWrittenAsItWas(t *testing.T) {
	var held heldResponse
	held.Header().Set("Content-Type", "application/x-amz-json-1.1")
	held.WriteHeader(http.StatusBadRequest)
	held.WriteHeader(http.StatusOK) // a second status is ignored, as by net/http
	held.Write([]byte(`{"__type":"NotFoundException",`))
	held.Write([]byte(`"message":"Key 'x' does not exist"}`))
	rec := httptest.NewRecorder()
	held.writeTo(rec)
	body := `{"__type":"NotFoundException","message":"Key 'x' does not exist"}`
	if rec.Code != http.StatusBadRequest || rec.Body.String() != body ||
		rec.Header().Get("Content-Type") != "application/x-amz-json-1.1" || rec.Header().Get("Content-Length") != "65" {
		t.Errorf("written: %d %v %q", rec.Code, rec.Header(), rec.Body.String())
	}

	var ok heldResponse
	ok.Write([]byte("{}"))
	rec = httptest.NewRecorder()
	ok.writeTo(rec)
	if rec.Code != http.StatusOK || rec.Body.String() != "{}" {
		t.Errorf("a body without a status: %d %q, want 200 {}", rec.Code, rec.Body.String())
	}
}

// The emulator's timers fire late when the machine is busy; delay sets them early by the
// lateness it saw lately, so that answers go out at their latency on average.
func TestDelayAimsEarlyByItsTimersLateness(t *testing.T) {
	var l timerLateness
	for range 200 {
		l.observe(2 * time.Millisecond)
	}
	if got := l.get(); got < 1900*time.Microsecond || got > 2*time.Millisecond {
		t.Errorf("after 200 answers 2 ms late the lateness is %v, want about 2 ms", got)
	}
	for range 200 {
		l.observe(0)
	}
	if got := l.get(); got > 100*time.Microsecond {
		t.Errorf("after 200 answers on time the lateness is %v, want about 0", got)
	}

	s := NewServer(NewWorld(DefaultConfig()), WithLatency(200*time.Millisecond, 0))
	k := StatKey{Account: "111122223333", Region: "us-east-1", Operation: "kms:ListGrants"}
	s.late.ns.Store(int64(80 * time.Millisecond))
	start := time.Now()
	s.delay(context.Background(), k, 1, start)
	if waited := time.Since(start); waited < 100*time.Millisecond || waited > 160*time.Millisecond {
		t.Errorf("with timers 80 ms late, a 200 ms call was held %v, want about 120 ms", waited)
	}
}
