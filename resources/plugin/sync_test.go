package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"

	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
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
		// The emulator enforces no quota here; CloudTrail's real 2/s and GetKeyLastUsage's 5/s
		// would only slow the test.
		"rate_limits":    map[string]float64{"LookupEvents": 1000, "GetKeyLastUsage": 1000},
		"key_last_usage": true,
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
	checkSharedKeyPolicies(t, world, syncedRows(t, msgs, tables.Get("aws_kms_key_policies")), syncedRows(t, msgs, tables.Get("aws_kms_key_policy_statements")))
}

// checkSharedKeyPolicies holds the AWS_RAM policy rows to values written by hand: the emulator
// shares its "symmetric-rotating" key of every region with another organization account, so
// that key has two policies (ListKeyPolicies: "default and AWS_RAM"), and the AWS_RAM one grants
// that account use of the key, not key administration or grant creation.
func checkSharedKeyPolicies(t *testing.T, w *emulator.World, policies, statements []row) {
	t.Helper()
	shared := map[string]bool{}
	for _, rd := range w.Regions {
		for _, k := range rd.Keys {
			if k.Kind == "symmetric-rotating" {
				shared[k.ARN()] = true
			}
		}
	}
	names := map[string][]string{}
	for _, p := range policies {
		arn := p["key_arn"].(string)
		names[arn] = append(names[arn], p["name"].(string))
		if p["name"] != "AWS_RAM" {
			continue
		}
		for col, want := range map[string]any{
			"allows_iam_policies": false, "create_grant_principals": []any{}, "create_grant_requires_aws_resource": nil,
			"allows_put_key_policy_principals": []any{}, "has_wildcard_principal": false, "has_unconditioned_wildcard_principal": false,
		} {
			if !reflect.DeepEqual(p[col], want) {
				t.Errorf("AWS_RAM policy of %s: %s = %#v, want %#v", arn, col, p[col], want)
			}
		}
	}
	if len(shared) == 0 {
		t.Fatal("the emulator shares no key: the check tests nothing")
	}
	for arn := range shared {
		got := append([]string(nil), names[arn]...)
		sort.Strings(got)
		if !reflect.DeepEqual(got, []string{"AWS_RAM", "default"}) {
			t.Errorf("policies of shared key %s: %v, want [AWS_RAM default]", arn, got)
		}
	}
	ramStatements := 0
	for _, s := range statements {
		if s["policy_name"] != "AWS_RAM" {
			continue
		}
		ramStatements++
		want := []any{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}
		if !reflect.DeepEqual(s["actions"], want) || s["effect"] != "Allow" {
			t.Errorf("AWS_RAM statement of %s: effect %v actions %v, want Allow %v", s["key_arn"], s["effect"], s["actions"], want)
		}
	}
	if ramStatements != len(shared) {
		t.Errorf("%d AWS_RAM statement rows, want one per shared key (%d)", ramStatements, len(shared))
	}
}

