package emulator_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func TestListKeysPaginatesEveryKeyOnce(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ctx := context.Background()
	for ar, rd := range w.Regions {
		client := kms.NewFromConfig(clientConfig(url, ar.Account, ar.Region))
		p := kms.NewListKeysPaginator(client, &kms.ListKeysInput{Limit: aws.Int32(3)})
		var got []string
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page.Keys), 3)
			for _, k := range page.Keys {
				got = append(got, aws.ToString(k.KeyArn))
			}
		}
		var want []string
		for _, k := range rd.Keys {
			want = append(want, k.ARN())
		}
		assert.Equal(t, want, got, "%v", ar)
	}
}

func TestListGrantsPaginatesHotKeyExactlyOnce(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ref := w.HotKey
	require.NotNil(t, ref)
	want := w.Region(ref.Account, ref.Region).Key(ref.KeyID).Grants
	require.Greater(t, len(want), 1000)

	client := kms.NewFromConfig(clientConfig(url, ref.Account, ref.Region))
	p := kms.NewListGrantsPaginator(client, &kms.ListGrantsInput{KeyId: aws.String(ref.KeyID), Limit: aws.Int32(100)})
	var got []kmstypes.GrantListEntry
	seen := map[string]bool{}
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, g := range page.Grants {
			require.False(t, seen[*g.GrantId], "grant %s listed twice", *g.GrantId)
			seen[*g.GrantId] = true
		}
		got = append(got, page.Grants...)
	}
	assert.Equal(t, want, got)
}

func TestListGrantsOfEveryKeyMatchesTheWorld(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ctx := context.Background()
	rd := w.Region(w.ManagementAccount, w.Config.Regions[0])
	client := kms.NewFromConfig(clientConfig(url, rd.Account, rd.Region))
	for _, k := range rd.Keys {
		var got []kmstypes.GrantListEntry
		p := kms.NewListGrantsPaginator(client, &kms.ListGrantsInput{KeyId: aws.String(k.ARN()), Limit: aws.Int32(2)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			got = append(got, page.Grants...)
		}
		if len(k.Grants) == 0 {
			assert.Empty(t, got, k.Kind)
			continue
		}
		assert.Equal(t, k.Grants, got, k.Kind)
	}
}

func TestDescribeKeyAcceptsEveryIdentifier(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	rd := w.Region(w.ManagementAccount, w.Config.Regions[0])
	client := kms.NewFromConfig(clientConfig(url, rd.Account, rd.Region))
	alias := rd.Aliases[0]
	for _, a := range rd.Aliases {
		if a.TargetKeyId != nil {
			alias = a
			break
		}
	}
	target := rd.Key(*alias.TargetKeyId)
	for _, ref := range []string{target.ID(), target.ARN(), *alias.AliasName, *alias.AliasArn} {
		out, err := client.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		require.NoError(t, err, ref)
		assert.Equal(t, target.Metadata, *out.KeyMetadata, ref)
	}
}

func TestDescribeKeyOfUnknownKeyIsNotFound(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	client := kms.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, w.Config.Regions[0])))
	_, err := client.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("00000000-0000-4000-8000-000000000000")})
	var notFound *kmstypes.NotFoundException
	require.ErrorAs(t, err, &notFound)
}

func TestKeyDetailsMatchTheWorld(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ctx := context.Background()
	for _, region := range w.EnabledRegions[w.ManagementAccount] {
		rd := w.Region(w.ManagementAccount, region)
		client := kms.NewFromConfig(noRetries(clientConfig(url, rd.Account, rd.Region)))
		for _, k := range rd.Keys {
			tags, err := client.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(k.ID())})
			require.NoError(t, err)
			assert.Equal(t, k.Tags, tags.Tags, k.Kind)

			names, err := client.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: aws.String(k.ID())})
			require.NoError(t, err)
			wantNames := []string{"default"}
			if k.Kind == "symmetric-rotating" { // the catalogue's key shared through AWS RAM
				wantNames = []string{"AWS_RAM", "default"}
			}
			assert.Equal(t, wantNames, names.PolicyNames, k.Kind)
			policy, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(k.ID())})
			require.NoError(t, err)
			assert.Equal(t, k.Policies["default"], aws.ToString(policy.Policy))
			ram, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(k.ID()), PolicyName: aws.String("AWS_RAM")})
			if len(wantNames) == 2 {
				require.NoError(t, err)
				assert.Equal(t, "AWS_RAM", aws.ToString(ram.PolicyName))
				assert.Contains(t, aws.ToString(ram.Policy), `"kms:Decrypt"`)
			} else {
				var notFound *kmstypes.NotFoundException
				assert.ErrorAs(t, err, &notFound, "GetKeyPolicy AWS_RAM of a key not shared through RAM is NotFoundException")
			}

			status, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(k.ARN())})
			rotations, rerr := client.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(k.ARN())})
			if k.Rotation == nil {
				var unsupported *kmstypes.UnsupportedOperationException
				assert.ErrorAs(t, err, &unsupported, k.Kind)
				assert.ErrorAs(t, rerr, &unsupported, k.Kind)
				continue
			}
			if k.Metadata.KeyState == kmstypes.KeyStatePendingDeletion {
				// GetKeyRotationStatus: "While a KMS key is pending deletion, its key rotation
				// status is false"; ListKeyRotations is refused in that state.
				require.NoError(t, err, k.Kind)
				assert.False(t, status.KeyRotationEnabled, k.Kind)
				var invalid *kmstypes.KMSInvalidStateException
				assert.ErrorAs(t, rerr, &invalid, k.Kind)
				continue
			}
			require.NoError(t, err, k.Kind)
			require.NoError(t, rerr, k.Kind)
			assert.Equal(t, k.Rotation.Enabled, status.KeyRotationEnabled, k.Kind)
			assert.Equal(t, k.Rotation.RotationPeriodInDays, status.RotationPeriodInDays, k.Kind)
			assert.Equal(t, k.Rotation.NextRotationDate, status.NextRotationDate, k.Kind)
			assert.Equal(t, k.Rotations, rotations.Rotations, k.Kind)
			all, err := client.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(k.ARN()), IncludeKeyMaterial: kmstypes.IncludeKeyMaterialAllKeyMaterial})
			require.NoError(t, err, k.Kind)
			assert.Equal(t, k.KeyMaterials, all.Rotations, k.Kind)
		}
	}
}

