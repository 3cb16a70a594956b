package plugin

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// accountLevelTables run once per account (client.AccountMultiplex) and call global services.
var accountLevelTables = map[string]bool{"aws_iam_kms_principals": true, "aws_organizations_account_policies": true}

func init() {
	rowKeys["aws_iam_kms_principals"] = keyOf("arn")
	rowKeys["aws_organizations_account_policies"] = keyOf("target_account_id", "policy_type", "target_id", "policy_id")
}

// expectedOrgPolicyRows are the SCPs and RCPs of every organization account, root first, as the
// management account reads them: built from the emulator's tree and attachments.
func expectedOrgPolicyRows(w *emulator.World) []row {
	if len(w.EnabledRegions[w.ManagementAccount]) == 0 {
		return nil
	}
	enabled := map[string]bool{}
	for _, pt := range w.Roots[0].PolicyTypes {
		enabled[string(pt.Type)] = pt.Status == "ENABLED"
	}
	var out []row
	for _, a := range w.Accounts {
		account := aws.ToString(a.Id)
		chain := []string{account}
		for p, ok := w.Parents[account]; ok; p, ok = w.Parents[p] {
			chain = append([]string{p}, chain...)
		}
		for level, target := range chain {
			for _, p := range w.OrgPolicies {
				if !enabled[string(p.Summary.Type)] || !slices.Contains(p.Targets, target) {
					continue
				}
				out = append(out, row{
					"account_id": w.ManagementAccount, "organization_id": aws.ToString(w.Organization.Id),
					"target_account_id": account, "policy_type": string(p.Summary.Type), "level": float64(level),
					"target_id": target, "policy_id": aws.ToString(p.Summary.Id), "policy_arn": aws.ToString(p.Summary.Arn),
					"policy_name": aws.ToString(p.Summary.Name), "aws_managed": p.Summary.AwsManaged,
					"content": decodeJSON([]byte(p.Content)),
				})
			}
		}
	}
	return out
}
