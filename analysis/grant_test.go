package analysis

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

const (
	keyAccount   = "123412341234"
	orgMember    = "222233334444"
	outsiderAcct = "999988887777"
)

var org = map[string]bool{keyAccount: true, orgMember: true}

func ops(names ...kmstypes.GrantOperation) []kmstypes.GrantOperation { return names }

func TestAnalyzeGrantPrincipals(t *testing.T) {
	tests := []struct {
		name          string
		grant         kmstypes.GrantListEntry
		org           map[string]bool
		granteeType   PrincipalType
		account       *string
		crossAccount  bool
		crossOrg      *bool
		retiringType  *PrincipalType
		delegating    bool
		allowsCreate  bool
		allowsRetire  bool
		allowsDescrib bool
	}{
		{
			name: "same-account user with CreateGrant delegates",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal: aws.String("arn:aws:iam::123412341234:user/hugh-grant"),
				Operations:       ops(kmstypes.GrantOperationDescribeKey, kmstypes.GrantOperationCreateGrant),
			},
			org:         org,
			granteeType: PrincipalIAMUser, account: aws.String(keyAccount), crossOrg: aws.Bool(false),
			delegating: true, allowsCreate: true, allowsDescrib: true,
		},
		{
			name: "service principal grant with CreateGrant (EBS) is not delegating",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal: aws.String("ec2.us-east-1.amazonaws.com"),
				Operations:       ops(kmstypes.GrantOperationCreateGrant, kmstypes.GrantOperationDecrypt),
			},
			org:         org,
			granteeType: PrincipalAWSService, allowsCreate: true,
		},
		{
			name: "GranteeServicePrincipal wins over the grantee string",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal:         aws.String("arn:aws:iam::123412341234:role/whatever"),
				GranteeServicePrincipal:  aws.String("rds.amazonaws.com"),
				RetiringServicePrincipal: aws.String("rds.amazonaws.com"),
				Operations:               ops(kmstypes.GrantOperationCreateGrant),
			},
			org:         org,
			granteeType: PrincipalAWSService, retiringType: ptr(PrincipalAWSService), allowsCreate: true,
		},
		{
			name: "AWS Internal with CreateGrant is not delegating",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal: aws.String("AWS Internal"),
				Operations:       ops(kmstypes.GrantOperationCreateGrant, kmstypes.GrantOperationRetireGrant),
			},
			org:         org,
			granteeType: PrincipalAWSInternal, allowsCreate: true, allowsRetire: true,
		},
		{
			name: "role in another org account is cross-account, not cross-org",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal: aws.String("arn:aws:iam::222233334444:role/Reader"),
				Operations:       ops(kmstypes.GrantOperationDecrypt),
			},
			org:         org,
			granteeType: PrincipalIAMRole, account: aws.String(orgMember), crossAccount: true, crossOrg: aws.Bool(false),
		},
		{
			name: "account outside the org is cross-org",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal: aws.String("arn:aws:iam::999988887777:root"),
				Operations:       ops(kmstypes.GrantOperationDecrypt),
			},
			org:         org,
			granteeType: PrincipalAccountRoot, account: aws.String(outsiderAcct), crossAccount: true, crossOrg: aws.Bool(true),
		},
		{
			name: "bare account id outside the org",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal: aws.String(outsiderAcct),
			},
			org:         org,
			granteeType: PrincipalAccountRoot, account: aws.String(outsiderAcct), crossAccount: true, crossOrg: aws.Bool(true),
		},
		{
			name: "unknown organization leaves cross-org null",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal: aws.String("arn:aws:sts::999988887777:assumed-role/Ops/alice"),
			},
			org:         nil,
			granteeType: PrincipalAssumedRole, account: aws.String(outsiderAcct), crossAccount: true,
		},
		{
			name: "empty organization map counts as unknown",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal: aws.String("arn:aws:sts::999988887777:federated-user/bob"),
			},
			org:         map[string]bool{},
			granteeType: PrincipalFederatedUser, account: aws.String(outsiderAcct), crossAccount: true,
		},
		{
			name: "deleted role shows as unique id with unknown account",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal: aws.String("AROADBQP57FF2AEXAMPLE"),
				Operations:       ops(kmstypes.GrantOperationCreateGrant),
			},
			org:         org,
			granteeType: PrincipalUniqueID, delegating: true, allowsCreate: true,
		},
		{
			name: "retiring principal and RetireGrant operation",
			grant: kmstypes.GrantListEntry{
				GranteePrincipal:  aws.String("arn:aws:iam::123412341234:user/sample-user"),
				RetiringPrincipal: aws.String("arn:aws:iam::123412341234:user/sample-principal"),
				Operations:        ops(kmstypes.GrantOperationDescribeKey, kmstypes.GrantOperationRetireGrant),
			},
			org:         org,
			granteeType: PrincipalIAMUser, account: aws.String(keyAccount), crossOrg: aws.Bool(false),
			retiringType: ptr(PrincipalIAMUser), allowsRetire: true, allowsDescrib: true,
		},
		{
			name:        "no grantee at all",
			grant:       kmstypes.GrantListEntry{},
			org:         org,
			granteeType: PrincipalUnknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := AnalyzeGrant(tt.grant, keyAccount, tt.org)
			if f.GranteeType != tt.granteeType {
				t.Errorf("GranteeType = %q, want %q", f.GranteeType, tt.granteeType)
			}
			if !reflect.DeepEqual(f.GranteeAccountID, tt.account) {
				t.Errorf("GranteeAccountID = %v, want %v", str(f.GranteeAccountID), str(tt.account))
			}
			if f.IsCrossAccount != tt.crossAccount {
				t.Errorf("IsCrossAccount = %v, want %v", f.IsCrossAccount, tt.crossAccount)
			}
			if !reflect.DeepEqual(f.IsCrossOrganization, tt.crossOrg) {
				t.Errorf("IsCrossOrganization = %v, want %v", boolStr(f.IsCrossOrganization), boolStr(tt.crossOrg))
			}
			if !reflect.DeepEqual(f.RetiringPrincipalType, tt.retiringType) {
				t.Errorf("RetiringPrincipalType = %v, want %v", f.RetiringPrincipalType, tt.retiringType)
			}
			if f.IsDelegating != tt.delegating {
				t.Errorf("IsDelegating = %v, want %v", f.IsDelegating, tt.delegating)
			}
			if f.AllowsCreateGrant != tt.allowsCreate || f.AllowsRetireGrant != tt.allowsRetire || f.AllowsDescribeKey != tt.allowsDescrib {
				t.Errorf("create/retire/describe = %v/%v/%v, want %v/%v/%v",
					f.AllowsCreateGrant, f.AllowsRetireGrant, f.AllowsDescribeKey, tt.allowsCreate, tt.allowsRetire, tt.allowsDescrib)
			}
		})
	}
}