var rowKeys = map[string]func(row) string{
	"aws_kms_keys":                  keyOf("arn"),
	"aws_kms_key_grants":            keyOf("key_arn", "grant_id"),
	"aws_kms_key_policies":          keyOf("key_arn", "name"),
	"aws_kms_key_policy_statements": keyOf("key_arn", "policy_name", "statement_index"),
	"aws_kms_key_rotations":         keyOf("key_arn", "key_material_ref"),
	"aws_kms_aliases":               keyOf("arn"),
	"aws_kms_grant_events":          keyOf("event_id"),
	"aws_cloudhsmv2_clusters":       keyOf("arn"),
	"aws_cloudhsmv2_backups":        keyOf("arn"),
	"aws_kms_key_last_usage":        keyOf("key_arn"),
	"aws_kms_keys_shared_with_us":   keyOf("account_id", "key_arn"),
	"aws_ram_kms_key_shares":        keyOf("resource_share_arn"),
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
	principals := newPrincipalTable(w)
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
			for _, ev := range rd.Events {
				if !isGrantEvent(ev.Record.EventName) {
					continue
				}
				if ev.Event.EventTime.Before(eventsSince) {
					continue
				}
				add("aws_kms_grant_events", with(grantEventRow(t, ev, account), nil))
			}
			for _, k := range rd.Keys {
				md := k.Metadata
				keyARN := aws.ToString(md.Arn)
				keyRow := with(expectFields(md), row{"rotation_enabled": nil, "rotation_not_read_reason": nil, "tags": nil, "replica_keys": nil})
				readsRotation := false
				switch {
				case k.Rotation == nil:
					keyRow["rotation_not_read_reason"] = "unsupported"
				case refusesRotationCalls[md.KeyState]:
					keyRow["rotation_not_read_reason"] = "key_state:" + string(md.KeyState)
				default:
					readsRotation = true
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
				if md.KeyManager == kmstypes.KeyManagerTypeCustomer {
					u := k.LastUsage
					add("aws_kms_key_last_usage", with(row{"key_arn": keyARN, "tracking_start_date": normaliseGo(reflect.ValueOf(u.TrackingStartDate)),
						"last_used_at": normaliseGo(reflect.ValueOf(u.Data.Timestamp)), "operation": normaliseGo(reflect.ValueOf(u.Data.Operation)),
						"cloudtrail_event_id": normaliseGo(reflect.ValueOf(u.Data.CloudTrailEventId)), "kms_request_id": normaliseGo(reflect.ValueOf(u.Data.KmsRequestId))}, nil))
				}
				for _, g := range k.Grants {
					grantee := nonEmptyOf(aws.ToString(g.GranteePrincipal), aws.ToString(g.GranteeServicePrincipal))
					r := with(expectFields(g), row{"key_arn": keyARN, "grantee_identity": identityOf(grantee)})
					add("aws_kms_key_grants", with(r, grantFacts(t, principals, g, account, region, org)))
				}
				for name, doc := range k.Policies {
					facts := catalogueFacts(t, w, account, doc)
					add("aws_kms_key_policies", with(facts.facts, row{"key_arn": keyARN, "name": name, "policy": decodeJSON([]byte(doc))}))
					for _, st := range statementRows(t, doc, facts.statements) {
						add("aws_kms_key_policy_statements", with(st, row{"key_arn": keyARN, "policy_name": name}))
					}
				}
				if readsRotation {
					// Every key material (IncludeKeyMaterial=ALL_KEY_MATERIAL), each known by its id.
					for _, m := range k.KeyMaterials {
						add("aws_kms_key_rotations", with(expectFields(m), row{"key_arn": keyARN, "key_material_ref": aws.ToString(m.KeyMaterialId)}))
					}
				}
			}
			for _, sk := range rd.SharedWithMe {
				// ListKeys OTHER_ACCOUNTS_VIA_RAM: "the key ARN in the response contains the account ID
				// of the Amazon Web Services account that owns the KMS key".
				keyARN := aws.ToString(sk.Entry.KeyArn)
				owner := regexp.MustCompile(`^arn:[^:]+:kms:[^:]+:(\d{12}):key/`).FindStringSubmatch(keyARN)[1]
				add("aws_kms_keys_shared_with_us", with(row{"key_arn": keyARN, "key_id": aws.ToString(sk.Entry.KeyId),
					"owner_account_id": owner, "owner_in_organization": org[owner]}, nil))
			}
			for _, sh := range rd.Shares {
				principals := []any{}
				for _, p := range sh.Principals {
					// Every principal of the emulator's shares is an account id.
					principals = append(principals, map[string]any{"id": aws.ToString(p.Id), "type": "account", "external": !org[aws.ToString(p.Id)]})
				}
				keys := []any{}
				for _, r := range sh.Resources {
					keys = append(keys, aws.ToString(r.Arn))
				}
				actions := []any{}
				for _, a := range sh.Permission.Actions {
					actions = append(actions, a)
				}
				r := expectFields(sh.Share, "OwningAccountId", "Tags", "ResourceShareConfiguration")
				add("aws_ram_kms_key_shares", with(r, row{"principals": principals, "key_arns": keys, "actions": actions,
					"permission_arn":     "arn:" + w.Partition + ":ram::aws:permission/" + sh.Permission.Name,
					"permission_version": fmt.Sprint(sh.Permission.Version), "permission_name": sh.Permission.Name,
					"permission_not_read_reason": nil}))
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

// refusesRotationCalls are the key states in which the KMS developer guide's key state table
// ("Key states of AWS KMS keys") has ListKeyRotations fail with KMSInvalidStateException and
// GetKeyRotationStatus either fail or, pending deletion, answer false whatever the setting.
var refusesRotationCalls = map[kmstypes.KeyState]bool{
	kmstypes.KeyStatePendingDeletion: true, kmstypes.KeyStatePendingReplicaDeletion: true,
	kmstypes.KeyStateCreating: true, kmstypes.KeyStateUpdating: true,
	kmstypes.KeyStatePendingImport: true, kmstypes.KeyStateUnavailable: true,
}

func normaliseJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return decodeJSON(b)
}

// identityOf spells a principal as the IAM identifiers reference defines its identity, by a
// rule of its own (not the plugin's parser): role and user names are unique in an account
// whatever their path, and an assumed-role session is its role. Nil for "".
func identityOf(p string) any {
	if p == "" {
		return nil
	}
	if m := iamRoleOrUser.FindStringSubmatch(p); m != nil {
		return "arn:" + m[1] + ":iam::" + m[2] + ":" + m[3] + "/" + m[4]
	}
	if m := stsSession.FindStringSubmatch(p); m != nil {
		return "arn:" + m[1] + ":iam::" + m[2] + ":role/" + m[3]
	}
	return p
}

var (
	// arn:PARTITION:iam::ACCOUNT:role|user/[path/]NAME
	iamRoleOrUser = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::(\d{12}):(role|user)/(?:.*/)?([^/]+)$`)
	// arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION
	stsSession = regexp.MustCompile(`^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/[^/]+$`)
)

func nonEmptyOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func isGrantEvent(name string) bool {
	return name == "CreateGrant" || name == "RetireGrant" || name == "RevokeGrant"
}
