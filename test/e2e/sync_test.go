package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/docs/queries"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
)

// TestSyncIntoPostgres is the plugin's reason to exist: `cloudquery sync` of an organization
// (management account and two active members found through Organizations, two or three regions
// each, the seed's grant scenario) into PostgreSQL, then the audit in SQL, then a scheduled
// re-sync after the organization changed.
func TestSyncIntoPostgres(t *testing.T) {
	requireTools(t)
	cfg := emulator.DefaultConfig()
	cfg.Now = time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	emu := startEmulator(t, cfg)
	dsn := pgtest.Start(t)
	dir := t.TempDir()
	config := writeFile(t, dir, "sync.yml", syncConfig(orgSpec(emu), dsn))
	env := awsEnv(t, cfg.ManagementAccount)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	firstStart := time.Now().UTC()
	mustSync(ctx, t, dir, env, config)
	conn := connect(t, dsn)
	w := emu.World
	facts := w.Scenario

	t.Run("every table holds exactly the organization's rows", func(t *testing.T) {
		checkCounts(t, conn, expectedCounts(w, firstStart.AddDate(0, 0, -90)))
	})
	t.Run("sample rows match column by column", func(t *testing.T) {
		checkScenarioKeyRow(t, conn, w)
	})
	t.Run("the seed's inventory query", func(t *testing.T) {
		got := column(t, conn, `SELECT account_id || '/' || region || '/' || grant_id FROM aws_kms_key_grants
			WHERE grantee_principal NOT LIKE '%.amazonaws.com' AND grantee_principal NOT LIKE 'AWS Internal' ORDER BY 1`)
		var want []string
		for _, g := range w.GrantsMatchingSeedQuery() {
			want = append(want, g.Account+"/"+g.Region+"/"+aws.ToString(g.Grant.GrantId))
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("seed query returned %d grants, the emulator has %d matching", len(got), len(want))
		}
		onKey := column(t, conn, `SELECT grant_id FROM aws_kms_key_grants WHERE key_arn = $1
			AND grantee_principal NOT LIKE '%.amazonaws.com' AND grantee_principal NOT LIKE 'AWS Internal'`, facts.KeyARN)
		assertSameSet(t, "seed query on the scenario key", onKey, scenarioNonServiceGrantIDs(facts))
	})
	t.Run("kmsaudit creates the lineage view and reports", func(t *testing.T) {
		out, err := exec.CommandContext(ctx, bin.kmsaudit, "-dsn", dsn, "-max-rows", "0", "-max-width", "0").CombinedOutput()
		if err != nil {
			t.Fatalf("kmsaudit: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), facts.ChildSameOpsGrantID) {
			t.Errorf("the report does not name the scenario's child grant %s", facts.ChildSameOpsGrantID)
		}
	})
	t.Run("sample rows match column by column", func(t *testing.T) {
		checkScenarioGrantRows(t, conn, w)
	})
	t.Run("audit queries", func(t *testing.T) { checkAuditQueries(t, conn, w) })

	t.Run("scheduled re-sync removes stale rows and adds new ones", func(t *testing.T) {
		revoked := facts.ChildFewerOpsGrantID
		emu.mutate(t, map[string]string{"op": "RevokeGrant", "account": facts.Account, "region": facts.Region, "keyId": facts.KeyID, "grantId": revoked})
		emu.mutate(t, map[string]string{"op": "DeleteAlias", "account": facts.Account, "region": facts.Region, "aliasName": facts.AliasName})
		member := w.Accounts[1]
		memberRegion := cfg.Regions[1]
		emu.mutate(t, map[string]string{"op": "AddKey", "account": aws.ToString(member.Id), "region": memberRegion})

		lookupsBefore := lookupEventsCalls(emu.stats(t))
		secondStart := time.Now().UTC()
		log := mustSync(ctx, t, dir, env, config)
		// The first sync's long grant list (the hot key's) is read back and put first.
		if !strings.Contains(log, "keys whose grants took most pages in the last sync are described first") {
			t.Error("the re-sync did not read the first sync's long grant lists back from the state backend")
		}
		// The cursor in the state backend means only new events are read: with one event new,
		// a single page per event name and account-region (CreateGrant, RetireGrant, RevokeGrant).
		for pair, n := range lookupEventsCalls(emu.stats(t)) {
			if calls := n - lookupsBefore[pair]; calls < 1 || calls > 2*3 {
				t.Errorf("%s: the re-sync made %d LookupEvents calls, want 3 to 6 (at most 2 pages per event name)", pair, calls)
			}
		}
		checkCounts(t, conn, expectedCounts(w, firstStart.AddDate(0, 0, -90)))
		if n := count(t, conn, `SELECT count(*) FROM aws_kms_key_grants WHERE grant_id = $1`, revoked); n != 0 {
			t.Errorf("revoked grant %s is still there", revoked)
		}
		if n := count(t, conn, `SELECT count(*) FROM aws_kms_aliases WHERE alias_name = $1 AND account_id = $2`, facts.AliasName, facts.Account); n != 0 {
			t.Errorf("deleted alias %s is still there", facts.AliasName)
		}
		var newKeys []string
		w.Read(func() {
			keys := w.Region(aws.ToString(member.Id), memberRegion).Keys
			newKeys = append(newKeys, aws.ToString(keys[len(keys)-1].Metadata.Arn))
		})
		if n := count(t, conn, `SELECT count(*) FROM aws_kms_keys WHERE arn = $1`, newKeys[0]); n != 1 {
			t.Errorf("new key %s not synced", newKeys[0])
		}
		for _, table := range []string{"aws_kms_keys", "aws_kms_key_grants", "aws_kms_aliases", "aws_kms_key_policies"} {
			if n := count(t, conn, fmt.Sprintf(`SELECT count(*) FROM %s WHERE _cq_sync_time < $1`, table), secondStart.Add(-time.Second)); n != 0 {
				t.Errorf("%s keeps %d rows of the first sync", table, n)
			}
		}
		// The revocation itself was logged to CloudTrail and arrives through the incremental table.
		if n := count(t, conn, `SELECT count(*) FROM aws_kms_grant_events WHERE event_name = 'RevokeGrant' AND grant_id = $1`, revoked); n != 1 {
			t.Errorf("the RevokeGrant event of %s was synced %d times, want once", revoked, n)
		}
		cursor := column(t, conn, `SELECT value FROM cq_state_awskms WHERE key LIKE 'aws_kms_grant_events:%' ORDER BY key`)
		if len(cursor) == 0 {
			t.Error("no incremental cursor was saved in the state backend")
		}
		// The account-regions' times, for the next sync's order: one per synced account-region;
		// and the keys whose grants took three pages or more, to be described first.
		checkPairTimes(t, conn, w)
		checkLongGrantLists(t, conn, w)
	})
}

func orgSpec(emu *emulatorProcess) map[string]any {
	return map[string]any{
		"regions":             []string{"*"},
		"org":                 map[string]any{"member_role_name": emu.cfg.MemberRoleName},
		"custom_endpoint_url": emu.URL,
		// CloudTrail's real 2 calls/s would only slow the test down; the emulator enforces none here.
		"rate_limits": map[string]float64{"LookupEvents": 1000},
	}
}

// mustSync runs a sync that must succeed and returns the CLI's log.
func mustSync(ctx context.Context, t *testing.T, dir string, env []string, config string) string {
	t.Helper()
	run := runCLI(ctx, t, dir, env, "sync", config)
	if run.err != nil {
		t.Fatalf("cloudquery sync failed: %v\n%s\n--- log ---\n%s", run.err, run.output, run.log)
	}
	if !strings.Contains(run.log, "sync finished") && !strings.Contains(run.output, "Sync completed") {
		t.Logf("cloudquery output:\n%s", run.output)
	}
	return run.log
}

func checkCounts(t *testing.T, conn *pgx.Conn, want map[string]int) {
	t.Helper()
	if len(want) < 9 {
		t.Fatalf("expected counts cover only %d tables", len(want))
	}
	for table, n := range want {
		if got := count(t, conn, "SELECT count(*) FROM "+table); got != n {
			t.Errorf("%s: %d rows, the emulator holds %d", table, got, n)
		}
	}
}

func checkScenarioKeyRow(t *testing.T, conn *pgx.Conn, w *emulator.World) {
	var k *emulator.Key
	w.Read(func() { k = w.Region(w.Scenario.Account, w.Scenario.Region).Key(w.Scenario.KeyID) })
	md := k.Metadata
	var (
		keyID, state, manager, spec, origin, description string
		enabled                                          bool
		created                                          time.Time
		rotation                                         *bool
		tags                                             map[string]string
	)
	err := conn.QueryRow(context.Background(), `SELECT key_id, key_state, key_manager, key_spec, origin, description,
		enabled, creation_date, rotation_enabled, tags FROM aws_kms_keys WHERE arn = $1`, aws.ToString(md.Arn)).
		Scan(&keyID, &state, &manager, &spec, &origin, &description, &enabled, &created, &rotation, &tags)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{aws.ToString(md.KeyId), string(md.KeyState), string(md.KeyManager), string(md.KeySpec), string(md.Origin), aws.ToString(md.Description), md.Enabled}
	got := []any{keyID, state, manager, spec, origin, description, enabled}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("scenario key row:\n got  %v\n want %v", got, want)
	}
	if !created.Equal(md.CreationDate.UTC().Truncate(time.Microsecond)) {
		t.Errorf("creation_date %v, want %v", created, md.CreationDate)
	}
	if rotation == nil || k.Rotation == nil || *rotation != k.Rotation.Enabled {
		t.Errorf("rotation_enabled %v, want %+v", rotation, k.Rotation)
	}
	for _, tag := range k.Tags {
		if tags[aws.ToString(tag.TagKey)] != aws.ToString(tag.TagValue) {
			t.Errorf("tag %s: got %q, want %q", aws.ToString(tag.TagKey), tags[aws.ToString(tag.TagKey)], aws.ToString(tag.TagValue))
		}
	}
	if len(tags) != len(k.Tags) {
		t.Errorf("%d tags, want %d", len(tags), len(k.Tags))
	}
}

