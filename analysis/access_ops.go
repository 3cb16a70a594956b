package analysis

import (
	"strconv"
	"strings"
)

// crossAccountActions are the KMS key actions a principal in another account
// can be given. "Allowing users in other accounts to use a KMS key"
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html)
// lists them and says a permission for any other operation "does not take
// effect"; the "Cross-account use" column of "AWS KMS permissions"
// (https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html)
// says the same per operation (ReEncrypt is its two IAM actions here).
var crossAccountActions = map[string]bool{
	"kms:CreateGrant":                         true,
	"kms:Decrypt":                             true,
	"kms:DeriveSharedSecret":                  true,
	"kms:DescribeKey":                         true,
	"kms:Encrypt":                             true,
	"kms:GenerateDataKey":                     true,
	"kms:GenerateDataKeyPair":                 true,
	"kms:GenerateDataKeyPairWithoutPlaintext": true,
	"kms:GenerateDataKeyWithoutPlaintext":     true,
	"kms:GenerateMac":                         true,
	"kms:GetKeyRotationStatus":                true,
	"kms:GetPublicKey":                        true,
	"kms:ListGrants":                          true,
	"kms:ReEncryptFrom":                       true,
	"kms:ReEncryptTo":                         true,
	"kms:RetireGrant":                         true,
	"kms:RevokeGrant":                         true,
	"kms:Sign":                                true,
	"kms:Verify":                              true,
	"kms:VerifyMac":                           true,
}

// AccessFamilies are the allows_* flags of an access row, one per family of
// KMS actions. The data-plane families are the grant families of
// grantOperationFamilies (every GenerateDataKey* is "generate data key",
// ReEncryptFrom/To are "re-encrypt", GenerateMac/VerifyMac are "mac"); the
// administrative ones are the actions that change who can use the key.
type AccessFamilies struct {
	AllowsCreateGrant         bool `json:"allows_create_grant"`
	AllowsRetireGrant         bool `json:"allows_retire_grant"`
	AllowsRevokeGrant         bool `json:"allows_revoke_grant"`
	AllowsDecrypt             bool `json:"allows_decrypt"`
	AllowsEncrypt             bool `json:"allows_encrypt"`
	AllowsGenerateDataKey     bool `json:"allows_generate_data_key"`
	AllowsReEncrypt           bool `json:"allows_re_encrypt"`
	AllowsSign                bool `json:"allows_sign"`
	AllowsVerify              bool `json:"allows_verify"`
	AllowsMac                 bool `json:"allows_mac"`
	AllowsDescribeKey         bool `json:"allows_describe_key"`
	AllowsDeriveSharedSecret  bool `json:"allows_derive_shared_secret"`
	AllowsGetPublicKey        bool `json:"allows_get_public_key"`
	AllowsPutKeyPolicy        bool `json:"allows_put_key_policy"`
	AllowsScheduleKeyDeletion bool `json:"allows_schedule_key_deletion"`
	AllowsDisableKey          bool `json:"allows_disable_key"`
}

// accessFamilyOf is the one table that says which flag each action sets.
var accessFamilyOf = map[string]func(*AccessFamilies) *bool{
	"kms:CreateGrant":                         func(f *AccessFamilies) *bool { return &f.AllowsCreateGrant },
	"kms:RetireGrant":                         func(f *AccessFamilies) *bool { return &f.AllowsRetireGrant },
	"kms:RevokeGrant":                         func(f *AccessFamilies) *bool { return &f.AllowsRevokeGrant },
	"kms:Decrypt":                             func(f *AccessFamilies) *bool { return &f.AllowsDecrypt },
	"kms:Encrypt":                             func(f *AccessFamilies) *bool { return &f.AllowsEncrypt },
	"kms:GenerateDataKey":                     func(f *AccessFamilies) *bool { return &f.AllowsGenerateDataKey },
	"kms:GenerateDataKeyWithoutPlaintext":     func(f *AccessFamilies) *bool { return &f.AllowsGenerateDataKey },
	"kms:GenerateDataKeyPair":                 func(f *AccessFamilies) *bool { return &f.AllowsGenerateDataKey },
	"kms:GenerateDataKeyPairWithoutPlaintext": func(f *AccessFamilies) *bool { return &f.AllowsGenerateDataKey },
	"kms:ReEncryptFrom":                       func(f *AccessFamilies) *bool { return &f.AllowsReEncrypt },
	"kms:ReEncryptTo":                         func(f *AccessFamilies) *bool { return &f.AllowsReEncrypt },
	"kms:Sign":                                func(f *AccessFamilies) *bool { return &f.AllowsSign },
	"kms:Verify":                              func(f *AccessFamilies) *bool { return &f.AllowsVerify },
	"kms:GenerateMac":                         func(f *AccessFamilies) *bool { return &f.AllowsMac },
	"kms:VerifyMac":                           func(f *AccessFamilies) *bool { return &f.AllowsMac },
	"kms:DescribeKey":                         func(f *AccessFamilies) *bool { return &f.AllowsDescribeKey },
	"kms:DeriveSharedSecret":                  func(f *AccessFamilies) *bool { return &f.AllowsDeriveSharedSecret },
	"kms:GetPublicKey":                        func(f *AccessFamilies) *bool { return &f.AllowsGetPublicKey },
	"kms:PutKeyPolicy":                        func(f *AccessFamilies) *bool { return &f.AllowsPutKeyPolicy },
	"kms:ScheduleKeyDeletion":                 func(f *AccessFamilies) *bool { return &f.AllowsScheduleKeyDeletion },
	"kms:DisableKey":                          func(f *AccessFamilies) *bool { return &f.AllowsDisableKey },
}

