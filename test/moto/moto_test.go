// Package moto_test syncs the plugin against moto, an AWS emulator this project did not write,
// and holds every row to what moto's own API lists.
//
// Where moto is not AWS, the deviation is written down here with the AWS reference that shows
// it, and mended in the test (deviationProxy, the expectations), never in the plugin:
//
//   - CloudHSMv2 timestamps are isoformat strings, not epoch seconds: see deviationProxy.
//   - CloudTrail LookupEvents does not exist (HTTP 500): see deviationProxy; no grant events,
//     so aws_kms_grant_events has no rows and its caller_identity and grantee_identity are
//     compared on none (the golden CloudTrail examples of resources/services/kms hold them).
//   - account:ListRegions does not exist (HTTP 404): the plugin syncs the configured regions,
//     as it documents for an account without that permission.
//   - ListGrants, ListKeys, ListAliases and ListKeyPolicies never paginate: moto answers every
//     entry in one page whatever Limit says (kms/responses.py), where AWS pages at most 100
//     grants (API_ListGrants.html, "Limit ... between 1 and 100"). The proxy pages ListGrants as
//     AWS does (see deviationProxy), so the key with 105 grants is read in several pages.
//   - ListAliases entries lack CreationDate and LastUpdatedDate, which AWS's AliasListEntry has
//     (API_AliasListEntry.html); absent, they are expected NULL.
//   - AssumeRole succeeds for any role ARN (moto keeps no IAM roles for STS to check), and the
//     credentials it issues act in the role's account: that is how the members are reached.
//   - ListGrants entries lack CreationDate and IssuingAccount, and their KeyId is the key id,
//     where AWS's example answer gives the key ARN
//     (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html#API_ListGrants_Examples).
//     The expectation follows moto's answer: absent members are NULL.
//   - A key created with Origin=EXTERNAL is Enabled with no ExpirationModel, where AWS makes it
//     PendingImport until key material is imported
//     (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-create-cmk.html);
//     moto has no GetParametersForImport or ImportKeyMaterial, so imported key material and its
//     rotations cannot be made. The expectation follows the state moto reports: an Enabled
//     symmetric key with imported material has its rotation status read (AWS answers false:
//     such keys rotate on demand only, API_GetKeyRotationStatus.html), where AWS's PendingImport
//     key would have rotation_not_read_reason 'key_state:PendingImport'.
//   - KMS never refuses a call for a key's state (ListKeyRotations on a key pending deletion
//     answers, and lists the rotations made before; AWS answers KMSInvalidStateException,
//     key-state.html), nor a rotation call for a key that cannot rotate (AWS: an asymmetric or
//     HMAC key answers UnsupportedOperationException), and only the states Enabled, Disabled and
//     PendingDeletion exist. The expectation asks only the keys AWS answers for
//     (rotationNotRead), and checkRotationCalls holds the sync to asking no other.
//   - ListKeyRotations ignores IncludeKeyMaterial: with ALL_KEY_MATERIAL, AWS adds the first key
//     material (an entry without RotationDate) and every entry has a KeyMaterialId and a
//     KeyMaterialState (API_ListKeyRotations.html, API_RotationsListEntry.html); moto lists only
//     its on-demand rotations, with KeyId, RotationDate and RotationType. The expectation follows
//     moto's answer, so each row's key_material_ref is "rotated:" and its rotation date.
//   - A replica key is a shallow copy of its primary: it shares the primary's grants, and the
//     two share one MultiRegionConfiguration whose MultiRegionKeyType flips as they are
//     described (see deviationProxy, which sets it as AWS does).
//   - ListAliases lists AWS's predefined aliases (alias/aws/ebs, ...) in every account and
//     region with a TargetKeyId, though no such key exists; AWS lists an AWS managed alias
//     without TargetKeyId until the service first uses it (API_ListAliases.html).
//   - CloudHSMv2 BackupArn always names account 123456789012, whatever the account.
//   - HMAC keys' KeyMetadata has no MacAlgorithms (AWS: e.g. ["HMAC_SHA_256"]), RSA's
//     EncryptionAlgorithms (RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256) and an empty SigningAlgorithms
//     list, where AWS leaves both out (API_KeyMetadata.html; kms/models.py,
//     encryption_algorithms). The expectation is moto's answer. SM2 keys exist only in China
//     Regions and are not made.
//   - KeyUsage is null when CreateKey does not send it (AWS's default is ENCRYPT_DECRYPT,
//     API_CreateKey.html): the test always sends it.
package moto_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"
	sdkplugin "github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	awskms "github.com/kmsaudit/cq-source-awskms/resources/plugin"
	"github.com/rs/zerolog"
)

