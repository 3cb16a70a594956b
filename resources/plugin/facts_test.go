package plugin

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// The expected audit columns of the emulated world, written by hand: the kind of every principal
// the emulator uses, the facts of every key policy of its catalogue, and the documented rules of
// docs/audit-columns.md applied to them. Nothing here calls the analysis package, so a wrong rule
// there cannot agree with itself here. The principal kinds are those of the IAM User Guide
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html),
// the operation families those of the KMS grant operations
// (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grant-operations).

// principalKind is what the test knows of one principal.
type principalKind struct {
	typ     string
	account string // "" when the principal names no account
}

// principalTable is every grantee and retiring principal the emulator writes, by exact string,
// with prefixes for the generated ones (batch roles, role sessions, deleted roles' unique ids).
type principalTable struct {
	exact    map[string]principalKind
	prefixes []struct {
		prefix string
		kind   principalKind
	}
}

func newPrincipalTable(w *emulator.World) principalTable {
	p := w.Partition
	t := principalTable{exact: map[string]principalKind{"AWS Internal": {typ: "aws_internal"}}}
	accounts := []string{w.OutsideAccount}
	for _, a := range w.Accounts {
		accounts = append(accounts, aws.ToString(a.Id))
	}
	for _, a := range accounts {
		iam := "arn:" + p + ":iam::" + a + ":"
		t.exact[iam+"root"] = principalKind{"account_root", a}
		for _, role := range []string{emulator.KeyAdminRoleName, emulator.AppRoleName, emulator.DeployRoleName,
			emulator.CrossAccountRoleName, emulator.PartnerRoleName, emulator.AutoScalingRolePath} {
			t.exact[iam+"role/"+role] = principalKind{"iam_role", a}
		}
		for _, user := range []string{"alice", "sample-user", "sample-principal", "hugh-grant"} {
			t.exact[iam+"user/"+user] = principalKind{"iam_user", a}
		}
		t.prefixes = append(t.prefixes,
			struct {
				prefix string
				kind   principalKind
			}{iam + "role/batch-worker-", principalKind{"iam_role", a}},
			struct {
				prefix string
				kind   principalKind
			}{"arn:" + p + ":sts::" + a + ":assumed-role/", principalKind{"assumed_role", a}},
		)
	}
	// The access scenario's grantees: roles of the key account, another member and the outside
	// account (emulator.AccessFacts).
	if f := w.Access; f != nil {
		for _, role := range []string{f.DelegatorRoleARN, f.GrantChildRoleARN, f.OutsiderRoleARN} {
			account := strings.Split(role, ":")[4]
			t.exact[role] = principalKind{"iam_role", account}
		}
	}
	// A deleted role shows as its unique id, which names no account.
	t.prefixes = append(t.prefixes, struct {
		prefix string
		kind   principalKind
	}{"AROA", principalKind{typ: "unique_id"}})
	return t
}

// kind is the principal's kind; a service principal is any "<service>.<region>.amazonaws.com"
// or "<service>.amazonaws.com" of the services the emulator uses.
func (pt principalTable) kind(t *testing.T, principal, region string) principalKind {
	t.Helper()
	if k, ok := pt.exact[principal]; ok {
		return k
	}
	for _, service := range []string{"rds", "dynamodb", "bedrock", "ec2"} {
		if principal == service+"."+region+".amazonaws.com" || principal == service+".amazonaws.com" {
			return principalKind{typ: "aws_service"}
		}
	}
	for _, p := range pt.prefixes {
		if strings.HasPrefix(principal, p.prefix) {
			return p.kind
		}
	}
	t.Fatalf("the emulator uses principal %q, which this test does not know: add its kind by hand", principal)
	return principalKind{}
}

// operationColumns names the flag of every grant operation (the KMS grant operations page).
var operationColumns = map[kmstypes.GrantOperation]string{
	"CreateGrant": "allows_create_grant", "RetireGrant": "allows_retire_grant",
	"Decrypt": "allows_decrypt", "Encrypt": "allows_encrypt",
	"GenerateDataKey": "allows_generate_data_key", "GenerateDataKeyWithoutPlaintext": "allows_generate_data_key",
	"GenerateDataKeyPair": "allows_generate_data_key", "GenerateDataKeyPairWithoutPlaintext": "allows_generate_data_key",
	"ReEncryptFrom": "allows_re_encrypt", "ReEncryptTo": "allows_re_encrypt",
	"Sign": "allows_sign", "Verify": "allows_verify", "GenerateMac": "allows_mac", "VerifyMac": "allows_mac",
	"DescribeKey": "allows_describe_key", "DeriveSharedSecret": "allows_derive_shared_secret",
	"GetPublicKey": "allows_get_public_key", "Encapsulate": "allows_encapsulate", "Decapsulate": "allows_decapsulate",
}

