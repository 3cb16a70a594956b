package analysis

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzEvaluateKeyAccess feeds any parseable document as the key policy, as an identity policy
// and as an SCP and an RCP at once: the evaluation never panics, every row names the key, and
// the operations it denies are among those it allows.
func FuzzEvaluateKeyAccess(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "policies", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"444455556666"},"NotAction":"kms:Encrypt","NotResource":"*"},{"Effect":"Allow","Principal":"*","Action":"kms:*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := ParsePolicy(doc)
		if err != nil {
			return
		}
		var statements []SourcedStatement
		for _, s := range p.Statements {
			statements = append(statements, SourcedStatement{Source: "fuzz", Statement: s})
		}
		yes := true
		in := AccessInput{
			Key: AccessKey{ARN: accessKeyARN, AccountID: acctKey, Policy: p},
			Principals: []IAMPrincipal{
				{ARN: "arn:aws:iam::111122223333:role/Same", AccountID: acctKey, Statements: statements, HasBoundary: true, Boundary: statements},
				{ARN: "arn:aws:iam::444455556666:role/Other", AccountID: acctExternal, Statements: statements},
			},
			Org: &Organization{ID: orgID, ManagementAccount: acctMgmt, Accounts: map[string]bool{acctKey: yes, acctExternal: yes, acctMgmt: yes},
				SCPs: map[string][]OrgLevel{acctKey: {{Target: "r-1", Policies: []OrgPolicy{{Source: "scp:fuzz", Policy: p}}}}},
				RCPs: map[string][]OrgLevel{acctKey: {{Target: "r-1", Policies: []OrgPolicy{{Source: "rcp:fuzz", Policy: p}}}}}},
		}
		for _, r := range EvaluateKeyAccess(in) {
			if r.KeyARN != accessKeyARN || r.Principal == "" || r.Source == "" {
				t.Fatalf("row without key, principal or source: %+v", r)
			}
			allowed := map[string]bool{}
			for _, op := range r.Operations {
				allowed[op] = true
			}
			for _, op := range r.DeniedOperations {
				if !allowed[op] {
					t.Fatalf("%s denied but not allowed: %+v", op, r)
				}
			}
			if len(r.DeniedOperations) > 0 && r.DeniedBy == nil {
				t.Fatalf("denied operations without denied_by: %+v", r)
			}
		}
	})
}
