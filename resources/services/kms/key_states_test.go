package kms

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestRotationNotReadReason: which keys the plugin asks about rotation, written from the KMS
// developer guide ("Rotate AWS KMS keys": symmetric encryption keys, KMS-made or imported
// material; not asymmetric, HMAC or custom key store keys) and its key state table (no rotation
// calls while PendingDeletion, PendingReplicaDeletion, Creating, Updating, PendingImport,
// Unavailable).
func TestRotationNotReadReason(t *testing.T) {
	symmetric := func(origin types.OriginType, state types.KeyState) *types.KeyMetadata {
		return &types.KeyMetadata{KeySpec: types.KeySpecSymmetricDefault, Origin: origin, KeyState: state}
	}
	for name, tc := range map[string]struct {
		md   *types.KeyMetadata
		want string
	}{
		"enabled KMS key":      {symmetric(types.OriginTypeAwsKms, types.KeyStateEnabled), ""},
		"disabled KMS key":     {symmetric(types.OriginTypeAwsKms, types.KeyStateDisabled), ""},
		"imported material":    {symmetric(types.OriginTypeExternal, types.KeyStateEnabled), ""},
		"undescribed key":      {&types.KeyMetadata{}, ""},
		"pending deletion":     {symmetric(types.OriginTypeAwsKms, types.KeyStatePendingDeletion), "key_state:PendingDeletion"},
		"pending replica del.": {symmetric(types.OriginTypeAwsKms, types.KeyStatePendingReplicaDeletion), "key_state:PendingReplicaDeletion"},
		"creating":             {symmetric(types.OriginTypeAwsKms, types.KeyStateCreating), "key_state:Creating"},
		"updating":             {symmetric(types.OriginTypeAwsKms, types.KeyStateUpdating), "key_state:Updating"},
		"imported, not yet":    {symmetric(types.OriginTypeExternal, types.KeyStatePendingImport), "key_state:PendingImport"},
		"RSA":                  {&types.KeyMetadata{KeySpec: types.KeySpecRsa2048, Origin: types.OriginTypeAwsKms, KeyState: types.KeyStateEnabled}, "unsupported"},
		"HMAC":                 {&types.KeyMetadata{KeySpec: types.KeySpecHmac256, Origin: types.OriginTypeAwsKms, KeyState: types.KeyStateEnabled}, "unsupported"},
		"ECC pending deletion": {&types.KeyMetadata{KeySpec: types.KeySpecEccNistP256, Origin: types.OriginTypeAwsKms, KeyState: types.KeyStatePendingDeletion}, "unsupported"},
		"CloudHSM key store":   {&types.KeyMetadata{KeySpec: types.KeySpecSymmetricDefault, Origin: types.OriginTypeAwsCloudhsm, CustomKeyStoreId: aws.String("cks-1"), KeyState: types.KeyStateEnabled}, "unsupported"},
		"external key store":   {&types.KeyMetadata{KeySpec: types.KeySpecSymmetricDefault, Origin: types.OriginTypeExternalKeyStore, CustomKeyStoreId: aws.String("cks-2"), KeyState: types.KeyStateUnavailable}, "unsupported"},
	} {
		if got := rotationNotReadReason(tc.md); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
}
