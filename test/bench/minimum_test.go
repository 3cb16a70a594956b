package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"

	"github.com/kmsaudit/cq-source-awskms/internal/scheduler"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func busyWorld(retired int) *emulator.World {
	s := Size{Accounts: 2, Regions: []string{"us-east-1"}, KeysPerRegion: 3, GrantsPerKey: emulator.IntRange{Min: 1, Max: 2}, RetiredGrants: retired}
	return emulator.NewWorld(emulatorConfig(s, Latency{Fixed: 20 * time.Millisecond}, emulator.DocumentedQuotas(), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)))
}

// The inventory's minimum is set by the work the user asked for: with aws_kms_grant_events
// skipped it needs no CloudTrail call, however busy the trail.
func TestInventoryMinimumNeedsNoCloudTrail(t *testing.T) {
	w := busyWorld(5000)
	m := quotaBoundMinimum(w, Latency{Fixed: 20 * time.Millisecond}, emulator.DocumentedQuotas(), nil)
	if n, ok := m.Calls()["cloudtrail:LookupEvents"]; ok {
		t.Errorf("the inventory's minimum counts %d LookupEvents calls; it needs none", n)
	}
	if m.Slowest.QuotaOp == "cloudtrail:LookupEvents" {
		t.Error("the inventory's minimum is bound by CloudTrail")
	}
	if m.Total() > 2*time.Second {
		t.Errorf("3 keys a region allow a sync in well under 2 s at KMS's quotas, the minimum says %v", m.Total())
	}
}

// With events, each event name is read once per account-region: 120 grants retired by EC2 plus
// the one the emulator's grant history retires by hand are 121 RetireGrant events, 3 pages of 50;
// the one revoked grant is 1 page; at 2 calls a second CloudTrail bounds the pair.
func TestEventsMinimumReadsEachNameOnce(t *testing.T) {
	w := busyWorld(120)
	window := &eventWindow{Since: w.Now.AddDate(0, 0, -90), Until: w.Now}
	m := quotaBoundMinimum(w, Latency{Fixed: 20 * time.Millisecond}, emulator.DocumentedQuotas(), window)
	for _, p := range m.Pairs {
		rd := w.Region(p.Account, p.Region)
		if got := pages(eventsNamed(rd, "RetireGrant", window.Since, window.Until), lookupEventsPage); got != 3 {
			t.Errorf("%s:%s: %d RetireGrant pages, want 3", p.Account, p.Region, got)
		}
		if got := pages(eventsNamed(rd, "RevokeGrant", window.Since, window.Until), lookupEventsPage); got != 1 {
			t.Errorf("%s:%s: %d RevokeGrant pages, want 1", p.Account, p.Region, got)
		}
	}
	if m.Slowest.QuotaOp != "cloudtrail:LookupEvents" {
		t.Errorf("a busy trail's pair is bound by %q, want cloudtrail:LookupEvents", m.Slowest.QuotaOp)
	}
}

// The floor source emits the rows asked for, table by table, in records as the plugin sends them, every primary key
// distinct (upserts must not fold rows together).
func TestFloorSourceEmitsTheRowsAskedFor(t *testing.T) {
	p := floorPlugin()
	gen := filepath.Join(t.TempDir(), "gen")
	spec := `{"rows": {"aws_kms_keys": 300, "aws_kms_key_grants": 7}, "generation_file": "` + gen + `"}`
	ctx := context.Background()
	if err := p.Init(ctx, []byte(spec), plugin.NewClientOptions{}); err != nil {
		t.Fatal(err)
	}
	msgs, err := p.SyncAll(ctx, plugin.SyncOptions{Tables: benchTables, SkipTables: []string{eventsTable}})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	keys := map[string]bool{}
	for _, m := range msgs {
		insert, ok := m.(*message.SyncInsert)
		if !ok {
			continue
		}
		if n := insert.Record.NumRows(); n < 1 || n > scheduler.BatchRows {
			t.Fatalf("a message holds %d rows, the plugin sends 1 to %d", n, scheduler.BatchRows)
		}
		table := insert.GetTable()
		rows[table.Name] += insert.Record.NumRows()
		if table.Name == "aws_kms_keys" {
			if arn := stringColumn(insert.Record, "arn"); arn != nil {
				for i := range arn.Len() {
					keys[arn.Value(i)] = true
				}
			}
		}
	}
	if rows["aws_kms_keys"] != 300 || rows["aws_kms_key_grants"] != 7 || len(rows) != 2 {
		t.Errorf("rows per table %v, want 300 aws_kms_keys and 7 aws_kms_key_grants", rows)
	}
	if len(keys) != 300 {
		t.Errorf("%d distinct key ARNs of 300", len(keys))
	}
	if _, err := os.Stat(gen); err != nil {
		t.Errorf("generation time not reported: %v", err)
	}
}

// The scheduled sync's CloudTrail reads are judged per account-region: the busiest pair's calls
// between the two readings, per event name read (3).
func TestMaxLookupsPerName(t *testing.T) {
	entry := func(region, op string, calls int64) emulator.StatEntry {
		var e emulator.StatEntry
		e.Account, e.Region, e.Operation, e.Calls = "111122223333", region, op, calls
		return e
	}
	before := []emulator.StatEntry{entry("us-east-1", "cloudtrail:LookupEvents", 10), entry("eu-west-1", "cloudtrail:LookupEvents", 8)}
	after := []emulator.StatEntry{
		entry("us-east-1", "cloudtrail:LookupEvents", 16), entry("eu-west-1", "cloudtrail:LookupEvents", 9),
		entry("us-east-1", "kms:ListKeys", 100),
	}
	if got := maxLookupsPerName(before, after); got != 2 {
		t.Errorf("us-east-1 made 6 calls for 3 event names: %.2f per name, want 2", got)
	}
}
