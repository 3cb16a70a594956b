package plugin

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// The fault matrix: in-process syncs of the emulated organization while the emulator
// misbehaves. Each case computes, from the World and the fault, which rows were reachable,
// and asserts that exactly those landed, none twice, and that every kind of failure is reported
// once per table, account and region: in the end-of-sync summary and in the scheduler's errors.

// faultyOrg serves the default organization with the given misbehaviour.
func faultyOrg(t *testing.T, opts ...emulator.Option) (*emulator.World, *emulator.Server) {
	t.Helper()
	return emulatedOrg(t, faultConfig(t), opts...)
}

// faultConfig is the default organization's config, its dates an hour back; the case is skipped
// in short mode.
func faultConfig(t *testing.T) emulator.Config {
	t.Helper()
	if testing.Short() {
		t.Skip("in-process sync against the emulator")
	}
	cfg := emulator.DefaultConfig()
	cfg.Now = time.Now().UTC().Add(-time.Hour)
	return cfg
}

// activeAccounts are the organization's ACTIVE accounts, the ones a sync reaches.
func activeAccounts(w *emulator.World) []string {
	var out []string
	for _, a := range w.Accounts {
		if a.State == orgtypes.AccountStateActive {
			out = append(out, *a.Id)
		}
	}
	return out
}

// totalCalls sums the emulator's counters over every account, region and operation.
func totalCalls(st emulator.Stats) emulator.CallStats {
	var sum emulator.CallStats
	for _, v := range st {
		sum.Calls += v.Calls
		sum.Throttled += v.Throttled
		sum.Faults += v.Faults
	}
	return sum
}

// TestFaultInternalErrors answers 5% of all calls (STS, Organizations and Account included) with
// the service's 500 error: the SDK retries them, so every row lands and nothing is reported.
func TestFaultInternalErrors(t *testing.T) {
	world, srv := faultyOrg(t)
	flaky := &flakyAWS{next: srv, errorRate: 0.05}
	spec := orgSpec(srv)
	spec["custom_endpoint_url"] = flaky.serve(t)
	start := time.Now().UTC()
	res := runSync(t, spec, syncOptions{})
	checkSync(t, res, perfectSync(t, world, start), nil, nil)
	if flaky.errors.Load() == 0 {
		t.Fatal("no call failed: the case tests nothing")
	}
	t.Logf("%d calls, %d answered 500 and retried; %s", flaky.calls.Load(), flaky.errors.Load(), res.elapsed)
}

// TestFaultSlowResponses holds 3% of all calls for longer than the whole test may take, with
// request_timeout at its minimum (1s): each slow attempt is abandoned and retried, every row
// lands and nothing is reported.
func TestFaultSlowResponses(t *testing.T) {
	const slowDelay = 2 * time.Minute
	world, srv := faultyOrg(t)
	flaky := &flakyAWS{next: srv, slowRate: 0.03, slowDelay: slowDelay}
	spec := orgSpec(srv)
	spec["custom_endpoint_url"] = flaky.serve(t)
	spec["request_timeout"] = 1
	start := time.Now().UTC()
	res := runSync(t, spec, syncOptions{})
	checkSync(t, res, perfectSync(t, world, start), nil, nil)
	if flaky.slow.Load() == 0 {
		t.Fatal("no call was slow: the case tests nothing")
	}
	if res.elapsed >= slowDelay {
		t.Errorf("the sync took %s: it waited for a slow answer", res.elapsed)
	}
	t.Logf("%d calls, %d held for %s and abandoned after 1s; sync took %s", flaky.calls.Load(), flaky.slow.Load(), slowDelay, res.elapsed)
}

