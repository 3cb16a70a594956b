package kms

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/kmsaudit/cq-source-awskms/analysis"
)

// Grant is one row of aws_kms_key_grants: the API's entry and the audit facts derived from it,
// so that a query never has to parse principals or operation lists.
type Grant struct {
	types.GrantListEntry
	analysis.GrantFacts
	// GranteeIdentity is the grantee as analysis.PrincipalIdentity spells it (a role without its
	// path), the column the aws_kms_grant_lineage view joins with CloudTrail's callers.
	GranteeIdentity *string `json:"grantee_identity"`
}

func grantRows(entries []types.GrantListEntry, keyAccount string, org map[string]bool) []*Grant {
	rows := make([]*Grant, len(entries))
	for i, g := range entries {
		grantee := aws.ToString(g.GranteePrincipal)
		if grantee == "" {
			grantee = aws.ToString(g.GranteeServicePrincipal)
		}
		rows[i] = &Grant{GrantListEntry: g, GrantFacts: analysis.AnalyzeGrant(g, keyAccount, org), GranteeIdentity: analysis.PrincipalIdentity(grantee)}
	}
	return rows
}
