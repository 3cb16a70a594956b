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