// TestFaultThrottlingStorm serves every quota ten times lower than AWS documents. Unaware of it
// (quota_share 1), the plugin paces at the documented quotas, gets throttled, slows the bucket
// down and retries: each (account, region, operation) bucket pays a few throttles to learn the
// lower quota, then stays under it (measured: 73-99 of ~5,700 calls throttled, at most 8-10
// in a bucket; 633, up to 50 in a bucket, with a limiter that does not slow down). Told
// (quota_share 0.1), it is hardly throttled at all. Either way every row lands. CloudTrail's
// LookupEvents keeps its real 2/s: at 0.2/s the hot key's 1,500 CreateGrant events alone take
// minutes to read (measured: 3m28s, still exact, 187 of 239 LookupEvents calls throttled).
func TestFaultThrottlingStorm(t *testing.T) {
	const stormKeysPerRegion = 100
	cases := []struct {
		name string
		spec map[string]any
		// Each bucket's throttles are bounded by a fixed cost of learning the quota (halving
		// from 100/s to below 10/s takes four, and calls already in flight are throttled too)
		// plus a share of its calls.
		learning     int64
		maxThrottled float64
	}{
		{"unaware", map[string]any{}, 10, 0.05},
		// Paced at exactly what the emulator allows, a call now and then lands a moment early.
		{"quota_share", map[string]any{"quota_share": 0.1, "rate_limits": map[string]float64{"LookupEvents": 2}}, 3, 0.02},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := faultConfig(t)
			// Enough keys that each region's per-key buckets run for seconds at the lower quota,
			// where pacing, not the first burst, decides how often AWS throttles.
			cfg.KeysPerRegion = stormKeysPerRegion
			world, srv := emulatedOrg(t, cfg, emulator.WithQuotas(0.1), emulator.WithQuota("cloudtrail:LookupEvents", 20))
			spec := orgSpec(srv)
			delete(spec, "rate_limits")
			// GetKeyLastUsage's 5/s at a tenth would take minutes for 100 keys a region.
			delete(spec, "key_last_usage")
			for k, v := range tc.spec {
				spec[k] = v
			}
			start := time.Now().UTC()
			res := runSync(t, spec, syncOptions{})
			want := perfectSync(t, world, start)
			want.dropRows(func(row) bool { return true }, "aws_kms_key_last_usage")
			checkSync(t, res, want, nil, nil)
			stats := srv.Stats()
			var worst emulator.StatEntry
			for _, e := range stats.Entries() {
				if e.Throttled > worst.Throttled {
					worst = e
				}
				if limit := tc.learning + int64(tc.maxThrottled*float64(e.Calls)); e.Throttled > limit {
					t.Errorf("%s %s %s: %d of %d calls throttled, want at most %d (%d to learn the quota, then %.0f%%)",
						e.Account, e.Region, e.Operation, e.Throttled, e.Calls, limit, tc.learning, 100*tc.maxThrottled)
				}
			}
			calls := totalCalls(stats)
			share := float64(calls.Throttled) / float64(calls.Calls)
			if tc.name == "unaware" && calls.Throttled == 0 {
				t.Error("the emulator throttled nothing: the case tests nothing")
			}
			t.Logf("%d calls, %d throttled (%.1f%%), at most %d of a bucket's %d (%s); sync took %s",
				calls.Calls, calls.Throttled, 100*share, worst.Throttled, worst.Calls, worst.Operation, res.elapsed)
		})
	}
}

