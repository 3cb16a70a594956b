package plugin

import (
	"context"
	"encoding/json"

	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// emulatedOrg starts the emulator on cfg and points the default credential chain at its
// management account.
func emulatedOrg(t *testing.T, cfg emulator.Config, opts ...emulator.Option) (*emulator.World, *emulator.Server) {
	t.Helper()
	world := emulator.NewWorld(cfg)
	srv := emulator.NewServer(world, opts...)
	if _, err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	useCredentialsOf(t, world.ManagementAccount)
	return world, srv
}

// useCredentialsOf makes the emulator account's long-term key the default credentials and
// keeps the machine's own AWS configuration out of the test.
func useCredentialsOf(t *testing.T, account string) {
	akid, secret := emulator.AccessKeyFor(account)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           akid,
		"AWS_SECRET_ACCESS_KEY":       secret,
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
}

// syncAll runs the plugin in-process with spec and returns what it sent.
func syncAll(t *testing.T, spec map[string]any) (message.SyncMessages, error) {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p := Plugin()
	if err := p.Init(ctx, raw, plugin.NewClientOptions{}); err != nil {
		return nil, err
	}
	defer p.Close(ctx)
	return p.SyncAll(ctx, plugin.SyncOptions{Tables: []string{"*"}, DeterministicCQID: true})
}

func orgSpec(srv *emulator.Server) map[string]any {
	return map[string]any{
		"regions":             []string{"*"},
		"org":                 map[string]any{"member_role_name": "OrganizationAccountAccessRole"},
		"custom_endpoint_url": srv.URL(),
		"max_backoff":         1,
		// The emulator enforces no quota here; CloudTrail's real 2/s would only slow the test.
		"rate_limits": map[string]float64{"LookupEvents": 1000},
	}
}

// TestSyncMatchesEmulatorData syncs an emulated organization (4 accounts, one suspended, 2-3
// regions each, every kind of key, a key with 1,500 grants) and compares every column of every
// table with the emulator's data.
func TestSyncMatchesEmulatorData(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process sync against the emulator")
	}
	cfg := emulator.DefaultConfig()
	cfg.Now = time.Now().UTC().Add(-time.Hour)
	world, srv := emulatedOrg(t, cfg)
	syncStart := time.Now().UTC()
	msgs, err := syncAll(t, orgSpec(srv))
	if err != nil {
		t.Fatal(err)
	}
	want := expectedRows(t, world, syncStart.AddDate(0, 0, -90))
	tables := Tables().FlattenTables()
	for name, rows := range want {
		got := syncedRows(t, msgs, tables.Get(name))
		compareRows(t, name, got, rows, rowKeys[name])
	}
	if len(want) != len(tables) {
		t.Errorf("the test covers %d tables, the plugin has %d", len(want), len(tables))
	}
}

var rowKeys = map[string]func(row) string{
	"aws_kms_keys":                  keyOf("arn"),
	"aws_kms_key_grants":            keyOf("key_arn", "grant_id"),
	"aws_kms_key_policies":          keyOf("key_arn", "name"),
	"aws_kms_key_policy_statements": keyOf("key_arn", "policy_name", "statement_index"),
	"aws_kms_key_rotations":         keyOf("key_arn", "rotation_date"),
	"aws_kms_aliases":               keyOf("arn"),
	"aws_kms_grant_events":          keyOf("event_id"),
	"aws_cloudhsmv2_clusters":       keyOf("arn"),
	"aws_cloudhsmv2_backups":        keyOf("arn"),
}

