package analysis

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// BenchmarkEvaluateKeyAccess evaluates one key with the default key policy and 20 grants against
// 1,000 IAM principals of two accounts (3 statements each) under an SCP and an RCP: the cost
// kmsaudit pays per key.
func BenchmarkEvaluateKeyAccess(b *testing.B) {
	policy, err := ParsePolicy(`{"Version":"2012-10-17","Statement":[` + enableIAM + `,` + usageStatement + `,` + attachmentStatement + `]}`)
	if err != nil {
		b.Fatal(err)
	}
	identity, _ := ParsePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`)
	scp, _ := ParsePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"kms:PutKeyPolicy","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin"}}}]}`)
	key := AccessKey{ARN: accessKeyARN, AccountID: acctKey, Policy: policy}
	for i := 0; i < 20; i++ {
		key.Grants = append(key.Grants, kmstypes.GrantListEntry{GrantId: aws.String(fmt.Sprint("g", i)), GranteePrincipal: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/G%d", acctKey, i)),
			Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt}})
	}
	var principals []IAMPrincipal
	for i := 0; i < 1000; i++ {
		account := []string{acctKey, acctExternal}[i%2]
		p := IAMPrincipal{ARN: fmt.Sprintf("arn:aws:iam::%s:role/R%d", account, i), AccountID: account}
		for _, s := range identity.Statements {
			p.Statements = append(p.Statements, SourcedStatement{Source: p.ARN + "/inline/p", Statement: s})
		}
		principals = append(principals, p)
	}
	levels := []OrgLevel{{Target: "r-1", Policies: []OrgPolicy{{Source: "scp:p-1", Policy: scp}}}}
	org := &Organization{ID: orgID, ManagementAccount: acctMgmt, Accounts: map[string]bool{acctKey: true, acctExternal: true, acctMgmt: true},
		SCPs: map[string][]OrgLevel{acctKey: levels, acctExternal: levels}, RCPs: map[string][]OrgLevel{acctKey: levels}}
	for _, shared := range []bool{false, true} {
		b.Run(map[bool]string{false: "own_cache", true: "shared_cache"}[shared], func(b *testing.B) {
			in := AccessInput{Key: key, Principals: principals, Org: org}
			if shared { // as kmsaudit runs it: one cache for every key
				in.Cache = NewActionCache()
			}
			for i := 0; i < b.N; i++ {
				if rows := EvaluateKeyAccess(in); len(rows) < 500 {
					b.Fatalf("%d rows", len(rows))
				}
			}
		})
	}
}
