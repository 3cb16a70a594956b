package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/docs/queries"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
)

// This test runs every audit query on a small hand-built data set shaped like
// the seed's grant scenario, with the fact columns computed by the analysis
// package exactly as the plugin computes them, and checks what each query
// must and must not report. (The end-to-end run on the emulator's synced
// data is a separate test.)

const (
	acct     = "123412341234"
	member   = "222233334444"
	outsider = "999988887777"
	region   = "us-east-1"
)

var org = map[string]bool{acct: true, member: true}

func keyARN(id string) string { return "arn:aws:kms:us-east-1:" + acct + ":key/" + id }
func user(name string) string { return "arn:aws:iam::" + acct + ":user/" + name }
func role(name string) string { return "arn:aws:iam::" + acct + ":role/" + name }

type fixtureGrant struct {
	key   string
	entry kmstypes.GrantListEntry
	// identity is grantee_identity, written by hand: a role or user ARN without its path.
	identity string
}

func grant(key, id, grantee string, ops ...kmstypes.GrantOperation) fixtureGrant {
	return fixtureGrant{key: key, entry: kmstypes.GrantListEntry{
		GrantId:          aws.String(id),
		GranteePrincipal: aws.String(grantee),
		Operations:       ops,
		IssuingAccount:   aws.String("arn:aws:iam::" + acct + ":root"),
		CreationDate:     aws.Time(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)),
	}, identity: grantee} // none of the fixture's grantees has a path or is a session
}

const (
	describe = kmstypes.GrantOperationDescribeKey
	create   = kmstypes.GrantOperationCreateGrant
	decrypt  = kmstypes.GrantOperationDecrypt
	retire   = kmstypes.GrantOperationRetireGrant
)

func fixtureGrants() []fixtureGrant {
	scenario := keyARN("scenario")
	retiring := grant(scenario, "g-retiring", user("sample-user"), describe)
	retiring.entry.RetiringPrincipal = aws.String(user("sample-principal"))
	ebs := grant(scenario, "g-ebs", "ec2.us-east-1.amazonaws.com", create, decrypt)
	ebs.entry.RetiringPrincipal = aws.String("ec2.us-east-1.amazonaws.com")
	rds := grant(scenario, "g-rds", "", decrypt)
	rds.entry.GranteePrincipal = nil
	rds.entry.GranteeServicePrincipal = aws.String("rds.amazonaws.com")
	rds.entry.RetiringServicePrincipal = aws.String("rds.amazonaws.com")
	rds.identity = "rds.amazonaws.com"
	orphan := grant(scenario, "g-orphan", "arn:aws:iam::"+acct+":role/team/Orphan", describe, create)
	orphan.identity = role("Orphan")
	return []fixtureGrant{
		grant(scenario, "g-hugh", user("hugh-grant"), describe, create),
		grant(scenario, "g-hugh-same", user("sample-user"), describe, create),
		grant(scenario, "g-hugh-fewer", user("sample-user"), describe),
		grant(scenario, "g-grandchild", role("Deep"), describe),
		// The parent of g-orphan was revoked (only its CreateGrant event is left): its chain
		// starts at g-orphan.
		orphan,
		grant(scenario, "g-orphan-child", role("OrphanChild"), describe),
		retiring,
		grant(scenario, "g-retire-op", user("sample-user"), describe, retire),
		grant(scenario, "g-member", "arn:aws:iam::"+member+":role/Reader", decrypt),
		grant(scenario, "g-outsider", "arn:aws:iam::"+outsider+":root", decrypt),
		ebs,
		grant(scenario, "g-internal", "AWS Internal", create, decrypt),
		rds,
		// The seed's predicate only knows '%.amazonaws.com', so it reports
		// this China-partition service grant; kept to pin query 01 as is.
		grant(scenario, "g-cn", "ec2.amazonaws.com.cn", decrypt),
		grant(keyARN("pending"), "g-pending", role("App"), decrypt),
		grant(keyARN("disabled"), "g-disabled", role("App"), decrypt),
	}
}

