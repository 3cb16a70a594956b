package kms

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/scalar"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// The tests here feed AWS's own example responses (testdata/aws-examples, each file naming the
// page it comes from) through the real SDK client, then through the plugin's tables, and
// compare the rows with values written by hand from those pages and the API reference.

// awsExample is one file of testdata/aws-examples.
type awsExample struct {
	Source    string          `json:"source"`
	Operation string          `json:"operation"`
	Response  json.RawMessage `json:"response"`
}

// exampleKMS serves the given example files as KMS over awsJson1.1 and returns a client of it.
func exampleKMS(t *testing.T, files ...string) *kms.Client {
	t.Helper()
	byOperation := map[string]json.RawMessage{}
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join("testdata", "aws-examples", f))
		if err != nil {
			t.Fatal(err)
		}
		var ex awsExample
		if err := json.Unmarshal(raw, &ex); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if ex.Source == "" || ex.Operation == "" {
			t.Fatalf("%s: an example names its source page and operation", f)
		}
		byOperation[ex.Operation] = ex.Response
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
		body, ok := byOperation[op]
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if !ok {
			w.Header().Set("X-Amzn-ErrorType", "UnknownOperationException")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"UnknownOperationException","message":"no example for ` + op + `"}`))
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return kms.New(kms.Options{
		Region:           "us-east-2",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
	})
}

// exampleClient is the plugin's client for the account and region of the examples.
func exampleClient(account, region string) *client.Client {
	return &client.Client{AccountID: account, Region: region, Partition: "aws"}
}

// transformed returns the table with its columns as the plugin builds them.
func transformed(t *testing.T, table *schema.Table) *schema.Table {
	t.Helper()
	if err := transformers.TransformTables(schema.Tables{table}); err != nil {
		t.Fatal(err)
	}
	return table
}

// resolveRow resolves every column of the table for item except skip (columns that call AWS),
// and returns the values as JSON would show them (NULL is nil).
func resolveRow(t *testing.T, c *client.Client, table *schema.Table, parent *schema.Resource, item any, skip ...string) (map[string]any, *schema.Resource) {
	t.Helper()
	r := schema.NewResourceData(table, parent, item)
	out := map[string]any{}
	for _, col := range table.Columns {
		if col.Resolver == nil || contains(skip, col.Name) {
			continue
		}
		if err := col.Resolver(context.Background(), c, r, col); err != nil {
			t.Fatalf("%s.%s: %v", table.Name, col.Name, err)
		}
	}
	for _, col := range table.Columns {
		if contains(skip, col.Name) {
			continue
		}
		out[col.Name] = plain(t, r.Get(col.Name))
	}
	return out, r
}

// plain is a column value as a destination shows it: NULL as nil, timestamps as UTC
// "2006-01-02 15:04:05.999999999", JSON decoded, lists element by element.
func plain(t *testing.T, v scalar.Scalar) any {
	t.Helper()
	if v == nil || !v.IsValid() {
		return nil
	}
	switch v := v.(type) {
	case *scalar.Timestamp:
		return v.Value.UTC().Format("2006-01-02 15:04:05.999999999")
	case *scalar.List:
		out := make([]any, len(v.Value))
		for i, e := range v.Value {
			out[i] = plain(t, e)
		}
		return out
	case *scalar.JSON:
		var decoded any
		if err := json.Unmarshal(v.Value, &decoded); err != nil {
			t.Fatal(err)
		}
		return decoded
	}
	return v.Get()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkColumns compares the named columns of a row with hand-written values.
func checkColumns(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	for col, w := range want {
		g, ok := got[col]
		if !ok {
			t.Errorf("%s: no column %s", what, col)
			continue
		}
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		if string(gb) != string(wb) {
			t.Errorf("%s column %s:\n  got  %s\n  want %s", what, col, gb, wb)
		}
	}
}

// keysAWSColumns call AWS when resolved.
var keysAWSColumns = []string{"rotation_enabled", rotationReasonColumn, "tags"}

func TestAWSExampleDescribeKeyRows(t *testing.T) {
	for file, want := range map[string]map[string]any{
		// The AWS managed key for S3: no KeySpec, MultiRegion or ExpirationModel in the response, so
		// those columns are NULL, never "" or false.
		"describe-key-aws-managed.json": {
			"account_id":               "846764612917",
			"region":                   "us-west-2",
			"arn":                      "arn:aws:kms:us-west-2:846764612917:key/b8a9477d-836c-491f-857e-07937918959b",
			"key_id":                   "b8a9477d-836c-491f-857e-07937918959b",
			"aws_account_id":           "846764612917",
			"current_key_material_id":  "0b7fd7ddbac6eef27907413567cad8c810e2883dc8a7534067a82ee1142fc1e6",
			"creation_date":            "2017-06-30 21:44:32.14",
			"enabled":                  true,
			"description":              "Default KMS key that protects my S3 objects when no other key is defined",
			"key_usage":                "ENCRYPT_DECRYPT",
			"key_state":                "Enabled",
			"origin":                   "AWS_KMS",
			"key_manager":              "AWS",
			"customer_master_key_spec": "SYMMETRIC_DEFAULT",
			"encryption_algorithms":    []string{"SYMMETRIC_DEFAULT"},
			"key_spec":                 nil,
			"multi_region":             nil,
			"expiration_model":         nil,
			"valid_to":                 nil,
			"signing_algorithms":       nil,
			"mac_algorithms":           nil,
			"custom_key_store_id":      nil,
			"deletion_date":            nil,
			"replica_keys":             nil,
		},
		"describe-key-symmetric.json": {
			"account_id":                      "111122223333",
			"region":                          "us-east-2",
			"arn":                             "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			"key_id":                          "1234abcd-12ab-34cd-56ef-1234567890ab",
			"creation_date":                   "2017-07-05 21:04:55",
			"description":                     "",
			"enabled":                         true,
			"key_manager":                     "CUSTOMER",
			"key_spec":                        "SYMMETRIC_DEFAULT",
			"customer_master_key_spec":        "SYMMETRIC_DEFAULT",
			"key_state":                       "Enabled",
			"key_usage":                       "ENCRYPT_DECRYPT",
			"multi_region":                    false,
			"origin":                          "AWS_KMS",
			"expiration_model":                nil,
			"current_key_material_id":         nil,
			"pending_deletion_window_in_days": nil,
		},
	} {
		t.Run(file, func(t *testing.T) {
			api := exampleKMS(t, file)
			out, err := api.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("example")})
			if err != nil {
				t.Fatal(err)
			}
			md := out.KeyMetadata
			account, region := strings.Split(*md.Arn, ":")[4], strings.Split(*md.Arn, ":")[3]
			row, _ := resolveRow(t, exampleClient(account, region), transformed(t, Keys()), nil, md, keysAWSColumns...)
			checkColumns(t, file, row, want)
		})
	}
}

// TestAWSExampleRotationStatus: GetKeyRotationStatus's example answers true; the row says so and
// gives no reason for a NULL.
func TestAWSExampleRotationStatus(t *testing.T) {
	api := exampleKMS(t, "get-key-rotation-status.json")
	md := &types.KeyMetadata{
		Arn:     aws.String("arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		KeySpec: types.KeySpecSymmetricDefault, Origin: types.OriginTypeAwsKms, KeyState: types.KeyStateEnabled,
	}
	out, err := api.GetKeyRotationStatus(context.Background(), &kms.GetKeyRotationStatusInput{KeyId: md.Arn})
	if err != nil {
		t.Fatal(err)
	}
	table := transformed(t, Keys())
	r := schema.NewResourceData(table, nil, md)
	if err := setRotationStatus(exampleClient("111122223333", "us-east-2"), r, *table.Columns.Get("rotation_enabled"), md, out, nil); err != nil {
		t.Fatal(err)
	}
	if got := r.Get("rotation_enabled"); !got.IsValid() || got.(interface{ String() string }).String() != "true" {
		t.Errorf("rotation_enabled = %v, want true", got)
	}
	if got := r.Get(rotationReasonColumn); got.IsValid() {
		t.Errorf("%s = %v, want NULL", rotationReasonColumn, got)
	}
}

// TestAWSExampleListKeyRotationsRows: the CLI example lists two rotations without key material
// ids (it predates them); each is still its own row, identified by its rotation date to the
// millisecond, and the fields the example lacks are NULL.
func TestAWSExampleListKeyRotationsRows(t *testing.T) {
	api := exampleKMS(t, "list-key-rotations.json")
	key := &types.KeyMetadata{
		Arn:     aws.String("arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		KeySpec: types.KeySpecSymmetricDefault, Origin: types.OriginTypeAwsKms, KeyState: types.KeyStateEnabled,
	}
	c := exampleClient("111122223333", "us-east-2")
	keys := transformed(t, Keys())
	_, parent := resolveRow(t, c, keys, nil, key, keysAWSColumns...)
	res := make(chan any, 10)
	if err := listKeyMaterials(context.Background(), c, api, key, res); err != nil {
		t.Fatal(err)
	}
	close(res)
	var entries []types.RotationsListEntry
	for page := range res {
		entries = append(entries, page.([]types.RotationsListEntry)...)
	}
	if len(entries) != 2 {
		t.Fatalf("%d entries, want the example's 2", len(entries))
	}
	rotations := transformed(t, KeyRotations())
	want := []map[string]any{
		{
			"key_arn": "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			"key_id":  "1234abcd-12ab-34cd-56ef-1234567890ab", "rotation_date": "2024-03-02 10:11:36.564",
			"rotation_type": "AUTOMATIC", "key_material_ref": "rotated:2024-03-02T10:11:36.564Z",
			"key_material_id": nil, "key_material_state": nil, "import_state": nil, "expiration_model": nil,
			"valid_to": nil, "key_material_description": nil,
		},
		{
			"key_id": "1234abcd-12ab-34cd-56ef-1234567890ab", "rotation_date": "2024-04-05 15:14:47.757",
			"rotation_type": "ON_DEMAND", "key_material_ref": "rotated:2024-04-05T15:14:47.757Z",
			"key_material_id": nil, "key_material_state": nil,
		},
	}
	for i, e := range entries {
		row, _ := resolveRow(t, c, rotations, parent, e)
		checkColumns(t, "rotation "+string(e.RotationType), row, want[i])
	}

	// Two rotations completed within one second stay two rows.
	at := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	a := types.RotationsListEntry{RotationDate: aws.Time(at.Add(100 * time.Millisecond))}
	b := types.RotationsListEntry{RotationDate: aws.Time(at.Add(900 * time.Millisecond))}
	if keyMaterialRef(a) == keyMaterialRef(b) {
		t.Errorf("two rotations in one second share the identity %q", keyMaterialRef(a))
	}
	withID := types.RotationsListEntry{KeyMaterialId: aws.String("a1b2"), RotationDate: a.RotationDate}
	if got := keyMaterialRef(withID); got != "a1b2" {
		t.Errorf("identity %q, want the key material id", got)
	}
}

// TestAWSExampleKeyPolicyRows: ListKeyPolicies' example lists "default"; GetKeyPolicy's example
// is AWS's default key policy, whose one statement lets IAM policies of account 111122223333
// grant access to the key (KMS developer guide, "Default key policy").
func TestAWSExampleKeyPolicyRows(t *testing.T) {
	api := exampleKMS(t, "list-key-policies.json", "get-key-policy.json")
	key := &types.KeyMetadata{Arn: aws.String("arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"), KeyState: types.KeyStateEnabled}
	c := exampleClient("111122223333", "us-east-2")
	_, parent := resolveRow(t, c, transformed(t, Keys()), nil, key, keysAWSColumns...)
	res := make(chan any, 10)
	if err := keyPolicies(context.Background(), c, api, key, res); err != nil {
		t.Fatal(err)
	}
	close(res)
	var policies []*KeyPolicy
	for p := range res {
		policies = append(policies, p.(*KeyPolicy))
	}
	if len(policies) != 1 {
		t.Fatalf("%d policies, want 1 (default)", len(policies))
	}
	root := "arn:aws:iam::111122223333:root"
	policyTable := transformed(t, KeyPolicies())
	row, policyRow := resolveRow(t, c, policyTable, parent, policies[0])
	checkColumns(t, "policy", row, map[string]any{
		"key_arn": "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "name": "default",
		"allows_iam_policies": true, "create_grant_principals": []string{root}, "create_grant_requires_aws_resource": false,
		"allows_put_key_policy_principals": []string{root}, "has_wildcard_principal": false, "has_unconditioned_wildcard_principal": false,
	})
	statements := make(chan any, 10)
	if err := fetchKeyPolicyStatements(context.Background(), c, policyRow, statements); err != nil {
		t.Fatal(err)
	}
	close(statements)
	var n int
	for s := range statements {
		n++
		row, _ := resolveRow(t, c, policyTable.Relations[0], policyRow, s)
		checkColumns(t, "statement", row, map[string]any{
			"policy_name": "default", "statement_index": 0, "sid": "Enable IAM User Permissions", "effect": "Allow",
			"principal_list": []string{root}, "actions": []string{"kms:*"}, "resources": []string{"*"}, "conditions": nil,
		})
	}
	if n != 1 {
		t.Errorf("%d statements, want 1", n)
	}
}

// TestAWSExampleListGrants: the CLI's ListGrants example is DynamoDB's grant on its key; the
// grant analysis classes it as a service grant, limited by an encryption context subset,
// that may decrypt and retire but not create grants.
func TestAWSExampleListGrants(t *testing.T) {
	api := exampleKMS(t, "list-grants.json")
	out, err := api.ListGrants(context.Background(), &kms.ListGrantsInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Grants) != 1 {
		t.Fatalf("%d grants, want 1", len(out.Grants))
	}
	f := analysis.AnalyzeGrant(out.Grants[0], "123456789012", nil)
	if f.GranteeType != analysis.PrincipalAWSService {
		t.Errorf("grantee type %q, want aws_service (dynamodb.us-west-2.amazonaws.com)", f.GranteeType)
	}
	if f.RetiringPrincipalType == nil || *f.RetiringPrincipalType != analysis.PrincipalAWSService {
		t.Errorf("retiring principal type %v, want aws_service", f.RetiringPrincipalType)
	}
	if f.ConstraintType != analysis.ConstraintSubset {
		t.Errorf("constraint type %q, want encryption_context_subset", f.ConstraintType)
	}
	wantSubset := map[string]string{"aws:dynamodb:subscriberId": "123456789012", "aws:dynamodb:tableName": "Services"}
	if len(f.EncryptionContextSubset) != 2 || f.EncryptionContextSubset["aws:dynamodb:tableName"] != wantSubset["aws:dynamodb:tableName"] || f.EncryptionContextSubset["aws:dynamodb:subscriberId"] != wantSubset["aws:dynamodb:subscriberId"] {
		t.Errorf("encryption context subset %v, want %v", f.EncryptionContextSubset, wantSubset)
	}
	if !f.AllowsDecrypt || !f.AllowsEncrypt || !f.AllowsGenerateDataKey || !f.AllowsReEncrypt || !f.AllowsRetireGrant || !f.AllowsDescribeKey {
		t.Errorf("operations of the example not all allowed: %+v", f)
	}
	if f.AllowsCreateGrant || f.AllowsSign || f.IsDelegating || f.IsCrossAccount || f.GranteeAccountID != nil {
		t.Errorf("facts the example does not support: %+v", f)
	}
}
