package moto_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"testing"
	"time"
)

// row is one table row, every value as encoding/json decodes it.
type row map[string]any

// rawAPI reads what moto lists straight off the wire, without the SDK's structs or the plugin's
// transformers: these are the expected values.
type rawAPI struct {
	t    *testing.T
	moto string
}

// call makes one awsJson1_1 call as account a. Moto tells accounts apart by the access key in
// the Authorization header and does not check signatures, so the header only names the key.
func (r rawAPI) call(a motoAccount, region, service, target string, in any) map[string]any {
	r.t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		r.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, r.moto+"/", bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/20261201/%s/%s/aws4_request, SignedHeaders=host, Signature=0", a.akid, region, service))
	if a.token != "" {
		req.Header.Set("X-Amz-Security-Token", a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("%s as %s in %s: HTTP %d: %s", target, a.id, region, resp.StatusCode, out)
	}
	if target == "TrentService.DescribeKey" {
		out = fixMultiRegionKeyType(out)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		r.t.Fatalf("%s: %v: %s", target, err, out)
	}
	return doc
}

func (r rawAPI) kms(a motoAccount, region, op string, in any) map[string]any {
	return r.call(a, region, "kms", "TrentService."+op, in)
}

func (r rawAPI) cloudHSM(a motoAccount, region, op string, in any) map[string]any {
	return r.call(a, region, "cloudhsm", "BaldrApiService."+op, in)
}

// shape is the members of one AWS API shape, as its API reference page lists them, with the
// column each becomes and whether it is a timestamp.
type shape struct {
	page       string
	columns    map[string]string
	timestamps map[string]bool
}

// KeyMetadata: https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html
var keyMetadata = shape{
	page: "https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html",
	columns: map[string]string{
		"AWSAccountId": "aws_account_id", "Arn": "arn", "CloudHsmClusterId": "cloud_hsm_cluster_id",
		"CreationDate": "creation_date", "CurrentKeyMaterialId": "current_key_material_id",
		"CustomerMasterKeySpec": "customer_master_key_spec", "CustomKeyStoreId": "custom_key_store_id",
		"DeletionDate": "deletion_date", "Description": "description", "Enabled": "enabled",
		"EncapsulationAlgorithms": "encapsulation_algorithms", "EncryptionAlgorithms": "encryption_algorithms",
		"ExpirationModel": "expiration_model", "KeyAgreementAlgorithms": "key_agreement_algorithms",
		"KeyId": "key_id", "KeyManager": "key_manager", "KeySpec": "key_spec", "KeyState": "key_state",
		"KeyUsage": "key_usage", "MacAlgorithms": "mac_algorithms", "MultiRegion": "multi_region",
		"MultiRegionConfiguration": "multi_region_configuration", "Origin": "origin",
		"PendingDeletionWindowInDays": "pending_deletion_window_in_days", "SigningAlgorithms": "signing_algorithms",
		"ValidTo": "valid_to", "XksKeyConfiguration": "xks_key_configuration",
	},
	timestamps: map[string]bool{"CreationDate": true, "DeletionDate": true, "ValidTo": true},
}

// GrantListEntry: https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html
var grantListEntry = shape{
	page: "https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html",
	columns: map[string]string{
		"Constraints": "constraints", "CreationDate": "creation_date", "GranteePrincipal": "grantee_principal",
		"GranteeServicePrincipal": "grantee_service_principal", "GrantId": "grant_id",
		"IssuingAccount": "issuing_account", "KeyId": "key_id", "Name": "name", "Operations": "operations",
		"RetiringPrincipal": "retiring_principal", "RetiringServicePrincipal": "retiring_service_principal",
	},
	timestamps: map[string]bool{"CreationDate": true},
}

// RotationsListEntry: https://docs.aws.amazon.com/kms/latest/APIReference/API_RotationsListEntry.html
var rotationsListEntry = shape{
	page: "https://docs.aws.amazon.com/kms/latest/APIReference/API_RotationsListEntry.html",
	columns: map[string]string{
		"ExpirationModel": "expiration_model", "ImportState": "import_state", "KeyId": "key_id",
		"KeyMaterialDescription": "key_material_description", "KeyMaterialId": "key_material_id",
		"KeyMaterialState": "key_material_state", "RotationDate": "rotation_date", "RotationType": "rotation_type",
		"ValidTo": "valid_to",
	},
	timestamps: map[string]bool{"RotationDate": true, "ValidTo": true},
}

// AliasListEntry: https://docs.aws.amazon.com/kms/latest/APIReference/API_AliasListEntry.html
var aliasListEntry = shape{
	page: "https://docs.aws.amazon.com/kms/latest/APIReference/API_AliasListEntry.html",
	columns: map[string]string{
		"AliasArn": "alias_arn", "AliasName": "alias_name", "CreationDate": "creation_date",
		"LastUpdatedDate": "last_updated_date", "TargetKeyId": "target_key_id",
	},
	timestamps: map[string]bool{"CreationDate": true, "LastUpdatedDate": true},
}

// Cluster: https://docs.aws.amazon.com/cloudhsm/latest/APIReference/API_Cluster.html
var cluster = shape{
	page: "https://docs.aws.amazon.com/cloudhsm/latest/APIReference/API_Cluster.html",
	columns: map[string]string{
		"BackupPolicy": "backup_policy", "BackupRetentionPolicy": "backup_retention_policy",
		"Certificates": "certificates", "ClusterId": "cluster_id", "CreateTimestamp": "create_timestamp",
		"Hsms": "hsms", "HsmType": "hsm_type", "HsmTypeRollbackExpiration": "hsm_type_rollback_expiration",
		"Mode": "mode", "NetworkType": "network_type", "PreCoPassword": "pre_co_password",
		"SecurityGroup": "security_group", "SourceBackupId": "source_backup_id", "State": "state",
		"StateMessage": "state_message", "SubnetMapping": "subnet_mapping", "TagList": "", "VpcId": "vpc_id",
	},
	timestamps: map[string]bool{"CreateTimestamp": true, "HsmTypeRollbackExpiration": true},
}

// Backup: https://docs.aws.amazon.com/cloudhsm/latest/APIReference/API_Backup.html
var backup = shape{
	page: "https://docs.aws.amazon.com/cloudhsm/latest/APIReference/API_Backup.html",
	columns: map[string]string{
		"BackupArn": "backup_arn", "BackupId": "backup_id", "BackupState": "backup_state", "ClusterId": "cluster_id",
		"CopyTimestamp": "copy_timestamp", "CreateTimestamp": "create_timestamp", "DeleteTimestamp": "delete_timestamp",
		"HsmType": "hsm_type", "Mode": "mode", "NeverExpires": "never_expires", "SourceBackup": "source_backup",
		"SourceCluster": "source_cluster", "SourceRegion": "source_region", "TagList": "",
	},
	timestamps: map[string]bool{"CopyTimestamp": true, "CreateTimestamp": true, "DeleteTimestamp": true},
}

// row builds the columns of one object moto sent: every member of the shape, NULL where moto
// left it out (an absent member is NULL, whatever its type). A member moto sends that the
// reference does not list fails the test.
func (s shape) row(t *testing.T, obj map[string]any) row {
	t.Helper()
	out := row{}
	for member, col := range s.columns {
		if col == "" {
			continue
		}
		v, ok := obj[member]
		if !ok || v == nil {
			out[col] = nil
			continue
		}
		if s.timestamps[member] {
			out[col] = awsTimestamp(t, v)
			continue
		}
		out[col] = plainJSON(v)
	}
	for member := range obj {
		if _, ok := s.columns[member]; !ok {
			t.Errorf("moto sends %s, which %s does not list", member, s.page)
		}
	}
	return out
}

// awsTimestamp is the column value of a timestamp member. AWS's JSON protocols send epoch seconds
// as a JSON number (a double: https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html),
// with millisecond precision in AWS's own answers (DescribeKey's example: "CreationDate":
// 1.499288695918E9, https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html).
// Moto sends microseconds; the SDK keeps the milliseconds of the double, and so does the row.
// Moto's CloudHSMv2 sends an isoformat string instead (see deviationProxy).
func awsTimestamp(t *testing.T, v any) any {
	t.Helper()
	return formatTime(awsTime(t, v))
}

// awsTime is a timestamp member as the SDK reads it: the wire's double, to the millisecond.
func awsTime(t *testing.T, v any) time.Time {
	t.Helper()
	var seconds string
	switch v := v.(type) {
	case json.Number:
		seconds = v.String()
	case string:
		ts, err := parseMotoTime(v)
		if err != nil {
			t.Fatal(err)
		}
		seconds = fmt.Sprintf("%d.%06d", ts.Unix(), ts.Nanosecond()/1000)
	default:
		t.Fatalf("timestamp %v is a %T", v, v)
	}
	f, ok := new(big.Float).SetString(seconds)
	if !ok {
		t.Fatalf("timestamp %q", seconds)
	}
	d, _ := f.Float64() // the wire's double
	ms, _ := new(big.Float).Mul(big.NewFloat(d), big.NewFloat(1000)).Int64()
	return time.UnixMilli(ms).UTC()
}

func formatTime(ts time.Time) string {
	return ts.UTC().Format("2006-01-02 15:04:05.999999999")
}

// plainJSON turns json.Numbers into float64, as the synced rows decode.
func plainJSON(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = plainJSON(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = plainJSON(x)
		}
		return out
	}
	return v
}

