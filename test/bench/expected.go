package main

import (
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// expectedRows counts, per "account:region" and table, the rows a complete sync of the World
// writes. A run whose counts differ is reported as such: a fast sync that drops rows proves
// nothing. events is nil when the sync skips aws_kms_grant_events.
func expectedRows(w *emulator.World, events *eventWindow) map[string]map[string]int64 {
	all := map[string]map[string]int64{}
	for ar, rd := range w.Regions {
		out := map[string]int64{}
		all[ar.Account+":"+ar.Region] = out
		out["aws_kms_keys"] += int64(len(rd.Keys))
		out["aws_kms_aliases"] += int64(len(rd.Aliases))
		out["aws_cloudhsmv2_clusters"] += int64(len(rd.Clusters))
		out["aws_cloudhsmv2_backups"] += int64(len(rd.Backups))
		for _, name := range grantEventNames {
			if events != nil {
				out["aws_kms_grant_events"] += int64(eventsNamed(rd, name, events.Since, events.Until))
			}
		}
		for _, k := range rd.Keys {
			out[grantsTable] += int64(len(k.Grants))
			out["aws_kms_key_policies"] += int64(len(k.Policies))
			for _, doc := range k.Policies {
				if p, err := analysis.ParsePolicy(doc); err == nil {
					out["aws_kms_key_policy_statements"] += int64(len(p.Statements))
				}
			}
			if k.AnswersRotationCalls() {
				out["aws_kms_key_rotations"] += int64(len(k.KeyMaterials))
			}
		}
	}
	return all
}

// totalRows sums expected rows over pairs, per table.
func totalRows(perPair map[string]map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for _, tables := range perPair {
		for t, n := range tables {
			if n > 0 {
				out[t] += n
			}
		}
	}
	return out
}