// grantFacts are the computed columns of grant g on a key of keyAccount.
func grantFacts(t *testing.T, pt principalTable, g kmstypes.GrantListEntry, keyAccount, region string, org map[string]bool) row {
	t.Helper()
	r := row{"grantee_account_id": nil, "retiring_principal_type": nil, "is_cross_account": false,
		"is_cross_organization": nil, "encryption_context_equals": nil, "encryption_context_subset": nil,
		"source_arn_constraint": nil, "constraint_type": "none"}
	for _, col := range operationColumns {
		r[col] = false
	}
	if aws.ToString(g.GranteeServicePrincipal) != "" {
		r["grantee_type"] = "aws_service"
	} else {
		k := pt.kind(t, aws.ToString(g.GranteePrincipal), region)
		r["grantee_type"] = k.typ
		if k.account != "" {
			r["grantee_account_id"] = k.account
			r["is_cross_account"] = k.account != keyAccount
			r["is_cross_organization"] = !org[k.account]
		}
	}
	switch {
	case aws.ToString(g.RetiringServicePrincipal) != "":
		r["retiring_principal_type"] = "aws_service"
	case aws.ToString(g.RetiringPrincipal) != "":
		r["retiring_principal_type"] = pt.kind(t, aws.ToString(g.RetiringPrincipal), region).typ
	}
	for _, op := range g.Operations {
		col, ok := operationColumns[op]
		if !ok {
			t.Fatalf("grant operation %q has no column in this test", op)
		}
		r[col] = true
	}
	// Delegation: CreateGrant for a grantee that is not an AWS service (audit-columns.md).
	r["is_delegating"] = r["allows_create_grant"] == true && r["grantee_type"] != "aws_service" && r["grantee_type"] != "aws_internal"
	if c := g.Constraints; c != nil {
		equals, subset := len(c.EncryptionContextEquals) > 0, len(c.EncryptionContextSubset) > 0
		if equals {
			r["encryption_context_equals"] = normaliseJSON(c.EncryptionContextEquals)
		}
		if subset {
			r["encryption_context_subset"] = normaliseJSON(c.EncryptionContextSubset)
		}
		switch {
		case equals && subset:
			r["constraint_type"] = "both"
		case equals:
			r["constraint_type"] = "encryption_context_equals"
		case subset:
			r["constraint_type"] = "encryption_context_subset"
		}
		if aws.ToString(c.SourceArn) != "" {
			r["source_arn_constraint"] = *c.SourceArn
		}
	}
	return r
}

// statementFacts are the hand-written facts of one statement of a catalogue policy.
type statementFacts struct {
	principalList []any
	createGrant   bool
	requiresAWS   any // true, false, or nil when the statement does not allow CreateGrant
}

// policyFacts are the hand-written facts of one catalogue policy.
type policyFacts struct {
	facts      row
	statements []statementFacts
}