func TestAnalyzeGrantKeyAccountUnknown(t *testing.T) {
	f := AnalyzeGrant(kmstypes.GrantListEntry{GranteePrincipal: aws.String("arn:aws:iam::999988887777:root")}, "", org)
	if f.IsCrossAccount {
		t.Error("IsCrossAccount must be false when the key's account is unknown")
	}
}

// Every grant operation the SDK knows must set exactly the flag of its
// family, so a new operation added to the SDK fails here until the table
// says what it means.
func TestAnalyzeGrantOperationFamilies(t *testing.T) {
	want := map[kmstypes.GrantOperation]string{
		kmstypes.GrantOperationCreateGrant:                         "AllowsCreateGrant",
		kmstypes.GrantOperationRetireGrant:                         "AllowsRetireGrant",
		kmstypes.GrantOperationDecrypt:                             "AllowsDecrypt",
		kmstypes.GrantOperationEncrypt:                             "AllowsEncrypt",
		kmstypes.GrantOperationGenerateDataKey:                     "AllowsGenerateDataKey",
		kmstypes.GrantOperationGenerateDataKeyWithoutPlaintext:     "AllowsGenerateDataKey",
		kmstypes.GrantOperationGenerateDataKeyPair:                 "AllowsGenerateDataKey",
		kmstypes.GrantOperationGenerateDataKeyPairWithoutPlaintext: "AllowsGenerateDataKey",
		kmstypes.GrantOperationReEncryptFrom:                       "AllowsReEncrypt",
		kmstypes.GrantOperationReEncryptTo:                         "AllowsReEncrypt",
		kmstypes.GrantOperationSign:                                "AllowsSign",
		kmstypes.GrantOperationVerify:                              "AllowsVerify",
		kmstypes.GrantOperationGenerateMac:                         "AllowsMac",
		kmstypes.GrantOperationVerifyMac:                           "AllowsMac",
		kmstypes.GrantOperationDescribeKey:                         "AllowsDescribeKey",
		kmstypes.GrantOperationDeriveSharedSecret:                  "AllowsDeriveSharedSecret",
		kmstypes.GrantOperationGetPublicKey:                        "AllowsGetPublicKey",
		kmstypes.GrantOperationEncapsulate:                         "AllowsEncapsulate",
		kmstypes.GrantOperationDecapsulate:                         "AllowsDecapsulate",
	}
	for _, op := range kmstypes.GrantOperation("").Values() {
		field, ok := want[op]
		if !ok {
			t.Errorf("SDK grant operation %q has no expected family in this test; add it to grantOperationFamilies", op)
			continue
		}
		f := AnalyzeGrant(kmstypes.GrantListEntry{
			GranteePrincipal: aws.String("arn:aws:iam::123412341234:role/r"),
			Operations:       ops(op),
		}, keyAccount, nil)
		if set := setAllowsFlags(f); !reflect.DeepEqual(set, []string{field}) {
			t.Errorf("operation %q set %v, want [%s]", op, set, field)
		}
	}
}

