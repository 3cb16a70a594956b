package client

import (
	"errors"
	"fmt"
	"testing"
)

// The counters are per service operation whatever the number of account-regions: a sync of
// thousands of pairs keeps a few dozen counters.
func TestCallStatsCountPerOperation(t *testing.T) {
	var s CallStats
	for i := range 1000 {
		key := CallKey{Account: fmt.Sprint(i), Region: "us-east-1", Service: "KMS", Operation: "ListGrants"}
		s.record(key, nil)
		if i%10 == 0 {
			s.record(key, errors.New("boom"))
		}
	}
	s.record(CallKey{Account: "1", Region: "eu-west-1", Service: "KMS", Operation: "DescribeKey"}, nil)
	snap := s.Snapshot()
	if len(snap) != 2 {
		t.Fatalf("%d counters, want 2 (one per operation)", len(snap))
	}
	grants := s.ByOperation()["KMS.ListGrants"]
	if grants.Attempts != 1100 || grants.Failed != 100 || grants.Throttled != 0 {
		t.Errorf("KMS.ListGrants = %+v, want 1100 attempts, 100 failed, 0 throttled", grants)
	}
}
