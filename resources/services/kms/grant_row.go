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
	// CreatedBy is the caller of the grant's CreateGrant, when CloudTrail still has the event.
	CreatedBy *string `json:"created_by"`
	// ParentGrantID is the grant through which CreatedBy held CreateGrant on the key (nested
	// granting), when CloudTrail still has both events.
	ParentGrantID *string `json:"parent_grant_id"`
}

func grantRows(entries []types.GrantListEntry, keyARN, keyAccount string, org map[string]bool, lineage *analysis.Lineage) []*Grant {
	rows := make([]*Grant, len(entries))
	for i, g := range entries {
		rows[i] = &Grant{GrantListEntry: g, GrantFacts: analysis.AnalyzeGrant(g, keyAccount, org)}
		if lineage != nil {
			id := aws.ToString(g.GrantId)
			rows[i].CreatedBy = lineage.CreatedBy(id)
			rows[i].ParentGrantID = lineage.ParentOf(keyARN, id)
		}
	}
	return rows
}