// TestFaultDeniedKeyOperations denies one KMS operation on every third key of each region.
func TestFaultDeniedKeyOperations(t *testing.T) {
	const everyNth = 3
	denied := "AccessDeniedException"
	always := func(*emulator.Key) bool { return true }
	// rotationAsked: the plugin asks GetKeyRotationStatus only of keys that can rotate, which the
	// emulator models as keys with a rotation status, and not in the states KMS refuses it in.
	rotationAsked := func(k *emulator.Key) bool { return k.Rotation != nil && !refusesRotationCalls[k.Metadata.KeyState] }

	t.Run("DescribeKey", func(t *testing.T) {
		world, srv := faultyOrg(t, emulator.WithDeniedKeyOperations(everyNth, "DescribeKey"))
		start := time.Now().UTC()
		res := runSync(t, orgSpec(srv), syncOptions{})
		keys := everyNthKey(world, everyNth)
		want := perfectSync(t, world, start)
		// The key is written from ListKeys: arn and key_id, its metadata NULL (never a zero value
		// such as enabled=false). Rotation status and tags are still read, and, not knowing the
		// key is AWS managed, the plugin lists its (empty) tags too.
		want.editKeys(keys, func(r row, k *emulator.Key) {
			for _, col := range keyMetadataColumns() {
				r[col] = nil
			}
			tags := map[string]any{}
			for _, tag := range k.Tags {
				tags[*tag.TagKey] = *tag.TagValue
			}
			r["tags"] = tags
			// Not knowing the key is pending deletion, the plugin asks GetKeyRotationStatus, which
			// answers false in that state (GetKeyRotationStatus reference).
			if k.Rotation != nil && k.Metadata.KeyState == kmstypes.KeyStatePendingDeletion {
				r["rotation_enabled"], r["rotation_not_read_reason"] = false, nil
			}
		})
		// An undescribed key may be AWS managed: its last use is not asked.
		undescribed := map[any]bool{}
		for _, k := range keys {
			undescribed[k.ARN()] = true
		}
		want.dropRows(func(r row) bool { return undescribed[r["key_arn"]] }, "aws_kms_key_last_usage")
		failures, errs := expectedFailures(keys, "aws_kms_keys", "DescribeKey", denied, always)
		checkSync(t, res, want, failures, errs)
		t.Logf("%d keys undescribed; %d summary lines; %s", len(keys), len(failures), res.elapsed)
	})

	t.Run("GetKeyPolicy", func(t *testing.T) {
		world, srv := faultyOrg(t, emulator.WithDeniedKeyOperations(everyNth, "GetKeyPolicy"))
		start := time.Now().UTC()
		res := runSync(t, orgSpec(srv), syncOptions{})
		keys := everyNthKey(world, everyNth)
		want := perfectSync(t, world, start)
		want.dropKeys(keys, "aws_kms_key_policies", "aws_kms_key_policy_statements")
		failures, errs := expectedFailures(keys, "aws_kms_key_policies", "GetKeyPolicy", denied, always)
		checkSync(t, res, want, failures, errs)
		t.Logf("%d keys without policy rows; %d summary lines", len(keys), len(failures))
	})

	t.Run("ListGrants", func(t *testing.T) {
		world, srv := faultyOrg(t, emulator.WithDeniedKeyOperations(everyNth, "ListGrants"))
		start := time.Now().UTC()
		res := runSync(t, orgSpec(srv), syncOptions{})
		keys := everyNthKey(world, everyNth)
		want := perfectSync(t, world, start)
		want.dropKeys(keys, "aws_kms_key_grants")
		failures, errs := expectedFailures(keys, "aws_kms_key_grants", "ListGrants", denied, always)
		checkSync(t, res, want, failures, errs)
		t.Logf("%d keys without grant rows; %d summary lines", len(keys), len(failures))
	})

	t.Run("GetKeyRotationStatus", func(t *testing.T) {
		world, srv := faultyOrg(t, emulator.WithDeniedKeyOperations(everyNth, "GetKeyRotationStatus"))
		start := time.Now().UTC()
		res := runSync(t, orgSpec(srv), syncOptions{})
		keys := everyNthKey(world, everyNth)
		want := perfectSync(t, world, start)
		// Denied is unknown, never "rotation off".
		want.editKeys(keys, func(r row, k *emulator.Key) {
			if rotationAsked(k) {
				r["rotation_enabled"], r["rotation_not_read_reason"] = nil, "error:"+denied
			}
		})
		failures, errs := expectedFailures(keys, "aws_kms_keys", "GetKeyRotationStatus", denied, rotationAsked)
		checkSync(t, res, want, failures, errs)
		nulled := 0
		for _, k := range keys {
			if rotationAsked(k) {
				nulled++
			}
		}
		if nulled == 0 {
			t.Fatal("no denied key can rotate: the case tests nothing")
		}
		t.Logf("%d keys with rotation_enabled NULL; %d summary lines", nulled, len(failures))
	})
}

// TestFaultVanishingKeys lists every fourth key but answers NotFound for it everywhere else, as
// if deleted between ListKeys and DescribeKey: it is left out silently, with its children.
func TestFaultVanishingKeys(t *testing.T) {
	const everyNth = 4
	world, srv := faultyOrg(t, emulator.WithVanishingKeys(everyNth))
	start := time.Now().UTC()
	res := runSync(t, orgSpec(srv), syncOptions{})
	keys := everyNthKey(world, everyNth)
	want := perfectSync(t, world, start)
	want.dropKeys(keys)
	checkSync(t, res, want, nil, nil)
	t.Logf("%d keys vanished, none reported as a failure", len(keys))
}

