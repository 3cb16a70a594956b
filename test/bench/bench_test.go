package main

import (
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary play the benchmark's child roles, as the benchmark starts copies
// of its own executable as the emulator and the plugin.
func TestMain(m *testing.M) {
	if _, served := servedRole(); served || (len(os.Args) == 3 && (os.Args[1] == roleEmulator || os.Args[1] == rolePlugin)) {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestSmallRunMakesOnlyTheCallsTheDataNeeds runs the whole benchmark on a small organization:
// both child processes, the emulator's counters, the plugin's report. Every table must match
// the World row for row count, and every operation with a quota must be called exactly as often
// as the data needs: a read made twice (the CreateGrant events for the grants' lineage and for
// aws_kms_grant_events) or a call that cannot succeed shows up here.
func TestSmallRunMakesOnlyTheCallsTheDataNeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an emulator and a plugin process")
	}
	o := options{
		base:        Size{Name: "small", Accounts: 2, Regions: []string{"us-east-1", "eu-west-1"}, KeysPerRegion: 5, GrantsPerKey: baseSize().GrantsPerKey, HotKeyGrants: 250},
		latency:     Latency{Fixed: 2 * time.Millisecond, Jitter: 2 * time.Millisecond},
		lookupQuota: 1000, // CloudTrail's 2/s would make this test last a minute
		outDir:      t.TempDir(),
		timeout:     2 * time.Minute,
	}
	quotas := o.quotas()
	r, err := runSize(o, o.base, quotas, o.outDir, true)
	if err != nil {
		t.Fatal(err)
	}
	if check := r.rowCheck(); check != rowsMatch {
		t.Error(check)
	}
	made := map[string]int64{}
	for _, s := range r.Stats {
		made[s.Operation] += s.Calls
	}
	for op, want := range r.Min.Calls() {
		if made[op] != int64(want) {
			t.Errorf("%s: %d calls, the data needs %d", op, made[op], want)
		}
	}
	if r.throttled() != 0 {
		t.Errorf("%d calls throttled at AWS's quotas", r.throttled())
	}
	if r.Run.PeakRSS <= 0 || r.Run.Peaks.Heap == 0 {
		t.Errorf("memory not measured: peak RSS %d, heap %d", r.Run.PeakRSS, r.Run.Peaks.Heap)
	}
	if r.Run.HotKeyFirst == 0 || r.Run.HotKeyLast < r.Run.HotKeyFirst {
		t.Errorf("hot key's grant rows not seen: first %.2f s, last %.2f s", r.Run.HotKeyFirst, r.Run.HotKeyLast)
	}
	if r.PluginCalls["ListGrants"] != uint64(made["kms:ListGrants"]) {
		t.Errorf("the plugin's debug summary counts %d ListGrants, the emulator %d", r.PluginCalls["ListGrants"], made["kms:ListGrants"])
	}
}

// TestSmallCLIRuns runs the runs that go through bin/cloudquery into PostgreSQL on tiny
// organizations: the busy CloudTrail's first and scheduled syncs, the throughput run and a wide
// organization with its floor. Every run must write the emulator's rows, table by table, and
// report its figures; the targets are the benchmark's to judge, not this test's.
func TestSmallCLIRuns(t *testing.T) {
	if testing.Short() || os.Getenv("PGTEST_SKIP") == "1" {
		t.Skip("needs bin/cloudquery and PostgreSQL")
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root + "/bin/cloudquery"); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("bin/cloudquery not found: build it with `make cloudquery`")
		}
		t.Fatal("bin/cloudquery not found under CI")
	}
	o, err := parseOptions([]string{"-out", t.TempDir(), "-hot", "120", "-retired", "60", "-timeout", "3m", "-latency", "2ms", "-jitter", "2ms"})
	if err != nil {
		t.Fatal(err)
	}
	o.busy.Accounts, o.busy.Regions, o.busy.KeysPerRegion = 2, []string{"us-east-1"}, 2
	o.wide.Regions, o.wide.KeysPerRegion = []string{"us-east-1", "eu-west-1"}, 2
	cli, err := startCLIBench(o.outDir)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Stop()
	quotas := o.quotas()
	quotas["cloudtrail:LookupEvents"] = 50 // CloudTrail's 2/s would make this test last minutes

	var rows []summaryRow
	events, err := runBusyTrail(o, cli, quotas)
	if err != nil {
		t.Fatal(err)
	}
	rows = append(rows, events...)
	throughput, err := runThroughputBench(o, cli)
	if err != nil {
		t.Fatal(err)
	}
	rows = append(rows, throughput...)
	wide, err := runWideOrg(o, cli, 2)
	if err != nil {
		t.Fatal(err)
	}
	rows = append(rows, wide...)
	if len(rows) != 4 {
		t.Fatalf("%d summary rows, want 4 (first sync, scheduled sync, throughput, wide)", len(rows))
	}
	for _, r := range rows {
		if !r.rowsMatch() {
			t.Errorf("%s %s: %s", r.Run, r.Measure, r.RowCheck)
		}
		if r.Wall <= 0 || r.Reference <= 0 || r.PeakRSS <= 0 {
			t.Errorf("%s %s: wall %.2f s, reference %.2f s, peak RSS %d: not measured", r.Run, r.Measure, r.Wall, r.Reference, r.PeakRSS)
		}
	}
}
