package client

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSpecDefaults(t *testing.T) {
	spec, err := ParseSpec(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Regions) != 1 || spec.Regions[0] != "*" {
		t.Errorf("regions default %v, want [*]", spec.Regions)
	}
	if *spec.MaxRetries != defaultMaxRetries || *spec.MaxBackoff != defaultMaxBackoff || *spec.Concurrency != defaultConcurrency {
		t.Errorf("defaults not applied: %+v", spec)
	}
}

func TestParseSpecAcceptsCloudQueryAWSKeys(t *testing.T) {
	spec, err := ParseSpec([]byte(`{
		"regions": ["us-east-1", "eu-west-1"],
		"org": {"admin_account": {"local_profile": "mgmt", "role_arn": "arn:aws:iam::111111111111:role/OrgReader", "external_id": "x"},
		        "member_role_name": "OrganizationAccountAccessRole", "member_role_session_name": "audit",
		        "organization_units": ["ou-ab12-cd34ef56"], "skip_organization_units": ["ou-ab12-99999999"],
		        "skip_member_accounts": ["222222222222"]},
		"custom_endpoint_url": "http://127.0.0.1:4566", "max_retries": 3, "max_backoff": 5, "concurrency": 100,
		"shard": {"index": 1, "total": 3}}`))
	if err != nil {
		t.Fatal(err)
	}
	if spec.Org.MemberRoleSessionName != "audit" || *spec.MaxRetries != 3 || spec.Shard.Index != 1 {
		t.Errorf("spec not decoded: %+v", spec)
	}
}

// Each case names the field and says how to fix it; several mistakes are reported together.
func TestParseSpecErrors(t *testing.T) {
	cases := []struct {
		name string
		spec string
		want []string
	}{
		{"unknown key", `{"region": ["us-east-1"]}`, []string{`spec.region: unknown field; did you mean "regions"?`}},
		{"unknown nested key", `{"org": {"member_role_name": "R", "admin": {}}}`, []string{"spec.org.admin: unknown field; remove it or use one of: admin_account,"}},
		{"wrong type", `{"max_retries": "10"}`, []string{`spec.max_retries: expected a whole number, got the string "10"`}},
		{"wrong list type", `{"regions": "us-east-1"}`, []string{`spec.regions: expected a list of strings, got the string "us-east-1"`}},
		{"bad region", `{"regions": ["us-east-1", "useast2"]}`, []string{`spec.regions[1]: "useast2" is not a region name; use names like us-east-1`}},
		{"star with others", `{"regions": ["*", "us-east-1"]}`, []string{`spec.regions[0]: "*" already means every enabled region`}},
		{"accounts and org", `{"accounts": [{"id": "a"}], "org": {"member_role_name": "R"}}`, []string{"spec: `accounts` and `org` cannot be used together"}},
		{"malformed role arn", `{"accounts": [{"id": "a", "role_arn": "arn:aws:iam::12:role/x"}]}`, []string{`spec.accounts[0].role_arn: "arn:aws:iam::12:role/x" is not an IAM role ARN; use the form arn:aws:iam::123456789012:role/RoleName`}},
		{"missing account id", `{"accounts": [{"role_arn": "arn:aws:iam::123456789012:role/x"}]}`, []string{"spec.accounts[0].id: is required"}},
		{"external id without role", `{"accounts": [{"id": "a", "external_id": "x"}]}`, []string{"spec.accounts[0].external_id: only applies with role_arn"}},
		{"member role as arn", `{"org": {"member_role_name": "arn:aws:iam::123456789012:role/R"}}`, []string{"spec.org.member_role_name: \"arn:aws:iam::123456789012:role/R\" is not a role name; give the name only"}},
		{"missing member role", `{"org": {}}`, []string{"spec.org.member_role_name: is required"}},
		{"bad ou", `{"org": {"member_role_name": "R", "organization_units": ["sales"]}}`, []string{`spec.org.organization_units[0]: "sales" is not an organizational unit or root id`}},
		{"bad skip account", `{"org": {"member_role_name": "R", "skip_member_accounts": ["12345"]}}`, []string{`spec.org.skip_member_accounts[0]: "12345" is not an account id`}},
		{"endpoint", `{"custom_endpoint_url": "localhost:4566"}`, []string{`spec.custom_endpoint_url: "localhost:4566" is not a usable URL`}},
		{"negative retries", `{"max_retries": -1}`, []string{"spec.max_retries: -1 is negative"}},
		{"zero backoff", `{"max_backoff": 0}`, []string{"spec.max_backoff: 0 must be at least 1 second"}},
		{"zero timeout", `{"request_timeout": 0}`, []string{"spec.request_timeout: 0 must be at least 1 second"}},
		{"zero concurrency", `{"concurrency": 0}`, []string{"spec.concurrency: 0 must be at least 1"}},
		{"shard out of range", `{"shard": {"index": 3, "total": 3}}`, []string{"spec.shard.index: 3 is out of range; use 0 to 2 for shard.total 3"}},
		{"shard total", `{"shard": {"index": 0, "total": 0}}`, []string{"spec.shard.total: 0 must be at least 1"}},
		{"not an object", `["us-east-1"]`, []string{"spec: expected an object (key: value), got a list"}},
		{"several at once", `{"regions": ["moon-1"], "max_backoff": 0, "foo": 1}`, []string{
			"3 problems", `spec.foo: unknown field`, `spec.regions[0]: "moon-1" is not a region name`, "spec.max_backoff: 0 must be at least 1 second"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpec([]byte(tc.spec))
			var specErr *SpecError
			if !errors.As(err, &specErr) {
				t.Fatalf("got %v, want a SpecError", err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%s\ndoes not contain\n%s", err, want)
				}
			}
		})
	}
}

func TestParseSpecPacingErrors(t *testing.T) {
	for spec, want := range map[string]string{
		`{"quota_share": 0}`:                      "spec.quota_share: 0 is out of range",
		`{"quota_share": 1.5}`:                    "spec.quota_share: 1.5 is out of range",
		`{"rate_limits": {"ListGrants": -1}}`:     "spec.rate_limits.ListGrants: -1 must be above 0",
		`{"rate_limits": {"ListGrant": 10}}`:      "spec.rate_limits.ListGrant: not an operation the plugin calls; use one of: AssumeRole, DescribeBackups, DescribeClusters, DescribeKey,",
		`{"rate_limits": {"ListGrants": "fast"}}`: `spec.rate_limits: expected an object of numbers, got an object`,
	} {
		_, err := ParseSpec([]byte(spec))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", spec, err, want)
		}
	}
}
