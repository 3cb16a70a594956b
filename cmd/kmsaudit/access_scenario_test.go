package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/docs/queries"
	source "github.com/kmsaudit/cq-source-awskms/resources/plugin"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
	"github.com/kmsaudit/cq-source-awskms/test/pgdest"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
)

// TestAccessScenarioEndToEnd syncs the emulator's access scenario with the plugin, writes it to
// PostgreSQL through the test destination, computes aws_kms_key_access and checks the rows of the
// scenario's two keys, written by hand from the scenario (emulator.AccessFacts):
//   - a role allowed by IAM on a key whose policy does not enable IAM has no access;
//   - a cross-account role named by the key policy but without KMS in its own IAM has only the
//     key policy row that needs its IAM (no iam_policy row);
//   - the other account's SCP denies kms:Decrypt on every path;
//   - the RCP on the root denies the outsider's grant;
//   - "*" with aws:PrincipalOrgID stays inside the organization;
//   - the grant chain Delegator -> GrantChild is drawn in the graph.
func TestAccessScenarioEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs the emulator and needs PostgreSQL")
	}
	ctx := context.Background()
	dsn := pgtest.Start(t)
	cfg := emulator.DefaultConfig()
	cfg.Now = time.Now().UTC().Add(-time.Hour)
	cfg.HotKeyGrants = 0
	cfg.AccessScenario = true
	world := emulator.NewWorld(cfg)
	srv := emulator.NewServer(world)
	if _, err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	akid, secret := emulator.AccessKeyFor(world.ManagementAccount)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}

	spec, _ := json.Marshal(map[string]any{
		"regions":             []string{"*"},
		"org":                 map[string]any{"member_role_name": "OrganizationAccountAccessRole"},
		"custom_endpoint_url": srv.URL(),
		"max_backoff":         1,
		"rate_limits":         map[string]float64{"LookupEvents": 1000},
	})
	src := source.Plugin()
	if err := src.Init(ctx, spec, plugin.NewClientOptions{}); err != nil {
		t.Fatal(err)
	}
	msgs, err := src.SyncAll(ctx, plugin.SyncOptions{Tables: []string{"*"}, DeterministicCQID: true})
	_ = src.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var writes []message.WriteMessage
	for _, m := range msgs {
		switch m := m.(type) {
		case *message.SyncMigrateTable:
			writes = append(writes, &message.WriteMigrateTable{Table: m.Table})
		case *message.SyncInsert:
			writes = append(writes, &message.WriteInsert{Record: m.Record})
		}
	}
	dest := pgdest.Plugin()
	destSpec, _ := json.Marshal(map[string]any{"connection_string": dsn})
	if err := dest.Init(ctx, destSpec, plugin.NewClientOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := dest.WriteAll(ctx, writes); err != nil {
		t.Fatal(err)
	}
	_ = dest.Close(ctx)

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	st, err := MaterializeAccess(ctx, conn, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !st.IAMKnown || !st.OrgKnown || len(st.Skipped) != 0 {
		t.Fatalf("stats = %+v", st)
	}

	f := world.Access
	k := f.KeyAccount
	const (
		scp = "scp:p-denykmsdecrypt#DenyDecrypt"
		rcp = "rcp:p-kmsperimeter#RCPEnforceIdentityPerimeter"
	)
	want := []accessSeen{
		{Key: f.MainKeyARN, Principal: "arn:aws:iam::" + k + ":root", Path: "key_policy", Source: "Enable IAM User Permissions", Ops: allKMSActions},
		{Key: f.MainKeyARN, Principal: f.CrossAllowedRoleARN, Path: "key_policy", Source: "AllowCrossAccountRoles", Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: scp, RequiresIAM: true},
		{Key: f.MainKeyARN, Principal: f.CrossNoIAMRoleARN, Path: "key_policy", Source: "AllowCrossAccountRoles", Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: scp, RequiresIAM: true},
		{Key: f.MainKeyARN, Principal: "*", Path: "key_policy", Source: "AllowOrganization", Ops: "kms:Decrypt,kms:DescribeKey", Possibly: rcp, Conditional: true},
		{Key: f.MainKeyARN, Principal: f.AppRoleARN, Path: "key_policy", Source: "AllowAttachmentThroughEC2", Ops: "kms:CreateGrant", Conditional: true},
		// alice: kms:Describe*, List*, Get* through her group, capped by a DescribeKey boundary.
		{Key: f.MainKeyARN, Principal: f.AuditorUserARN, Path: "iam_policy", Source: f.AuditorsGroupARN + "/inline/KMSRead", Ops: "kms:DescribeKey"},
		{Key: f.MainKeyARN, Principal: f.AnalystRoleARN, Path: "iam_policy", Source: "arn:aws:iam::" + k + ":policy/KMSDecryptMainKey", Ops: "kms:Decrypt"},
		{Key: f.MainKeyARN, Principal: f.IAMOnlyRoleARN, Path: "iam_policy", Source: f.IAMOnlyRoleARN + "/inline/AllKMS", Ops: allKMSActions},
		{Key: f.MainKeyARN, Principal: f.CrossAllowedRoleARN, Path: "iam_policy", Source: f.CrossAllowedRoleARN + "/inline/UseKeyAccountKeys", Ops: "kms:Decrypt,kms:Encrypt", Denied: "kms:Decrypt", DeniedBy: scp},
		{Key: f.MainKeyARN, Principal: f.OrgReaderRoleARN, Path: "iam_policy", Source: f.OrgReaderRoleARN + "/inline/Decrypt", Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: scp},
		{Key: f.MainKeyARN, Principal: f.DelegatorRoleARN, Path: "grant", Source: f.ParentGrantID, Ops: "kms:CreateGrant,kms:Decrypt"},
		{Key: f.MainKeyARN, Principal: f.GrantChildRoleARN, Path: "grant", Source: f.ChildGrantID, Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: scp, Conditional: true},
		{Key: f.MainKeyARN, Principal: f.OutsiderRoleARN, Path: "grant", Source: f.OutsiderGrantID, Ops: "kms:Decrypt", Denied: "kms:Decrypt", DeniedBy: rcp},
		// The key whose policy does not enable IAM: IAMOnly's kms:* gives nothing.
		{Key: f.NoIAMKeyARN, Principal: f.AppRoleARN, Path: "key_policy", Source: "KeyUsers", Ops: "kms:Decrypt,kms:DescribeKey,kms:Encrypt,kms:GenerateDataKey,kms:GenerateDataKeyPair,kms:GenerateDataKeyPairWithoutPlaintext,kms:GenerateDataKeyWithoutPlaintext,kms:ReEncryptFrom,kms:ReEncryptTo"},
		{Key: f.NoIAMKeyARN, Principal: f.KeyAdminRoleARN, Path: "key_policy", Source: "KeyAdministrators",
			Ops: "kms:CancelKeyDeletion,kms:CreateAlias,kms:CreateGrant,kms:DeleteAlias,kms:DeleteImportedKeyMaterial,kms:DescribeKey,kms:DisableKey,kms:DisableKeyRotation,kms:EnableKey,kms:EnableKeyRotation,kms:GetKeyLastUsage,kms:GetKeyPolicy,kms:GetKeyRotationStatus,kms:GetParametersForImport,kms:GetPublicKey,kms:ListGrants,kms:ListKeyPolicies,kms:ListKeyRotations,kms:ListResourceTags,kms:PutKeyPolicy,kms:RevokeGrant,kms:ScheduleKeyDeletion,kms:TagResource,kms:UntagResource,kms:UpdateAlias,kms:UpdateKeyDescription,kms:UpdatePrimaryRegion"},
	}
	sortSeen(want)
	var got []accessSeen
	for _, r := range readAccessRows(t, ctx, conn) {
		if r.Key == f.MainKeyARN || r.Key == f.NoIAMKeyARN {
			got = append(got, r)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("aws_kms_key_access of the scenario keys:\n%s", diffSeen(got, want))
	}
	var outside bool
	if err := conn.QueryRow(ctx, `SELECT is_outside_organization FROM aws_kms_key_access WHERE key_arn = $1 AND principal = '*'`, f.MainKeyARN).Scan(&outside); err != nil || outside {
		t.Errorf(`"*" with aws:PrincipalOrgID: outside the organization = %v (%v), want false`, outside, err)
	}

	var graph bytes.Buffer
	if err := CreateViews(ctx, conn, queries.Views); err != nil { // the grant lineage the graph draws
		t.Fatal(err)
	}
	if err := WriteAccessGraphs(ctx, conn, &graph, f.MainKeyARN); err != nil {
		t.Fatal(err)
	}
	if want := "created grant " + f.ChildGrantID; !strings.Contains(graph.String(), want) {
		t.Errorf("the graph lacks the grant chain %q:\n%s", want, graph.String())
	}
}
