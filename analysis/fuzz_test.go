package analysis

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

var validPrincipalTypes = map[PrincipalType]bool{
	PrincipalAWSService: true, PrincipalAWSInternal: true, PrincipalAccountRoot: true, PrincipalIAMRole: true,
	PrincipalIAMUser: true, PrincipalAssumedRole: true, PrincipalFederatedUser: true, PrincipalUniqueID: true,
	PrincipalUnknown: true,
}

// accountTypes are the principal types that always carry an account.
var accountTypes = map[PrincipalType]bool{
	PrincipalAccountRoot: true, PrincipalIAMRole: true, PrincipalIAMUser: true,
	PrincipalAssumedRole: true, PrincipalFederatedUser: true,
}

func FuzzClassifyPrincipal(f *testing.F) {
	for _, s := range []string{
		"", "AWS Internal", "123456789012", "arn:aws:iam::123456789012:root", "arn:aws-cn:iam::123456789012:role/a/b",
		"arn:aws:sts::123456789012:assumed-role/R/s", "arn:aws:sts::123456789012:federated-user/u",
		"AROADBQP57FF2AEXAMPLE", "rds.us-east-1.amazonaws.com", "ec2.amazonaws.com.cn",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		typ := ClassifyPrincipal(p)
		if !validPrincipalTypes[typ] {
			t.Fatalf("ClassifyPrincipal(%q) = %q, not a defined type", p, typ)
		}
		account := PrincipalAccount(p)
		if account != "" && !isAccountID(account) {
			t.Fatalf("PrincipalAccount(%q) = %q, not a 12-digit account", p, account)
		}
		if accountTypes[typ] && account == "" {
			t.Fatalf("%q is %s but has no account", p, typ)
		}
		if (typ == PrincipalAWSService || typ == PrincipalUniqueID || typ == PrincipalAWSInternal) && account != "" {
			t.Fatalf("%q is %s but PrincipalAccount = %q", p, typ, account)
		}
		if IsServiceLinkedRole(p) && typ != PrincipalIAMRole {
			t.Fatalf("%q is a service-linked role but classified %s", p, typ)
		}
	})
}

