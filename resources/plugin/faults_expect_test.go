package plugin

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// tableRows is what a sync should write, per table.
type tableRows map[string][]row

// perfectSync is what a sync of the whole world writes when nothing goes wrong.
func perfectSync(t *testing.T, w *emulator.World, syncStart time.Time) tableRows {
	t.Helper()
	var out tableRows
	w.Read(func() { out = expectedRows(t, w, syncStart.AddDate(0, 0, -90)) })
	return out
}

// keyTables are the tables whose rows belong to one key, with the column naming it.
var keyTables = map[string]string{
	"aws_kms_keys":                  "arn",
	"aws_kms_key_grants":            "key_arn",
	"aws_kms_key_policies":          "key_arn",
	"aws_kms_key_policy_statements": "key_arn",
	"aws_kms_key_rotations":         "key_arn",
	"aws_kms_key_last_usage":        "key_arn",
}

// dropRows removes the rows of tables (every table when none is named) that match.
func (tr tableRows) dropRows(match func(row) bool, tables ...string) {
	for table, rows := range tr {
		if len(tables) > 0 && !contains(tables, table) {
			continue
		}
		kept := rows[:0:0]
		for _, r := range rows {
			if !match(r) {
				kept = append(kept, r)
			}
		}
		tr[table] = kept
	}
}

// dropKeys removes the rows of the given keys (by ARN) from the named key tables (every key
// table when none is named).
func (tr tableRows) dropKeys(keys map[string]*emulator.Key, tables ...string) {
	if len(tables) == 0 {
		for table := range keyTables {
			tables = append(tables, table)
		}
	}
	for _, table := range tables {
		col := keyTables[table]
		tr.dropRows(func(r row) bool { return keys[fmt.Sprint(r[col])] != nil }, table)
	}
}

// dropPairs removes every row of the (account, region) pairs that match.
// A row of an account-level table (no region column) goes only when every pair of its account
// goes (the pairs being those of the account's regional rows).
func (tr tableRows) dropPairs(match func(account, region string) bool) {
	regions := map[string][]string{}
	for _, rows := range tr {
		for _, r := range rows {
			if region, ok := r["region"]; ok {
				account := fmt.Sprint(r["account_id"])
				regions[account] = append(regions[account], fmt.Sprint(region))
			}
		}
	}
	tr.dropRows(func(r row) bool {
		account := fmt.Sprint(r["account_id"])
		if _, regional := r["region"]; !regional {
			for _, region := range regions[account] {
				if !match(account, region) {
					return false
				}
			}
			return true
		}
		return match(account, fmt.Sprint(r["region"]))
	})
}

// editKeys applies edit to the aws_kms_keys row of each of the given keys.
func (tr tableRows) editKeys(keys map[string]*emulator.Key, edit func(r row, k *emulator.Key)) {
	for _, r := range tr["aws_kms_keys"] {
		if k := keys[fmt.Sprint(r["arn"])]; k != nil {
			edit(r, k)
		}
	}
}

// everyNthKey returns the keys a per-key fault with everyNth strikes: the n-th, 2n-th, … key of
// each region in ListKeys order, as the emulator counts them.
func everyNthKey(w *emulator.World, everyNth int) map[string]*emulator.Key {
	out := map[string]*emulator.Key{}
	w.Read(func() {
		for _, rd := range w.Regions {
			for i, k := range rd.Keys {
				if (i+1)%everyNth == 0 {
					out[k.ARN()] = k
				}
			}
		}
	})
	return out
}

// keyMetadataColumns are the aws_kms_keys columns that come from DescribeKey alone.
func keyMetadataColumns() []string {
	var out []string
	for col := range expectFields(kmstypes.KeyMetadata{}) {
		if col != "arn" && col != "key_id" {
			out = append(out, col)
		}
	}
	return append(out, "replica_keys")
}

// failureKind is one line of the end-of-sync failure summary.
type failureKind struct{ Table, Account, Region, Operation, Code string }

// tableClient names a table's run for one (account, region), as the scheduler logs it.
type tableClient struct{ Table, Client string }

// expectedFailures counts, per summary line, the keys a denied operation strikes, and the
// scheduler errors they cause: one per kind of failure, table and (account, region).
func expectedFailures(keys map[string]*emulator.Key, table, operation, code string, strikes func(*emulator.Key) bool) (map[failureKind]int, map[tableClient]int) {
	failures := map[failureKind]int{}
	errs := map[tableClient]int{}
	for arn, k := range keys {
		if !strikes(k) {
			continue
		}
		account, region := arnAccountRegion(arn)
		kind := failureKind{Table: table, Account: account, Region: region, Operation: operation, Code: code}
		if failures[kind] == 0 {
			errs[tableClient{Table: table, Client: account + ":" + region}]++
		}
		failures[kind]++
	}
	return failures, errs
}