type fixtureKey struct {
	id, manager, state string
	enabled            bool
	policy             string
}

func fixtureKeys(t *testing.T) []fixtureKey {
	seedPolicy := readFile(t, "../../analysis/testdata/policies/seed_key_admin_create_grant.json")
	// Add a developer role with an unconditioned kms:Create* and the
	// seed's Auto Scaling statement that requires an AWS resource.
	scenarioPolicy := strings.Replace(seedPolicy, `"Statement": [`, `"Statement": [
    {"Sid": "Developers", "Effect": "Allow", "Principal": {"AWS": "`+role("Developer")+`"}, "Action": "kms:Create*", "Resource": "*"},
    {"Sid": "AutoScaling", "Effect": "Allow", "Principal": {"AWS": "`+role("aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")+`"},
     "Action": "kms:CreateGrant", "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}}},`, 1)
	return []fixtureKey{
		{"scenario", "CUSTOMER", "Enabled", true, scenarioPolicy},
		{"pending", "CUSTOMER", "PendingDeletion", false, readFile(t, "../../analysis/testdata/policies/aws_default_key_policy.json")},
		{"disabled", "CUSTOMER", "Disabled", false, `{"Version":"2012-10-17","Statement":[
			{"Sid":"EveryoneButAdmin","Effect":"Allow","NotPrincipal":{"AWS":"` + role("KeyAdminRole") + `"},"Action":"kms:CreateGrant","Resource":"*"}]}`},
		{"ebs-managed", "AWS", "Enabled", true, `{"Version":"2012-10-17","Statement":[
			{"Sid":"Allow access through EBS","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:CreateGrant","kms:Decrypt"],"Resource":"*",
			 "Condition":{"StringEquals":{"kms:CallerAccount":"` + acct + `","kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}]}`},
	}
}

type fixtureEvent struct {
	id, name, caller, callerAccount, errorCode string
	at                                         time.Time
	// The lineage's inputs: the grant created, its grantee and operations, and the caller and
	// grantee as the plugin spells identities (written by hand: a role's session is the role).
	grantID, grantee, callerIdentity, granteeIdentity string
	ops                                               []string
}

