package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/docs/queries"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
)

// The access fixture: the emulator's access scenario in miniature. K holds the keys and is a
// member; S is another member whose SCP denies kms:Decrypt; M is the management account; O is
// outside the organization. An RCP on the root denies principals outside the organization.
const (
	accK   = "111122223333"
	accS   = "444455556666"
	accM   = "999988887777"
	accO   = "123456789012"
	orgIDx = "o-a1b2c3d4e5"
)

func kARN(id string) string           { return "arn:aws:kms:us-east-1:" + accK + ":key/" + id }
func iamRole(acc, name string) string { return "arn:aws:iam::" + acc + ":role/" + name }

var (
	mainKey  = kARN("main")
	noIAMKey = kARN("noiam")
	openKey  = kARN("open")
	mgmtKey  = "arn:aws:kms:us-east-1:" + accM + ":key/mgmt"
)

func accessPolicies() map[string]string {
	return map[string]string{
		mainKey: `{"Version":"2012-10-17","Statement":[
		 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		 {"Sid":"AllowCrossAccountRoles","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:role/CrossAllowed","arn:aws:iam::444455556666:role/CrossNoIAM"]},"Action":["kms:Decrypt","kms:Encrypt","kms:DescribeKey"],"Resource":"*"},
		 {"Sid":"AllowOrganization","Effect":"Allow","Principal":"*","Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}},
		 {"Sid":"AllowAttachmentThroughEC2","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/AppRole"},"Action":"kms:CreateGrant","Resource":"*",
		  "Condition":{"Bool":{"kms:GrantIsForAWSResource":true},"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}]}`,
		noIAMKey: `{"Version":"2012-10-17","Statement":[
		 {"Sid":"KeyAdministrators","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":["kms:Describe*","kms:Put*","kms:ScheduleKeyDeletion"],"Resource":"*"},
		 {"Sid":"KeyUsers","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/AppRole"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}`,
		openKey: `{"Version":"2012-10-17","Statement":[
		 {"Sid":"OpenViaEBS","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}]}`,
		mgmtKey: `{"Version":"2012-10-17","Statement":[
		 {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:Decrypt","Resource":"*"}]}`,
	}
}