// lookupEventsCalls counts LookupEvents calls per account-region.
func lookupEventsCalls(stats []emulator.StatEntry) map[string]int64 {
	out := map[string]int64{}
	for _, s := range stats {
		if strings.HasSuffix(s.Operation, "LookupEvents") {
			out[s.Account+"/"+s.Region] += s.Calls
		}
	}
	return out
}

// checkScenarioGrantRows compares the scenario's grants column by column, with the facts the
// plugin derives and the lineage view (kmsaudit creates it): nested granting through
// hugh-grant, the creator from the CloudTrail events synced into aws_kms_grant_events.
func checkScenarioGrantRows(t *testing.T, conn *pgx.Conn, w *emulator.World) {
	f := w.Scenario
	var k *emulator.Key
	w.Read(func() { k = w.Region(f.Account, f.Region).Key(f.KeyID) })
	wants, seen := scenarioGrantWants(f), map[string]bool{}
	for _, g := range k.Grants {
		var (
			grantee, issuing, name, granteeType *string
			retiring, createdBy, parent         *string
			operations                          []string
			created                             time.Time
			delegating, crossAccount            bool
		)
		err := conn.QueryRow(context.Background(), `SELECT g.grantee_principal, g.issuing_account, g.name, g.grantee_type,
			g.retiring_principal, l.created_by, l.parent_grant_id, g.operations, g.creation_date, g.is_delegating, g.is_cross_account
			FROM aws_kms_key_grants g JOIN aws_kms_grant_lineage l ON l.key_arn = g.key_arn AND l.grant_id = g.grant_id
			WHERE g.key_arn = $1 AND g.grant_id = $2`, f.KeyARN, aws.ToString(g.GrantId)).
			Scan(&grantee, &issuing, &name, &granteeType, &retiring, &createdBy, &parent, &operations, &created, &delegating, &crossAccount)
		if err != nil {
			t.Fatalf("grant %s: %v", aws.ToString(g.GrantId), err)
		}
		ops := make([]string, len(g.Operations))
		for i, op := range g.Operations {
			ops[i] = string(op)
		}
		if deref(grantee) != aws.ToString(g.GranteePrincipal) || deref(issuing) != aws.ToString(g.IssuingAccount) ||
			deref(name) != aws.ToString(g.Name) || deref(retiring) != aws.ToString(g.RetiringPrincipal) ||
			!slices.Equal(operations, ops) || !created.Equal(g.CreationDate.UTC().Truncate(time.Microsecond)) {
			t.Errorf("grant %s differs from the emulator's: grantee %v issuing %v name %v retiring %v ops %v created %v",
				aws.ToString(g.GrantId), deref(grantee), deref(issuing), deref(name), deref(retiring), operations, created)
		}
		id := aws.ToString(g.GrantId)
		want, ok := wants[id]
		if !ok {
			t.Errorf("grant %s to %s on the scenario key is none of the scenario's", id, deref(grantee))
		}
		seen[id] = true
		if deref(granteeType) != want.granteeType || delegating != want.delegating || crossAccount != want.crossAccount {
			t.Errorf("grant %s to %s: grantee_type %q is_delegating %v is_cross_account %v, want %q %v %v", id, deref(grantee),
				deref(granteeType), delegating, crossAccount, want.granteeType, want.delegating, want.crossAccount)
		}
		switch id {
		case f.ParentGrantID:
			if deref(parent) != "" || !strings.Contains(deref(createdBy), "KeyAdminRole") {
				t.Errorf("hugh-grant's grant: created_by %q parent %q, want KeyAdminRole and no parent", deref(createdBy), deref(parent))
			}
		case f.ChildSameOpsGrantID, f.ChildFewerOpsGrantID:
			if deref(parent) != f.ParentGrantID || deref(createdBy) != f.HughGrantUserARN {
				t.Errorf("child grant %s: created_by %q parent %q, want %s through %s", aws.ToString(g.GrantId), deref(createdBy), deref(parent), f.HughGrantUserARN, f.ParentGrantID)
			}
		}
	}
	for id := range wants {
		if !seen[id] {
			t.Errorf("the scenario's grant %s is not on its key", id)
		}
	}
}