func fixtureEvents() []fixtureEvent {
	day := func(d int) time.Time { return time.Date(2024, 6, d, 9, 0, 0, 0, time.UTC) }
	all := []string{"DescribeKey", "Decrypt", "CreateGrant"}
	return []fixtureEvent{
		{id: "e-denied", name: "CreateGrant", caller: user("hugh-grant"), callerAccount: acct, errorCode: "AccessDenied", at: day(2), ops: all,
			grantee: user("sample-user"), callerIdentity: user("hugh-grant"), granteeIdentity: user("sample-user")},
		{id: "e-member-create", name: "CreateGrant", caller: "arn:aws:iam::" + member + ":user/x", callerAccount: member, at: day(3), ops: all},
		{id: "e-outsider-retire", name: "RetireGrant", caller: "arn:aws:iam::" + outsider + ":root", callerAccount: outsider, errorCode: "AccessDeniedException", at: day(4), ops: all},
		{id: "e-local-create", name: "CreateGrant", caller: role("KeyAdminRole"), callerAccount: acct, at: day(1), ops: all},
		// The seed's nested granting: KeyAdminRole (a session of it) grants hugh-grant
		// DescribeKey and CreateGrant; hugh-grant hands on the same and fewer operations;
		// sample-user, holding CreateGrant through g-hugh-same, creates g-grandchild.
		{id: "e-hugh", name: "CreateGrant", caller: "arn:aws:sts::" + acct + ":assumed-role/KeyAdminRole/alice", callerAccount: acct, at: day(5),
			grantID: "g-hugh", grantee: user("hugh-grant"), callerIdentity: role("KeyAdminRole"), granteeIdentity: user("hugh-grant"), ops: []string{"DescribeKey", "CreateGrant"}},
		{id: "e-hugh-same", name: "CreateGrant", caller: user("hugh-grant"), callerAccount: acct, at: day(6),
			grantID: "g-hugh-same", grantee: user("sample-user"), callerIdentity: user("hugh-grant"), granteeIdentity: user("sample-user"), ops: []string{"DescribeKey", "CreateGrant"}},
		{id: "e-hugh-fewer", name: "CreateGrant", caller: user("hugh-grant"), callerAccount: acct, at: day(7),
			grantID: "g-hugh-fewer", grantee: user("sample-user"), callerIdentity: user("hugh-grant"), granteeIdentity: user("sample-user"), ops: []string{"DescribeKey"}},
		{id: "e-grandchild", name: "CreateGrant", caller: user("sample-user"), callerAccount: acct, at: day(8),
			grantID: "g-grandchild", grantee: role("Deep"), callerIdentity: user("sample-user"), granteeIdentity: role("Deep"), ops: []string{"DescribeKey"}},
		// g-revoked no longer exists; its child g-orphan does, and g-orphan's child was created
		// by a session of the role Orphan, whose grantee was written with a path.
		{id: "e-revoked", name: "CreateGrant", caller: role("KeyAdminRole"), callerAccount: acct, at: day(9),
			grantID: "g-revoked", grantee: role("Orphaner"), callerIdentity: role("KeyAdminRole"), granteeIdentity: role("Orphaner"), ops: []string{"CreateGrant"}},
		{id: "e-orphan", name: "CreateGrant", caller: "arn:aws:sts::" + acct + ":assumed-role/Orphaner/bob", callerAccount: acct, at: day(10),
			grantID: "g-orphan", grantee: "arn:aws:iam::" + acct + ":role/team/Orphan", callerIdentity: role("Orphaner"), granteeIdentity: role("Orphan"), ops: []string{"DescribeKey", "CreateGrant"}},
		{id: "e-orphan-child", name: "CreateGrant", caller: "arn:aws:sts::" + acct + ":assumed-role/Orphan/s1", callerAccount: acct, at: day(11),
			grantID: "g-orphan-child", grantee: role("OrphanChild"), callerIdentity: role("Orphan"), granteeIdentity: role("OrphanChild"), ops: []string{"DescribeKey"}},
	}
}