// TestRotationIsUnsupportedExactlyForKeysThatCannotRotate holds the emulator to the developer
// guide ("Rotate AWS KMS keys", "List rotations and key materials"): symmetric encryption keys
// rotate, with KMS-made material or imported material (on demand); asymmetric, HMAC and custom
// key store keys do not.
func TestRotationIsUnsupportedExactlyForKeysThatCannotRotate(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	want := map[string]bool{
		"symmetric-rotating": true, "symmetric-static": true, "aws-managed-ebs": true, "aws-managed-rds": true,
		"external": true, "disabled": true, "pending-deletion": true, "multi-region-primary": true,
		"multi-region-replica": true, "plain": true, "scenario": true, "hot": true, "added": true,
		"rsa-sign": false, "rsa-encrypt": false, "ecc-sign": false, "hmac": false, "cloudhsm": false,
	}
	for _, rd := range w.Regions {
		for _, k := range rd.Keys {
			canRotate, known := want[k.Kind]
			if !known {
				t.Errorf("key kind %s: say whether it rotates", k.Kind)
				continue
			}
			assert.Equal(t, canRotate, k.Rotation != nil, "%s %s", k.Kind, k.ID())
		}
	}
}

// TestImportedKeyMaterialsFollowTheReference reads the imported key's materials through the
// API and checks them against RotationsListEntry's reference: ROTATIONS_ONLY lists completed
// rotations only; ALL_KEY_MATERIAL adds the first material (no rotation date or type) and the
// material pending rotation; ImportState and ExpirationModel are present on every entry of an
// EXTERNAL key, ValidTo only with KEY_MATERIAL_EXPIRES.
func TestImportedKeyMaterialsFollowTheReference(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	rd := w.Region(w.ManagementAccount, w.Config.Regions[0])
	client := kms.NewFromConfig(noRetries(clientConfig(url, rd.Account, rd.Region)))
	ctx := context.Background()
	var key *emulator.Key
	for _, k := range rd.Keys {
		if k.Kind == "external" {
			key = k
		}
	}
	require.NotNil(t, key)
	only, err := client.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(key.ARN())})
	require.NoError(t, err)
	require.Len(t, only.Rotations, 1)
	assert.Equal(t, kmstypes.RotationTypeOnDemand, only.Rotations[0].RotationType)
	assert.Equal(t, kmstypes.KeyMaterialStateCurrent, only.Rotations[0].KeyMaterialState)

	all, err := client.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(key.ARN()), IncludeKeyMaterial: kmstypes.IncludeKeyMaterialAllKeyMaterial})
	require.NoError(t, err)
	require.Len(t, all.Rotations, 3)
	wantStates := []kmstypes.KeyMaterialState{kmstypes.KeyMaterialStateNonCurrent, kmstypes.KeyMaterialStateCurrent, kmstypes.KeyMaterialStatePendingRotation}
	for i, e := range all.Rotations {
		assert.Equal(t, wantStates[i], e.KeyMaterialState, i)
		assert.Len(t, aws.ToString(e.KeyMaterialId), 64, "KeyMaterialId: fixed length of 64")
		assert.Equal(t, kmstypes.ImportStateImported, e.ImportState, i)
		assert.NotEmpty(t, e.ExpirationModel, i)
		assert.Equal(t, e.ExpirationModel == kmstypes.ExpirationModelTypeKeyMaterialExpires, e.ValidTo != nil, i)
		assert.Equal(t, i == 1, e.RotationDate != nil, "only the rotated material has a rotation date (%d)", i)
	}
	assert.Equal(t, aws.ToString(key.Metadata.CurrentKeyMaterialId), aws.ToString(all.Rotations[1].KeyMaterialId))

	status, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(key.ARN())})
	require.NoError(t, err)
	assert.False(t, status.KeyRotationEnabled, "automatic rotation cannot be enabled on imported key material")

	_, err = client.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(key.ARN()), IncludeKeyMaterial: "SOME"})
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "ValidationException", apiErr.ErrorCode())
}