func list(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, x := range items {
		out = append(out, x.(map[string]any))
	}
	return out
}

func str(v any) string { s, _ := v.(string); return s }

// tagObject is a tag list as the tags columns hold it: {key: value}.
func tagObject(tags []map[string]any, keyName, valueName string) map[string]any {
	out := map[string]any{}
	for _, tag := range tags {
		out[str(tag[keyName])] = tag[valueName]
	}
	return out
}

// notTruncated fails when moto paginated: the expectation reads one page.
func notTruncated(t *testing.T, what string, doc map[string]any) {
	t.Helper()
	if doc["Truncated"] == true || (doc["NextMarker"] != nil && doc["NextMarker"] != "") || (doc["NextToken"] != nil && doc["NextToken"] != "") {
		t.Fatalf("%s: moto answered more than one page; the test reads one", what)
	}
}

// expectedRows is what moto's own API lists for every table, read account by account and region
// by region, with the computed columns the test wrote by hand; rotationKeys are the keys whose
// rotation status and key materials AWS answers for, and only these should be asked.
func expectedRows(t *testing.T, api rawAPI, w *world) (out map[string][]row, rotationKeys map[string]bool) {
	rotationKeys = map[string]bool{}
	out = map[string][]row{
		"aws_kms_keys": nil, "aws_kms_key_grants": nil, "aws_kms_key_policies": nil,
		"aws_kms_key_policy_statements": nil, "aws_kms_key_rotations": nil, "aws_kms_aliases": nil,
		// Moto has no LookupEvents; the proxy answers none (see deviationProxy).
		"aws_kms_grant_events": nil, "aws_cloudhsmv2_clusters": nil, "aws_cloudhsmv2_backups": nil,
		// Nothing is shared through RAM in moto's organization (the proxy answers so, see
		// deviationProxy), and the sync does not ask for last use (key_last_usage is off).
		"aws_ram_kms_key_shares": nil, "aws_kms_keys_shared_with_us": nil, "aws_kms_key_last_usage": nil,
	}
	add := func(table string, r row) { out[table] = append(out[table], r) }
	for _, a := range w.accounts {
		for _, region := range regions {
			pair := func(r row) row {
				r["account_id"], r["region"] = a.id, region
				return r
			}
			keys := api.kms(a, region, "ListKeys", map[string]any{})
			notTruncated(t, "ListKeys", keys)
			for _, entry := range list(keys["Keys"]) {
				arn := str(entry["KeyArn"])
				md := api.kms(a, region, "DescribeKey", map[string]any{"KeyId": arn})["KeyMetadata"].(map[string]any)
				k := pair(keyMetadata.row(t, md))
				reason := rotationNotRead(md)
				k["rotation_enabled"], k["rotation_not_read_reason"] = nil, reason
				if reason == nil {
					k["rotation_enabled"] = api.kms(a, region, "GetKeyRotationStatus", map[string]any{"KeyId": arn})["KeyRotationEnabled"]
					rotationKeys[arn] = true
				}
				tags := api.kms(a, region, "ListResourceTags", map[string]any{"KeyId": arn})
				notTruncated(t, "ListResourceTags", tags)
				k["tags"] = tagObject(list(tags["Tags"]), "TagKey", "TagValue")
				k["replica_keys"] = nil
				if mrc, ok := md["MultiRegionConfiguration"].(map[string]any); ok {
					k["replica_keys"] = plainJSON(mrc["ReplicaKeys"])
				}
				add("aws_kms_keys", k)

				grants := api.kms(a, region, "ListGrants", map[string]any{"KeyId": arn})
				notTruncated(t, "ListGrants", grants)
				for _, g := range list(grants["Grants"]) {
					r := pair(grantListEntry.row(t, g))
					r["key_arn"] = arn
					facts, ok := w.grantFacts[str(g["GrantId"])]
					if !ok {
						t.Errorf("moto lists grant %s on %s, which the test did not create", g["GrantId"], arn)
						continue
					}
					for c, v := range facts {
						r[c] = v
					}
					add("aws_kms_key_grants", r)
				}

				names := api.kms(a, region, "ListKeyPolicies", map[string]any{"KeyId": arn})
				notTruncated(t, "ListKeyPolicies", names)
				for _, name := range names["PolicyNames"].([]any) {
					doc := str(api.kms(a, region, "GetKeyPolicy", map[string]any{"KeyId": arn, "PolicyName": name})["Policy"])
					spec := w.policies[arn]
					if spec == nil {
						spec = defaultPolicy(a.id)
					}
					var policy any
					if err := json.Unmarshal([]byte(doc), &policy); err != nil {
						t.Fatalf("policy of %s: %v", arn, err)
					}
					p := pair(row{"key_arn": arn, "name": name, "policy": policy})
					for c, v := range spec.facts {
						p[c] = v
					}
					add("aws_kms_key_policies", p)
					for _, s := range spec.statements {
						st := pair(row{"key_arn": arn, "policy_name": name})
						for c, v := range s {
							st[c] = v
						}
						add("aws_kms_key_policy_statements", st)
					}
				}

				// Only the keys AWS answers for are asked (see rotationNotRead): moto would list
				// the rotations of the key pending deletion, which AWS refuses.
				if reason == nil {
					rotations := api.kms(a, region, "ListKeyRotations", map[string]any{"KeyId": arn, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"})
					notTruncated(t, "ListKeyRotations", rotations)
					for _, rot := range list(rotations["Rotations"]) {
						r := pair(rotationsListEntry.row(t, rot))
						r["key_arn"] = arn
						r["key_material_ref"] = keyMaterialRef(t, rot)
						add("aws_kms_key_rotations", r)
					}
				}
			}

			aliases := api.kms(a, region, "ListAliases", map[string]any{})
			notTruncated(t, "ListAliases", aliases)
			for _, al := range list(aliases["Aliases"]) {
				r := pair(aliasListEntry.row(t, al))
				r["arn"] = al["AliasArn"]
				add("aws_kms_aliases", r)
			}

			clusters := api.cloudHSM(a, region, "DescribeClusters", map[string]any{})
			notTruncated(t, "DescribeClusters", clusters)
			for _, c := range list(clusters["Clusters"]) {
				r := pair(cluster.row(t, c))
				// Cluster ARNs: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudhsm.html#awscloudhsm-resources-for-iam-policies
				r["arn"] = "arn:aws:cloudhsm:" + region + ":" + a.id + ":cluster/" + str(c["ClusterId"])
				r["tags"] = tagObject(list(c["TagList"]), "Key", "Value")
				add("aws_cloudhsmv2_clusters", r)
			}
			backups := api.cloudHSM(a, region, "DescribeBackups", map[string]any{})
			notTruncated(t, "DescribeBackups", backups)
			for _, b := range list(backups["Backups"]) {
				r := pair(backup.row(t, b))
				r["arn"] = "arn:aws:cloudhsm:" + region + ":" + a.id + ":backup/" + str(b["BackupId"])
				r["tags"] = tagObject(list(b["TagList"]), "Key", "Value")
				add("aws_cloudhsmv2_backups", r)
			}
		}
	}
	return out, rotationKeys
}

// rotationNotRead is aws_kms_keys.rotation_not_read_reason as docs/audit-columns.md defines it,
// for the key DescribeKey described: nil where GetKeyRotationStatus and ListKeyRotations are
// asked.
//   - Only symmetric encryption keys whose key material KMS generated or that was imported have
//     key material to rotate (automatic rotation for the first, on demand for both: "Rotate AWS
//     KMS keys", https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html, and
//     https://docs.aws.amazon.com/kms/latest/developerguide/list-rotations.html: "symmetric
//     encryption KMS keys that support automatic or on-demand rotation. This includes KMS keys
//     with key material that AWS KMS generated (AWS_KMS origin) and KMS keys with imported key
//     material (EXTERNAL origin)"): any other is "unsupported".
//   - KMS answers the rotation calls for Enabled and Disabled keys ("Disabled: The key rotation
//     status does not change when you disable a KMS key", API_GetKeyRotationStatus.html); in any
//     other state (moto has only PendingDeletion besides) the key state table
//     (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html) has them refused,
//     or GetKeyRotationStatus answer false whatever the setting while the key is pending
//     deletion, and the column records the state.
func rotationNotRead(md map[string]any) any {
	origin := str(md["Origin"])
	if str(md["KeySpec"]) != "SYMMETRIC_DEFAULT" || md["CustomKeyStoreId"] != nil || (origin != "AWS_KMS" && origin != "EXTERNAL") {
		return "unsupported"
	}
	if state := str(md["KeyState"]); state != "Enabled" && state != "Disabled" {
		return "key_state:" + state
	}
	return nil
}

// keyMaterialRef is aws_kms_key_rotations.key_material_ref (docs/audit-columns.md): the entry's
// KeyMaterialId, or, where the answer has none (moto's never has: see the package comment),
// "rotated:" and the RotationDate the SDK reads, in RFC 3339 with the fraction it has.
func keyMaterialRef(t *testing.T, entry map[string]any) string {
	t.Helper()
	if id := str(entry["KeyMaterialId"]); id != "" {
		return id
	}
	if entry["RotationDate"] == nil {
		t.Fatalf("ListKeyRotations entry without KeyMaterialId or RotationDate: %v", entry)
	}
	return "rotated:" + awsTime(t, entry["RotationDate"]).Format(time.RFC3339Nano)
}