func loadFixture(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	t.Helper()
	if _, err := conn.Exec(ctx, readFile(t, "testdata/schema.sql")); err != nil {
		t.Fatalf("schema: %v", err)
	}
	for _, k := range fixtureKeys(t) {
		insert(t, ctx, conn, "aws_kms_keys", map[string]any{
			"account_id": acct, "region": region, "arn": keyARN(k.id), "key_id": k.id,
			"key_manager": k.manager, "key_state": k.state, "enabled": k.enabled,
			"deletion_date": map[bool]any{true: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), false: nil}[k.state == "PendingDeletion"],
		})
		p, err := analysis.ParsePolicy(k.policy)
		if err != nil {
			t.Fatalf("policy of %s: %v", k.id, err)
		}
		facts := analysis.AnalyzePolicy(p, acct)
		insert(t, ctx, conn, "aws_kms_key_policies", map[string]any{
			"account_id": acct, "region": region, "key_arn": keyARN(k.id), "name": "default", "policy": k.policy,
			"allows_iam_policies": facts.AllowsIAMPolicies, "create_grant_principals": facts.CreateGrantPrincipals,
			"create_grant_requires_aws_resource": facts.CreateGrantRequiresAWSResource,
			"allows_put_key_policy_principals":   facts.PutKeyPolicyPrincipals,
		})
		for i := range p.Statements {
			s := &p.Statements[i]
			sf := analysis.AnalyzeStatement(s)
			insert(t, ctx, conn, "aws_kms_key_policy_statements", map[string]any{
				"account_id": acct, "region": region, "key_arn": keyARN(k.id), "policy_name": "default",
				"statement_index": s.Index, "sid": s.Sid, "effect": string(s.Effect),
				"principals": jsonOrNil(s.Principals), "principal_list": s.PrincipalList, "not_principals": jsonOrNil(s.NotPrincipals),
				"actions": s.Actions, "not_actions": s.NotActions, "conditions": jsonOrNil(s.Conditions),
				"allows_create_grant": sf.AllowsCreateGrant, "create_grant_requires_aws_resource": sf.CreateGrantRequiresAWSResource,
			})
		}
	}
	for _, g := range fixtureGrants() {
		f := analysis.AnalyzeGrant(g.entry, acct, org)
		ops := make([]string, len(g.entry.Operations))
		for i, op := range g.entry.Operations {
			ops[i] = string(op)
		}
		insert(t, ctx, conn, "aws_kms_key_grants", map[string]any{
			"account_id": acct, "region": region, "key_arn": g.key, "grant_id": *g.entry.GrantId,
			"grantee_principal": g.entry.GranteePrincipal, "grantee_service_principal": g.entry.GranteeServicePrincipal,
			"retiring_principal": g.entry.RetiringPrincipal, "retiring_service_principal": g.entry.RetiringServicePrincipal,
			"issuing_account": g.entry.IssuingAccount, "operations": ops, "creation_date": g.entry.CreationDate,
			"grantee_type": string(f.GranteeType), "grantee_account_id": f.GranteeAccountID,
			"is_cross_account": f.IsCrossAccount, "is_cross_organization": f.IsCrossOrganization,
			"allows_create_grant": f.AllowsCreateGrant, "allows_retire_grant": f.AllowsRetireGrant,
			"is_delegating": f.IsDelegating, "constraint_type": string(f.ConstraintType),
			"grantee_identity": nilIfEmpty(g.identity),
		})
	}
	for _, e := range fixtureEvents() {
		insert(t, ctx, conn, "aws_kms_grant_events", map[string]any{
			"event_id": e.id, "event_time": e.at, "event_name": e.name, "account_id": acct, "region": region,
			"key_arn": keyARN("scenario"), "caller_arn": e.caller, "caller_account_id": e.callerAccount,
			"is_cross_account_caller": e.callerAccount != acct, "error_code": nilIfEmpty(e.errorCode),
			"operations": e.ops, "grant_id": nilIfEmpty(e.grantID), "grantee_principal": nilIfEmpty(e.grantee),
			"caller_identity": nilIfEmpty(e.callerIdentity), "grantee_identity": nilIfEmpty(e.granteeIdentity),
		})
	}
}

func TestQueriesOnScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	loadFixture(t, ctx, conn)

	if err := CreateViews(ctx, conn, queries.Views); err != nil {
		t.Fatal(err)
	}
	qs, err := LoadQueries(queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]Result{}
	for _, r := range RunQueries(ctx, conn, qs, time.Minute) {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Query.Name, r.Err)
		}
		results[r.Query.Name] = r
	}
	if len(results) != 13 {
		t.Fatalf("ran %d queries, want the 9 recommendations and the 4 of RAM shares and key use", len(results))
	}

	// 01: the seed's predicate, evaluated here in Go on the fixture, in the
	// query's order (key, then grant).
	var nonService [][]string
	for _, g := range fixtureGrants() {
		p := aws.ToString(g.entry.GranteePrincipal)
		if g.entry.GranteePrincipal != nil && !strings.HasSuffix(p, ".amazonaws.com") && p != "AWS Internal" {
			nonService = append(nonService, []string{g.key, *g.entry.GrantId})
		}
	}
	sort.Slice(nonService, func(i, j int) bool {
		return strings.Join(nonService[i], " ") < strings.Join(nonService[j], " ")
	})
	expectRows(t, results["01_grants_to_non_service_principals"], []string{"key_arn", "grant_id"}, nonService)

	expectRows(t, results["02_delegating_grants"], []string{"grant_id", "created_by", "parent_grant_id"}, [][]string{
		{"g-hugh", "arn:aws:sts::" + acct + ":assumed-role/KeyAdminRole/alice", "NULL"},
		{"g-hugh-same", user("hugh-grant"), "g-hugh"},
		{"g-orphan", "arn:aws:sts::" + acct + ":assumed-role/Orphaner/bob", "g-revoked"},
	})

	// 03: root, KeyAdminRole (an admin through kms:*) and the conditioned
	// Auto Scaling role drop out; the AWS managed key is skipped.
	expectRows(t, results["03_create_grant_beyond_key_admins"], []string{"key_arn", "sid", "principal"}, [][]string{
		{keyARN("disabled"), "EveryoneButAdmin", "*"},
		{keyARN("scenario"), "Developers", role("Developer")},
	})

	expectRows(t, results["04_create_grant_without_grant_is_for_aws_resource"], []string{"key_arn", "sid"}, [][]string{
		{keyARN("disabled"), "EveryoneButAdmin"},
		{keyARN("pending"), "Enable IAM User Permissions"},
		{keyARN("scenario"), "Developers"},
		{keyARN("scenario"), "AllowRootAccountAccess"},
		{keyARN("scenario"), "AllowKeyAdministrator"},
	})

	expectRows(t, results["05_cross_account_grants_and_calls"], []string{"kind", "grant_id", "principal_account_id", "outside_organization"}, [][]string{
		{"grant", "g-member", member, "false"},
		{"grant", "g-outsider", outsider, "true"},
		{"call: CreateGrant", "NULL", member, "NULL"},
		{"call: RetireGrant", "NULL", outsider, "NULL"},
	})

	retirers := results["06_who_can_retire_each_grant"]
	expectContains(t, retirers, []string{"grant_id", "how", "retirer"}, [][]string{
		{"g-retiring", "retiring principal", user("sample-principal")},
		{"g-retire-op", "grantee (RetireGrant operation)", user("sample-user")},
		{"g-rds", "retiring service principal", "rds.amazonaws.com"},
		{"g-ebs", "retiring principal", "ec2.us-east-1.amazonaws.com"},
		{"g-hugh", "issuing account", "arn:aws:iam::" + acct + ":root"},
	})
	if n, want := len(retirers.Rows), len(fixtureGrants())+4; n != want {
		t.Errorf("06: %d rows, want one per grant (issuing account) plus the 4 named retirers = %d", n, want)
	}

	expectRows(t, results["07_delegation_chains"], []string{"root_grant_id", "depth", "grant_id", "grant_path"}, [][]string{
		{"g-hugh", "0", "g-hugh", "g-hugh"},
		{"g-hugh", "1", "g-hugh-fewer", "g-hugh > g-hugh-fewer"},
		{"g-hugh", "1", "g-hugh-same", "g-hugh > g-hugh-same"},
		{"g-hugh", "2", "g-grandchild", "g-hugh > g-hugh-same > g-grandchild"},
		{"g-orphan", "0", "g-orphan", "g-orphan"},
		{"g-orphan", "1", "g-orphan-child", "g-orphan > g-orphan-child"},
	})

	lineage := runSQL(t, ctx, conn, `SELECT grant_id, created_by, creator_identity, parent_grant_id FROM aws_kms_grant_lineage
		WHERE created_by IS NOT NULL ORDER BY grant_id`)
	expectRows(t, lineage, []string{"grant_id", "created_by", "creator_identity", "parent_grant_id"}, [][]string{
		{"g-grandchild", user("sample-user"), user("sample-user"), "g-hugh-same"},
		{"g-hugh", "arn:aws:sts::" + acct + ":assumed-role/KeyAdminRole/alice", role("KeyAdminRole"), "NULL"},
		{"g-hugh-fewer", user("hugh-grant"), user("hugh-grant"), "g-hugh"},
		{"g-hugh-same", user("hugh-grant"), user("hugh-grant"), "g-hugh"},
		{"g-orphan", "arn:aws:sts::" + acct + ":assumed-role/Orphaner/bob", role("Orphaner"), "g-revoked"},
		{"g-orphan-child", "arn:aws:sts::" + acct + ":assumed-role/Orphan/s1", role("Orphan"), "g-orphan"},
	})

	expectRows(t, results["08_grants_on_disabled_or_pending_deletion_keys"], []string{"grant_id", "key_state"}, [][]string{
		{"g-disabled", "Disabled"},
		{"g-pending", "PendingDeletion"},
	})

	expectRows(t, results["09_denied_grant_attempts"], []string{"event_name", "caller_arn", "error_code"}, [][]string{
		{"RetireGrant", "arn:aws:iam::" + outsider + ":root", "AccessDeniedException"},
		{"CreateGrant", user("hugh-grant"), "AccessDenied"},
	})
}