func FuzzActionMatches(f *testing.F) {
	f.Add("kms:*", "kms:CreateGrant")
	f.Add("kms:C?eate*", "kms:CreateGrant")
	f.Add("*a*b*", "xaxbx")
	f.Fuzz(func(t *testing.T, pattern, action string) {
		got := ActionMatches(pattern, action)
		if isASCII(pattern) && isASCII(action) && got != runeGlob(pattern, action) {
			t.Fatalf("ActionMatches(%q, %q) = %v: the ASCII path and the rune path disagree", pattern, action, got)
		}
		if !strings.ContainsAny(pattern, "*?") && got != (strings.ToLower(pattern) == strings.ToLower(action)) {
			t.Fatalf("ActionMatches(%q, %q) = %v; without wildcards it must be a case-insensitive comparison", pattern, action, got)
		}
		// Every string matches itself (its own wildcards match their own
		// characters) and itself followed by "*"; "*" matches everything.
		for _, p := range []string{action, action + "*", "*"} {
			if !ActionMatches(p, action) {
				t.Fatalf("ActionMatches(%q, %q) = false", p, action)
			}
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "policies", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"NotAction":[],"Condition":{"ForAnyValue:StringLike":{"k":["a",1,true]}}}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := ParsePolicy(doc)
		if err != nil {
			if p != nil {
				t.Fatalf("ParsePolicy returned both a policy and an error: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "policy: ") {
				t.Fatalf("error without the policy: prefix: %v", err)
			}
			return
		}
		for i, s := range p.Statements {
			if s.Index != i {
				t.Fatalf("statement %d has index %d", i, s.Index)
			}
			if s.Effect != EffectAllow && s.Effect != EffectDeny {
				t.Fatalf("statement %d has effect %q", i, s.Effect)
			}
			for _, raw := range []json.RawMessage{s.Principals, s.NotPrincipals, s.Conditions} {
				if raw != nil && !json.Valid(raw) {
					t.Fatalf("statement %d keeps invalid JSON %q", i, raw)
				}
			}
			if (s.Principal == nil) != (s.Principals == nil) {
				t.Fatalf("statement %d: parsed and raw Principal disagree", i)
			}
			AnalyzeStatement(&p.Statements[i])
		}
		facts := AnalyzePolicy(p, "123456789012")
		for _, list := range [][]string{facts.CreateGrantPrincipals, facts.PutKeyPolicyPrincipals} {
			for j := 1; j < len(list); j++ {
				if list[j-1] >= list[j] {
					t.Fatalf("principal list not sorted and unique: %q", list)
				}
			}
		}
		if (facts.CreateGrantRequiresAWSResource == nil) != (len(facts.CreateGrantPrincipals) == 0) &&
			!hasEmptyPrincipalCreateGrant(p) {
			t.Fatalf("CreateGrantRequiresAWSResource %v inconsistent with principals %q", facts.CreateGrantRequiresAWSResource, facts.CreateGrantPrincipals)
		}
	})
}

// hasEmptyPrincipalCreateGrant reports an Allow statement that covers
// CreateGrant but names no principal (no Principal element, or an empty
// list): it sets CreateGrantRequiresAWSResource without adding principals.
func hasEmptyPrincipalCreateGrant(p *Policy) bool {
	for i := range p.Statements {
		s := &p.Statements[i]
		if AnalyzeStatement(s).AllowsCreateGrant && len(allowedPrincipals(s)) == 0 {
			return true
		}
	}
	return false
}

func FuzzAnalyzeGrant(f *testing.F) {
	f.Add("arn:aws:iam::123412341234:user/hugh-grant", "", "arn:aws:iam::123412341234:user/sample-principal", "CreateGrant,DescribeKey", "123412341234", true)
	f.Add("rds.us-east-1.amazonaws.com", "rds.amazonaws.com", "", "CreateGrant", "123412341234", false)
	f.Add("AWS Internal", "", "", "RetireGrant", "", true)
	f.Fuzz(func(t *testing.T, grantee, serviceGrantee, retiring, operations, keyAcct string, knownOrg bool) {
		g := kmstypes.GrantListEntry{
			GranteePrincipal:  aws.String(grantee),
			RetiringPrincipal: aws.String(retiring),
		}
		if serviceGrantee != "" {
			g.GranteeServicePrincipal = aws.String(serviceGrantee)
		}
		for _, op := range strings.Split(operations, ",") {
			g.Operations = append(g.Operations, kmstypes.GrantOperation(op))
		}
		var orgAccounts map[string]bool
		if knownOrg {
			orgAccounts = map[string]bool{"123412341234": true}
		}
		facts := AnalyzeGrant(g, keyAcct, orgAccounts)
		if !validPrincipalTypes[facts.GranteeType] {
			t.Fatalf("grantee type %q", facts.GranteeType)
		}
		if facts.IsCrossAccount && facts.GranteeAccountID == nil {
			t.Fatal("cross-account without a grantee account")
		}
		if facts.IsCrossOrganization != nil && (!knownOrg || facts.GranteeAccountID == nil) {
			t.Fatal("cross-organization decided without an organization or grantee account")
		}
		if facts.IsCrossOrganization != nil && *facts.IsCrossOrganization && !facts.IsCrossAccount && keyAcct != "" {
			t.Fatal("cross-organization but same account")
		}
		if facts.IsDelegating && (!facts.AllowsCreateGrant || serviceGrantee != "" ||
			facts.GranteeType == PrincipalAWSService || facts.GranteeType == PrincipalAWSInternal) {
			t.Fatalf("delegating grant that should not be: %+v", facts)
		}
	})
}
