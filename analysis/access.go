package analysis

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// AccessPath is how a principal reaches a key.
type AccessPath string

const (
	// PathKeyPolicy: an Allow statement of the key policy names the
	// principal (or "*").
	PathKeyPolicy AccessPath = "key_policy"
	// PathIAMPolicy: an identity-based policy of the principal allows it,
	// and the key policy lets that account's IAM policies count.
	PathIAMPolicy AccessPath = "iam_policy"
	// PathGrant: a grant on the key names the principal as grantee.
	PathGrant AccessPath = "grant"
	// PathRAMShare: an AWS RAM resource share gives the principal's account
	// the key; the key's AWS_RAM policy, which RAM manages, says what.
	PathRAMShare AccessPath = "ram_share"
)

// RAMPolicyName is the name of the key policy AWS RAM manages on a shared
// key, beside "default".
const RAMPolicyName = "AWS_RAM"

// AccessKey is a key and what is attached to it.
type AccessKey struct {
	ARN       string
	AccountID string
	// Policy is the parsed key policy; nil when it could not be read, which
	// leaves the key with grant rows only.
	Policy *Policy
	Grants []kmstypes.GrantListEntry
	// AWSManaged keys are outside the reach of RCPs.
	AWSManaged bool
	// RAMPolicy is the parsed AWS_RAM key policy of a key shared through
	// AWS RAM; nil when the key is not shared or it could not be read.
	RAMPolicy *Policy
	// Shares are the AWS RAM resource shares that include the key; they
	// name the source of the ram_share rows.
	Shares []RAMShare
}

// RAMShare is an AWS RAM resource share of the key
// (aws_ram_kms_key_shares): its ARN, status and principals.
type RAMShare struct {
	ARN string
	// Status is the share's status; only ACTIVE shares name a row's source.
	Status     string
	Principals []RAMSharePrincipal
}

// RAMSharePrincipal is one principal of a share, as ListPrincipals gives
// it: an account id, an organization or OU id, or an IAM role or user ARN.
type RAMSharePrincipal struct {
	ID   string
	Type string
}

// SourcedStatement is a statement and the policy it came from: a managed
// policy ARN, or "<user, group or role ARN>/inline/<policy name>".
type SourcedStatement struct {
	Source    string
	Statement Statement
}

// IAMPrincipal is an IAM user or role and every statement of its
// identity-based policies: inline, attached managed, and, for a user, those
// of its groups. Only statements that can reach KMS actions need be given.
type IAMPrincipal struct {
	ARN        string
	AccountID  string
	Statements []SourcedStatement
	// HasBoundary is true when a permissions boundary is set; Boundary
	// holds its statements.
	HasBoundary bool
	Boundary    []SourcedStatement
}

// OrgPolicy is an SCP or RCP document; Source names it in denied_by (e.g.
// "scp:p-examplepolicyid111").
type OrgPolicy struct {
	Source string
	Policy *Policy
}

// OrgLevel is one node of the path from the organization root to an
// account (the root, each OU, the account itself) and the policies attached
// to it.
type OrgLevel struct {
	Target   string
	Policies []OrgPolicy
}

// Organization is what the access evaluation needs from AWS Organizations.
type Organization struct {
	ID                string
	ManagementAccount string
	Accounts          map[string]bool
	// SCPs and RCPs map an account to its levels, root first. An account
	// missing from a map has unknown policies and none are applied.
	SCPs map[string][]OrgLevel
	RCPs map[string][]OrgLevel
}

// AccessInput is everything EvaluateKeyAccess reads.
type AccessInput struct {
	Key AccessKey
	// Principals are the IAM users and roles of every account whose IAM was
	// read.
	Principals []IAMPrincipal
	// Org is nil when the organization is unknown: no SCP or RCP is applied
	// and is_outside_organization is NULL.
	Org *Organization
	// Cache, when set, keeps the expansion of each statement's actions across
	// calls that share statements (the same principals for every key). It is
	// not safe for concurrent use.
	Cache *ActionCache
}