// arnAccountRegion reads the account and region of an ARN.
func arnAccountRegion(arn string) (account, region string) {
	parts := strings.SplitN(arn, ":", 6)
	return parts[4], parts[3]
}

// checkRows compares every table the plugin synced with want, exactly.
func checkRows(t *testing.T, res syncResult, want tableRows) {
	t.Helper()
	tables := Tables().FlattenTables()
	if len(want) != len(tables) {
		t.Errorf("the expectation covers %d tables, the plugin has %d", len(want), len(tables))
	}
	for _, table := range tables {
		compareRows(t, table.Name, syncedRows(t, res.msgs, table), want[table.Name], rowKeys[table.Name])
	}
}

// checkFailureSummary holds the end-of-sync "failures during sync" lines to want: one line per
// kind of failure, table, account and region, with the number of resources it struck.
func checkFailureSummary(t *testing.T, res syncResult, want map[failureKind]int) {
	t.Helper()
	got := map[failureKind]int{}
	for _, e := range withMessage(res.logs.Entries(t), "failures during sync") {
		kind := failureKind{e.str("table"), e.str("account_id"), e.str("region"), e.str("operation"), e.str("error_code")}
		if _, dup := got[kind]; dup {
			t.Errorf("failure %+v summarised twice", kind)
		}
		got[kind] = e.num("count")
	}
	if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
		t.Errorf("failure summary:\n  got  %s\n  want %s", sortedFailures(got), sortedFailures(want))
	}
}

func sortedFailures(m map[failureKind]int) string {
	lines := make([]string, 0, len(m))
	for k, n := range m {
		lines = append(lines, fmt.Sprintf("%s %s %s %s %s ×%d", k.Table, k.Account, k.Region, k.Operation, k.Code, n))
	}
	sort.Strings(lines)
	return "[" + strings.Join(lines, "; ") + "]"
}

// checkErrorCounts holds the scheduler's per table and client error counts ("table sync
// finished") to want; tables and clients not in want must have none. It returns how many
// (table, client) runs were logged.
func checkErrorCounts(t *testing.T, res syncResult, want map[tableClient]int) int {
	t.Helper()
	seen := map[tableClient]bool{}
	for _, e := range withMessage(res.logs.Entries(t), "table sync finished") {
		tc := tableClient{Table: e.str("table"), Client: e.str("client")}
		if seen[tc] {
			t.Errorf("%s on %s: finished twice", tc.Table, tc.Client)
		}
		seen[tc] = true
		if got := e.num("errors"); got != want[tc] {
			t.Errorf("%s on %s: the scheduler counted %d errors, want %d", tc.Table, tc.Client, got, want[tc])
		}
	}
	for tc, n := range want {
		if !seen[tc] && n > 0 {
			t.Errorf("%s on %s: expected %d errors, but the table never finished there", tc.Table, tc.Client, n)
		}
	}
	return len(seen)
}

// checkNoPanics fails on any panic a resolver logged (the scheduler recovers them).
func checkNoPanics(t *testing.T, res syncResult) {
	t.Helper()
	for _, e := range res.logs.Entries(t) {
		if strings.Contains(e.str("message"), "panic") {
			t.Errorf("panic during sync: %v", e)
		}
	}
}

// schedulerErrorMessages are how the scheduler logs a resolver's error, once per error it counts.
var schedulerErrorMessages = []string{"table resolver finished with error", "column resolver finished with error"}

// checkQuietLogs fails on warnings and errors beyond the failure summary, the scheduler's own
// error lines (held to once per kind by checkErrorCounts) and the messages a case expects: a
// failure on many resources must not log once per resource.
func checkQuietLogs(t *testing.T, res syncResult, expected ...string) {
	t.Helper()
	for _, e := range res.logs.Entries(t) {
		level, msg := e.str("level"), e.str("message")
		if level != "warn" && level != "error" {
			continue
		}
		if msg == "failures during sync" || msg == noStateBackendWarning || contains(schedulerErrorMessages, msg) || contains(expected, msg) {
			continue
		}
		t.Errorf("unexpected %s line: %s (%s)", level, msg, e.str("error"))
	}
}

// checkSync asserts a sync that ran to its end: every row of want exactly, the failure summary
// and the scheduler's error counts as expected, no other warning or error than the expected
// messages, and no panic.
func checkSync(t *testing.T, res syncResult, want tableRows, failures map[failureKind]int, errs map[tableClient]int, expectedLogs ...string) {
	t.Helper()
	if res.initErr != nil {
		t.Fatalf("init: %v", res.initErr)
	}
	if res.syncErr != nil {
		t.Fatalf("sync: %v", res.syncErr)
	}
	checkRows(t, res, want)
	checkFailureSummary(t, res, failures)
	checkErrorCounts(t, res, errs)
	checkQuietLogs(t, res, expectedLogs...)
	checkNoPanics(t, res)
}
