package emulator

import (
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// rng is the single source of randomness for generated data. Every stream is
// keyed by the seed plus labels (account, region, purpose), so one region's
// data never depends on how much randomness another region consumed.
type rng struct{ *rand.Rand }

func newRNG(seed int64, labels ...string) *rng {
	return &rng{rand.New(rand.NewPCG(uint64(seed), labelHash(labels...)))}
}

func labelHash(labels ...string) uint64 {
	h := fnv.New64a()
	for _, l := range labels {
		h.Write([]byte(l))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func (r *rng) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// hex returns n lowercase hex digits.
func (r *rng) hex(n int) string {
	return hex.EncodeToString(r.bytes((n + 1) / 2))[:n]
}

// uuid returns a random (version 4 shaped) UUID.
func (r *rng) uuid() string {
	b := r.bytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// chars returns n characters drawn from alphabet.
func (r *rng) chars(alphabet string, n int) string {
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(out)
}

// between returns an int in [lo, hi].
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// timeBetween returns a whole-second UTC time in [from, to).
func (r *rng) timeBetween(from, to time.Time) time.Time {
	span := int64(to.Sub(from) / time.Second)
	if span <= 0 {
		return from.UTC().Truncate(time.Second)
	}
	return from.Add(time.Duration(r.Int64N(span)) * time.Second).UTC().Truncate(time.Second)
}

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.Float64() < p }

const (
	lowerAlnum  = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)
