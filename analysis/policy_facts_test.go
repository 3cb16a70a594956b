package analysis

import (
	"reflect"
	"testing"
)

func analyze(t *testing.T, doc string) PolicyFacts {
	t.Helper()
	return AnalyzePolicy(mustParse(t, doc), keyAccount)
}

// statements wraps statement objects into a policy document.
func statements(s ...string) string {
	doc := `{"Version":"2012-10-17","Statement":[`
	for i, st := range s {
		if i > 0 {
			doc += ","
		}
		doc += st
	}
	return doc + "]}"
}

const (
	rootARN     = "arn:aws:iam::123412341234:root"
	adminRole   = "arn:aws:iam::123412341234:role/KeyAdminRole"
	asgSLR      = "arn:aws:iam::123412341234:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
	developerRL = "arn:aws:iam::123412341234:role/Developer"
)

func TestAnalyzePolicySeedExamples(t *testing.T) {
	tests := []struct {
		file string
		want PolicyFacts
	}{
		{
			// The seed's first example: root restricted to aws:PrincipalType
			// Account, so IAM policies are NOT enabled; the admin role and root
			// role may create grants and change the policy.
			file: "seed_key_admin_create_grant.json",
			want: PolicyFacts{
				AllowsIAMPolicies:              false,
				CreateGrantPrincipals:          []string{adminRole, rootARN},
				CreateGrantRequiresAWSResource: ptr(false),
				PutKeyPolicyPrincipals:         []string{adminRole, rootARN},
			},
		},
		{
			file: "seed_delegation_limited_to_admins.json",
			want: PolicyFacts{
				CreateGrantPrincipals:          []string{adminRole, rootARN},
				CreateGrantRequiresAWSResource: ptr(false),
				PutKeyPolicyPrincipals:         []string{adminRole, rootARN},
			},
		},
		{
			// The seed's third example: the only CreateGrant statement
			// requires kms:GrantIsForAWSResource.
			file: "seed_autoscaling_grant_for_aws_resource.json",
			want: PolicyFacts{
				CreateGrantPrincipals:          []string{asgSLR},
				CreateGrantRequiresAWSResource: ptr(true),
				PutKeyPolicyPrincipals:         []string{},
			},
		},
		{
			// AWS's default key policy enables IAM policies.
			file: "aws_default_key_policy.json",
			want: PolicyFacts{
				AllowsIAMPolicies:              true,
				CreateGrantPrincipals:          []string{rootARN},
				CreateGrantRequiresAWSResource: ptr(false),
				PutKeyPolicyPrincipals:         []string{rootARN},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := analyze(t, readPolicy(t, tt.file))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AnalyzePolicy =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestAllowsIAMPolicies(t *testing.T) {
	tests := []struct {
		name      string
		statement string
		want      bool
	}{
		{"default statement", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*","Resource":"*"}`, true},
		{"bare account id", `{"Effect":"Allow","Principal":{"AWS":"123412341234"},"Action":"kms:*","Resource":"*"}`, true},
		{"root among others, action *", `{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123412341234:role/R","arn:aws:iam::123412341234:root"]},"Action":"*","Resource":"*"}`, true},
		{"gov partition", `{"Effect":"Allow","Principal":{"AWS":"arn:aws-us-gov:iam::123412341234:root"},"Action":"kms:*"}`, true},
		{"NotAction of a non-KMS action", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"NotAction":"s3:*"}`, true},
		{"unrelated condition keeps IAM enabled", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*","Condition":{"StringEquals":{"kms:CallerAccount":"123412341234"}}}`, true},
		{"negated principal type keeps IAM enabled", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*","Condition":{"StringNotEquals":{"aws:PrincipalType":"Account"}}}`, true},
		{"principal type of roles keeps IAM enabled", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*","Condition":{"StringEquals":{"aws:PrincipalType":["Account","AssumedRole"]}}}`, true},

		{"restricted to root by principal type", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*","Condition":{"StringEquals":{"aws:PrincipalType":"Account"}}}`, false},
		{"restricted to root, key spelled in lower case", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*","Condition":{"StringEqualsIgnoreCase":{"aws:principaltype":"account"}}}`, false},
		{"restricted to root by principal ARN", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123412341234:root"}}}`, false},
		{"restricted to root by userid", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*","Condition":{"StringEquals":{"aws:userid":"123412341234"}}}`, false},
		{"only some actions", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":["kms:Describe*","kms:Get*","kms:List*"]}`, false},
		{"NotAction of a KMS action", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"NotAction":"kms:PutKeyPolicy"}`, false},
		{"another account's root", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"kms:*"}`, false},
		{"a role, not root", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:role/Admin"},"Action":"kms:*"}`, false},
		{"wildcard principal", `{"Effect":"Allow","Principal":"*","Action":"kms:*"}`, false},
		{"deny", `{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*"}`, false},
		{"root as NotPrincipal", `{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":"kms:*"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := analyze(t, statements(tt.statement)).AllowsIAMPolicies; got != tt.want {
				t.Errorf("AllowsIAMPolicies = %v, want %v", got, tt.want)
			}
		})
	}
	if AnalyzePolicy(mustParse(t, readPolicy(t, "aws_default_key_policy.json")), "").AllowsIAMPolicies {
		t.Error("an unknown key account must not enable IAM policies")
	}
}

func TestCreateGrantFacts(t *testing.T) {
	withCondition := `{"Effect":"Allow","Principal":{"AWS":"` + asgSLR + `"},"Action":"kms:CreateGrant","Condition":{"Bool":{"kms:GrantIsForAWSResource":true}}}`
	tests := []struct {
		name       string
		statements []string
		principals []string
		requires   *bool
	}{
		{"no statement allows CreateGrant", []string{`{"Effect":"Allow","Principal":{"AWS":"` + developerRL + `"},"Action":"kms:Decrypt"}`}, []string{}, nil},
		{"conditioned service role", []string{withCondition}, []string{asgSLR}, ptr(true)},
		{"condition as string true", []string{`{"Effect":"Allow","Principal":{"AWS":"` + asgSLR + `"},"Action":"kms:CreateGrant","Condition":{"Bool":{"kms:grantisforawsresource":"true"}}}`}, []string{asgSLR}, ptr(true)},
		{"condition false", []string{`{"Effect":"Allow","Principal":{"AWS":"` + asgSLR + `"},"Action":"kms:CreateGrant","Condition":{"Bool":{"kms:GrantIsForAWSResource":false}}}`}, []string{asgSLR}, ptr(false)},
		{"BoolIfExists does not count", []string{`{"Effect":"Allow","Principal":{"AWS":"` + asgSLR + `"},"Action":"kms:CreateGrant","Condition":{"BoolIfExists":{"kms:GrantIsForAWSResource":true}}}`}, []string{asgSLR}, ptr(false)},
		{"one unconditioned statement spoils it", []string{withCondition, `{"Effect":"Allow","Principal":{"AWS":"` + developerRL + `"},"Action":"kms:Create*"}`}, []string{developerRL, asgSLR}, ptr(false)},
		{"NotAction covering CreateGrant", []string{`{"Effect":"Allow","Principal":{"AWS":"` + developerRL + `"},"NotAction":"kms:Decrypt"}`}, []string{developerRL}, ptr(false)},
		{"NotAction excluding CreateGrant", []string{`{"Effect":"Allow","Principal":{"AWS":"` + developerRL + `"},"NotAction":"kms:*Grant"}`}, []string{}, nil},
		{"deny statements do not add principals", []string{`{"Effect":"Deny","Principal":"*","Action":"kms:CreateGrant"}`}, []string{}, nil},
		{"wildcard principals collapse to *", []string{`{"Effect":"Allow","Principal":{"AWS":["*","` + developerRL + `"]},"Action":"*"}`}, []string{"*"}, ptr(false)},
		{"Allow with NotPrincipal is everyone", []string{`{"Effect":"Allow","NotPrincipal":{"AWS":"` + developerRL + `"},"Action":"kms:CreateGrant"}`}, []string{"*"}, ptr(false)},
		{"service principal", []string{`{"Effect":"Allow","Principal":{"Service":"rds.amazonaws.com"},"Action":["kms:CreateGrant"]}`}, []string{"rds.amazonaws.com"}, ptr(false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := analyze(t, statements(tt.statements...))
			if !reflect.DeepEqual(f.CreateGrantPrincipals, tt.principals) {
				t.Errorf("CreateGrantPrincipals = %q, want %q", f.CreateGrantPrincipals, tt.principals)
			}
			if !reflect.DeepEqual(f.CreateGrantRequiresAWSResource, tt.requires) {
				t.Errorf("CreateGrantRequiresAWSResource = %s, want %s", boolStr(f.CreateGrantRequiresAWSResource), boolStr(tt.requires))
			}
		})
	}
}

func TestAnalyzeStatement(t *testing.T) {
	p := mustParse(t, readPolicy(t, "seed_autoscaling_grant_for_aws_resource.json"))
	if got := AnalyzeStatement(&p.Statements[0]); got.AllowsCreateGrant || got.CreateGrantRequiresAWSResource != nil {
		t.Errorf("usage statement facts = %+v, want no CreateGrant", got)
	}
	if got := AnalyzeStatement(&p.Statements[1]); !got.AllowsCreateGrant || !reflect.DeepEqual(got.CreateGrantRequiresAWSResource, ptr(true)) {
		t.Errorf("attachment statement facts = %+v, want CreateGrant requiring an AWS resource", got)
	}
	deny := mustParse(t, statements(`{"Effect":"Deny","Principal":"*","Action":"kms:CreateGrant"}`))
	if got := AnalyzeStatement(&deny.Statements[0]); got.AllowsCreateGrant {
		t.Errorf("a Deny statement must not count as allowing CreateGrant: %+v", got)
	}
}

func TestWildcardPrincipalFacts(t *testing.T) {
	tests := []struct {
		name                    string
		statement               string
		wildcard, unconditioned bool
	}{
		{"bare star with condition", `{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Condition":{"StringEquals":{"kms:CallerAccount":"123412341234"}}}`, true, false},
		{"AWS star unconditioned", `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt"}`, true, true},
		{"NotPrincipal allow", `{"Effect":"Allow","NotPrincipal":{"AWS":"` + adminRole + `"},"Action":"kms:Decrypt"}`, true, true},
		{"deny star is not exposure", `{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt"}`, false, false},
		{"named principal", `{"Effect":"Allow","Principal":{"AWS":"` + adminRole + `"},"Action":"kms:Decrypt"}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := analyze(t, statements(tt.statement))
			if f.HasWildcardPrincipal != tt.wildcard || f.HasUnconditionedWildcardPrincipal != tt.unconditioned {
				t.Errorf("wildcard/unconditioned = %v/%v, want %v/%v", f.HasWildcardPrincipal, f.HasUnconditionedWildcardPrincipal, tt.wildcard, tt.unconditioned)
			}
		})
	}
}

func TestAnalyzePolicyNil(t *testing.T) {
	if got := AnalyzePolicy(nil, keyAccount); !reflect.DeepEqual(got, PolicyFacts{}) {
		t.Errorf("AnalyzePolicy(nil) = %+v", got)
	}
}
