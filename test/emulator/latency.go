package emulator

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// delay holds a call until its configured latency has passed since it arrived: Fixed plus a
// jitter drawn from the call's identity, or SlowDelay for the SlowRate fraction of calls. The
// time the emulator spent on the call counts toward it, as AWS's own work counts toward the
// latency its clients see, and so does the lateness of its timers (see timerLateness). It gives
// up when the client does (context canceled).
func (s *Server) delay(ctx context.Context, k StatKey, n int64, arrived time.Time) {
	cfg := s.cfg.Latency
	d := time.Duration(cfg.Fixed)
	if cfg.Jitter > 0 {
		d += time.Duration(s.draw("jitter", k, n) * float64(cfg.Jitter))
	}
	if cfg.SlowRate > 0 && s.draw("slow", k, n) < cfg.SlowRate {
		d = time.Duration(cfg.SlowDelay)
	}
	d -= time.Since(arrived) + s.late.get()
	if d <= 0 {
		return
	}
	aim := time.Now().Add(d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		s.late.observe(time.Since(aim))
	case <-ctx.Done():
	}
}

// timerLateness is how late the emulator's held answers have lately gone out after the time
// their timer was set for: a moving average over about the last 32 calls. A timer fires late
// by the runtime's timer granularity and, when the machine is busy, by the wait for a CPU: the
// emulator shares the machine with the plugin under test, where AWS does not, and measured under
// the benchmark's inventory its answers went out 1.4 ms late on average (a fifth of them by over
// 3 ms). delay sets its timers early by this much, so that calls are answered at their latency
// on average, as configured.
type timerLateness struct{ ns atomic.Int64 }

// lateShift makes the newest observation weigh 1/32 of the average.
const lateShift = 5

func (l *timerLateness) get() time.Duration { return time.Duration(l.ns.Load()) }

func (l *timerLateness) observe(late time.Duration) {
	late = max(late, 0)
	for {
		old := l.ns.Load()
		if l.ns.CompareAndSwap(old, old+(int64(late)-old)>>lateShift) {
			return
		}
	}
}

// heldResponse is an answer kept until its call's latency is up: an http.ResponseWriter that
// records the status, headers and body, and writes them out in one piece.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header {
	if h.header == nil {
		h.header = http.Header{}
	}
	return h.header
}

func (h *heldResponse) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldResponse) Write(p []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.body.Write(p)
}

// writeTo sends the held answer, with its length, so it goes out without chunking.
func (h *heldResponse) writeTo(w http.ResponseWriter) {
	dst := w.Header()
	for k, v := range h.header {
		dst[k] = v
	}
	dst.Set("Content-Length", strconv.Itoa(h.body.Len()))
	w.WriteHeader(max(h.status, http.StatusOK))
	w.Write(h.body.Bytes())
}