// ActionCache remembers which KMS key actions each statement covers.
type ActionCache struct{ ops map[*Statement]opSet }

// NewActionCache returns an empty cache for AccessInput.Cache.
func NewActionCache() *ActionCache { return &ActionCache{ops: map[*Statement]opSet{}} }

func (c *ActionCache) of(s *Statement) opSet {
	ops, ok := c.ops[s]
	if !ok {
		ops = statementOps(s)
		c.ops[s] = ops
	}
	return ops
}

// AccessRow is one row of aws_kms_key_access: one (key, principal, path,
// source). The json tags are the column names.
type AccessRow struct {
	KeyARN             string     `json:"key_arn"`
	Principal          string     `json:"principal"`
	PrincipalAccountID *string    `json:"principal_account_id"`
	Path               AccessPath `json:"path"`
	Source             string     `json:"source"`
	// KeyPolicySource names the key policy statements that let an IAM
	// path count (iam_policy rows only).
	KeyPolicySource *string `json:"key_policy_source"`
	// Operations are the KMS actions the path allows, wildcards expanded,
	// before any Deny.
	Operations []string `json:"operations"`
	// DeniedOperations are those an explicit Deny takes away.
	DeniedOperations []string `json:"denied_operations"`
	// The allows_* flags describe Operations minus DeniedOperations.
	AccessFamilies
	// Conditions lists, per contributing statement or grant, its Condition
	// element or grant constraints: [{"source": ..., "condition": ...}].
	Conditions    json.RawMessage `json:"conditions"`
	IsConditional bool            `json:"is_conditional"`
	// IsCrossAccount: the principal's account is not the key's ("*" counts
	// unless its conditions pin the caller to the key's account).
	IsCrossAccount bool `json:"is_cross_account"`
	// IsOutsideOrganization is NULL when the organization is unknown or the
	// principal is a service.
	IsOutsideOrganization *bool `json:"is_outside_organization"`
	// RequiresCallerIAM marks key_policy rows for principals of another
	// account: the key policy alone is not enough, the caller's own IAM
	// policy must allow too (the iam_policy rows show where it does).
	RequiresCallerIAM bool `json:"requires_caller_iam"`
	// DeniedBy names the explicit Denies that apply for certain; NULL when
	// none. The row is kept.
	DeniedBy *string `json:"denied_by"`
	// PossiblyDeniedBy names Denies whose conditions depend on the request.
	PossiblyDeniedBy []string `json:"possibly_denied_by"`
}

// EvaluateKeyAccess returns the access rows of one key, sorted by path,
// principal and source. It follows "Determining access to AWS KMS keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html)
// and IAM's "Policy evaluation logic"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
//   - key_policy: every principal an Allow statement names, with the actions
//     it allows; principals of other accounts keep only the cross-account
//     actions and need their own IAM policy too (requires_caller_iam);
//   - iam_policy: an identity policy counts only for the actions the key
//     policy gives its account's root (same account: "Default key policy",
//     "allows IAM policies"), or, across accounts, gives the principal, its
//     account or "*" — and only cross-account actions; a permissions
//     boundary caps it;
//   - ram_share: the key's AWS_RAM policy (written by AWS RAM for a share)
//     read as a key policy for principals of other accounts: its principals
//     with the cross-account actions (requires_caller_iam), and the IAM
//     principals of those accounts that their identity policies allow; the
//     source is the ACTIVE share that reaches the account (access_ram.go);
//   - grant: a grant needs nothing else;
//   - an explicit Deny (default or AWS_RAM key policy, identity policy or
//     boundary, SCP, RCP)
//     wins; SCPs bind principals of member accounts, never the management
//     account, service principals or service-linked roles; RCPs bind the
//     customer managed keys of member accounts, except kms:RetireGrant.
//
// Conditions are evaluated only on the caller's own keys (account, ARN,
// organization, is-service); everything else is shown in the conditions
// column and makes the row conditional.
func EvaluateKeyAccess(in AccessInput) []AccessRow {
	e := &evaluator{in: in, principals: map[string]*IAMPrincipal{}, cache: in.Cache}
	if e.cache == nil {
		e.cache = NewActionCache()
	}
	for i := range in.Principals {
		e.principals[strings.ToLower(in.Principals[i].ARN)] = &in.Principals[i]
	}
	var rows []AccessRow
	rows = append(rows, e.keyPolicyRows()...)
	rows = append(rows, e.iamRows()...)
	rows = append(rows, e.ramShareRows()...)
	rows = append(rows, e.ramIAMRows()...)
	rows = append(rows, e.grantRows()...)
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Path != b.Path {
			return pathOrder(a.Path) < pathOrder(b.Path)
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		return a.Source < b.Source
	})
	return rows
}