func familiesOf(ops []string) AccessFamilies {
	var f AccessFamilies
	for _, op := range ops {
		if flag, ok := accessFamilyOf[op]; ok {
			*flag(&f) = true
		}
	}
	return f
}

// opSet is a set of KMS key actions, one bit per entry of kmsKeyActions (47 < 64): the
// evaluation intersects and unions them for every statement of every principal.
type opSet uint64

// actionBit is each KMS key action's bit.
var actionBit = func() map[string]opSet {
	if len(kmsKeyActions) > 64 {
		panic("analysis: more than 64 KMS key actions: opSet needs a wider type")
	}
	m := make(map[string]opSet, len(kmsKeyActions))
	for i, a := range kmsKeyActions {
		m[a] = 1 << i
	}
	return m
}()

// crossAccountSet is crossAccountActions as an opSet.
var crossAccountSet = func() opSet {
	var s opSet
	for a := range crossAccountActions {
		s |= actionBit[a]
	}
	return s
}()

// statementOps expands a statement's Action/NotAction over the KMS key
// actions: "kms:*", "kms:Generate*" and NotAction forms become the actions
// they cover.
func statementOps(s *Statement) opSet {
	var out opSet
	for i, a := range kmsKeyActions {
		if s.AllowsAction(a) {
			out |= 1 << i
		}
	}
	return out
}

func (s opSet) intersect(o opSet) opSet { return s & o }

func (s *opSet) union(o opSet) { *s |= o }

// sorted lists the actions in kmsKeyActions order, which is alphabetical.
func (s opSet) sorted() []string {
	out := []string{}
	for i, a := range kmsKeyActions {
		if s&(1<<i) != 0 {
			out = append(out, a)
		}
	}
	return out
}

// onlyCrossAccount keeps the actions AWS honours across accounts.
func (s opSet) onlyCrossAccount() opSet { return s & crossAccountSet }

// grantOpAction names a grant operation as its IAM action.
func grantOpAction(op string) string { return "kms:" + op }

// resourceMatches reports whether an identity, SCP or RCP statement's
// Resource/NotResource covers the key. A statement with neither element (a
// key policy's, or a malformed one) covers it. ARN patterns use the same
// "*"/"?" wildcards as actions ("Policy elements: Resource",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html);
// the match is case-insensitive here, which can only widen it.
func resourceMatches(s *Statement, keyARN string) bool {
	if len(s.NotResources) > 0 {
		for _, r := range s.NotResources {
			if ActionMatches(r, keyARN) {
				return false
			}
		}
		return true
	}
	if s.Resources == nil {
		return true
	}
	for _, r := range s.Resources {
		if ActionMatches(r, keyARN) {
			return true
		}
	}
	return false
}

// statementSource names a statement for the source and denied_by columns:
// its Sid, or Statement[i] when it has none.
func statementSource(prefix string, s *Statement) string {
	name := s.Sid
	if name == "" {
		name = "Statement[" + strconv.Itoa(s.Index) + "]"
	}
	if prefix == "" {
		return name
	}
	return prefix + "#" + name
}

// accountRootARN is the account principal of account in the partition of
// keyARN.
func accountRootARN(keyARN, account string) string {
	partition := "aws"
	if a, ok := parseAccountARN(keyARN); ok {
		partition = a.Partition
	}
	return "arn:" + partition + ":iam::" + account + ":root"
}

// sameARN compares principal ARNs case-insensitively on the IAM name part as
// IAM does for role and user names.
func sameARN(a, b string) bool { return strings.EqualFold(a, b) }
