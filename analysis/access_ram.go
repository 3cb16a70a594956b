package analysis

import (
	"sort"
	"strings"
)

// The ram_share path. A key shared through AWS RAM carries a second key
// policy, AWS_RAM, that RAM writes from the share's managed permission
// (ListKeyPolicies: "A KMS key can have at most two key policies, default
// and AWS_RAM",
// https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyPolicies.html).
// Its Allow statements name the receiving accounts; as for any key policy
// statement naming another account, that account's IAM principals still
// need their own identity policy to allow, and only the operations AWS
// honours across accounts take effect ("Allowing users in other accounts to
// use a KMS key",
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).

// ramShareRows gives one row per principal an Allow statement of the
// AWS_RAM policy names, and per share that reaches it: the statements of
// one principal are merged, so the share is the row's source.
func (e *evaluator) ramShareRows() []AccessRow {
	pol := e.in.Key.RAMPolicy
	if pol == nil {
		return nil
	}
	builders := map[string]*rowBuilder{}
	var order []string
	for i := range pol.Statements {
		s := &pol.Statements[i]
		if s.Effect != EffectAllow {
			continue
		}
		ops := e.cache.of(s).onlyCrossAccount()
		for _, p := range allowedPrincipals(s) {
			p = e.normalisePrincipal(p)
			if p == "" {
				continue
			}
			facts := e.facts(p)
			if statementOutcome(s, facts) == outcomeFalse || ops == 0 {
				continue
			}
			source := e.shareSource(facts.account)
			id := p + "|" + source
			b, ok := builders[id]
			if !ok {
				b = e.newRow(p, PathRAMShare, source)
				if b.row.PrincipalAccountID != nil && b.row.IsCrossAccount {
					b.row.RequiresCallerIAM = true
				}
				if p == "*" {
					e.wildcardScope(&b.row, s)
				}
				builders[id] = b
				order = append(order, id)
			}
			b.ops.union(ops)
			b.addStatement(statementSource(RAMPolicyName, s), s)
		}
	}
	rows := make([]AccessRow, 0, len(order))
	for _, id := range order {
		rows = append(rows, e.finish(builders[id]))
	}
	return rows
}

// ramIAMRows gives the ram_share rows of the receiving accounts' IAM users
// and roles: the rule of iamRows for a principal of another account, with
// the AWS_RAM policy in place of the default one. One row per principal:
// its identity statements that allow are merged, the share is the source,
// and key_policy_source names the AWS_RAM statements.
func (e *evaluator) ramIAMRows() []AccessRow {
	pol := e.in.Key.RAMPolicy
	if pol == nil {
		return nil
	}
	var rows []AccessRow
	for i := range e.in.Principals {
		p := &e.in.Principals[i]
		if p.AccountID == e.in.Key.AccountID {
			continue // a share reaches other accounts
		}
		facts := e.facts(p.ARN)
		admitters, admitted := e.admitting(pol, p, facts)
		if admitted == 0 {
			continue
		}
		b := e.newRow(p.ARN, PathRAMShare, e.shareSource(p.AccountID))
		for _, st := range e.identityAllows(p, facts, admitted) {
			b.ops.union(st.ops)
			b.addStatement(statementSource(st.source.Source, &st.source.Statement), &st.source.Statement)
		}
		if b.ops == 0 {
			continue
		}
		var sids []string
		for _, s := range admitters {
			if e.cache.of(s).intersect(b.ops) != 0 {
				sids = append(sids, statementSource(RAMPolicyName, s))
				b.addStatement(statementSource(RAMPolicyName, s), s)
			}
		}
		joined := strings.Join(sids, ", ")
		b.row.KeyPolicySource = &joined
		rows = append(rows, e.finish(b))
	}
	return rows
}

// identityAllow is one identity statement of a principal and the admitted
// actions it allows on the key, within its permissions boundary.
type identityAllow struct {
	source *SourcedStatement
	ops    opSet
}

// identityAllows lists principal p's Allow statements on the key, each with
// the actions of admitted it allows after the permissions boundary; the
// boundary statements that cap them come last with no actions. iamRows and
// ramIAMRows share it.
func (e *evaluator) identityAllows(p *IAMPrincipal, facts principalFacts, admitted opSet) []identityAllow {
	var boundary opSet
	var boundaryStatements []identityAllow
	if p.HasBoundary {
		for j := range p.Boundary {
			bs := &p.Boundary[j]
			if bs.Statement.Effect == EffectAllow && resourceMatches(&bs.Statement, e.in.Key.ARN) && statementOutcome(&bs.Statement, facts) != outcomeFalse {
				boundary.union(e.cache.of(&bs.Statement))
				boundaryStatements = append(boundaryStatements, identityAllow{source: bs})
			}
		}
	}
	var out []identityAllow
	for j := range p.Statements {
		st := &p.Statements[j]
		s := &st.Statement
		if s.Effect != EffectAllow || !resourceMatches(s, e.in.Key.ARN) || statementOutcome(s, facts) == outcomeFalse {
			continue
		}
		ops := e.cache.of(s).intersect(admitted)
		if p.HasBoundary {
			ops = ops.intersect(boundary)
		}
		if ops != 0 {
			out = append(out, identityAllow{source: st, ops: ops})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return append(out, boundaryStatements...)
}

// shareSource names the ACTIVE shares of the key that reach account, sorted
// and comma-separated; RAMPolicyName when none does (the shares were not
// read, or the principal is "*").
func (e *evaluator) shareSource(account string) string {
	var arns []string
	for _, sh := range e.in.Key.Shares {
		if sh.Status != "ACTIVE" || account == "" {
			continue
		}
		for _, sp := range sh.Principals {
			if e.shareReaches(sp, account) {
				arns = appendUnique(arns, sh.ARN)
				break
			}
		}
	}
	if len(arns) == 0 {
		return RAMPolicyName
	}
	sort.Strings(arns)
	return strings.Join(arns, ", ")
}

// shareReaches reports whether a share principal covers account: the
// account itself, one of its IAM roles or users, its organization, or an
// OU on its path from the root (as the SCP and RCP levels list it).
func (e *evaluator) shareReaches(sp RAMSharePrincipal, account string) bool {
	switch ClassifyPrincipal(sp.ID) {
	case PrincipalAccountRoot, PrincipalIAMRole, PrincipalIAMUser:
		if PrincipalAccount(sp.ID) == account {
			return true
		}
	}
	if sp.ID == account {
		return true
	}
	org := e.in.Org
	if org == nil || !org.Accounts[account] {
		return false
	}
	if sp.ID == org.ID || strings.HasSuffix(sp.ID, "/"+org.ID) {
		return true
	}
	for _, levels := range [][]OrgLevel{org.SCPs[account], org.RCPs[account]} {
		for _, l := range levels {
			if l.Target == sp.ID || strings.HasSuffix(sp.ID, "/"+l.Target) {
				return true
			}
		}
	}
	return false
}