// TestSyncMatchesMoto creates an organization in moto, syncs it, and compares every column of
// every table with what moto's API lists.
func TestSyncMatchesMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto and syncs against it")
	}
	motoURL := startMoto(t)
	proxy := newDeviationProxy(t, motoURL)
	w := buildWorld(t, proxy.URL())
	useManagementCredentials(t)

	msgs, logs, err := syncAll(t, map[string]any{
		"regions":             regions,
		"org":                 map[string]any{"member_role_name": memberRole},
		"custom_endpoint_url": proxy.URL(),
		"max_retries":         1,
		"max_backoff":         1,
	})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	// A clean organization syncs without errors or failures: nothing moto holds is in a state
	// AWS refuses to answer for (moto never refuses), and every call it lacks is mended above
	// but account:ListRegions, whose absence the plugin reports as a warning, as documented.
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		if e["level"] == "error" || e["message"] == "failures during sync" {
			t.Errorf("the sync logged: %s", line)
		}
	}
	want, rotationKeys := expectedRows(t, rawAPI{t: t, moto: motoURL}, w)
	if n := len(want["aws_kms_key_grants"]); n < delegatedGrants {
		t.Fatalf("moto lists %d grants, the test created more than %d", n, delegatedGrants)
	}
	busy := w.keys[keyIndex(managementAccount, homeRegion, "symmetric")]
	pages := proxy.pagesOf(busy)
	t.Logf("the key with %d grants was read in %d ListGrants pages", delegatedGrants, pages)
	if pages < 2 {
		t.Errorf("the key with %d grants was read in %d ListGrants pages; AWS pages at most 100", delegatedGrants, pages)
	}
	for _, target := range []string{"TrentService.ListGrants", "CloudTrail_20131101.LookupEvents", "BaldrApiService.DescribeBackups"} {
		if proxy.calls(target) == 0 {
			t.Errorf("the sync never called %s", target)
		}
	}
	checkRotationCalls(t, proxy, rotationKeys)
	tables := awskms.Tables().FlattenTables()
	if len(tables) != len(want)+len(notRefereedHere) {
		t.Errorf("the plugin has %d tables, the test compares %d and leaves out %d", len(tables), len(want), len(notRefereedHere))
	}
	for name, rows := range want {
		table := tables.Get(name)
		if table == nil {
			t.Errorf("the plugin has no table %s", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			compareRows(t, name, syncedRows(t, msgs, table), rows, rowKeys[name])
		})
	}
}

// checkRotationCalls holds the sync's rotation calls to the keys AWS answers them for: each such
// key asked with GetKeyRotationStatus and ListKeyRotations, every
// ListKeyRotations with IncludeKeyMaterial=ALL_KEY_MATERIAL (moto ignores the parameter, so only
// the request shows it), and no other key asked (AWS refuses asymmetric and HMAC keys with
// UnsupportedOperationException and keys pending deletion with KMSInvalidStateException).
func checkRotationCalls(t *testing.T, proxy *deviationProxy, rotationKeys map[string]bool) {
	t.Helper()
	for _, target := range []string{"TrentService.GetKeyRotationStatus", "TrentService.ListKeyRotations"} {
		asked := map[string]int{}
		for _, call := range proxy.rotationRequests(target) {
			asked[call.KeyID]++
			if target == "TrentService.ListKeyRotations" && call.IncludeKeyMaterial != "ALL_KEY_MATERIAL" {
				t.Errorf("ListKeyRotations of %s asked IncludeKeyMaterial=%q, not ALL_KEY_MATERIAL", call.KeyID, call.IncludeKeyMaterial)
			}
		}
		for key, n := range asked {
			if !rotationKeys[key] {
				t.Errorf("%s was called %d times for %s, a key whose rotation AWS does not answer", target, n, key)
			}
		}
		for key := range rotationKeys {
			if asked[key] == 0 {
				t.Errorf("%s was never called for %s", target, key)
			}
		}
	}
}