// scenarioGrantFacts are a scenario grant's facts, written by hand from test/emulator/scenario.go
// and the rules of docs/audit-columns.md.
type scenarioGrantFacts struct {
	granteeType              string
	delegating, crossAccount bool
}

// scenarioGrantWants are the facts of every grant of the scenario key: hugh-grant and
// sample-user are IAM users, the cross-account, partner and application grantees roles; only
// hugh-grant's grant and the child with the same operations hold CreateGrant without being an
// AWS service (RDS's grant holds it as a service); only the grants to the other organization
// account and to the account outside it cross accounts.
func scenarioGrantWants(f *emulator.ScenarioFacts) map[string]scenarioGrantFacts {
	wants := map[string]scenarioGrantFacts{
		f.ParentGrantID:            {granteeType: "iam_user", delegating: true},
		f.ChildSameOpsGrantID:      {granteeType: "iam_user", delegating: true},
		f.ChildFewerOpsGrantID:     {granteeType: "iam_user"},
		f.RetiringPrincipalGrantID: {granteeType: "iam_user"},
		f.RetireOperationGrantID:   {granteeType: "iam_user"},
		f.EncryptionContextGrantID: {granteeType: "iam_role"},
		f.AWSInternalGrantID:       {granteeType: "aws_internal"},
	}
	for _, id := range f.ServiceGrantIDs {
		wants[id] = scenarioGrantFacts{granteeType: "aws_service"}
	}
	if f.CrossAccountGrantID != "" {
		wants[f.CrossAccountGrantID] = scenarioGrantFacts{granteeType: "iam_role", crossAccount: true}
	}
	if f.OutsideOrgGrantID != "" {
		wants[f.OutsideOrgGrantID] = scenarioGrantFacts{granteeType: "iam_role", crossAccount: true}
	}
	return wants
}

