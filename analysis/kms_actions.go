package analysis

// kmsKeyActions are the IAM actions that apply to a KMS key resource and so
// can be allowed in a key policy (from the KMS API operations in
// aws-sdk-go-v2 service/kms, with ReEncrypt split into its two IAM actions
// and the IAM-only kms:SynchronizeMultiRegionKey added). A statement "covers
// all KMS actions" when it allows every one of them; that is how "kms:*",
// "*" and equivalent NotAction forms are recognised without special-casing
// their spelling.
var kmsKeyActions = []string{
	"kms:CancelKeyDeletion",
	"kms:CreateAlias",
	"kms:CreateGrant",
	"kms:Decapsulate",
	"kms:Decrypt",
	"kms:DeleteAlias",
	"kms:DeleteImportedKeyMaterial",
	"kms:DeriveSharedSecret",
	"kms:DescribeKey",
	"kms:DisableKey",
	"kms:DisableKeyRotation",
	"kms:EnableKey",
	"kms:EnableKeyRotation",
	"kms:Encapsulate",
	"kms:Encrypt",
	"kms:GenerateDataKey",
	"kms:GenerateDataKeyPair",
	"kms:GenerateDataKeyPairWithoutPlaintext",
	"kms:GenerateDataKeyWithoutPlaintext",
	"kms:GenerateMac",
	"kms:GetKeyLastUsage",
	"kms:GetKeyPolicy",
	"kms:GetKeyRotationStatus",
	"kms:GetParametersForImport",
	"kms:GetPublicKey",
	"kms:ImportKeyMaterial",
	"kms:ListGrants",
	"kms:ListKeyPolicies",
	"kms:ListKeyRotations",
	"kms:ListResourceTags",
	"kms:PutKeyPolicy",
	"kms:ReEncryptFrom",
	"kms:ReEncryptTo",
	"kms:ReplicateKey",
	"kms:RetireGrant",
	"kms:RevokeGrant",
	"kms:RotateKeyOnDemand",
	"kms:ScheduleKeyDeletion",
	"kms:Sign",
	"kms:SynchronizeMultiRegionKey",
	"kms:TagResource",
	"kms:UntagResource",
	"kms:UpdateAlias",
	"kms:UpdateKeyDescription",
	"kms:UpdatePrimaryRegion",
	"kms:Verify",
	"kms:VerifyMac",
}

const (
	actionCreateGrant  = "kms:CreateGrant"
	actionPutKeyPolicy = "kms:PutKeyPolicy"
)