func pathOrder(p AccessPath) int {
	switch p {
	case PathKeyPolicy:
		return 0
	case PathIAMPolicy:
		return 1
	case PathRAMShare:
		return 2
	}
	return 3
}

type evaluator struct {
	in         AccessInput
	principals map[string]*IAMPrincipal
	cache      *ActionCache
}

// conditionEntry is one element of the conditions column.
type conditionEntry struct {
	Source    string          `json:"source"`
	Condition json.RawMessage `json:"condition"`
}

// rowBuilder gathers one row's operations and conditions.
type rowBuilder struct {
	row         AccessRow
	ops         opSet
	extra       []string // grant operations unknown to kmsKeyActions
	conditions  []conditionEntry
	conditional bool
	facts       principalFacts
}

func (b *rowBuilder) addStatement(source string, s *Statement) {
	if len(s.ConditionList) == 0 {
		return
	}
	b.conditions = append(b.conditions, conditionEntry{Source: source, Condition: s.Conditions})
	if statementOutcome(s, b.facts) != outcomeTrue {
		b.conditional = true
	}
}

// facts fixes what the row's principal says about the request.
func (e *evaluator) facts(principal string) principalFacts {
	if principal == "*" {
		return principalFacts{}
	}
	f := principalFacts{known: true, arn: principal}
	if ClassifyPrincipal(principal) == PrincipalAWSService {
		f.isService = true
		return f
	}
	f.account = PrincipalAccount(principal)
	if org := e.in.Org; org != nil && len(org.Accounts) > 0 && f.account != "" {
		in := org.Accounts[f.account]
		f.inOrg = &in
		f.orgID = org.ID
	}
	return f
}

// normalisePrincipal writes a bare account id as its root ARN, as AWS does
// when it stores a key policy.
func (e *evaluator) normalisePrincipal(p string) string {
	if isAccountID(p) {
		return accountRootARN(e.in.Key.ARN, p)
	}
	return p
}

func (e *evaluator) keyPolicyRows() []AccessRow {
	pol := e.in.Key.Policy
	if pol == nil {
		return nil
	}
	var rows []AccessRow
	// seen keeps (principal, source) unique: a principal written twice (an account id and its
	// root ARN) is one row, and a Sid used twice is told apart by the statement's index.
	seen := map[[2]string]bool{}
	for i := range pol.Statements {
		s := &pol.Statements[i]
		if s.Effect != EffectAllow {
			continue
		}
		ops := e.cache.of(s)
		for _, p := range allowedPrincipals(s) {
			p = e.normalisePrincipal(p)
			if p == "" {
				continue // names nobody; KMS would not have accepted it
			}
			source := statementSource("", s)
			if seen[[2]string{p, source}] {
				if seen[[2]string{p, "#" + strconv.Itoa(i)}] {
					continue
				}
				source += " (Statement[" + strconv.Itoa(i) + "])"
			}
			seen[[2]string{p, source}] = true
			seen[[2]string{p, "#" + strconv.Itoa(i)}] = true
			b := e.newRow(p, PathKeyPolicy, source)
			if statementOutcome(s, b.facts) == outcomeFalse {
				continue
			}
			b.ops = ops
			if b.row.PrincipalAccountID != nil && b.row.IsCrossAccount {
				b.ops = ops.onlyCrossAccount()
				b.row.RequiresCallerIAM = true
			}
			if p == "*" {
				e.wildcardScope(&b.row, s)
			}
			if b.ops == 0 && len(b.extra) == 0 {
				continue
			}
			b.addStatement(b.row.Source, s)
			rows = append(rows, e.finish(b))
		}
	}
	return rows
}