// catalogueFacts are the facts of the emulator's key policy document doc on a key of account:
// the documents of test/emulator/policies.go, told apart by their Id and statement count.
func catalogueFacts(t *testing.T, w *emulator.World, account, doc string) policyFacts {
	t.Helper()
	var head struct {
		ID        string            `json:"Id"`
		Statement []json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &head); err != nil {
		t.Fatalf("policy %s: %v", doc, err)
	}
	iam := "arn:" + w.Partition + ":iam::" + account + ":"
	root, admin := iam+"root", iam+"role/"+emulator.KeyAdminRoleName
	list := func(s ...string) []any {
		sort.Strings(s) // the principal columns are sorted and unique
		out := make([]any, len(s))
		for i, x := range s {
			out[i] = x
		}
		return out
	}
	facts := func(iamPolicies bool, createGrant []any, requires any, putPolicy []any, wildcard, unconditioned bool) row {
		return row{"allows_iam_policies": iamPolicies, "create_grant_principals": createGrant,
			"create_grant_requires_aws_resource": requires, "allows_put_key_policy_principals": putPolicy,
			"has_wildcard_principal": wildcard, "has_unconditioned_wildcard_principal": unconditioned}
	}
	allow := func(principals ...string) statementFacts {
		return statementFacts{principalList: list(principals...), createGrant: true, requiresAWS: false}
	}
	noGrant := func(principals ...string) statementFacts {
		return statementFacts{principalList: list(principals...)}
	}
	switch {
	case head.ID == "key-default-1":
		// The default key policy: the account root may do everything (key-policy-default.html).
		return policyFacts{facts(true, list(root), false, list(root), false, false), []statementFacts{allow(root)}}
	case head.ID == "key-consolepolicy-3" && len(head.Statement) == 3:
		// The seed document's policy: root limited to aws:PrincipalType Account, so IAM
		// policies are not enabled; the key administrator may do everything.
		return policyFacts{facts(false, list(admin, root), false, list(admin, root), false, false),
			[]statementFacts{allow(root), allow(admin), noGrant(root)}}
	case head.ID == "key-consolepolicy-3" && len(head.Statement) == 4 && w.Scenario != nil:
		other := "arn:" + w.Partition + ":iam::" + w.Scenario.CrossAccount + ":root"
		return policyFacts{facts(false, list(admin, root, other), false, list(admin, root), false, false),
			[]statementFacts{allow(root), allow(admin), noGrant(root), allow(other)}}
	case strings.HasPrefix(head.ID, "auto-"):
		// An AWS managed key: everyone of the account through the service, CreateGrant included.
		return policyFacts{facts(false, list("*"), false, list(), true, false),
			[]statementFacts{allow("*"), noGrant(root)}}
	case head.ID == "key-grant-policy":
		slr := iam + "role/" + emulator.AutoScalingRolePath
		app := iam + "role/" + emulator.AppRoleName
		return policyFacts{facts(true, list(app, slr, root), false, list(root), false, false),
			[]statementFacts{allow(root), noGrant(slr), {principalList: list(slr), createGrant: true, requiresAWS: true}, allow(app)}}
	case head.ID == "AWS_RAM":
		// The policy AWS RAM writes for a share: the receiving accounts may use the key, not
		// administer it nor create grants (checkSharedKeyPolicies holds its actions).
		var st struct {
			Principal struct{ AWS any }
		}
		if err := json.Unmarshal(head.Statement[0], &st); err != nil {
			t.Fatal(err)
		}
		var consumers []string
		switch p := st.Principal.AWS.(type) {
		case string:
			consumers = []string{p}
		case []any:
			for _, x := range p {
				consumers = append(consumers, x.(string))
			}
		}
		return policyFacts{facts(false, list(), nil, list(), false, false), []statementFacts{noGrant(consumers...)}}
	case head.ID == "key-guarded":
		deploy := iam + "role/" + emulator.DeployRoleName
		// The Deny statement names NotPrincipal only, so its principal_list is empty.
		return policyFacts{facts(true, list(deploy, root), false, list(root), true, false),
			[]statementFacts{allow(root), noGrant("*"), allow(deploy), {}}}
	case head.ID == "access-no-iam" && w.Access != nil:
		// The access scenario's key without the IAM statement: KeyAdmin's kms:Create* covers
		// CreateGrant and kms:Put* PutKeyPolicy; AppRole only uses the key.
		f := w.Access
		return policyFacts{facts(false, list(f.KeyAdminRoleARN), false, list(f.KeyAdminRoleARN), false, false),
			[]statementFacts{allow(f.KeyAdminRoleARN), noGrant(f.AppRoleARN)}}
	case head.ID == "access-main" && w.Access != nil:
		// The access scenario's main key: root enables IAM; two roles of another account use it;
		// "*" within the organization (conditioned); AppRole's CreateGrant requires
		// kms:GrantIsForAWSResource, root's does not.
		f := w.Access
		return policyFacts{facts(true, list(f.AppRoleARN, root), false, list(root), true, false),
			[]statementFacts{allow(root), noGrant(f.CrossAllowedRoleARN, f.CrossNoIAMRoleARN), noGrant("*"),
				{principalList: list(f.AppRoleARN), createGrant: true, requiresAWS: true}}}
	case head.ID == "AWS_RAM" && len(head.Statement) == 1:
		// The RAM-managed policy of a shared key: the consumer account may use and describe
		// the key, nothing else; its root with a few actions does not enable IAM policies.
		var st struct {
			Principal struct{ AWS string }
		}
		if err := json.Unmarshal(head.Statement[0], &st); err != nil {
			t.Fatal(err)
		}
		return policyFacts{facts(false, list(), nil, list(), false, false), []statementFacts{noGrant(st.Principal.AWS)}}
	}
	t.Fatalf("the emulator's key policy %q (%d statements) is not in this test's catalogue: add its facts by hand", head.ID, len(head.Statement))
	return policyFacts{}
}

