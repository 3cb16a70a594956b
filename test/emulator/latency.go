package emulator

import (
	"context"
	"time"
)

// delay holds a call for the configured latency: Fixed plus a jitter drawn
// from the call's identity, or SlowDelay for the SlowRate fraction of calls.
// It gives up when the client does (context canceled).
func (s *Server) delay(ctx context.Context, k StatKey, n int64) {
	cfg := s.cfg.Latency
	d := time.Duration(cfg.Fixed)
	if cfg.Jitter > 0 {
		d += time.Duration(s.draw("jitter", k, n) * float64(cfg.Jitter))
	}
	if cfg.SlowRate > 0 && s.draw("slow", k, n) < cfg.SlowRate {
		d = time.Duration(cfg.SlowDelay)
	}
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
