package analysis

import (
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// ConstraintType says which encryption-context constraints a grant has.
type ConstraintType string

const (
	ConstraintNone   ConstraintType = "none"
	ConstraintEquals ConstraintType = "encryption_context_equals"
	ConstraintSubset ConstraintType = "encryption_context_subset"
	ConstraintBoth   ConstraintType = "both"
)

// GrantFacts are the audit facts of one grant. The json tags are the column
// names of aws_kms_key_grants (CloudQuery's struct transformer uses them).
// Pointer fields are NULL when the fact is unknown or does not apply.
type GrantFacts struct {
	// GranteeType classifies the grantee; a grant naming a
	// GranteeServicePrincipal is aws_service.
	GranteeType PrincipalType `json:"grantee_type"`
	// RetiringPrincipalType classifies the retiring principal; nil when the
	// grant names none.
	RetiringPrincipalType *PrincipalType `json:"retiring_principal_type"`
	// GranteeAccountID is the grantee's account; nil when the grantee carries
	// no account (services, unique ids, AWS Internal).
	GranteeAccountID *string `json:"grantee_account_id"`
	// IsCrossAccount is true when the grantee's account is known and differs
	// from the key's account.
	IsCrossAccount bool `json:"is_cross_account"`
	// IsCrossOrganization is true when the grantee's account is outside the
	// organization; nil when the organization or the grantee account is
	// unknown.
	IsCrossOrganization *bool `json:"is_cross_organization"`

	AllowsCreateGrant        bool `json:"allows_create_grant"`
	AllowsRetireGrant        bool `json:"allows_retire_grant"`
	AllowsDecrypt            bool `json:"allows_decrypt"`
	AllowsEncrypt            bool `json:"allows_encrypt"`
	AllowsGenerateDataKey    bool `json:"allows_generate_data_key"`
	AllowsReEncrypt          bool `json:"allows_re_encrypt"`
	AllowsSign               bool `json:"allows_sign"`
	AllowsVerify             bool `json:"allows_verify"`
	AllowsMac                bool `json:"allows_mac"`
	AllowsDescribeKey        bool `json:"allows_describe_key"`
	AllowsDeriveSharedSecret bool `json:"allows_derive_shared_secret"`
	AllowsGetPublicKey       bool `json:"allows_get_public_key"`
	AllowsEncapsulate        bool `json:"allows_encapsulate"`
	AllowsDecapsulate        bool `json:"allows_decapsulate"`

	// IsDelegating is true when the grant lets a principal that is not an
	// AWS service create further grants: the delegation the seed's first
	// recommendation warns about. Service grants that carry CreateGrant (EBS,
	// RDS) are how those services work and are not flagged.
	IsDelegating bool `json:"is_delegating"`

	// ConstraintType names the encryption-context constraints present.
	ConstraintType          ConstraintType    `json:"constraint_type"`
	EncryptionContextEquals map[string]string `json:"encryption_context_equals"`
	EncryptionContextSubset map[string]string `json:"encryption_context_subset"`
	// SourceArnConstraint is the grant's SourceArn constraint, if any
	// (required with GranteeServicePrincipal; not part of ConstraintType).
	SourceArnConstraint *string `json:"source_arn_constraint"`
}

// AnalyzeGrant computes the facts of grant g on a key owned by keyAccount.
// orgAccounts holds the organization's account ids; pass nil when the
// organization is unknown (an empty map is treated as unknown too, because
// an organization always has its management account).
func AnalyzeGrant(g kmstypes.GrantListEntry, keyAccount string, orgAccounts map[string]bool) GrantFacts {
	var f GrantFacts

	grantee := deref(g.GranteePrincipal)
	if deref(g.GranteeServicePrincipal) != "" {
		f.GranteeType = PrincipalAWSService
	} else {
		f.GranteeType = ClassifyPrincipal(grantee)
		if account := PrincipalAccount(grantee); account != "" {
			f.GranteeAccountID = &account
		}
	}

	switch {
	case deref(g.RetiringServicePrincipal) != "":
		t := PrincipalAWSService
		f.RetiringPrincipalType = &t
	case deref(g.RetiringPrincipal) != "":
		t := ClassifyPrincipal(*g.RetiringPrincipal)
		f.RetiringPrincipalType = &t
	}

	if f.GranteeAccountID != nil {
		account := *f.GranteeAccountID
		f.IsCrossAccount = keyAccount != "" && account != keyAccount
		if len(orgAccounts) > 0 {
			outside := account != keyAccount && !orgAccounts[account]
			f.IsCrossOrganization = &outside
		}
	}

	for _, op := range g.Operations {
		if flag, ok := grantOperationFamilies[op]; ok {
			*flag(&f) = true
		}
	}
	f.IsDelegating = f.AllowsCreateGrant &&
		f.GranteeType != PrincipalAWSService && f.GranteeType != PrincipalAWSInternal

	f.ConstraintType = ConstraintNone
	if c := g.Constraints; c != nil {
		// Empty maps and strings mean "no constraint": keep them NULL.
		if len(c.EncryptionContextEquals) > 0 {
			f.EncryptionContextEquals = c.EncryptionContextEquals
		}
		if len(c.EncryptionContextSubset) > 0 {
			f.EncryptionContextSubset = c.EncryptionContextSubset
		}
		if deref(c.SourceArn) != "" {
			f.SourceArnConstraint = c.SourceArn
		}
		f.ConstraintType = constraintType(len(c.EncryptionContextEquals) > 0, len(c.EncryptionContextSubset) > 0)
	}
	return f
}

func constraintType(equals, subset bool) ConstraintType {
	switch {
	case equals && subset:
		return ConstraintBoth
	case equals:
		return ConstraintEquals
	case subset:
		return ConstraintSubset
	}
	return ConstraintNone
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