// statementRows are the rows of aws_kms_key_policy_statements for doc: the elements as written
// (a single string becomes a one-item list, per docs/audit-columns.md), with the hand-written facts.
func statementRows(t *testing.T, doc string, facts []statementFacts) []row {
	t.Helper()
	var parsed struct {
		Statement []map[string]any `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Statement) != len(facts) {
		t.Fatalf("policy has %d statements, the test knows %d", len(parsed.Statement), len(facts))
	}
	asList := func(v any) any {
		switch v := v.(type) {
		case nil:
			return nil
		case string:
			return []any{v}
		}
		return v
	}
	var out []row
	for i, s := range parsed.Statement {
		f := facts[i]
		var principalList any
		if f.principalList != nil && len(f.principalList) > 0 {
			principalList = f.principalList
		}
		var requires any
		if f.createGrant {
			requires = f.requiresAWS
		}
		sid, _ := s["Sid"].(string)
		out = append(out, row{
			"statement_index": float64(i), "sid": sid, "effect": s["Effect"],
			"principals": s["Principal"], "not_principals": s["NotPrincipal"], "principal_list": principalList,
			"actions": asList(s["Action"]), "not_actions": asList(s["NotAction"]),
			"resources": asList(s["Resource"]), "not_resources": asList(s["NotResource"]),
			"conditions": s["Condition"], "allows_create_grant": f.createGrant,
			"create_grant_requires_aws_resource": requires,
		})
	}
	return out
}

// grantEventRow is the row of aws_kms_grant_events for one CloudTrail event, read off the record
// as CloudTrail writes it (cloudtrail-event-reference-record-contents.html): the key from
// resources (the record's own key ARN), the grant id from responseElements or
// requestParameters, the caller from userIdentity.
func grantEventRow(t *testing.T, ev emulator.TrailEvent, keyAccount string) row {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(ev.Event.CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	obj := func(v any) map[string]any { m, _ := v.(map[string]any); return m }
	str := func(v any) any {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
		return nil
	}
	id, req, resp := obj(rec["userIdentity"]), obj(rec["requestParameters"]), obj(rec["responseElements"])
	r := row{
		"event_id": rec["eventID"], "event_name": rec["eventName"],
		"event_time":         normaliseGo(reflect.ValueOf(ev.Event.EventTime)),
		"caller_arn":         str(id["arn"]),
		"caller_type":        str(id["type"]),
		"caller_account_id":  str(id["accountId"]),
		"invoked_by":         str(id["invokedBy"]),
		"grantee_principal":  str(req["granteePrincipal"]),
		"retiring_principal": str(req["retiringPrincipal"]),
		"operations":         req["operations"],
		"constraints":        req["constraints"],
		"error_code":         str(rec["errorCode"]),
		"error_message":      str(rec["errorMessage"]),
		"source_ip":          str(rec["sourceIPAddress"]),
		"user_agent":         str(rec["userAgent"]),
		"event":              rec,
		"grant_id":           str(resp["grantId"]),
	}
	if r["grant_id"] == nil {
		r["grant_id"] = str(req["grantId"])
	}
	r["is_cross_account_caller"] = r["caller_account_id"] != nil && r["caller_account_id"] != keyAccount
	caller, _ := id["arn"].(string)
	if caller == "" {
		caller, _ = id["accountId"].(string)
	}
	if caller == "" {
		caller, _ = id["invokedBy"].(string)
	}
	grantee, _ := req["granteePrincipal"].(string)
	r["caller_identity"], r["grantee_identity"] = identityOf(caller), identityOf(grantee)
	for _, res := range ev.Record.Resources {
		if res.Type == "AWS::KMS::Key" {
			r["key_arn"] = res.ARN
		}
	}
	if r["key_arn"] == nil {
		t.Fatalf("event %s names no key in resources", rec["eventID"])
	}
	return r
}
