package client

import (
	"encoding/json"
	"sort"
)

// ReadOnlyActions are the only AWS API actions the plugin calls. The README's minimal IAM policy
// is generated from this list, and a test holds every call of a full sync to it.
var ReadOnlyActions = []string{
	"account:ListRegions",
	"cloudhsm:DescribeBackups",
	"cloudhsm:DescribeClusters",
	"cloudtrail:LookupEvents",
	"ec2:DescribeRegions",
	"iam:GetAccountAuthorizationDetails",
	"kms:DescribeKey",
	"kms:GetKeyLastUsage",
	"kms:GetKeyPolicy",
	"kms:GetKeyRotationStatus",
	"kms:ListAliases",
	"kms:ListGrants",
	"kms:ListKeyPolicies",
	"kms:ListKeyRotations",
	"kms:ListKeys",
	"kms:ListResourceTags",
	"organizations:DescribeOrganization",
	"organizations:DescribePolicy",
	"organizations:ListAccounts",
	"organizations:ListAccountsForParent",
	"organizations:ListOrganizationalUnitsForParent",
	"organizations:ListParents",
	"organizations:ListPoliciesForTarget",
	"organizations:ListRoots",
	"ram:GetPermission",
	"ram:GetResourceShares",
	"ram:ListPrincipals",
	"ram:ListResourceSharePermissions",
	"ram:ListResources",
	"sts:AssumeRole",
	"sts:GetCallerIdentity",
}

// MinimalIAMPolicy is the identity policy that lets the plugin read everything it syncs.
func MinimalIAMPolicy() string {
	actions := append([]string(nil), ReadOnlyActions...)
	sort.Strings(actions)
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":      "CloudQueryAWSKMSReadOnly",
			"Effect":   "Allow",
			"Action":   actions,
			"Resource": "*",
		}},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}