func loadAccessFixture(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	t.Helper()
	if _, err := conn.Exec(ctx, readFile(t, "testdata/schema.sql")); err != nil {
		t.Fatalf("schema: %v", err)
	}
	for arn, doc := range accessPolicies() {
		account := analysis.PrincipalAccount(arn)
		insert(t, ctx, conn, "aws_kms_keys", map[string]any{"account_id": account, "region": "us-east-1", "arn": arn, "key_manager": "CUSTOMER", "key_state": "Enabled", "enabled": true})
		insert(t, ctx, conn, "aws_kms_key_policies", map[string]any{"account_id": account, "region": "us-east-1", "key_arn": arn, "name": "default", "policy": doc})
		p, err := analysis.ParsePolicy(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Statements {
			insert(t, ctx, conn, "aws_kms_key_policy_statements", map[string]any{"account_id": account, "region": "us-east-1", "key_arn": arn,
				"policy_name": "default", "statement_index": s.Index, "sid": s.Sid, "effect": string(s.Effect), "principal_list": s.PrincipalList})
		}
	}
	// Each grant and its CreateGrant event: Delegator created g-child through g-parent, which the
	// aws_kms_grant_lineage view finds.
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	grant := func(id, grantee, creator string, at time.Time, ops []string, equals any) {
		insert(t, ctx, conn, "aws_kms_key_grants", map[string]any{"account_id": accK, "region": "us-east-1", "key_arn": mainKey, "grant_id": id,
			"grantee_principal": grantee, "grantee_identity": grantee, "operations": ops, "encryption_context_equals": equals})
		insert(t, ctx, conn, "aws_kms_grant_events", map[string]any{"account_id": accK, "region": "us-east-1", "event_id": "e-" + id,
			"event_time": at, "event_name": "CreateGrant", "key_arn": mainKey, "grant_id": id, "caller_arn": creator, "caller_identity": creator,
			"grantee_principal": grantee, "grantee_identity": grantee, "operations": ops})
	}
	grant("g-parent", iamRole(accK, "Delegator"), iamRole(accK, "KeyAdmin"), day(1), []string{"Decrypt", "CreateGrant"}, nil)
	grant("g-child", iamRole(accS, "GrantChild"), iamRole(accK, "Delegator"), day(2), []string{"Decrypt"}, `{"Project":"Atlas"}`)
	grant("g-outsider", iamRole(accO, "Outsider"), iamRole(accK, "KeyAdmin"), day(3), []string{"Decrypt"}, nil)
	if err := CreateViews(ctx, conn, queries.Views); err != nil {
		t.Fatal(err)
	}

	principal := func(account, arn string, statements ...analysis.KMSStatement) {
		b, _ := json.Marshal(statements)
		insert(t, ctx, conn, "aws_iam_kms_principals", map[string]any{"account_id": account, "arn": arn, "principal_type": "role", "statements": string(b)})
	}
	st := func(source, doc string) analysis.KMSStatement {
		return analysis.KMSStatement{Source: source, Statement: json.RawMessage(doc)}
	}
	principal(accK, iamRole(accK, "IAMOnly"), st(iamRole(accK, "IAMOnly")+"/inline/AllKMS", `{"Effect":"Allow","Action":"kms:*","Resource":"*"}`))
	principal(accK, iamRole(accK, "Analyst"), st("arn:aws:iam::"+accK+":policy/KMSDecryptMainKey", `{"Effect":"Allow","Action":"kms:Decrypt","Resource":"`+mainKey+`"}`))
	principal(accS, iamRole(accS, "CrossAllowed"), st(iamRole(accS, "CrossAllowed")+"/inline/UseKeyAccountKeys", `{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"arn:aws:kms:*:111122223333:key/*"}`))
	principal(accS, iamRole(accS, "OrgReader"), st(iamRole(accS, "OrgReader")+"/inline/Decrypt", `{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}`))

	const (
		full    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
		rcpFull = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
		deny    = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}`
		fence   = `{"Version":"2012-10-17","Statement":[{"Sid":"RCPEnforceIdentityPerimeter","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
		  "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"Bool":{"aws:PrincipalIsAWSService":"false"}}}]}`
	)
	policy := func(account, typ string, level int, target, id, content string) {
		insert(t, ctx, conn, "aws_organizations_account_policies", map[string]any{"account_id": accM, "organization_id": orgIDx,
			"target_account_id": account, "policy_type": typ, "level": level, "target_id": target, "policy_id": id, "content": content})
	}
	for _, account := range []string{accK, accS, accM} {
		policy(account, "SERVICE_CONTROL_POLICY", 0, "r-root", "p-FullAWSAccess", full)
		policy(account, "SERVICE_CONTROL_POLICY", 1, account, "p-FullAWSAccess", full)
		policy(account, "RESOURCE_CONTROL_POLICY", 0, "r-root", "p-RCPFullAWSAccess", rcpFull)
		policy(account, "RESOURCE_CONTROL_POLICY", 0, "r-root", "p-perimeter", fence)
	}
	policy(accS, "SERVICE_CONTROL_POLICY", 1, accS, "p-deny", deny)
}

// sharedKey is K's key shared through AWS RAM with S (inside the organization) and O (outside),
// each by its own share; a third, deleted share once reached S. Its default policy enables IAM in
// K; its AWS_RAM policy is the one RAM writes for the share's managed permission.
var sharedKey = kARN("shared")

const (
	shareS       = "arn:aws:ram:us-east-1:" + accK + ":resource-share/to-s"
	shareO       = "arn:aws:ram:us-east-1:" + accK + ":resource-share/to-o"
	shareDeleted = "arn:aws:ram:us-east-1:" + accK + ":resource-share/deleted"
)

func loadRAMShareFixture(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	t.Helper()
	insert(t, ctx, conn, "aws_kms_keys", map[string]any{"account_id": accK, "region": "us-east-1", "arn": sharedKey, "key_manager": "CUSTOMER", "key_state": "Enabled", "enabled": true})
	insert(t, ctx, conn, "aws_kms_key_policies", map[string]any{"account_id": accK, "region": "us-east-1", "key_arn": sharedKey, "name": "default",
		"policy": `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`})
	insert(t, ctx, conn, "aws_kms_key_policy_statements", map[string]any{"account_id": accK, "region": "us-east-1", "key_arn": sharedKey,
		"policy_name": "default", "statement_index": 0, "sid": "Enable IAM User Permissions", "effect": "Allow", "principal_list": []string{"arn:aws:iam::111122223333:root"}})
	insert(t, ctx, conn, "aws_kms_key_policies", map[string]any{"account_id": accK, "region": "us-east-1", "key_arn": sharedKey, "name": "AWS_RAM",
		"policy": `{"Version":"2012-10-17","Id":"AWS_RAM","Statement":[{"Sid":"RAMManagedPermission","Effect":"Allow",
		 "Principal":{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::123456789012:root"]},
		 "Action":["kms:Decrypt","kms:Encrypt","kms:DescribeKey"],"Resource":"` + sharedKey + `"}]}`})
	share := func(arn, status, account string) {
		insert(t, ctx, conn, "aws_ram_kms_key_shares", map[string]any{"account_id": accK, "region": "us-east-1", "resource_share_arn": arn, "status": status,
			"principals": `[{"id":"` + account + `","type":"account","external":null}]`, "key_arns": []string{sharedKey}})
	}
	share(shareS, "ACTIVE", accS)
	share(shareO, "ACTIVE", accO)
	share(shareDeleted, "DELETED", accS)
}

// accessSeen is the part of an aws_kms_key_access row the test states by hand.
type accessSeen struct {
	Key, Principal, Path, Source, Ops, Denied, DeniedBy, Possibly string
	RequiresIAM, Conditional                                      bool
}

func readAccessRows(t *testing.T, ctx context.Context, conn *pgx.Conn) []accessSeen {
	t.Helper()
	rows, err := conn.Query(ctx, `SELECT key_arn, principal, path, source, array_to_string(operations, ','), array_to_string(denied_operations, ','),
		coalesce(denied_by, ''), array_to_string(possibly_denied_by, ','), requires_caller_iam, is_conditional FROM aws_kms_key_access`)
	if err != nil {
		t.Fatal(err)
	}
	var out []accessSeen
	for rows.Next() {
		var s accessSeen
		if err := rows.Scan(&s.Key, &s.Principal, &s.Path, &s.Source, &s.Ops, &s.Denied, &s.DeniedBy, &s.Possibly, &s.RequiresIAM, &s.Conditional); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sortSeen(out)
	return out
}

func sortSeen(s []accessSeen) {
	sort.Slice(s, func(i, j int) bool {
		a, b := s[i], s[j]
		return a.Key+"|"+a.Principal+"|"+a.Path+"|"+a.Source < b.Key+"|"+b.Principal+"|"+b.Path+"|"+b.Source
	})
}

// allKMSActions is every KMS key action: what kms:* expands to.
const allKMSActions = "kms:CancelKeyDeletion,kms:CreateAlias,kms:CreateGrant,kms:Decapsulate,kms:Decrypt,kms:DeleteAlias,kms:DeleteImportedKeyMaterial,kms:DeriveSharedSecret,kms:DescribeKey,kms:DisableKey,kms:DisableKeyRotation,kms:EnableKey,kms:EnableKeyRotation,kms:Encapsulate,kms:Encrypt,kms:GenerateDataKey,kms:GenerateDataKeyPair,kms:GenerateDataKeyPairWithoutPlaintext,kms:GenerateDataKeyWithoutPlaintext,kms:GenerateMac,kms:GetKeyLastUsage,kms:GetKeyPolicy,kms:GetKeyRotationStatus,kms:GetParametersForImport,kms:GetPublicKey,kms:ImportKeyMaterial,kms:ListGrants,kms:ListKeyPolicies,kms:ListKeyRotations,kms:ListResourceTags,kms:PutKeyPolicy,kms:ReEncryptFrom,kms:ReEncryptTo,kms:ReplicateKey,kms:RetireGrant,kms:RevokeGrant,kms:RotateKeyOnDemand,kms:ScheduleKeyDeletion,kms:Sign,kms:SynchronizeMultiRegionKey,kms:TagResource,kms:UntagResource,kms:UpdateAlias,kms:UpdateKeyDescription,kms:UpdatePrimaryRegion,kms:Verify,kms:VerifyMac"

func TestMaterializeAccess(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	loadAccessFixture(t, ctx, conn)
	loadRAMShareFixture(t, ctx, conn)

	st, err := MaterializeAccess(ctx, conn, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !st.IAMKnown || !st.OrgKnown || !st.SharesKnown || st.Keys != 5 || st.Principals != 4 || len(st.Skipped) != 0 {
		t.Errorf("stats = %+v", st)
	}
	const (
		scpDeny = "scp:p-deny#DenyDecrypt"
		rcp     = "rcp:p-perimeter#RCPEnforceIdentityPerimeter"
	)
	want := []accessSeen{
		// main: IAM enabled for K; two roles of S named; "*" within the organization; AppRole
		// may attach through EC2; a grant chain Delegator -> GrantChild; a grant to an outsider.
		{Key: mainKey, Principal: "*", Path: "key_policy", Source: "AllowOrganization", Ops: "kms:Decrypt,kms:DescribeKey", Possibly: rcp, Conditional: true},
		{Key: mainKey, Principal: iamRole(accK, "Analyst"), Path: "iam_policy", Source: "arn:aws:iam::" + accK + ":policy/KMSDecryptMainKey", Ops: "kms:Decrypt"},
		{Key: mainKey, Principal: iamRole(accK, "AppRole"), Path: "key_policy", Source: "AllowAttachmentThroughEC2", Ops: "kms:CreateGrant", Conditional: true},
		{Key: mainKey, Principal: iamRole(accK, "Delegator"), Path: "grant", Source: "g-parent", Ops: "kms:CreateGrant,kms:Decrypt"},
		{Key: mainKey, Principal: iamRole(accK, "IAMOnly"), Path: "iam_policy", Source: iamRole(accK, "IAMOnly") + "/inline/AllKMS", Ops: allKMSActions},
		{Key: mainKey, Principal: "arn:aws:iam::" + accK + ":root", Path: "key_policy", Source: "Enable IAM User Permissions", Ops: allKMSActions},
		// The outsider's grant: the RCP takes it away.
		{Key: mainKey, Principal: iamRole(accO, "Outsider"), Path: "grant", Source: "g-outsider", Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: rcp},
		// S's roles: Decrypt is denied by S's SCP whatever the path.
		{Key: mainKey, Principal: iamRole(accS, "CrossAllowed"), Path: "iam_policy", Source: iamRole(accS, "CrossAllowed") + "/inline/UseKeyAccountKeys", Ops: "kms:Decrypt,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny},
		{Key: mainKey, Principal: iamRole(accS, "CrossAllowed"), Path: "key_policy", Source: "AllowCrossAccountRoles", Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny, RequiresIAM: true},
		// CrossNoIAM: named by the key policy, but its own IAM allows nothing: no iam_policy row.
		{Key: mainKey, Principal: iamRole(accS, "CrossNoIAM"), Path: "key_policy", Source: "AllowCrossAccountRoles", Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny, RequiresIAM: true},
		{Key: mainKey, Principal: iamRole(accS, "GrantChild"), Path: "grant", Source: "g-child", Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny, Conditional: true},
		{Key: mainKey, Principal: iamRole(accS, "OrgReader"), Path: "iam_policy", Source: iamRole(accS, "OrgReader") + "/inline/Decrypt", Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny},
		// mgmt: RCPs do not apply to the management account's keys; the partner needs its own IAM.
		{Key: mgmtKey, Principal: "arn:aws:iam::" + accO + ":root", Path: "key_policy", Source: "Partner", Ops: "kms:Decrypt", RequiresIAM: true},
		// noiam: IAMOnly's kms:* counts for nothing here.
		{Key: noIAMKey, Principal: iamRole(accK, "AppRole"), Path: "key_policy", Source: "KeyUsers", Ops: "kms:Decrypt,kms:Encrypt"},
		{Key: noIAMKey, Principal: iamRole(accK, "KeyAdmin"), Path: "key_policy", Source: "KeyAdministrators", Ops: "kms:DescribeKey,kms:PutKeyPolicy,kms:ScheduleKeyDeletion"},
		{Key: openKey, Principal: "*", Path: "key_policy", Source: "OpenViaEBS", Ops: "kms:Decrypt", Possibly: rcp, Conditional: true},
		// "*" in the key policy admits S's identities through their own IAM policies (under the
		// key policy's kms:ViaService condition); S's SCP then denies Decrypt.
		{Key: openKey, Principal: iamRole(accS, "CrossAllowed"), Path: "iam_policy", Source: iamRole(accS, "CrossAllowed") + "/inline/UseKeyAccountKeys", Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny, Conditional: true},
		{Key: openKey, Principal: iamRole(accS, "OrgReader"), Path: "iam_policy", Source: iamRole(accS, "OrgReader") + "/inline/Decrypt", Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny, Conditional: true},
		// shared: K's root and IAMOnly as on any key with IAM enabled; through the shares, S's root
		// and the roles of S whose IAM allows (CrossAllowed's Decrypt and Encrypt on K's keys,
		// OrgReader's Decrypt), with Decrypt denied by S's SCP; O's root, whose IAM is unknown,
		// loses everything to the RCP perimeter.
		{Key: sharedKey, Principal: "arn:aws:iam::" + accK + ":root", Path: "key_policy", Source: "Enable IAM User Permissions", Ops: allKMSActions},
		{Key: sharedKey, Principal: iamRole(accK, "IAMOnly"), Path: "iam_policy", Source: iamRole(accK, "IAMOnly") + "/inline/AllKMS", Ops: allKMSActions},
		{Key: sharedKey, Principal: "arn:aws:iam::" + accS + ":root", Path: "ram_share", Source: shareS, Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny, RequiresIAM: true},
		{Key: sharedKey, Principal: iamRole(accS, "CrossAllowed"), Path: "ram_share", Source: shareS, Ops: "kms:Decrypt,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny},
		{Key: sharedKey, Principal: iamRole(accS, "OrgReader"), Path: "ram_share", Source: shareS, Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: scpDeny},
		{Key: sharedKey, Principal: "arn:aws:iam::" + accO + ":root", Path: "ram_share", Source: shareO, Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", DeniedBy: rcp, RequiresIAM: true},
	}
	sortSeen(want)
	if got := readAccessRows(t, ctx, conn); !reflect.DeepEqual(got, want) {
		t.Errorf("aws_kms_key_access:\n%s", diffSeen(got, want))
	}

	// A second run replaces the rows rather than adding to them.
	if _, err := MaterializeAccess(ctx, conn, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := readAccessRows(t, ctx, conn); len(got) != len(want) {
		t.Errorf("after a second run: %d rows, want %d", len(got), len(want))
	}

	// The access queries on those rows.
	sub, err := fs.Sub(queries.FS, "access")
	if err != nil {
		t.Fatal(err)
	}
	qs, err := LoadQueries(sub)
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
	if len(results) != 4 {
		t.Fatalf("ran %d access queries, want 4", len(results))
	}
	expectRowSet(t, results["01_who_can_decrypt"], []string{"key_arn", "principal", "path", "source", "can_decrypt"}, [][]string{
		{mainKey, "*", "key_policy", "AllowOrganization", "conditional"},
		{mainKey, iamRole(accK, "Analyst"), "iam_policy", "arn:aws:iam::" + accK + ":policy/KMSDecryptMainKey", "yes"},
		{mainKey, iamRole(accK, "Delegator"), "grant", "g-parent", "yes"},
		{mainKey, iamRole(accK, "IAMOnly"), "iam_policy", iamRole(accK, "IAMOnly") + "/inline/AllKMS", "yes"},
		{mainKey, "arn:aws:iam::" + accK + ":root", "key_policy", "Enable IAM User Permissions", "yes"},
		{mainKey, iamRole(accO, "Outsider"), "grant", "g-outsider", "denied"},
		{mainKey, iamRole(accS, "CrossAllowed"), "iam_policy", iamRole(accS, "CrossAllowed") + "/inline/UseKeyAccountKeys", "denied"},
		{mainKey, iamRole(accS, "CrossAllowed"), "key_policy", "AllowCrossAccountRoles", "denied"},
		{mainKey, iamRole(accS, "CrossNoIAM"), "key_policy", "AllowCrossAccountRoles", "denied"},
		{mainKey, iamRole(accS, "GrantChild"), "grant", "g-child", "denied"},
		{mainKey, iamRole(accS, "OrgReader"), "iam_policy", iamRole(accS, "OrgReader") + "/inline/Decrypt", "denied"},
		{mgmtKey, "arn:aws:iam::" + accO + ":root", "key_policy", "Partner", "needs the caller's IAM policy"},
		{noIAMKey, iamRole(accK, "AppRole"), "key_policy", "KeyUsers", "yes"},
		{openKey, "*", "key_policy", "OpenViaEBS", "conditional"},
		{openKey, iamRole(accS, "CrossAllowed"), "iam_policy", iamRole(accS, "CrossAllowed") + "/inline/UseKeyAccountKeys", "denied"},
		{openKey, iamRole(accS, "OrgReader"), "iam_policy", iamRole(accS, "OrgReader") + "/inline/Decrypt", "denied"},
		{sharedKey, "arn:aws:iam::" + accK + ":root", "key_policy", "Enable IAM User Permissions", "yes"},
		{sharedKey, iamRole(accK, "IAMOnly"), "iam_policy", iamRole(accK, "IAMOnly") + "/inline/AllKMS", "yes"},
		{sharedKey, "arn:aws:iam::" + accS + ":root", "ram_share", shareS, "denied"},
		{sharedKey, iamRole(accS, "CrossAllowed"), "ram_share", shareS, "denied"},
		{sharedKey, iamRole(accS, "OrgReader"), "ram_share", shareS, "denied"},
		{sharedKey, "arn:aws:iam::" + accO + ":root", "ram_share", shareO, "denied"},
	})
	// The outsider's grant is cancelled by the RCP; the management key's partner and the open
	// key's "*" remain.
	expectRowSet(t, results["02_access_from_outside_the_organization"], []string{"key_arn", "principal", "path", "operations"}, [][]string{
		{mgmtKey, "arn:aws:iam::" + accO + ":root", "key_policy", "{kms:Decrypt}"},
		{openKey, "*", "key_policy", "{kms:Decrypt}"},
	})
	expectRowSet(t, results["03_wildcard_principals_with_weak_conditions"], []string{"key_arn", "source"}, [][]string{
		{openKey, "OpenViaEBS"},
	})
	expectRowSet(t, results["04_paths_bypassing_key_administrators"], []string{"key_arn", "principal", "path"}, [][]string{
		{mainKey, iamRole(accK, "Analyst"), "iam_policy"},
		{mainKey, iamRole(accK, "Delegator"), "grant"},
		{mainKey, iamRole(accK, "IAMOnly"), "iam_policy"},
		{sharedKey, iamRole(accK, "IAMOnly"), "iam_policy"},
	})

	// The graph of the main key: one arrow per path, the grant chain as a thick arrow.
	var buf bytes.Buffer
	if err := WriteAccessGraphs(ctx, conn, &buf, mainKey); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{
		"# Access to 1 KMS key",
		"```mermaid\nflowchart LR\n",
		"p1 -->|\"grant: g-parent<br/>decrypt, create grant\"| key",
		"p3 --x|\"grant: g-child<br/>denied by scp:p-deny#DenyDecrypt\"| key",
		`p1 ==>|"grant g-parent created grant g-child"| p3`,
		`-->|"grant: g-parent<br/>decrypt, create grant"| key`,
		`--x|"grant: g-outsider<br/>denied by rcp:p-perimeter#RCPEnforceIdentityPerimeter"| key`,
	} {
		if !strings.Contains(buf.String(), part) {
			t.Errorf("graph lacks %q:\n%s", part, buf.String())
		}
	}
}

// expectRowSet compares rows as a set: the queries' ORDER BY follows the server's collation.
func expectRowSet(t *testing.T, r Result, columns []string, want [][]string) {
	t.Helper()
	got := renderRows(r, columns)
	key := func(rows [][]string) func(i, j int) bool {
		return func(i, j int) bool { return strings.Join(rows[i], "|") < strings.Join(rows[j], "|") }
	}
	sort.Slice(got, key(got))
	sort.Slice(want, key(want))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: rows (%s) =\n%q\nwant\n%q", r.Query.Name, strings.Join(columns, ", "), got, want)
	}
}

func diffSeen(got, want []accessSeen) string {
	var b strings.Builder
	index := map[string]accessSeen{}
	for _, g := range got {
		index[g.Key+"|"+g.Principal+"|"+g.Path+"|"+g.Source] = g
	}
	for _, w := range want {
		k := w.Key + "|" + w.Principal + "|" + w.Path + "|" + w.Source
		g, ok := index[k]
		switch {
		case !ok:
			b.WriteString("missing " + k + "\n")
		case g != w:
			b.WriteString("differs " + k + "\n   got  " + strings.TrimSpace(toJSON(g)) + "\n   want " + strings.TrimSpace(toJSON(w)) + "\n")
		}
		delete(index, k)
	}
	for k := range index {
		b.WriteString("unexpected " + k + "\n")
	}
	return b.String()
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
