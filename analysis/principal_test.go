package analysis

import (
	"strings"
	"testing"
)

func TestClassifyPrincipal(t *testing.T) {
	tests := []struct {
		principal string
		want      PrincipalType
		account   string
	}{
		// Service principals, regional and global, in every partition.
		{"rds.us-east-1.amazonaws.com", PrincipalAWSService, ""},
		{"ec2.amazonaws.com", PrincipalAWSService, ""},
		{"logs.eu-west-1.amazonaws.com", PrincipalAWSService, ""},
		{"ec2.amazonaws.com.cn", PrincipalAWSService, ""},
		{"EC2.AmazonAWS.com", PrincipalAWSService, ""},
		{"s3.c2s.ic.gov", PrincipalAWSService, ""},
		{".amazonaws.com", PrincipalUnknown, ""},
		{"amazonaws.com", PrincipalUnknown, ""},
		{"ec2..amazonaws.com", PrincipalUnknown, ""},
		{"evil.com/ec2.amazonaws.com", PrincipalUnknown, ""},
		{"ec2.amazonaws.com.evil.com", PrincipalUnknown, ""},

		{"AWS Internal", PrincipalAWSInternal, ""},
		{"aws internal", PrincipalUnknown, ""},
		{" AWS Internal", PrincipalUnknown, ""},

		// Accounts.
		{"arn:aws:iam::123456789012:root", PrincipalAccountRoot, "123456789012"},
		{"arn:aws-cn:iam::123456789012:root", PrincipalAccountRoot, "123456789012"},
		{"arn:aws-us-gov:iam::123456789012:root", PrincipalAccountRoot, "123456789012"},
		{"123456789012", PrincipalAccountRoot, "123456789012"},
		{"12345678901", PrincipalUnknown, ""},
		{"1234567890123", PrincipalUnknown, ""},
		{"12345678901a", PrincipalUnknown, ""},
		{"arn:aws:iam::12345678901:root", PrincipalUnknown, ""},
		{"arn:aws:iam::123456789012:rootx", PrincipalUnknown, "123456789012"},
		{"arn:aws:iam:us-east-1:123456789012:root", PrincipalUnknown, "123456789012"},
		{"arn:aws-foo:iam::123456789012:root", PrincipalUnknown, ""},

		// Roles, service-linked roles included, and users.
		{"arn:aws:iam::123456789012:role/KeyAdminRole", PrincipalIAMRole, "123456789012"},
		{"arn:aws:iam::123456789012:role/path/to/Deploy", PrincipalIAMRole, "123456789012"},
		{"arn:aws:iam::123412341234:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", PrincipalIAMRole, "123412341234"},
		{"arn:aws-cn:iam::123456789012:role/r", PrincipalIAMRole, "123456789012"},
		{"arn:aws:iam::123456789012:role/", PrincipalUnknown, "123456789012"},
		{"arn:aws:iam::123456789012:role/path/", PrincipalUnknown, "123456789012"},
		{"arn:aws:iam::123456789012:user/hugh-grant", PrincipalIAMUser, "123456789012"},
		{"arn:aws-us-gov:iam::123456789012:user/division/sample-user", PrincipalIAMUser, "123456789012"},
		{"arn:aws:iam::123456789012:user", PrincipalUnknown, "123456789012"},
		{"arn:aws:iam::123456789012:group/admins", PrincipalUnknown, "123456789012"},

		// STS sessions.
		{"arn:aws:sts::123456789012:assumed-role/Deploy/session-1", PrincipalAssumedRole, "123456789012"},
		{"arn:aws-cn:sts::123456789012:assumed-role/Deploy/i-0abc", PrincipalAssumedRole, "123456789012"},
		{"arn:aws:sts::123456789012:assumed-role/Deploy", PrincipalUnknown, "123456789012"},
		{"arn:aws:sts::123456789012:assumed-role/Deploy/", PrincipalUnknown, "123456789012"},
		{"arn:aws:sts::123456789012:federated-user/bob", PrincipalFederatedUser, "123456789012"},
		{"arn:aws:sts::123456789012:federated-user/", PrincipalUnknown, "123456789012"},
		{"arn:aws:sts::123456789012:role/r", PrincipalUnknown, "123456789012"},

		// Unique ids of deleted principals.
		{"AROADBQP57FF2AEXAMPLE", PrincipalUniqueID, ""},
		{"AIDACKCEVSQ6C2EXAMPLE", PrincipalUniqueID, ""},
		{"AKIAIOSFODNN7EXAMPLE", PrincipalUnknown, ""},
		{"AROA", PrincipalUnknown, ""},
		{"aroadbqp57ff2aexample", PrincipalUnknown, ""},
		{"AROADBQP57FF2A-XAMPLE", PrincipalUnknown, ""},

		// Garbage.
		{"", PrincipalUnknown, ""},
		{"*", PrincipalUnknown, ""},
		{"arn:", PrincipalUnknown, ""},
		{"arn:aws:iam::123456789012", PrincipalUnknown, ""},
		{"arn:aws:iam::123456789012:", PrincipalUnknown, "123456789012"},
		{"arn:aws:kms:us-east-1:123456789012:key/abc", PrincipalUnknown, "123456789012"},
		{"\x00\xff", PrincipalUnknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.principal, func(t *testing.T) {
			if got := ClassifyPrincipal(tt.principal); got != tt.want {
				t.Errorf("ClassifyPrincipal(%q) = %q, want %q", tt.principal, got, tt.want)
			}
			if got := PrincipalAccount(tt.principal); got != tt.account {
				t.Errorf("PrincipalAccount(%q) = %q, want %q", tt.principal, got, tt.account)
			}
		})
	}
}

func TestIsServiceLinkedRole(t *testing.T) {
	tests := map[string]bool{
		"arn:aws:iam::123412341234:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling": true,
		"arn:aws-cn:iam::123412341234:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS":              true,
		"arn:aws:iam::123412341234:role/KeyAdminRole":                                                            false,
		"arn:aws:iam::123412341234:role/team/aws-service-role/x":                                                 false,
		"arn:aws:iam::123412341234:user/aws-service-role/x":                                                      false,
		"autoscaling.amazonaws.com":                                                                              false,
		"":                                                                                                       false,
	}
	for p, want := range tests {
		if got := IsServiceLinkedRole(p); got != want {
			t.Errorf("IsServiceLinkedRole(%q) = %v, want %v", p, got, want)
		}
	}
}

// The seed's inventory query treats '%.amazonaws.com' and 'AWS Internal' as
// services; ClassifyPrincipal must agree on every plain case the query
// handles, so the SQL and the computed columns never contradict each other.
func TestClassifyPrincipalAgreesWithSeedQuery(t *testing.T) {
	seedSaysService := func(p string) bool {
		return strings.HasSuffix(p, ".amazonaws.com") || p == "AWS Internal"
	}
	for _, p := range []string{
		"rds.us-east-1.amazonaws.com", "ec2.amazonaws.com", "AWS Internal",
		"arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:user/sample-user",
		"AROADBQP57FF2AEXAMPLE", "123456789012",
	} {
		typ := ClassifyPrincipal(p)
		isService := typ == PrincipalAWSService || typ == PrincipalAWSInternal
		if isService != seedSaysService(p) {
			t.Errorf("%q: classified %s, seed query says service=%v", p, typ, seedSaysService(p))
		}
	}
}