// TestFaultGrantRevokedBetweenPages revokes, once per key, the first grant of the next
// ListGrants page right after a truncated page (the 1,500-grant hot key): the grant is gone, no
// grant is listed twice, and nothing breaks.
func TestFaultGrantRevokedBetweenPages(t *testing.T) {
	world, srv := faultyOrg(t, emulator.WithGrantRevokedBetweenPages())
	start := time.Now().UTC()
	before := perfectSync(t, world, start)
	res := runSync(t, orgSpec(srv), syncOptions{})
	after := perfectSync(t, world, start)

	revoked := len(before["aws_kms_key_grants"]) - len(after["aws_kms_key_grants"])
	if revoked == 0 {
		t.Fatal("no grant was revoked during the sync: the case tests nothing")
	}
	// The revocations are CloudTrail events too. Whether the sync read the trail before or after
	// them is a race, so they may or may not land (and must be right if they do); every other
	// event is the one from before the sync.
	const events = "aws_kms_grant_events"
	eventKey := rowKeys[events]
	known := map[string]bool{}
	for _, r := range before[events] {
		known[eventKey(r)] = true
	}
	raced := map[string]row{}
	for _, r := range after[events] {
		if !known[eventKey(r)] {
			raced[eventKey(r)] = r
		}
	}
	if len(raced) != revoked {
		t.Errorf("%d grants revoked but %d new CloudTrail events", revoked, len(raced))
	}
	tables := Tables().FlattenTables()
	var synced []row
	for _, r := range syncedRows(t, res.msgs, tables.Get(events)) {
		if want, ok := raced[eventKey(r)]; ok {
			compareRows(t, events+" (revoked during the sync)", []row{r}, []row{want}, eventKey)
			continue
		}
		synced = append(synced, r)
	}
	compareRows(t, events, synced, before[events], eventKey)
	for name, rows := range after {
		if name != events {
			compareRows(t, name, syncedRows(t, res.msgs, tables.Get(name)), rows, rowKeys[name])
		}
	}
	checkFailureSummary(t, res, nil)
	checkErrorCounts(t, res, nil)
	checkQuietLogs(t, res)
	checkNoPanics(t, res)
	t.Logf("%d grants revoked between pages; %d grant rows synced, none twice", revoked, len(after["aws_kms_key_grants"]))
}

// TestFaultAssumeRoleDenied refuses the member role of one account: that account is logged and
// skipped, every other account syncs exactly.
func TestFaultAssumeRoleDenied(t *testing.T) {
	const refused = "210987654321"
	world, srv := faultyOrg(t, emulator.WithAssumeRoleDenied(refused))
	start := time.Now().UTC()
	res := runSync(t, orgSpec(srv), syncOptions{})
	want := perfectSync(t, world, start)
	want.dropPairs(func(account, _ string) bool { return account == refused })
	checkSync(t, res, want, nil, nil, "skipping account: its credentials do not work (AssumeRole or GetCallerIdentity failed)")

	var skips []logEntry
	for _, e := range res.logs.Entries(t) {
		if strings.HasPrefix(e.str("message"), "skipping account") {
			skips = append(skips, e)
		}
	}
	if len(skips) != 1 || skips[0].str("level") != "error" || !strings.Contains(skips[0].str("error"), refused) || !strings.Contains(skips[0].str("error"), "AccessDenied") {
		t.Errorf("want one error line skipping %s for AccessDenied, got %v", refused, skips)
	}
}

// TestFaultOrganizationsDenied: without organizations:ListAccounts the sync cannot know the
// accounts, so it fails before any table, saying what is missing and what to do instead.
func TestFaultOrganizationsDenied(t *testing.T) {
	_, srv := faultyOrg(t, emulator.WithOrganizationsDenied())
	res := runSync(t, orgSpec(srv), syncOptions{})
	if res.initErr == nil {
		t.Fatal("the sync started without the organization's accounts")
	}
	msg := res.initErr.Error()
	for _, part := range []string{"organizations:ListAccounts", "AccessDeniedException", "use `accounts` instead"} {
		if !strings.Contains(msg, part) {
			t.Errorf("the error does not say %q:\n%s", part, msg)
		}
	}
	if st := srv.Stats(); st.Operation("kms:ListKeys").Calls != 0 {
		t.Errorf("KMS was called although the sync could not start")
	}
}

