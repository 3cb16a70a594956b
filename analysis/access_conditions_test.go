package analysis

import "testing"

// Cases from "IAM JSON policy elements: Condition operators"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
// a missing key makes a condition false, except negated operators (true) and ...IfExists (true);
// a negated operator with several values holds only when none matches. And from
// "aws:PrincipalOrgID" in "AWS global condition context keys".
func TestConditionOutcome(t *testing.T) {
	yes, no := true, false
	member := principalFacts{known: true, arn: "arn:aws:iam::444455556666:role/R", account: "444455556666", inOrg: &yes, orgID: orgID}
	outsider := principalFacts{known: true, arn: "arn:aws:iam::123456789012:role/R", account: "123456789012", inOrg: &no, orgID: orgID}
	service := principalFacts{known: true, arn: "logs.amazonaws.com", isService: true}
	c := func(op, key string, values ...string) Condition {
		return Condition{Operator: op, Key: key, Values: values}
	}
	tests := []struct {
		name  string
		cond  Condition
		facts principalFacts
		want  outcome
	}{
		{"org id equal, member", c("StringEquals", "aws:PrincipalOrgID", orgID), member, outcomeTrue},
		{"org id equal, outsider", c("StringEquals", "aws:PrincipalOrgID", orgID), outsider, outcomeFalse},
		{"org id not equal, outsider (absent or other: true)", c("StringNotEqualsIfExists", "aws:PrincipalOrgID", orgID), outsider, outcomeTrue},
		{"org id equal if exists, outsider (absent passes)", c("StringEqualsIfExists", "aws:PrincipalOrgID", orgID), outsider, outcomeUnknown},
		{"org id for *", c("StringEquals", "aws:PrincipalOrgID", orgID), principalFacts{}, outcomeUnknown},
		{"caller account listed", c("StringEquals", "kms:CallerAccount", "111122223333", "444455556666"), member, outcomeTrue},
		{"negated, several values: none may match", c("StringNotEquals", "aws:PrincipalAccount", "111122223333", "444455556666"), member, outcomeFalse},
		{"principal ARN like", c("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/R"), member, outcomeTrue},
		{"principal ARN not like", c("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Admin*"), member, outcomeTrue},
		{"is AWS service", c("Bool", "aws:PrincipalIsAWSService", "false"), service, outcomeFalse},
		{"is AWS service, role", c("Bool", "aws:PrincipalIsAWSService", "false"), member, outcomeTrue},
		{"via service: depends on the request", c("StringEquals", "kms:ViaService", "ec2.us-east-1.amazonaws.com"), member, outcomeUnknown},
		{"set operator: not decided", c("ForAnyValue:StringEquals", "aws:PrincipalAccount", "444455556666"), member, outcomeUnknown},
	}
	for _, tt := range tests {
		if got := conditionOutcome(tt.cond, tt.facts); got != tt.want {
			t.Errorf("%s: outcome %d, want %d", tt.name, got, tt.want)
		}
	}
}