// scenarioNonServiceGrantIDs are the scenario key's grants the seed's inventory query selects,
// by hand: every grant but the RDS and DynamoDB service grants and the AWS Internal one.
func scenarioNonServiceGrantIDs(f *emulator.ScenarioFacts) []string {
	ids := []string{f.ParentGrantID, f.ChildSameOpsGrantID, f.ChildFewerOpsGrantID, f.RetiringPrincipalGrantID,
		f.RetireOperationGrantID, f.EncryptionContextGrantID}
	for _, id := range []string{f.CrossAccountGrantID, f.OutsideOrgGrantID} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// checkAuditQueries runs every file of docs/queries and checks the rows it returns for the
// scenario key against the scenario's facts.
func checkAuditQueries(t *testing.T, conn *pgx.Conn, w *emulator.World) {
	f := w.Scenario
	onKey := func(file, cols string, extra string) []string {
		raw, err := queries.FS.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sql := strings.TrimSuffix(strings.TrimSpace(string(raw)), ";")
		return column(t, conn, fmt.Sprintf("SELECT %s FROM (%s) q WHERE key_arn = $1 %s ORDER BY 1", cols, sql, extra), f.KeyARN)
	}
	files, _ := queries.FS.ReadDir(".")
	var names []string
	for _, e := range files {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	if len(names) != 13 {
		t.Errorf("docs/queries has %d queries, the test knows 13 (10-13 are checked in cmd/kmsaudit)", len(names))
	}
	assertSameSet(t, "01 non-service grants", onKey(names[0], "grant_id", ""), scenarioNonServiceGrantIDs(f))
	assertSameSet(t, "02 delegating grants", onKey(names[1], "grant_id", ""), []string{f.ParentGrantID, f.ChildSameOpsGrantID})
	// The key policy lets the cross-account caller's account create grants (how its grant came
	// about); the key's own root and KeyAdminRole administer the key and are not findings of 03.
	dataAccountRoot := "arn:" + w.Partition + ":iam::" + f.CrossAccount + ":root"
	assertSameSet(t, "03 CreateGrant beyond key admins", onKey(names[2], "principal", ""), []string{dataAccountRoot})
	assertSameSet(t, "04 CreateGrant without GrantIsForAWSResource", onKey(names[3], "sid", ""), []string{"AllowRootAccountAccess", "AllowKeyAdministrator", "AllowDataAccountToCreateGrants"})
	assertSameSet(t, "05 cross-account grants", onKey(names[4], "grant_id", "AND kind = 'grant'"), []string{f.CrossAccountGrantID, f.OutsideOrgGrantID})
	assertSameSet(t, "05 outside the organization", onKey(names[4], "grant_id", "AND outside_organization"), []string{f.OutsideOrgGrantID})
	assertSameSet(t, "05 cross-account calls", onKey(names[4], "principal_account_id", "AND kind LIKE 'call:%'"), []string{f.CrossAccount})
	var retirers, retiringGrantees []string
	var scenarioKey *emulator.Key
	w.Read(func() { scenarioKey = w.Region(f.Account, f.Region).Key(f.KeyID) })
	for _, g := range scenarioKey.Grants {
		if g.RetiringPrincipal != nil {
			retirers = append(retirers, aws.ToString(g.GrantId)+" "+aws.ToString(g.RetiringPrincipal))
		}
		if slices.Contains(g.Operations, kmstypes.GrantOperationRetireGrant) {
			retiringGrantees = append(retiringGrantees, aws.ToString(g.GrantId))
		}
	}
	if !slices.Contains(retirers, f.RetiringPrincipalGrantID+" "+f.SamplePrincipalARN) || !slices.Contains(retiringGrantees, f.RetireOperationGrantID) {
		t.Fatalf("the scenario lost its retiring principal or RetireGrant grant: %v %v", retirers, retiringGrantees)
	}
	assertSameSet(t, "06 retirable by the retiring principal", onKey(names[5], "grant_id || ' ' || retirer", "AND how = 'retiring principal'"), retirers)
	assertSameSet(t, "06 retirable by the grantee", onKey(names[5], "grant_id", "AND how = 'grantee (RetireGrant operation)'"), retiringGrantees)
	assertSameSet(t, "07 delegation chains", onKey(names[6], "root_grant_id || ' ' || depth || ' ' || grant_id", ""), []string{
		f.ParentGrantID + " 0 " + f.ParentGrantID, f.ParentGrantID + " 1 " + f.ChildSameOpsGrantID, f.ParentGrantID + " 1 " + f.ChildFewerOpsGrantID})
	assertSameSet(t, "09 denied attempts", onKey(names[8], "caller_arn || ' ' || array_to_string(operations, ',')", ""), []string{f.HughGrantUserARN + " DescribeKey,Decrypt,CreateGrant"})

	// 08 spans the organization: every grant of a disabled or pending-deletion key.
	var want []string
	syncedRegions(w, func(_, _ string, rd *emulator.RegionData) {
		for _, k := range rd.Keys {
			if s := k.Metadata.KeyState; s == kmstypes.KeyStateDisabled || s == kmstypes.KeyStatePendingDeletion || s == kmstypes.KeyStatePendingReplicaDeletion || !k.Metadata.Enabled {
				for _, g := range k.Grants {
					want = append(want, aws.ToString(g.GrantId))
				}
			}
		}
	})
	raw, _ := queries.FS.ReadFile(names[7])
	got := column(t, conn, fmt.Sprintf("SELECT grant_id FROM (%s) q", strings.TrimSuffix(strings.TrimSpace(string(raw)), ";")))
	if len(want) == 0 {
		t.Error("the emulator has no grant on a disabled or pending-deletion key: query 08 is untested")
	}
	assertSameSet(t, "08 grants on disabled or pending-deletion keys", got, want)
}

func assertSameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s:\n got  %v\n want %v", what, g, w)
	}
}