// TestFaultRegionNotEnabled lists, next to us-east-1, a region no account enabled (af-south-1)
// and one only the first member enabled (ap-east-1): each account skips the ones it has not
// enabled with one warning each and syncs the rest exactly.
func TestFaultRegionNotEnabled(t *testing.T) {
	world, srv := faultyOrg(t)
	spec := orgSpec(srv)
	listed := []string{"us-east-1", "af-south-1", "ap-east-1"}
	spec["regions"] = listed
	start := time.Now().UTC()
	res := runSync(t, spec, syncOptions{})
	want := perfectSync(t, world, start)
	want.dropPairs(func(_, region string) bool { return !contains(listed, region) })
	checkSync(t, res, want, nil, nil, "skipping region: not enabled in this account")

	wantSkips := map[string]bool{}
	for _, account := range activeAccounts(world) {
		enabled := world.EnabledRegions[account]
		for _, region := range listed {
			if !contains(enabled, region) {
				wantSkips[account+":"+region] = true
			}
		}
	}
	gotSkips := map[string]bool{}
	for _, e := range withMessage(res.logs.Entries(t), "skipping region: not enabled in this account") {
		k := e.str("account_id") + ":" + e.str("region")
		if gotSkips[k] {
			t.Errorf("region %s warned twice", k)
		}
		gotSkips[k] = e.str("level") == "warn"
	}
	if len(gotSkips) != len(wantSkips) {
		t.Errorf("skipped regions: got %v, want %v", gotSkips, wantSkips)
	}
	for k := range wantSkips {
		if !gotSkips[k] {
			t.Errorf("no warning skipping %s (got %v)", k, gotSkips)
		}
	}
	t.Logf("%d (account, region) pairs skipped with a warning", len(gotSkips))
}

// TestFaultRegionUnrecognizedClient lists the same regions while account:ListRegions and
// ec2:DescribeRegions are both denied, so the plugin cannot tell which are enabled and calls into
// the disabled ones, where AWS answers UnrecognizedClientException: every top-level table fails
// there once per account and region, the rest syncs exactly.
func TestFaultRegionUnrecognizedClient(t *testing.T) {
	world, srv := faultyOrg(t, emulator.WithDeniedOperations("account:ListRegions", "ec2:DescribeRegions"))
	spec := orgSpec(srv)
	listed := []string{"us-east-1", "af-south-1", "ap-east-1"}
	spec["regions"] = listed
	start := time.Now().UTC()
	res := runSync(t, spec, syncOptions{})
	want := perfectSync(t, world, start)
	want.dropPairs(func(_, region string) bool { return !contains(listed, region) })
	errs := map[tableClient]int{}
	// Each top-level table records its failed list call in the summary, once per account and
	// region, as the key child tables do.
	listCall := map[string]string{
		"aws_kms_keys": "ListKeys", "aws_kms_aliases": "ListAliases", "aws_kms_grant_events": "LookupEvents",
		"aws_cloudhsmv2_clusters": "DescribeClusters", "aws_cloudhsmv2_backups": "DescribeBackups",
		"aws_kms_keys_shared_with_us": "ListKeys", "aws_ram_kms_key_shares": "ListResources",
	}
	failures := map[failureKind]int{}
	for _, account := range activeAccounts(world) {
		for _, region := range listed {
			if contains(world.EnabledRegions[account], region) {
				continue
			}
			for _, table := range Tables() {
				if accountLevelTables[table.Name] {
					continue // IAM and Organizations are global: they answer from any region
				}
				errs[tableClient{Table: table.Name, Client: account + ":" + region}] = 1
				if op := listCall[table.Name]; op != "LookupEvents" { // grant events: the lead's, unchanged
					failures[failureKind{Table: table.Name, Account: account, Region: region, Operation: op, Code: "UnrecognizedClientException"}] = 1
				}
			}
		}
	}
	const listRegionsDenied = "cannot list the account's enabled regions (it needs account:ListRegions or ec2:DescribeRegions); using the configured regions as they are, and calls in a region that is not enabled will fail with UnrecognizedClientException"
	checkSync(t, res, want, failures, errs, listRegionsDenied)
	if n := len(withMessage(res.logs.Entries(t), listRegionsDenied)); n != len(activeAccounts(world)) {
		t.Errorf("%d warnings that ListRegions is denied, want one per account (%d)", n, len(activeAccounts(world)))
	}
	unrecognized := 0
	for _, e := range withMessage(res.logs.Entries(t), "table resolver finished with error") {
		if strings.Contains(e.str("error"), "UnrecognizedClientException") {
			unrecognized++
		}
	}
	if unrecognized != len(errs) {
		t.Errorf("%d UnrecognizedClientException errors logged, want %d (one per table, account and region)", unrecognized, len(errs))
	}
	t.Logf("%d table runs failed with UnrecognizedClientException, once each", unrecognized)
}