// expectedRows is what a perfect sync of the world writes, built from the emulator's data.
func expectedRows(t *testing.T, w *emulator.World, eventsSince time.Time) map[string][]row {
	out := map[string][]row{}
	add := func(table string, r row) { out[table] = append(out[table], r) }
	// IAM is empty unless the access scenario is on (TestSyncAccessScenario checks it).
	out["aws_iam_kms_principals"] = nil
	out["aws_organizations_account_policies"] = expectedOrgPolicyRows(w)
	org := map[string]bool{}
	for _, a := range w.Accounts {
		org[aws.ToString(a.Id)] = true
	}
	for _, a := range w.Accounts {
		account := aws.ToString(a.Id)
		if a.State != orgtypes.AccountStateActive {
			continue
		}
		for _, region := range w.EnabledRegions[account] {
			rd := w.Region(account, region)
			pair := row{"account_id": account, "region": region}
			with := func(r row, extra row) row {
				for k, v := range pair {
					r[k] = v
				}
				for k, v := range extra {
					r[k] = v
				}
				return r
			}
			creators := map[string]any{}
			for _, ev := range rd.Events {
				if !isGrantEvent(ev.Record.EventName) {
					continue
				}
				e, err := analysis.ParseGrantEvent(ev.Event, w.Partition, account, region)
				if err != nil {
					t.Fatal(err)
				}
				if e.EventTime.Before(eventsSince) {
					continue
				}
				add("aws_kms_grant_events", with(expectFields(e), row{"event_id": ev.Record.EventID, "event_name": ev.Record.EventName}))
				if e.EventName == "CreateGrant" && e.ErrorCode == nil && e.GrantID != nil {
					id := ev.Record.UserIdentity
					for _, caller := range []string{id.ARN, id.AccountID, id.InvokedBy} {
						if caller != "" {
							creators[*e.GrantID] = caller
							break
						}
					}
				}
			}
			for _, k := range rd.Keys {
				md := k.Metadata
				keyARN := aws.ToString(md.Arn)
				keyRow := with(expectFields(md), row{"rotation_enabled": nil, "tags": nil, "replica_keys": nil})
				if k.Rotation != nil {
					keyRow["rotation_enabled"] = k.Rotation.Enabled
				}
				if md.KeyManager != kmstypes.KeyManagerTypeAws {
					tags := map[string]any{}
					for _, tag := range k.Tags {
						tags[aws.ToString(tag.TagKey)] = aws.ToString(tag.TagValue)
					}
					keyRow["tags"] = tags
				}
				if md.MultiRegionConfiguration != nil {
					keyRow["replica_keys"] = normaliseJSON(md.MultiRegionConfiguration.ReplicaKeys)
				}
				add("aws_kms_keys", keyRow)
				for _, g := range k.Grants {
					r := with(expectFields(g), row{"key_arn": keyARN, "created_by": creators[aws.ToString(g.GrantId)]})
					add("aws_kms_key_grants", with(r, expectFields(analysis.AnalyzeGrant(g, account, org))))
				}
				for name, doc := range k.Policies {
					parsed, err := analysis.ParsePolicy(doc)
					if err != nil {
						t.Fatalf("emulator policy of %s does not parse: %v", keyARN, err)
					}
					r := with(expectFields(analysis.AnalyzePolicy(parsed, account)), row{"key_arn": keyARN, "name": name, "policy": decodeJSON([]byte(doc))})
					add("aws_kms_key_policies", r)
					for _, s := range parsed.Statements {
						r := with(expectFields(s), row{"key_arn": keyARN, "policy_name": name})
						add("aws_kms_key_policy_statements", with(r, expectFields(analysis.AnalyzeStatement(&s))))
					}
				}
				if k.Rotation != nil {
					for _, rot := range k.Rotations {
						add("aws_kms_key_rotations", with(expectFields(rot), row{"key_arn": keyARN}))
					}
				}
			}
			for _, alias := range rd.Aliases {
				add("aws_kms_aliases", with(expectFields(alias), row{"arn": aws.ToString(alias.AliasArn)}))
			}
			for _, c := range rd.Clusters {
				arn := "arn:" + w.Partition + ":cloudhsm:" + region + ":" + account + ":cluster/" + aws.ToString(c.ClusterId)
				add("aws_cloudhsmv2_clusters", with(expectFields(c, "TagList"), row{"arn": arn, "tags": tagObject(c.TagList)}))
			}
			for _, b := range rd.Backups {
				arn := "arn:" + w.Partition + ":cloudhsm:" + region + ":" + account + ":backup/" + aws.ToString(b.BackupId)
				add("aws_cloudhsmv2_backups", with(expectFields(b, "TagList"), row{"arn": arn, "tags": tagObject(b.TagList)}))
			}
		}
	}
	return out
}

func normaliseJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return decodeJSON(b)
}

func isGrantEvent(name string) bool {
	return name == "CreateGrant" || name == "RetireGrant" || name == "RevokeGrant"
}
