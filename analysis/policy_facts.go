package analysis

import (
	"sort"
	"strings"
)

// PolicyFacts are the audit facts of one key policy. The json tags are the
// column names of aws_kms_key_policies.
//
// Only Allow statements are evaluated. Deny statements are listed in the
// statement rows but are not subtracted from the facts, so a fact can
// overstate access a Deny takes away; it never understates what the Allow
// statements give. Resource and NotResource are ignored: in a key policy
// they can only name the key itself.
type PolicyFacts struct {
	// AllowsIAMPolicies is true when the policy lets IAM policies in the
	// key's account grant access to the key, which is what AWS's default
	// key policy statement "Enable IAM User Permissions" does. The rule: an
	// Allow statement whose Principal AWS names the key account's root
	// (arn:<partition>:iam::<account>:root or the bare account id), that has
	// no NotPrincipal, that allows every KMS key action (kms:*, *, or any
	// Action/NotAction form that leaves none out), and that has no condition
	// restricting it to the root user itself. A condition restricts to the
	// root user when it uses a non-negated operator on aws:PrincipalType
	// with only the value "Account", on aws:PrincipalArn with only :root
	// ARNs, or on aws:userid with only account ids (the seed's
	// AllowRootAccountAccess statement is the example). Other conditions do
	// not change the answer.
	AllowsIAMPolicies bool `json:"allows_iam_policies"`

	// CreateGrantPrincipals are the principals of Allow statements whose
	// Action or NotAction covers kms:CreateGrant, sorted and unique. A
	// wildcard principal is "*"; an Allow with NotPrincipal counts as "*"
	// (everyone but the listed principals).
	CreateGrantPrincipals []string `json:"create_grant_principals"`

	// CreateGrantRequiresAWSResource is true when every Allow statement that
	// covers kms:CreateGrant has the condition {"Bool":
	// {"kms:GrantIsForAWSResource": true}} (JSON true or "true"), so grants
	// can only be created through AWS services. It is false when at least
	// one such statement lacks it, and nil when no Allow statement covers
	// kms:CreateGrant (nothing to restrict). BoolIfExists and set-qualified
	// forms do not count: they let requests without the key through.
	CreateGrantRequiresAWSResource *bool `json:"create_grant_requires_aws_resource"`

	// PutKeyPolicyPrincipals are the principals of Allow statements that
	// cover kms:PutKeyPolicy (the key administrators), sorted and unique.
	PutKeyPolicyPrincipals []string `json:"allows_put_key_policy_principals"`

	// HasWildcardPrincipal is true when an Allow statement names everyone:
	// Principal "*", {"AWS": "*"}, or NotPrincipal.
	HasWildcardPrincipal bool `json:"has_wildcard_principal"`
	// HasUnconditionedWildcardPrincipal is true when such a statement has
	// no Condition at all, i.e. the key is open to any AWS principal.
	HasUnconditionedWildcardPrincipal bool `json:"has_unconditioned_wildcard_principal"`
}

// StatementFacts are the per-statement facts stored alongside each
// statement row in aws_kms_key_policy_statements.
type StatementFacts struct {
	// AllowsCreateGrant is true for an Allow statement whose Action or
	// NotAction covers kms:CreateGrant.
	AllowsCreateGrant bool `json:"allows_create_grant"`
	// CreateGrantRequiresAWSResource says, for such a statement, whether it
	// carries {"Bool": {"kms:GrantIsForAWSResource": true}}; nil for other
	// statements.
	CreateGrantRequiresAWSResource *bool `json:"create_grant_requires_aws_resource"`
}

// AnalyzeStatement computes the facts of one statement.
func AnalyzeStatement(s *Statement) StatementFacts {
	var f StatementFacts
	if s.Effect == EffectAllow && s.AllowsAction(actionCreateGrant) {
		f.AllowsCreateGrant = true
		requires := requiresGrantForAWSResource(s)
		f.CreateGrantRequiresAWSResource = &requires
	}
	return f
}