func TestListAliasesFiltersByKey(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	rd := w.Region(w.ManagementAccount, w.Config.Regions[0])
	client := kms.NewFromConfig(clientConfig(url, rd.Account, rd.Region))
	var all []kmstypes.AliasListEntry
	p := kms.NewListAliasesPaginator(client, &kms.ListAliasesInput{Limit: aws.Int32(4)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		all = append(all, page.Aliases...)
	}
	assert.Equal(t, rd.Aliases, all)

	k := rd.Key(w.Scenario.KeyID)
	out, err := client.ListAliases(context.Background(), &kms.ListAliasesInput{KeyId: aws.String(k.ARN())})
	require.NoError(t, err)
	require.Len(t, out.Aliases, 1)
	assert.Equal(t, w.Scenario.AliasName, *out.Aliases[0].AliasName)
}

func TestLimitsOutsideTheAPIRangeAreValidationErrors(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	client := kms.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, w.Config.Regions[0])))
	ctx := context.Background()
	calls := map[string]func() error{
		"ListKeys 0":    func() error { _, err := client.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(0)}); return err },
		"ListKeys 1001": func() error { _, err := client.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1001)}); return err },
		"ListAliases 101": func() error {
			_, err := client.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(101)})
			return err
		},
		"ListGrants 101": func() error {
			_, err := client.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &w.Scenario.KeyID, Limit: aws.Int32(101)})
			return err
		},
		"ListTags 51": func() error {
			_, err := client.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &w.Scenario.KeyID, Limit: aws.Int32(51)})
			return err
		},
		"ListRotations 0": func() error {
			_, err := client.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &w.Scenario.KeyID, Limit: aws.Int32(0)})
			return err
		},
		"ListPolicies 1001": func() error {
			_, err := client.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: &w.Scenario.KeyID, Limit: aws.Int32(1001)})
			return err
		},
	}
	for name, call := range calls {
		var apiErr smithy.APIError
		require.True(t, errors.As(call(), &apiErr), name)
		assert.Equal(t, "ValidationException", apiErr.ErrorCode(), name)
	}
}

func TestInvalidMarkerIsRejected(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	client := kms.NewFromConfig(noRetries(clientConfig(url, w.ManagementAccount, w.Config.Regions[0])))
	_, err := client.ListKeys(context.Background(), &kms.ListKeysInput{Marker: aws.String("not-a-marker")})
	var invalid *kmstypes.InvalidMarkerException
	assert.ErrorAs(t, err, &invalid)
}

// TestRotationCallsByKeyState: the rotation operations in each transitional key state, after
// the key state table ("Key states of AWS KMS keys") and the GetKeyRotationStatus reference:
// ListKeyRotations is refused with KMSInvalidStateException in all of them; GetKeyRotationStatus
// answers false while the key is pending deletion and is refused in the others.
func TestRotationCallsByKeyState(t *testing.T) {
	ctx := context.Background()
	// inState serves a fresh world whose symmetric-rotating key (rotation enabled) is in state.
	inState := func(state kmstypes.KeyState) (*kms.Client, string) {
		w := emulator.NewWorld(testConfig())
		rd := w.Region(w.ManagementAccount, w.Config.Regions[0])
		for _, k := range rd.Keys {
			if k.Kind == "symmetric-rotating" {
				require.True(t, k.Rotation.Enabled)
				k.Metadata.KeyState = state // before serving: no mutation while the server reads
				_, url := serve(t, w)
				return kms.NewFromConfig(noRetries(clientConfig(url, rd.Account, rd.Region))), k.ARN()
			}
		}
		t.Fatal("no symmetric-rotating key")
		return nil, ""
	}
	for _, state := range []kmstypes.KeyState{
		kmstypes.KeyStatePendingDeletion, kmstypes.KeyStatePendingReplicaDeletion, kmstypes.KeyStateCreating,
		kmstypes.KeyStateUpdating, kmstypes.KeyStatePendingImport, kmstypes.KeyStateUnavailable,
	} {
		client, arn := inState(state)
		var invalid *kmstypes.KMSInvalidStateException
		_, err := client.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(arn)})
		assert.ErrorAs(t, err, &invalid, "ListKeyRotations while %s", state)
		status, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(arn)})
		if state == kmstypes.KeyStatePendingDeletion {
			require.NoError(t, err)
			assert.False(t, status.KeyRotationEnabled, "rotation status while pending deletion")
		} else {
			assert.ErrorAs(t, err, &invalid, "GetKeyRotationStatus while %s", state)
		}
	}
	// "The key rotation status does not change when you disable a KMS key."
	client, arn := inState(kmstypes.KeyStateDisabled)
	status, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(arn)})
	require.NoError(t, err)
	assert.True(t, status.KeyRotationEnabled)
}
