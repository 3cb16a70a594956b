package kms

import "testing"

// The default key policy of AWS's documentation ("Enable IAM User Permissions") lets IAM policies
// grant access in the account it names, and only there: the same document read for a key of
// another account must not reuse the first account's facts.
func TestPolicyAnalysisIsPerAccount(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	own := analysePolicy("111122223333", doc)
	other := analysePolicy("444455556666", doc)
	if own.err != nil || other.err != nil {
		t.Fatalf("parse errors: %v, %v", own.err, other.err)
	}
	if !own.facts.AllowsIAMPolicies {
		t.Error("key of 111122223333: allows_iam_policies = false, want true (the policy names its root)")
	}
	if other.facts.AllowsIAMPolicies {
		t.Error("key of 444455556666: allows_iam_policies = true, want false (the policy names another account's root)")
	}
	if again := analysePolicy("111122223333", doc); again != own {
		t.Error("the same document of the same account was analysed again")
	}
	if bad := analysePolicy("111122223333", `{"Statement":`); bad.err == nil {
		t.Error("a truncated document parsed without error")
	}
}
