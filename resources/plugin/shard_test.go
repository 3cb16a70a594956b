package plugin

import (
	"fmt"
	"testing"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// TestShardsCoverEveryPairOnce syncs the organization as three shards, as three scheduled
// processes would, and checks that together they write every key exactly once and that each
// shard keeps whole (account, region) pairs.
func TestShardsCoverEveryPairOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process syncs against the emulator")
	}
	cfg := emulator.DefaultConfig()
	cfg.HotKeyGrants = 0
	world, srv := emulatedOrg(t, cfg)
	const total = 3
	seen := map[string]int{}
	pairsOfShard := make([]map[string]bool, total)
	for i := 0; i < total; i++ {
		spec := orgSpec(srv)
		spec["shard"] = map[string]int{"index": i, "total": total}
		msgs, err := syncAll(t, spec)
		if err != nil {
			t.Fatal(err)
		}
		pairsOfShard[i] = map[string]bool{}
		for _, r := range syncedRows(t, msgs, Tables().Get("aws_kms_keys")) {
			seen[r["arn"].(string)]++
			pairsOfShard[i][fmt.Sprint(r["account_id"], "/", r["region"])] = true
		}
		if len(pairsOfShard[i]) == 0 {
			t.Errorf("shard %d synced nothing", i)
		}
	}
	want := 0
	syncedPairs := 0
	for ar, rd := range world.Regions {
		if !world.IsOrgAccount(ar.Account) || len(rd.Keys) == 0 {
			continue
		}
		active := false
		for _, r := range world.EnabledRegions[ar.Account] {
			active = active || r == ar.Region
		}
		if !active {
			continue
		}
		syncedPairs++
		for _, k := range rd.Keys {
			want++
			if n := seen[*k.Metadata.Arn]; n != 1 {
				t.Errorf("key %s synced %d times across the shards", *k.Metadata.Arn, n)
			}
		}
	}
	if len(seen) != want {
		t.Errorf("shards synced %d keys, the organization has %d", len(seen), want)
	}
	covered := 0
	for i := range pairsOfShard {
		for pair := range pairsOfShard[i] {
			covered++
			for j := i + 1; j < total; j++ {
				if pairsOfShard[j][pair] {
					t.Errorf("pair %s synced by shards %d and %d", pair, i, j)
				}
			}
		}
	}
	if covered != syncedPairs {
		t.Errorf("shards covered %d pairs, want %d", covered, syncedPairs)
	}
}
