package analysis

import "testing"

// Expected identities written from the IAM identifiers reference
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html): role and user
// names are unique in an account whatever their path, and an assumed-role ARN
// (arn:aws:sts::account:assumed-role/role-name/role-session-name) is a session of that role.
func TestPrincipalIdentity(t *testing.T) {
	cases := map[string]string{
		"arn:aws:iam::111122223333:role/Deployer":                             "arn:aws:iam::111122223333:role/Deployer",
		"arn:aws:iam::111122223333:role/teams/build/Deployer":                 "arn:aws:iam::111122223333:role/Deployer",
		"arn:aws:sts::111122223333:assumed-role/Deployer/ci-42":               "arn:aws:iam::111122223333:role/Deployer",
		"arn:aws-cn:sts::111122223333:assumed-role/Deployer/s":                "arn:aws-cn:iam::111122223333:role/Deployer",
		"arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/Bob":     "arn:aws:iam::111122223333:user/Bob",
		"arn:aws:iam::111122223333:user/hugh-grant":                           "arn:aws:iam::111122223333:user/hugh-grant",
		"arn:aws:iam::111122223333:role/aws-service-role/rds.amazonaws.com/R": "arn:aws:iam::111122223333:role/R",
		"arn:aws:iam::111122223333:root":                                      "arn:aws:iam::111122223333:root",
		"111122223333":                                                        "111122223333",
		"ec2.amazonaws.com":                                                   "ec2.amazonaws.com",
		"arn:aws:sts::111122223333:federated-user/Bob":                        "arn:aws:sts::111122223333:federated-user/Bob",
		"AROADBQP57FF2AEXAMPLE":                                               "AROADBQP57FF2AEXAMPLE",
		"AWS Internal":                                                        "AWS Internal",
	}
	for in, want := range cases {
		if got := PrincipalIdentity(in); got == nil || *got != want {
			t.Errorf("PrincipalIdentity(%q) = %v, want %q", in, deref(got), want)
		}
	}
	if got := PrincipalIdentity(""); got != nil {
		t.Errorf("PrincipalIdentity(\"\") = %q, want nil", *got)
	}
}