// TestFaultSyncDeadline ends a sync whose every call is slow with a deadline: it returns soon
// after, with the deadline as its error, and nothing panics.
func TestFaultSyncDeadline(t *testing.T) {
	_, srv := faultyOrg(t, emulator.WithLatency(300*time.Millisecond, 0))
	const deadline = 3 * time.Second
	done := make(chan syncResult, 1)
	go func() { done <- runSync(t, orgSpec(srv), syncOptions{syncTimeout: deadline}) }()
	var res syncResult
	select {
	case res = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the sync did not return within a minute of its deadline")
	}
	if res.initErr != nil {
		t.Fatalf("init: %v", res.initErr)
	}
	if !errors.Is(res.syncErr, context.DeadlineExceeded) {
		t.Errorf("sync error: got %v, want the deadline", res.syncErr)
	}
	if res.elapsed > deadline+5*time.Second {
		t.Errorf("the sync returned %s after it started, its deadline was %s", res.elapsed, deadline)
	}
	checkNoPanics(t, res)
	t.Logf("sync ended %s after start with %q", res.elapsed, res.syncErr)
}

// TestFaultCleanOrgWithKeysPendingDeletion syncs an organization with nothing wrong but keys
// pending deletion (one per region): KMS refuses ListKeyRotations on them with
// KMSInvalidStateException ("Key states of AWS KMS keys"), so the plugin does not ask, and the
// sync ends without a single error or failure line.
func TestFaultCleanOrgWithKeysPendingDeletion(t *testing.T) {
	world, srv := faultyOrg(t)
	pending := 0
	for _, rd := range world.Regions {
		for _, k := range rd.Keys {
			if k.Metadata.KeyState == kmstypes.KeyStatePendingDeletion {
				pending++
			}
		}
	}
	if pending == 0 {
		t.Fatal("no key pending deletion: the case tests nothing")
	}
	start := time.Now().UTC()
	res := runSync(t, orgSpec(srv), syncOptions{})
	checkSync(t, res, perfectSync(t, world, start), nil, nil)
	t.Logf("%d keys pending deletion, no error", pending)
}

// TestFaultKeysChangingState answers the rotation calls of every third key with
// KMSInvalidStateException, as KMS does for a key that entered a transitional state (here
// Updating) after DescribeKey: the documented refusal of that state, so no error and no failure
// line; the key's rotation status is NULL with the reason, and it has no key material rows.
func TestFaultKeysChangingState(t *testing.T) {
	const everyNth = 3
	world, srv := faultyOrg(t, emulator.WithInvalidStateKeyOperations(everyNth, "GetKeyRotationStatus", "ListKeyRotations"))
	start := time.Now().UTC()
	res := runSync(t, orgSpec(srv), syncOptions{})
	keys := everyNthKey(world, everyNth)
	asked := func(k *emulator.Key) bool { return k.Rotation != nil && !refusesRotationCalls[k.Metadata.KeyState] }
	want := perfectSync(t, world, start)
	refused := 0
	want.editKeys(keys, func(r row, k *emulator.Key) {
		if asked(k) {
			refused++
			r["rotation_enabled"], r["rotation_not_read_reason"] = nil, "key_state:refused"
		}
	})
	want.dropKeys(keys, "aws_kms_key_rotations")
	checkSync(t, res, want, nil, nil)
	if refused == 0 {
		t.Fatal("no refused key can rotate: the case tests nothing")
	}
	t.Logf("%d keys refused their rotation calls, no error", refused)
}
