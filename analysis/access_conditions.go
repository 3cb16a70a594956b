package analysis

import "strings"

// outcome is what can be said about a condition without a request: it
// holds, it fails, or it depends on the request (encryption context, the
// calling service, the time, ...).
type outcome int8

const (
	outcomeUnknown outcome = iota
	outcomeTrue
	outcomeFalse
)

// principalFacts are the request-context values an access row fixes: who
// the caller is. Only they are evaluated; every other condition key is kept
// and shown, never guessed.
type principalFacts struct {
	// known is false for the "*" rows: nothing is fixed.
	known   bool
	arn     string
	account string
	// inOrg is nil when the organization is unknown.
	inOrg     *bool
	orgID     string
	isService bool
}

// statementOutcome ANDs the conditions of a statement ("Condition
// operators": every condition in a Condition block must hold,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
func statementOutcome(s *Statement, f principalFacts) outcome {
	result := outcomeTrue
	for _, c := range s.ConditionList {
		switch conditionOutcome(c, f) {
		case outcomeFalse:
			return outcomeFalse
		case outcomeUnknown:
			result = outcomeUnknown
		}
	}
	return result
}

// conditionOutcome evaluates one condition on the principal's own keys:
// aws:PrincipalAccount and kms:CallerAccount (the caller's account),
// aws:PrincipalArn, aws:PrincipalOrgID and aws:PrincipalIsAWSService
// ("AWS global condition context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html;
// kms:CallerAccount in "AWS KMS condition keys"). Set operators
// (ForAnyValue/ForAllValues) and other keys are unknown.
func conditionOutcome(c Condition, f principalFacts) outcome {
	if !f.known || c.Qualifier() != "" {
		return outcomeUnknown
	}
	key := strings.ToLower(c.Key)
	base := c.BaseOperator()
	negated := strings.Contains(base, "Not")
	switch key {
	case "aws:principalaccount", "kms:calleraccount":
		if f.isService || f.account == "" {
			return outcomeUnknown
		}
		return compare(c, base, negated, f.account)
	case "aws:principalarn":
		if f.isService || f.arn == "" || ClassifyPrincipal(f.arn) == PrincipalAccountRoot {
			return outcomeUnknown
		}
		return compare(c, base, negated, f.arn)
	case "aws:principalisawsservice":
		if base != "Bool" {
			return outcomeUnknown
		}
		return compare(c, "StringEquals", false, boolString(f.isService))
	case "aws:principalorgid":
		if f.isService || f.inOrg == nil || f.orgID == "" {
			return outcomeUnknown
		}
		if *f.inOrg {
			return compare(c, base, negated, f.orgID)
		}
		// Outside our organization the value is another organization's id
		// or absent: only a comparison with our id alone is decided.
		for _, v := range c.Values {
			if v != f.orgID || base != "StringEquals" && base != "StringNotEquals" {
				return outcomeUnknown
			}
		}
		switch {
		case negated:
			return outcomeTrue // other id: not equal; absent: negated operators hold
		case c.IfExists():
			return outcomeUnknown // absent passes, another id fails
		}
		return outcomeFalse
	}
	return outcomeUnknown
}

// compare applies a string, ARN or Bool operator to a present value.
func compare(c Condition, base string, negated bool, value string) outcome {
	like := strings.Contains(base, "Like")
	switch strings.Replace(base, "Not", "", 1) {
	case "StringEquals", "StringLike", "ArnEquals", "ArnLike", "StringEqualsIgnoreCase", "Bool":
	default:
		return outcomeUnknown
	}
	ignoreCase := strings.HasSuffix(base, "IgnoreCase") || base == "Bool"
	matched := false
	for _, v := range c.Values {
		switch {
		case like || strings.HasPrefix(base, "Arn"):
			matched = matched || globMatch(v, value)
		case ignoreCase:
			matched = matched || strings.EqualFold(v, value)
		default:
			matched = matched || v == value
		}
	}
	if matched != negated {
		return outcomeTrue
	}
	return outcomeFalse
}

// globMatch matches a "Like" or ARN pattern. It is case-insensitive like
// ActionMatches, so a mixed-case near miss counts as a match.
func globMatch(pattern, value string) bool { return ActionMatches(pattern, value) }

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