// useManagementCredentials makes the management account's key the default credentials and keeps
// the machine's own AWS configuration out of the test.
func useManagementCredentials(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           managementKey,
		"AWS_SECRET_ACCESS_KEY":       "moto-secret",
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

// syncAll runs the plugin in-process and returns what it sent and what it logged.
func syncAll(t *testing.T, spec map[string]any) (message.SyncMessages, *lockedBuffer, error) {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	logs := &lockedBuffer{}
	p := awskms.Plugin()
	p.SetLogger(zerolog.New(logs).Level(zerolog.InfoLevel))
	if err := p.Init(ctx, raw, sdkplugin.NewClientOptions{}); err != nil {
		return nil, logs, err
	}
	defer p.Close(ctx)
	msgs, err := p.SyncAll(ctx, sdkplugin.SyncOptions{Tables: []string{"*"}, SkipTables: notRefereedHere, DeterministicCQID: true})
	return msgs, logs, err
}

// notRefereedHere are the tables this test does not sync: the access evaluation's IAM and
// Organizations inputs, refereed by the emulator's access scenario (resources/plugin) and not
// built in moto here yet.
var notRefereedHere = []string{"aws_iam_kms_principals", "aws_organizations_account_policies"}

// lockedBuffer collects the plugin's log lines, written from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var rowKeys = map[string]func(row) string{
	"aws_kms_keys":                  keyOf("arn"),
	"aws_kms_key_grants":            keyOf("key_arn", "grant_id"),
	"aws_kms_key_policies":          keyOf("key_arn", "name"),
	"aws_kms_key_policy_statements": keyOf("key_arn", "policy_name", "statement_index"),
	"aws_kms_key_rotations":         keyOf("key_arn", "key_material_ref"),
	"aws_kms_aliases":               keyOf("account_id", "region", "arn"),
	"aws_kms_grant_events":          keyOf("event_id"),
	"aws_cloudhsmv2_clusters":       keyOf("arn"),
	"aws_cloudhsmv2_backups":        keyOf("arn"),
}

func keyOf(cols ...string) func(row) string {
	return func(r row) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = fmt.Sprint(r[c])
		}
		return strings.Join(parts, "|")
	}
}

// syncedRows turns the records the plugin sent for a table into rows, leaving out CloudQuery's
// own _cq_id and _cq_parent_id.
func syncedRows(t *testing.T, msgs message.SyncMessages, table *schema.Table) []row {
	t.Helper()
	var out []row
	for _, rec := range msgs.GetInserts().GetRecordsForTable(table) {
		for i := 0; i < int(rec.NumRows()); i++ {
			r := row{}
			for j, field := range rec.Schema().Fields() {
				if field.Name == "_cq_id" || field.Name == "_cq_parent_id" {
					continue
				}
				r[field.Name] = arrowValue(t, rec.Column(j), i)
			}
			out = append(out, r)
		}
	}
	return out
}

type marshaler interface{ GetOneForMarshal(int) any }

// arrowValue is a cell as encoding/json decodes it; timestamps come out as
// "2006-01-02 15:04:05.999999999" in UTC.
func arrowValue(t *testing.T, arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	v := arr.(marshaler).GetOneForMarshal(i)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if raw, ok := v.(json.RawMessage); ok {
		b = raw
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareRows matches rows by key and compares them column by column: a column the plugin
// writes that the expectation does not name fails, and so does one it names that the plugin
// does not write. Each column is a subtest, so the columns that differ are told apart.
func compareRows(t *testing.T, table string, got, want []row, key func(row) string) {
	index := map[string]row{}
	for _, r := range got {
		k := key(r)
		if _, dup := index[k]; dup {
			t.Errorf("row %s synced twice", k)
		}
		index[k] = r
	}
	if len(got) != len(want) {
		t.Errorf("synced %d rows, moto lists %d", len(got), len(want))
	}
	type pair struct {
		key       string
		got, want any
	}
	diffs := map[string][]pair{}
	columns := map[string]bool{}
	for _, w := range want {
		k := key(w)
		g, ok := index[k]
		if !ok {
			t.Errorf("row %s missing", k)
			continue
		}
		for col := range g {
			if _, ok := w[col]; !ok {
				t.Errorf("row %s: the plugin writes column %s, which the test does not compare", k, col)
			}
		}
		for col, v := range w {
			columns[col] = true
			gv, ok := g[col]
			if !ok {
				t.Errorf("row %s: the plugin writes no column %s", k, col)
				continue
			}
			if !reflect.DeepEqual(withoutNullMembers(gv), withoutNullMembers(v)) {
				diffs[col] = append(diffs[col], pair{k, gv, v})
			}
		}
	}
	names := make([]string, 0, len(columns))
	for c := range columns {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, col := range names {
		t.Run(col, func(t *testing.T) {
			d := diffs[col]
			if len(d) == 0 {
				return
			}
			for i, p := range d {
				if i == 10 {
					t.Errorf("... %d mismatching rows in all", len(d))
					break
				}
				t.Errorf("%s row %s column %s:\n  got  %#v\n  want %#v", table, p.key, col, p.got, p.want)
			}
		})
	}
}

// withoutNullMembers drops the null members of JSON objects: the plugin writes an SDK struct's
// unset members as null ({"EncryptionContextSubset": null}) where AWS's answer leaves them out,
// and the two say the same.
func withoutNullMembers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if x != nil {
				out[k] = withoutNullMembers(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutNullMembers(x)
		}
		return out
	}
	return v
}
