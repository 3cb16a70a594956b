package emulator

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"
)

// delay holds a call until its configured latency has passed since it arrived: Fixed plus a
// jitter drawn from the call's identity, or SlowDelay for the SlowRate fraction of calls. The
// time the emulator spent on the call counts toward it, as AWS's own work counts toward the
// latency its clients see. It gives up when the client does (context canceled).
func (s *Server) delay(ctx context.Context, k StatKey, n int64, arrived time.Time) {
	cfg := s.cfg.Latency
	d := time.Duration(cfg.Fixed)
	if cfg.Jitter > 0 {
		d += time.Duration(s.draw("jitter", k, n) * float64(cfg.Jitter))
	}
	if cfg.SlowRate > 0 && s.draw("slow", k, n) < cfg.SlowRate {
		d = time.Duration(cfg.SlowDelay)
	}
	d -= time.Since(arrived)
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
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