// savedState decodes the JSON the plugin saved under key in the state backend into v; false (and
// an error reported) when the key is missing.
func savedState(t *testing.T, conn *pgx.Conn, key string, v any) bool {
	t.Helper()
	saved := column(t, conn, `SELECT value FROM cq_state_awskms WHERE key = $1`, key)
	if len(saved) != 1 {
		t.Errorf("%d values saved under %s in the state backend, want one", len(saved), key)
		return false
	}
	if err := json.Unmarshal([]byte(saved[0]), v); err != nil {
		t.Fatalf("%s: %q: %v", key, saved[0], err)
	}
	return true
}

// checkLongGrantLists finds in the state backend the pages of grants (100 a page, the most
// ListGrants returns) of each synced key with more than 200 grants, and of no other key.
func checkLongGrantLists(t *testing.T, conn *pgx.Conn, w *emulator.World) {
	t.Helper()
	var pages map[string]int
	if !savedState(t, conn, "awskms_long_grant_lists", &pages) {
		return
	}
	want := map[string]int{}
	syncedRegions(w, func(_, _ string, rd *emulator.RegionData) {
		for _, k := range rd.Keys {
			if n := len(k.Grants); n > 200 {
				want[k.ARN()] = (n + 99) / 100
			}
		}
	})
	if len(want) == 0 {
		t.Fatal("the scenario has no key with more than 200 grants")
	}
	if !maps.Equal(pages, want) {
		t.Errorf("long grant lists saved: %v, want %v", pages, want)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// checkPairTimes finds in the state backend a time for each account-region the sync covered
// ("account:region": seconds, each above zero), and for no other.
func checkPairTimes(t *testing.T, conn *pgx.Conn, w *emulator.World) {
	t.Helper()
	var seconds map[string]float64
	if !savedState(t, conn, "awskms_pair_seconds", &seconds) {
		return
	}
	want := 0
	syncedRegions(w, func(account, region string, _ *emulator.RegionData) {
		want++
		if s, ok := seconds[account+":"+region]; !ok || s <= 0 {
			t.Errorf("account-region %s:%s has time %v (saved: %v)", account, region, s, ok)
		}
	})
	if len(seconds) != want {
		t.Errorf("%d account-region times saved, want %d", len(seconds), want)
	}
}
