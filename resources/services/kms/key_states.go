package kms

import "github.com/aws/aws-sdk-go-v2/service/kms/types"

// transitionalStates are the key states in which the plugin makes no rotation call, after the
// key state table of the KMS developer guide ("Key states of AWS KMS keys",
// https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html): ListKeyRotations answers
// KMSInvalidStateException for a key pending deletion (as AWS does: issue 10's "Errors: 6"); the
// table has GetKeyRotationStatus fail for keys pending import or unavailable, and while a key is
// pending deletion it answers false whatever the key's setting ("its key rotation status is
// false", GetKeyRotationStatus reference), which is not the key's setting either. The
// multi-Region states (PendingReplicaDeletion, Creating, Updating) are transient like them. The
// state is recorded as the reason instead; should KMS refuse anyway, that is no error either.
var transitionalStates = map[types.KeyState]bool{
	types.KeyStatePendingDeletion:        true,
	types.KeyStatePendingReplicaDeletion: true,
	types.KeyStateCreating:               true,
	types.KeyStateUpdating:               true,
	types.KeyStatePendingImport:          true,
	types.KeyStateUnavailable:            true,
}

// rotationSupported tells whether the key can have rotations, after the developer guide ("Rotate
// AWS KMS keys"; "List rotations and key materials"): symmetric encryption keys whose key
// material KMS generated (automatic and on-demand rotation) or that was imported (on-demand
// rotation, 2025); not asymmetric or HMAC keys, nor keys in a custom key store (CloudHSM or
// external). When the metadata is unknown (DescribeKey denied) AWS is asked.
func rotationSupported(md *types.KeyMetadata) bool {
	if md.KeySpec == "" {
		return true
	}
	if md.KeySpec != types.KeySpecSymmetricDefault || md.CustomKeyStoreId != nil {
		return false
	}
	return md.Origin == types.OriginTypeAwsKms || md.Origin == types.OriginTypeExternal
}

// rotationNotReadReason says why the rotation of a key is not read at all, or "" when it is.
func rotationNotReadReason(md *types.KeyMetadata) string {
	switch {
	case !rotationSupported(md):
		return reasonUnsupported
	case transitionalStates[md.KeyState]:
		return reasonKeyState(md.KeyState)
	}
	return ""
}

// The values of aws_kms_keys.rotation_not_read_reason, besides reasonKeyState and reasonError.
const (
	reasonUnsupported = "unsupported"
	// reasonStateRefused: KMS answered KMSInvalidStateException, the key having entered such a
	// state after DescribeKey; the answer names no state the plugin could record.
	reasonStateRefused = "key_state:refused"
)

func reasonKeyState(s types.KeyState) string { return "key_state:" + string(s) }

// reasonError names the failed call's AWS error code; a failure that is not AWS's answer (the
// network, a cancelled sync) has none.
func reasonError(code string) string {
	if code == "" {
		return "error"
	}
	return "error:" + code
}
