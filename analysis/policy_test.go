package analysis

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := ParsePolicy(doc)
	if err != nil {
		t.Fatalf("ParsePolicy: %v\n%s", err, doc)
	}
	return p
}

func readPolicy(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "policies", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParsePolicyStatementShapes(t *testing.T) {
	single := mustParse(t, `{"Version":"2012-10-17","Id":"k1","Statement":{"Sid":"one","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}`)
	if single.Version != "2012-10-17" || single.ID != "k1" || len(single.Statements) != 1 {
		t.Fatalf("single statement object: got %+v", single)
	}
	s := single.Statements[0]
	if s.Sid != "one" || s.Effect != EffectAllow || !reflect.DeepEqual(s.Actions, []string{"kms:Decrypt"}) ||
		!reflect.DeepEqual(s.Resources, []string{"*"}) {
		t.Errorf("single-string elements not normalised to lists: %+v", s)
	}

	list := mustParse(t, `{"Statement":[
		{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["kms:A","kms:B"],"Resource":["*"]},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"NotAction":"kms:PutKeyPolicy","NotResource":"arn:aws:kms:us-east-1:1:key/x"}]}`)
	if len(list.Statements) != 2 {
		t.Fatalf("got %d statements", len(list.Statements))
	}
	if list.Statements[1].Index != 1 || list.Statements[1].Sid != "" {
		t.Errorf("statement index/sid: %+v", list.Statements[1])
	}
	if !reflect.DeepEqual(list.Statements[1].NotActions, []string{"kms:PutKeyPolicy"}) || list.Statements[1].Actions != nil {
		t.Errorf("NotAction: %+v", list.Statements[1])
	}
	if !reflect.DeepEqual(list.Statements[1].NotResources, []string{"arn:aws:kms:us-east-1:1:key/x"}) || list.Statements[1].Resources != nil {
		t.Errorf("NotResource: %+v", list.Statements[1])
	}
}

func TestParsePolicyPrincipals(t *testing.T) {
	tests := []struct {
		name       string
		element    string
		raw        string
		list       []string
		isWildcard bool
	}{
		{"bare wildcard", `"Principal":"*"`, `"*"`, []string{"*"}, true},
		{"AWS wildcard", `"Principal":{"AWS":"*"}`, `{"AWS":"*"}`, []string{"*"}, true},
		{"single AWS string", `"Principal":{"AWS":"arn:aws:iam::123412341234:root"}`, `{"AWS":"arn:aws:iam::123412341234:root"}`,
			[]string{"arn:aws:iam::123412341234:root"}, false},
		{"every principal kind, flattened in a fixed order", `"Principal": {"Service": ["rds.amazonaws.com"], "CanonicalUser": "abc", "Federated": "cognito-identity.amazonaws.com", "AWS": ["123412341234", "arn:aws:iam::123412341234:role/R", "123412341234"]}`,
			`{"Service":["rds.amazonaws.com"],"CanonicalUser":"abc","Federated":"cognito-identity.amazonaws.com","AWS":["123412341234","arn:aws:iam::123412341234:role/R","123412341234"]}`,
			[]string{"123412341234", "arn:aws:iam::123412341234:role/R", "rds.amazonaws.com", "cognito-identity.amazonaws.com", "abc"}, false},
		{"empty AWS list", `"Principal":{"AWS":[]}`, `{"AWS":[]}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, `{"Statement":[{"Effect":"Allow",`+tt.element+`,"Action":"kms:*","Resource":"*"}]}`)
			s := p.Statements[0]
			if string(s.Principals) != tt.raw {
				t.Errorf("Principals raw = %s, want %s", s.Principals, tt.raw)
			}
			if !reflect.DeepEqual(s.PrincipalList, tt.list) {
				t.Errorf("PrincipalList = %q, want %q", s.PrincipalList, tt.list)
			}
			if s.Principal.IsWildcard() != tt.isWildcard {
				t.Errorf("IsWildcard = %v, want %v", s.Principal.IsWildcard(), tt.isWildcard)
			}
			if s.NotPrincipals != nil || s.NotPrincipal != nil {
				t.Errorf("NotPrincipal should be absent")
			}
		})
	}
}

func TestParsePolicyNotPrincipal(t *testing.T) {
	p := mustParse(t, `{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123412341234:role/KeyAdminRole"]},"Action":"kms:PutKeyPolicy","Resource":"*"}]}`)
	s := p.Statements[0]
	if s.Principal != nil || s.Principals != nil || s.PrincipalList != nil {
		t.Errorf("Principal should be absent: %+v", s)
	}
	if string(s.NotPrincipals) != `{"AWS":["arn:aws:iam::123412341234:role/KeyAdminRole"]}` {
		t.Errorf("NotPrincipals = %s", s.NotPrincipals)
	}
	if !reflect.DeepEqual(s.NotPrincipal.AWS, []string{"arn:aws:iam::123412341234:role/KeyAdminRole"}) {
		t.Errorf("NotPrincipal.AWS = %q", s.NotPrincipal.AWS)
	}
}

func TestParsePolicyConditions(t *testing.T) {
	p := mustParse(t, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:CreateGrant","Resource":"*",
		"Condition":{
			"StringEquals": {"kms:CallerAccount": "123412341234", "kms:ViaService": ["ec2.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com"]},
			"ForAnyValue:StringLike": {"kms:EncryptionContextKeys": ["aws:ebs:*"]},
			"Bool": {"kms:GrantIsForAWSResource": true},
			"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
			"NumericLessThanEquals": {"kms:RecipientAttestation:PCR0": 12.50},
			"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}
		}}]}`)
	s := p.Statements[0]
	want := []Condition{
		{Operator: "Bool", Key: "kms:GrantIsForAWSResource", Values: []string{"true"}},
		{Operator: "BoolIfExists", Key: "aws:MultiFactorAuthPresent", Values: []string{"false"}},
		{Operator: "DateGreaterThan", Key: "aws:CurrentTime", Values: []string{"2024-01-01T00:00:00Z"}},
		{Operator: "ForAnyValue:StringLike", Key: "kms:EncryptionContextKeys", Values: []string{"aws:ebs:*"}},
		{Operator: "NumericLessThanEquals", Key: "kms:RecipientAttestation:PCR0", Values: []string{"12.50"}},
		{Operator: "StringEquals", Key: "kms:CallerAccount", Values: []string{"123412341234"}},
		{Operator: "StringEquals", Key: "kms:ViaService", Values: []string{"ec2.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com"}},
	}
	if !reflect.DeepEqual(s.ConditionList, want) {
		t.Errorf("ConditionList =\n%+v\nwant\n%+v", s.ConditionList, want)
	}
	if strings.ContainsAny(string(s.Conditions), "\n\t") || !strings.Contains(string(s.Conditions), `"Bool":{"kms:GrantIsForAWSResource":true}`) {
		t.Errorf("Conditions raw JSON not kept compacted as written: %s", s.Conditions)
	}

	byOp := map[string]Condition{}
	for _, c := range s.ConditionList {
		byOp[c.Operator] = c
	}
	if c := byOp["ForAnyValue:StringLike"]; c.Qualifier() != "ForAnyValue" || c.BaseOperator() != "StringLike" || c.IfExists() {
		t.Errorf("ForAnyValue:StringLike parts: %q %q %v", c.Qualifier(), c.BaseOperator(), c.IfExists())
	}
	if c := byOp["BoolIfExists"]; c.Qualifier() != "" || c.BaseOperator() != "Bool" || !c.IfExists() {
		t.Errorf("BoolIfExists parts: %q %q %v", c.Qualifier(), c.BaseOperator(), c.IfExists())
	}
}

func TestParsePolicyBoolAsStringOrJSON(t *testing.T) {
	for _, value := range []string{`true`, `"true"`, `["true"]`, `[true]`} {
		p := mustParse(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:CreateGrant","Condition":{"Bool":{"kms:GrantIsForAWSResource":`+value+`}}}}`)
		if got := p.Statements[0].ConditionList[0].Values; !reflect.DeepEqual(got, []string{"true"}) {
			t.Errorf("Bool value %s normalised to %q, want [true]", value, got)
		}
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name, doc, path string
	}{
		{"not JSON", `{"Statement":`, ""},
		{"array document", `[]`, ""},
		{"null document", `null`, ""},
		{"empty", ``, ""},
		{"missing statement", `{"Version":"2012-10-17"}`, "Statement"},
		{"statement is a string", `{"Statement":"x"}`, "Statement"},
		{"statement list item not object", `{"Statement":[{"Effect":"Allow","Action":"a"},3]}`, "Statement[1]"},
		{"version not string", `{"Version":2012,"Statement":[]}`, "Version"},
		{"bad effect", `{"Statement":{"Effect":"allow","Action":"a"}}`, "Statement[0].Effect"},
		{"missing effect", `{"Statement":{"Action":"a"}}`, "Statement[0].Effect"},
		{"sid not string", `{"Statement":{"Sid":1,"Effect":"Allow","Action":"a"}}`, "Statement[0].Sid"},
		{"no action", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "Statement[0]"},
		{"both action forms", `{"Statement":{"Effect":"Allow","Action":"a","NotAction":"b"}}`, "Statement[0]"},
		{"both principal forms", `{"Statement":{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"a"}}`, "Statement[0]"},
		{"both resource forms", `{"Statement":{"Effect":"Allow","Action":"a","Resource":"*","NotResource":"*"}}`, "Statement[0]"},
		{"action number", `{"Statement":{"Effect":"Allow","Action":7}}`, "Statement[0].Action"},
		{"action list with number", `{"Statement":{"Effect":"Allow","Action":["a",7]}}`, "Statement[0].Action"},
		{"string principal not wildcard", `{"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::123412341234:root","Action":"a"}}`, "Statement[0].Principal"},
		{"principal list", `{"Statement":{"Effect":"Allow","Principal":["*"],"Action":"a"}}`, "Statement[0].Principal"},
		{"unknown principal type", `{"Statement":{"Effect":"Allow","Principal":{"Group":"x"},"Action":"a"}}`, "Statement[0].Principal.Group"},
		{"principal value object", `{"Statement":{"Effect":"Allow","Principal":{"AWS":{"x":1}},"Action":"a"}}`, "Statement[0].Principal.AWS"},
		{"condition not object", `{"Statement":{"Effect":"Allow","Action":"a","Condition":[]}}`, "Statement[0].Condition"},
		{"condition operator not object", `{"Statement":{"Effect":"Allow","Action":"a","Condition":{"Bool":true}}}`, "Statement[0].Condition.Bool"},
		{"condition value null", `{"Statement":{"Effect":"Allow","Action":"a","Condition":{"Null":{"k":null}}}}`, "Statement[0].Condition.Null.k"},
		{"condition value object", `{"Statement":{"Effect":"Allow","Action":"a","Condition":{"StringEquals":{"k":["a",{}]}}}}`, "Statement[0].Condition.StringEquals.k[1]"},
		{"trailing garbage", `{"Statement":[]} x`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy(tt.doc)
			if err == nil {
				t.Fatalf("expected an error, got %+v", p)
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *PolicyError", err)
			}
			if pe.Path != tt.path {
				t.Errorf("error path = %q, want %q (%v)", pe.Path, tt.path, err)
			}
			if !strings.HasPrefix(err.Error(), "policy: ") {
				t.Errorf("error text %q lacks the policy: prefix", err)
			}
		})
	}
}

func TestParsePolicyIgnoresUnknownElements(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Comment":"x","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Extra":[1,2]}]}`)
	if len(p.Statements) != 1 || p.Statements[0].Principal != nil {
		t.Errorf("unexpected parse: %+v", p)
	}
}

func TestParsePolicySeedExamples(t *testing.T) {
	p := mustParse(t, readPolicy(t, "seed_key_admin_create_grant.json"))
	var sids []string
	for _, s := range p.Statements {
		sids = append(sids, s.Sid)
	}
	wantSids := []string{"AllowRootAccountAccess", "AllowKeyAdministrator", "Allow access to key metadata to the account"}
	if !reflect.DeepEqual(sids, wantSids) {
		t.Errorf("sids = %q, want %q", sids, wantSids)
	}
	root := p.Statements[0]
	if !reflect.DeepEqual(root.ConditionList, []Condition{{Operator: "StringEquals", Key: "aws:PrincipalType", Values: []string{"Account"}}}) {
		t.Errorf("root condition = %+v", root.ConditionList)
	}
	if !reflect.DeepEqual(p.Statements[2].Actions, []string{"kms:Describe*", "kms:Get*", "kms:List*"}) {
		t.Errorf("metadata actions = %q", p.Statements[2].Actions)
	}
}
