package e2e

import (
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/kmsaudit/cq-source-awskms/analysis"
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
		for _, k := range rd.Keys {
			n["aws_kms_key_grants"] += len(k.Grants)
			n["aws_kms_key_policies"] += len(k.Policies)
			for _, doc := range k.Policies {
				if p, err := analysis.ParsePolicy(doc); err == nil {
					n["aws_kms_key_policy_statements"] += len(p.Statements)
				}
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