// AnalyzePolicy computes the facts of a key policy on a key owned by
// keyAccount (the 12-digit account id; "" makes AllowsIAMPolicies false).
func AnalyzePolicy(p *Policy, keyAccount string) PolicyFacts {
	var f PolicyFacts
	if p == nil {
		return f
	}
	createGrant := principalSet{}
	putKeyPolicy := principalSet{}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect != EffectAllow {
			continue
		}
		principals := allowedPrincipals(s)
		if s.NotPrincipal != nil || s.Principal.IsWildcard() {
			f.HasWildcardPrincipal = true
			if len(s.ConditionList) == 0 {
				f.HasUnconditionedWildcardPrincipal = true
			}
		}
		if sf := AnalyzeStatement(s); sf.AllowsCreateGrant {
			createGrant.add(principals...)
			requires := *sf.CreateGrantRequiresAWSResource
			if f.CreateGrantRequiresAWSResource != nil {
				requires = requires && *f.CreateGrantRequiresAWSResource
			}
			f.CreateGrantRequiresAWSResource = &requires
		}
		if s.AllowsAction(actionPutKeyPolicy) {
			putKeyPolicy.add(principals...)
		}
		if enablesIAMPolicies(s, keyAccount) {
			f.AllowsIAMPolicies = true
		}
	}
	f.CreateGrantPrincipals = createGrant.sorted()
	f.PutKeyPolicyPrincipals = putKeyPolicy.sorted()
	return f
}

// allowedPrincipals are the principals an Allow statement applies to.
func allowedPrincipals(s *Statement) []string {
	if s.NotPrincipal != nil || s.Principal.IsWildcard() {
		return []string{"*"}
	}
	return s.PrincipalList
}

// enablesIAMPolicies applies the AllowsIAMPolicies rule to one statement.
func enablesIAMPolicies(s *Statement, keyAccount string) bool {
	if keyAccount == "" || s.NotPrincipal != nil || s.Principal == nil {
		return false
	}
	namesRoot := false
	for _, p := range s.Principal.AWS {
		if ClassifyPrincipal(p) == PrincipalAccountRoot && PrincipalAccount(p) == keyAccount {
			namesRoot = true
		}
	}
	if !namesRoot {
		return false
	}
	for _, action := range kmsKeyActions {
		if !s.AllowsAction(action) {
			return false
		}
	}
	for _, c := range s.ConditionList {
		if restrictsToRootUser(c) {
			return false
		}
	}
	return true
}

// rootIdentifyingValues says, per condition key, which values name only the
// root user: with a non-negated operator, such a condition admits the root
// user and nothing else.
var rootIdentifyingValues = map[string]func(string) bool{
	"aws:principaltype": func(v string) bool { return strings.EqualFold(v, "Account") },
	"aws:principalarn":  func(v string) bool { return ClassifyPrincipal(v) == PrincipalAccountRoot && !isAccountID(v) },
	"aws:userid":        isAccountID,
}

func restrictsToRootUser(c Condition) bool {
	isRootValue, ok := rootIdentifyingValues[strings.ToLower(c.Key)]
	if !ok || len(c.Values) == 0 {
		return false
	}
	base := c.BaseOperator()
	if strings.Contains(base, "Not") || base == "Null" {
		return false
	}
	for _, v := range c.Values {
		if !isRootValue(v) {
			return false
		}
	}
	return true
}

// requiresGrantForAWSResource reports whether the statement carries a plain
// Bool condition with kms:GrantIsForAWSResource true and no other value.
func requiresGrantForAWSResource(s *Statement) bool {
	for _, c := range s.ConditionList {
		if c.Operator != "Bool" || !strings.EqualFold(c.Key, "kms:GrantIsForAWSResource") || len(c.Values) == 0 {
			continue
		}
		allTrue := true
		for _, v := range c.Values {
			allTrue = allTrue && strings.EqualFold(v, "true")
		}
		if allTrue {
			return true
		}
	}
	return false
}

// principalSet collects principal strings for sorted, unique output.
type principalSet map[string]bool

func (s principalSet) add(principals ...string) {
	for _, p := range principals {
		s[p] = true
	}
}

func (s principalSet) sorted() []string {
	out := make([]string, 0, len(s))
	for p := range s {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