// wildcardScope decides is_cross_account and is_outside_organization of a
// "*" row from its statement's conditions on the caller: an outsider for
// whom they fail cannot use the path.
func (e *evaluator) wildcardScope(row *AccessRow, s *Statement) {
	otherAccount := principalFacts{known: true, account: "(another account)"}
	row.IsCrossAccount = statementOutcome(s, otherAccount) != outcomeFalse
	if org := e.in.Org; org != nil && len(org.Accounts) > 0 {
		no := false
		outsider := principalFacts{known: true, account: "(outside the organization)", inOrg: &no, orgID: org.ID}
		outside := statementOutcome(s, outsider) != outcomeFalse
		row.IsOutsideOrganization = &outside
	}
}

func (e *evaluator) newRow(principal string, path AccessPath, source string) *rowBuilder {
	b := &rowBuilder{facts: e.facts(principal)}
	b.row = AccessRow{KeyARN: e.in.Key.ARN, Principal: principal, Path: path, Source: source}
	if principal == "*" {
		b.row.IsCrossAccount = true
		return b
	}
	if b.facts.account != "" {
		account := b.facts.account
		b.row.PrincipalAccountID = &account
		b.row.IsCrossAccount = account != e.in.Key.AccountID
		if b.facts.inOrg != nil {
			outside := !*b.facts.inOrg
			b.row.IsOutsideOrganization = &outside
		}
	}
	return b
}

// admitting returns the key policy Allow statements that let principal p's
// identity policies count, and the actions they let count.
func (e *evaluator) admitting(pol *Policy, p *IAMPrincipal, f principalFacts) ([]*Statement, opSet) {
	var ops opSet
	if pol == nil {
		return nil, ops
	}
	cross := p.AccountID != e.in.Key.AccountID
	root := accountRootARN(e.in.Key.ARN, p.AccountID)
	var out []*Statement
	for i := range pol.Statements {
		s := &pol.Statements[i]
		if s.Effect != EffectAllow || statementOutcome(s, f) == outcomeFalse {
			continue
		}
		names := false
		for _, named := range allowedPrincipals(s) {
			named = e.normalisePrincipal(named)
			switch {
			case sameARN(named, root):
				names = !restrictedToRoot(s)
			case cross && (named == "*" || sameARN(named, p.ARN)):
				names = true
			}
			if names {
				break
			}
		}
		if !names {
			continue
		}
		out = append(out, s)
		ops.union(e.cache.of(s))
	}
	if cross {
		ops = ops.onlyCrossAccount()
	}
	return out, ops
}

// restrictedToRoot reports whether a statement naming the account is
// limited to the root user by its conditions (see PolicyFacts), so it does
// not delegate to IAM policies.
func restrictedToRoot(s *Statement) bool {
	for _, c := range s.ConditionList {
		if restrictsToRootUser(c) {
			return true
		}
	}
	return false
}

func (e *evaluator) iamRows() []AccessRow {
	var rows []AccessRow
	for i := range e.in.Principals {
		p := &e.in.Principals[i]
		facts := e.facts(p.ARN)
		admitters, admitted := e.admitting(e.in.Key.Policy, p, facts)
		if admitted == 0 {
			continue
		}
		bySource := map[string]*rowBuilder{}
		var order []string
		var boundaryStatements []*SourcedStatement
		for _, a := range e.identityAllows(p, facts, admitted) {
			if a.ops == 0 {
				boundaryStatements = append(boundaryStatements, a.source)
				continue
			}
			b, ok := bySource[a.source.Source]
			if !ok {
				b = e.newRow(p.ARN, PathIAMPolicy, a.source.Source)
				bySource[a.source.Source] = b
				order = append(order, a.source.Source)
			}
			b.ops.union(a.ops)
			b.addStatement(statementSource(a.source.Source, &a.source.Statement), &a.source.Statement)
		}
		for _, source := range order {
			b := bySource[source]
			var sids []string
			for _, s := range admitters {
				if e.cache.of(s).intersect(b.ops) != 0 {
					sids = append(sids, statementSource("", s))
					b.addStatement("key_policy#"+statementSource("", s), s)
				}
			}
			for _, bs := range boundaryStatements {
				b.addStatement(statementSource(bs.Source, &bs.Statement), &bs.Statement)
			}
			joined := strings.Join(sids, ", ")
			b.row.KeyPolicySource = &joined
			rows = append(rows, e.finish(b))
		}
	}
	return rows
}