// runSQL runs one query outside the audit's runner, e.g. on a view.
func runSQL(t *testing.T, ctx context.Context, conn *pgx.Conn, sql string) Result {
	t.Helper()
	r := RunQueries(ctx, conn, []Query{{Name: "sql", SQL: sql}}, time.Minute)[0]
	if r.Err != nil {
		t.Fatalf("%s: %v", sql, r.Err)
	}
	return r
}

// TestQueriesAreReadOnly checks that the runner's read-only transaction
// stops a query file from changing data, and that one failing query does
// not stop the next.
func TestQueriesAreReadOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	results := RunQueries(ctx, conn, []Query{
		{Name: "writer", SQL: `DELETE FROM t`},
		{Name: "reader", SQL: `SELECT v, NULL::text AS nothing, true AS yes, ARRAY['a','b'] AS list FROM t`},
	}, time.Minute)
	if results[0].Err == nil {
		t.Error("a DELETE ran inside the audit's read-only transaction")
	}
	if results[1].Err != nil {
		t.Fatalf("query after a failed one: %v", results[1].Err)
	}
	got := renderRows(results[1], results[1].Columns)
	if want := [][]string{{"kept", "NULL", "true", "{a,b}"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
}

func expectColumn(t *testing.T, r Result, column string, want []string) {
	t.Helper()
	var got []string
	for _, row := range renderRows(r, []string{column}) {
		got = append(got, row[0])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: %s = %q, want %q", r.Query.Name, column, got, want)
	}
}

// expectRows compares the chosen columns of every row, in the query's order.
func expectRows(t *testing.T, r Result, columns []string, want [][]string) {
	t.Helper()
	if got := renderRows(r, columns); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: rows (%s) =\n%q\nwant\n%q", r.Query.Name, strings.Join(columns, ", "), got, want)
	}
}

func expectContains(t *testing.T, r Result, columns []string, want [][]string) {
	t.Helper()
	got := renderRows(r, columns)
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || reflect.DeepEqual(g, w)
		}
		if !found {
			t.Errorf("%s: no row %q among\n%q", r.Query.Name, w, got)
		}
	}
}

// renderRows picks columns by name, showing NULL as "NULL".
func renderRows(r Result, columns []string) [][]string {
	index := map[string]int{}
	for i, c := range r.Columns {
		index[c] = i
	}
	out := [][]string{}
	for _, row := range r.Rows {
		line := make([]string, len(columns))
		for i, c := range columns {
			j, ok := index[c]
			switch {
			case !ok:
				line[i] = "<no column " + c + ">"
			case row[j] == nil:
				line[i] = "NULL"
			default:
				line[i] = *row[j]
			}
		}
		out = append(out, line)
	}
	return out
}

func insert(t *testing.T, ctx context.Context, conn *pgx.Conn, table string, row map[string]any) {
	t.Helper()
	columns := make([]string, 0, len(row))
	for c := range row {
		columns = append(columns, c)
	}
	sort.Strings(columns)
	placeholders := make([]string, len(columns))
	args := make([]any, len(columns))
	for i, c := range columns {
		placeholders[i] = "$" + strconv.Itoa(i+1)
		args[i] = row[c]
	}
	sql := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES (" + strings.Join(placeholders, ", ") + ")"
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func jsonOrNil(raw []byte) any {
	if raw == nil {
		return nil
	}
	return string(raw)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
