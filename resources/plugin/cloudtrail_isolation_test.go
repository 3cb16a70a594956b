package plugin

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
	"github.com/rs/zerolog"
)

// TestInventoryDoesNotWaitForCloudTrail reads a day of CloudTrail at one LookupEvents call every
// 10 s per account-region, so each pair's three event names take at least 20 s: every other table's rows
// must have arrived long before, while CloudTrail is still being read, and the sync still ends
// with every row of every table.
func TestInventoryDoesNotWaitForCloudTrail(t *testing.T) {
	world, srv := faultyOrg(t)
	spec := orgSpec(srv)
	spec["rate_limits"] = map[string]float64{"LookupEvents": 0.1}
	// A day of events: a page or so per event name, not the hot key's 1,500 CreateGrant events.
	spec["grant_events_lookback_days"] = 1
	start := time.Now().UTC()
	res, lastRow := runTimedSync(t, spec)
	var want tableRows
	world.Read(func() { want = expectedRows(t, world, start.AddDate(0, 0, -1)) })
	checkSync(t, res, want, nil, nil)
	// The sync ends with the pairs' last LookupEvents calls, 20 s in (19.6 s measured).
	if res.elapsed < 15*time.Second {
		t.Fatalf("the sync took %s: CloudTrail was not slow, the case tests nothing", res.elapsed)
	}
	for table, at := range lastRow {
		if table != grantEventsTable && at > res.elapsed/2 {
			t.Errorf("%s: last row %s into a %s sync: it waited for CloudTrail", table, at, res.elapsed)
		}
	}
}

// TestInventoryWhileCloudTrailFails answers every LookupEvents call with CloudTrail's 500 error:
// every other table's rows land, the CloudTrail table fails once per account-region (after its
// retries), and nothing else is reported.
func TestInventoryWhileCloudTrailFails(t *testing.T) {
	world, srv := faultyOrg(t, emulator.WithFailingOperations("cloudtrail:LookupEvents"))
	spec := orgSpec(srv)
	spec["max_retries"], spec["max_backoff"] = 2, 1
	start := time.Now().UTC()
	res, lastRow := runTimedSync(t, spec)
	want := perfectSync(t, world, start)
	want[grantEventsTable] = nil
	errs := map[tableClient]int{}
	for _, account := range activeAccounts(world) {
		for _, region := range world.EnabledRegions[account] {
			errs[tableClient{Table: grantEventsTable, Client: account + ":" + region}] = 1
		}
	}
	checkSync(t, res, want, nil, errs)
	for table, at := range lastRow {
		if at > 10*time.Second {
			t.Errorf("%s: last row %s into the sync: it waited for CloudTrail's retries", table, at)
		}
	}
}

// runTimedSync runs the plugin in-process like runSync and also returns, per table, when its last
// row arrived after the sync started.
func runTimedSync(t *testing.T, spec map[string]any) (syncResult, map[string]time.Duration) {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	res := syncResult{logs: &logCapture{}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p := Plugin()
	p.SetLogger(zerolog.New(res.logs).Level(zerolog.DebugLevel))
	if res.initErr = p.Init(ctx, raw, plugin.NewClientOptions{}); res.initErr != nil {
		t.Fatalf("init: %v", res.initErr)
	}
	defer p.Close(ctx)
	lastRow := map[string]time.Duration{}
	msgs := make(chan message.SyncMessage)
	start := time.Now()
	go func() {
		defer close(msgs)
		res.syncErr = p.Sync(ctx, plugin.SyncOptions{Tables: []string{"*"}, DeterministicCQID: true}, msgs)
	}()
	for m := range msgs {
		res.msgs = append(res.msgs, m)
		if insert, ok := m.(*message.SyncInsert); ok {
			table, _ := insert.Record.Schema().Metadata().GetValue(schema.MetadataTableName)
			lastRow[table] = time.Since(start)
		}
	}
	res.elapsed = time.Since(start)
	return res, lastRow
}