func (e *evaluator) grantRows() []AccessRow {
	var rows []AccessRow
	for _, g := range e.in.Key.Grants {
		principal := deref(g.GranteePrincipal)
		if sp := deref(g.GranteeServicePrincipal); sp != "" {
			principal = sp
		}
		if principal == "" {
			continue
		}
		b := e.newRow(principal, PathGrant, deref(g.GrantId))
		for _, op := range g.Operations {
			if bit, ok := actionBit[grantOpAction(string(op))]; ok {
				b.ops |= bit
			} else {
				b.extra = append(b.extra, grantOpAction(string(op))) // an operation AWS added later
			}
		}
		if c := g.Constraints; c != nil && (len(c.EncryptionContextEquals) > 0 || len(c.EncryptionContextSubset) > 0 || deref(c.SourceArn) != "") {
			raw, err := json.Marshal(c)
			if err == nil {
				b.conditions = append(b.conditions, conditionEntry{Source: "grant#" + deref(g.GrantId), Condition: raw})
				b.conditional = true
			}
		}
		rows = append(rows, e.finish(b))
	}
	return rows
}

// finish applies the Denies and fills the derived columns.
func (e *evaluator) finish(b *rowBuilder) AccessRow {
	var denied opSet
	var deniedBy, possibly []string
	for _, d := range e.denies(b.row.Principal, b.facts) {
		ops := e.cache.of(d.statement).intersect(b.ops)
		ops &^= actionBit[d.exempt]
		if ops == 0 {
			continue
		}
		switch statementOutcome(d.statement, b.facts) {
		case outcomeTrue:
			denied.union(ops)
			deniedBy = appendUnique(deniedBy, d.source)
		case outcomeUnknown:
			possibly = appendUnique(possibly, d.source)
		}
	}
	for _, missing := range e.scpAllowGaps(b.row.Principal, b.facts, b.ops) {
		denied.union(missing.ops)
		deniedBy = appendUnique(deniedBy, missing.source)
	}
	row := b.row
	row.Operations = append(b.ops.sorted(), b.extra...)
	row.DeniedOperations = denied.sorted()
	row.AccessFamilies = familiesOf((b.ops &^ denied).sorted())
	if len(deniedBy) > 0 {
		joined := strings.Join(deniedBy, ", ")
		row.DeniedBy = &joined
	}
	row.PossiblyDeniedBy = possibly
	if len(b.conditions) > 0 {
		row.Conditions, _ = json.Marshal(b.conditions)
	}
	row.IsConditional = b.conditional
	return row
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// deny is a Deny statement that applies to a row's principal.
type deny struct {
	source    string
	statement *Statement
	// exempt is an action the Deny cannot take away (kms:RetireGrant for
	// RCPs).
	exempt string
}

// denies collects the Deny statements that bind principal on this key.
func (e *evaluator) denies(principal string, f principalFacts) []deny {
	var out []deny
	key := e.in.Key
	for _, kp := range []struct {
		prefix string
		policy *Policy
	}{{"key_policy", key.Policy}, {RAMPolicyName, key.RAMPolicy}} {
		if kp.policy == nil {
			continue
		}
		for i := range kp.policy.Statements {
			s := &kp.policy.Statements[i]
			if s.Effect == EffectDeny && e.denyNames(s, principal, f) {
				out = append(out, deny{source: statementSource(kp.prefix, s), statement: s})
			}
		}
	}
	if p := e.principals[strings.ToLower(principal)]; p != nil {
		for _, group := range [][]SourcedStatement{p.Statements, p.Boundary} {
			for j := range group {
				s := &group[j].Statement
				if s.Effect == EffectDeny && resourceMatches(s, key.ARN) {
					out = append(out, deny{source: statementSource(group[j].Source, s), statement: s})
				}
			}
		}
	}
	for _, level := range e.scpLevels(principal, f) {
		for _, pol := range level.Policies {
			for i := range pol.Policy.Statements {
				s := &pol.Policy.Statements[i]
				if s.Effect == EffectDeny && resourceMatches(s, key.ARN) {
					out = append(out, deny{source: statementSource(pol.Source, s), statement: s})
				}
			}
		}
	}
	for _, level := range e.rcpLevels() {
		for _, pol := range level.Policies {
			for i := range pol.Policy.Statements {
				s := &pol.Policy.Statements[i]
				if s.Effect == EffectDeny && resourceMatches(s, key.ARN) && e.denyNames(s, principal, f) {
					out = append(out, deny{source: statementSource(pol.Source, s), statement: s, exempt: "kms:RetireGrant"})
				}
			}
		}
	}
	return out
}

// denyNames reports whether a resource-policy Deny statement's Principal or
// NotPrincipal covers principal. An account principal in a Deny covers
// every identity of that account.
func (e *evaluator) denyNames(s *Statement, principal string, f principalFacts) bool {
	if s.NotPrincipal != nil {
		for _, named := range s.NotPrincipal.List() {
			if sameARN(e.normalisePrincipal(named), principal) {
				return false
			}
		}
		return true
	}
	if s.Principal.IsWildcard() {
		return true
	}
	for _, named := range s.Principal.List() {
		named = e.normalisePrincipal(named)
		switch {
		case sameARN(named, principal):
			return true
		case principal != "*" && f.account != "" && ClassifyPrincipal(named) == PrincipalAccountRoot && PrincipalAccount(named) == f.account:
			return true
		}
	}
	return false
}

// scpLevels are the SCP levels that bind principal: IAM principals of
// member accounts, never the management account ("Service control policies
// (SCPs)": SCPs don't affect users or roles in the management account,
// service-linked roles, or service principals,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
func (e *evaluator) scpLevels(principal string, f principalFacts) []OrgLevel {
	org := e.in.Org
	if org == nil || principal == "*" || f.isService || f.account == "" || f.account == org.ManagementAccount || IsServiceLinkedRole(principal) {
		return nil
	}
	return org.SCPs[f.account]
}

// rcpLevels are the RCP levels that bind the key: customer managed keys of
// member accounts ("Resource control policies (RCPs)": RCPs don't affect
// resources in the management account; "Resource control policies in AWS
// KMS": they do not apply to AWS managed keys, and kms:RetireGrant is not
// affected,
// https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html).
func (e *evaluator) rcpLevels() []OrgLevel {
	org := e.in.Org
	key := e.in.Key
	if org == nil || key.AWSManaged || key.AccountID == org.ManagementAccount {
		return nil
	}
	return org.RCPs[key.AccountID]
}

// gap is a set of actions no SCP at some level allows.
type gap struct {
	source string
	ops    opSet
}

// scpAllowGaps applies the allow-list side of SCPs: at every level from
// the root to the account, some attached SCP must allow the action ("SCP
// evaluation",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
// A conditional Allow counts as allowing: only certain gaps are reported.
func (e *evaluator) scpAllowGaps(principal string, f principalFacts, ops opSet) []gap {
	var out []gap
	for _, level := range e.scpLevels(principal, f) {
		var allowed opSet
		for _, pol := range level.Policies {
			for i := range pol.Policy.Statements {
				s := &pol.Policy.Statements[i]
				if s.Effect == EffectAllow && resourceMatches(s, e.in.Key.ARN) {
					allowed.union(e.cache.of(s))
				}
			}
		}
		if missing := ops &^ allowed; missing != 0 {
			out = append(out, gap{source: "scp:" + level.Target + " (no Allow)", ops: missing})
		}
	}
	return out
}
