package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// syncedRegions yields the regions a sync of the whole organization covers: every enabled
// region of every ACTIVE account.
func syncedRegions(w *emulator.World, fn func(account, region string, rd *emulator.RegionData)) {
	w.Read(func() {
		for _, a := range w.Accounts {
			if a.State != orgtypes.AccountStateActive {
				continue
			}
			account := aws.ToString(a.Id)
			for _, region := range w.EnabledRegions[account] {
				if rd := w.Region(account, region); rd != nil {
					fn(account, region, rd)
				}
			}
		}
	})
}

var grantEventNames = []string{"CreateGrant", "RetireGrant", "RevokeGrant"}

// expectedCounts is the number of rows a perfect sync writes to each table.
func expectedCounts(w *emulator.World, eventsSince time.Time) map[string]int {
	n := map[string]int{}
	syncedRegions(w, func(_, _ string, rd *emulator.RegionData) {
		n["aws_kms_keys"] += len(rd.Keys)
		n["aws_kms_aliases"] += len(rd.Aliases)
		n["aws_cloudhsmv2_clusters"] += len(rd.Clusters)
		n["aws_cloudhsmv2_backups"] += len(rd.Backups)
		// One row per RAM share of the account's keys, one per key shared with it; no last use
		// (the spec leaves key_last_usage off).
		n["aws_ram_kms_key_shares"] += len(rd.Shares)
		n["aws_kms_keys_shared_with_us"] += len(rd.SharedWithMe)
		n["aws_kms_key_last_usage"] = 0
		for _, k := range rd.Keys {
			n["aws_kms_key_grants"] += len(k.Grants)
			n["aws_kms_key_policies"] += len(k.Policies)
			for _, doc := range k.Policies {
				n["aws_kms_key_policy_statements"] += policyStatements(w, k, doc)
			}
			if k.AnswersRotationCalls() {
				n["aws_kms_key_rotations"] += len(k.KeyMaterials)
			}
		}
		for _, ev := range rd.Events {
			if slices.Contains(grantEventNames, ev.Record.EventName) && !ev.Event.EventTime.Before(eventsSince) {
				n["aws_kms_grant_events"]++
			}
		}
	})
	return n
}

// statementsByPolicyID are the statements of each key policy the emulator writes, counted by hand
// in test/emulator/policies.go by the policy's Id.
var statementsByPolicyID = map[string]int{
	"key-default-1":       1, // defaultKeyPolicy: Enable IAM User Permissions
	"key-consolepolicy-3": 3, // seedKeyPolicy: AllowRootAccountAccess, AllowKeyAdministrator, key metadata to the account
	"key-grant-policy":    4, // grantForAWSResourcesPolicy: IAM, the service-linked role's use and its grants, the application's grants
	"key-guarded":         4, // guardedKeyPolicy: IAM, the organization's Decrypt, the deploy role's NotAction, the Deny
	"AWS_RAM":             1, // ramKeyPolicy: RAMManagedPermission
}

// policyStatements is the number of statements of one of the key's policies. Every auto-<service>-2
// policy (awsManagedKeyPolicy) has two: access through the service, key metadata to the account.
// The scenario key's key-consolepolicy-3 (scenarioKeyPolicy) has the seed's three and, when the
// organization has a second ACTIVE account, AllowDataAccountToCreateGrants.
func policyStatements(w *emulator.World, k *emulator.Key, doc string) int {
	var p struct {
		ID string `json:"Id"`
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		panic(fmt.Sprintf("key %s: policy is not JSON: %v", aws.ToString(k.Metadata.Arn), err))
	}
	if strings.HasPrefix(p.ID, "auto-") {
		return 2
	}
	n, ok := statementsByPolicyID[p.ID]
	if !ok {
		panic(fmt.Sprintf("key %s: policy Id %q has no hand count in statementsByPolicyID", aws.ToString(k.Metadata.Arn), p.ID))
	}
	if f := w.Scenario; f != nil && aws.ToString(k.Metadata.Arn) == f.KeyARN && f.CrossAccount != "" {
		n++
	}
	return n
}
