package emulator

import "testing"

// TestDrawsAreNotStreaky: with a 5% rate, failures must not come in runs; the longest run of
// consecutive faulted calls of one operation stays short and the rate is close to 5%.
func TestDrawsAreNotStreaky(t *testing.T) {
	s := NewServer(NewWorld(DefaultConfig()))
	k := StatKey{Account: "123412341234", Region: "us-east-1", Operation: "kms:ListResourceTags"}
	const calls = 20000
	hits, run, longest := 0, 0, 0
	for n := int64(1); n <= calls; n++ {
		if s.draw("internal", k, n) < 0.05 {
			hits++
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if rate := float64(hits) / calls; rate < 0.04 || rate > 0.06 {
		t.Errorf("fault rate %.3f, want about 0.05", rate)
	}
	// For independent 5% draws, a run of 6 in 20,000 calls has a probability of about 3e-4.
	if longest > 5 {
		t.Errorf("longest run of consecutive faults is %d", longest)
	}
}