func TestAnalyzeGrantIgnoresUnknownOperations(t *testing.T) {
	f := AnalyzeGrant(kmstypes.GrantListEntry{Operations: ops("FutureOperation", "decrypt")}, keyAccount, nil)
	if set := setAllowsFlags(f); len(set) != 0 {
		t.Errorf("unknown or mis-cased operations set %v", set)
	}
}

func TestAnalyzeGrantConstraints(t *testing.T) {
	equals := map[string]string{"Department": "IT"}
	subset := map[string]string{"aws:ebs:id": "vol-1"}
	tests := []struct {
		name        string
		constraints *kmstypes.GrantConstraints
		want        ConstraintType
		equals      map[string]string
		subset      map[string]string
		sourceArn   *string
	}{
		{"no constraints", nil, ConstraintNone, nil, nil, nil},
		{"empty constraints", &kmstypes.GrantConstraints{EncryptionContextEquals: map[string]string{}, SourceArn: aws.String("")}, ConstraintNone, nil, nil, nil},
		{"equals", &kmstypes.GrantConstraints{EncryptionContextEquals: equals}, ConstraintEquals, equals, nil, nil},
		{"subset", &kmstypes.GrantConstraints{EncryptionContextSubset: subset}, ConstraintSubset, nil, subset, nil},
		{"both", &kmstypes.GrantConstraints{EncryptionContextEquals: equals, EncryptionContextSubset: subset}, ConstraintBoth, equals, subset, nil},
		{"source arn only", &kmstypes.GrantConstraints{SourceArn: aws.String("arn:aws:rds:us-east-1:123412341234:db:x")}, ConstraintNone, nil, nil, aws.String("arn:aws:rds:us-east-1:123412341234:db:x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := AnalyzeGrant(kmstypes.GrantListEntry{Constraints: tt.constraints}, keyAccount, nil)
			if f.ConstraintType != tt.want {
				t.Errorf("ConstraintType = %q, want %q", f.ConstraintType, tt.want)
			}
			if !reflect.DeepEqual(f.EncryptionContextEquals, tt.equals) || !reflect.DeepEqual(f.EncryptionContextSubset, tt.subset) {
				t.Errorf("maps = %v / %v, want %v / %v", f.EncryptionContextEquals, f.EncryptionContextSubset, tt.equals, tt.subset)
			}
			if !reflect.DeepEqual(f.SourceArnConstraint, tt.sourceArn) {
				t.Errorf("SourceArnConstraint = %v, want %v", str(f.SourceArnConstraint), str(tt.sourceArn))
			}
		})
	}
}

// setAllowsFlags lists the names of the Allows* fields that are true.
func setAllowsFlags(f GrantFacts) []string {
	var set []string
	v := reflect.ValueOf(f)
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if len(name) > 6 && name[:6] == "Allows" && v.Field(i).Bool() {
			set = append(set, name)
		}
	}
	return set
}

func ptr[T any](v T) *T { return &v }

func str(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func boolStr(b *bool) string {
	if b == nil {
		return "<nil>"
	}
	if *b {
		return "true"
	}
	return "false"
}
