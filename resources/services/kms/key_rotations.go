package kms

import (
	"context"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// KeyRotations lists every key material of a key, as ListKeyRotations with IncludeKeyMaterial
// ALL_KEY_MATERIAL returns them: the first key material (no rotation date or type), one entry
// per completed automatic or on-demand rotation, and imported key material waiting for an
// on-demand rotation (key_material_state PENDING_ROTATION or
// PENDING_MULTI_REGION_IMPORT_AND_ROTATION, no rotation date). The key material states say which
// material encrypts (CURRENT) and which only decrypts (NON_CURRENT); for imported material,
// import_state, expiration_model and valid_to say whether it is still imported and when it
// expires.
func KeyRotations() *schema.Table {
	return &schema.Table{
		Name: "aws_kms_key_rotations",
		Description: "Key materials of each key that can rotate, completed rotations included " +
			"(https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html with IncludeKeyMaterial=ALL_KEY_MATERIAL; " +
			"rows without rotation_date are the first key material and imported material pending rotation).",
		Resolver:  fetchKeyRotations,
		Transform: client.TransformWithStruct(&types.RotationsListEntry{}),
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			keyARNColumn("arn"),
			{
				Name: "key_material_ref",
				Type: arrow.BinaryTypes.String,
				Description: "The row's identity within the key: key_material_id, or, in a response that carries no key material id " +
					"(before 2025), `rotated:` and the rotation date to the nanosecond.",
				Resolver:            resolveKeyMaterialRef,
				PrimaryKeyComponent: true,
			},
		},
	}
}

// fetchKeyRotations lists the key materials of keys that can rotate. Keys that cannot are not
// asked, nor keys in a state in which KMS refuses (aws_kms_keys.rotation_not_read_reason says
// which); a refusal after all (the key changed state since DescribeKey) is that state, not a
// failure.
func fetchKeyRotations(ctx context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
	key := parent.Item.(*types.KeyMetadata)
	if rotationNotReadReason(key) != "" {
		return nil
	}
	c := meta.(*client.Client)
	return listKeyMaterials(ctx, c, c.Services().KMS, key, res)
}

// listKeyMaterials sends the key's materials as ListKeyRotations lists them.
func listKeyMaterials(ctx context.Context, c *client.Client, api kms.ListKeyRotationsAPIClient, key *types.KeyMetadata, res chan<- any) error {
	p := kms.NewListKeyRotationsPaginator(api, &kms.ListKeyRotationsInput{
		KeyId: key.Arn, Limit: aws.Int32(1000), IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if client.IsUnsupported(err) || client.IsNotFound(err) || client.IsInvalidState(err) {
				c.Logger().Debug().Str("key", aws.ToString(key.Arn)).Str("code", client.ErrorCode(err)).Msg("ListKeyRotations refused for this key; no key materials listed")
				return nil
			}
			return c.RecordFailure("aws_kms_key_rotations", "ListKeyRotations", aws.ToString(key.Arn), err)
		}
		res <- page.Rotations
	}
	return nil
}

func resolveKeyMaterialRef(_ context.Context, _ schema.ClientMeta, r *schema.Resource, col schema.Column) error {
	return r.Set(col.Name, keyMaterialRef(r.Item.(types.RotationsListEntry)))
}

// keyMaterialRef identifies an entry within its key. The key material id does where AWS gives
// one; otherwise the rotation date does, to the nanosecond (CloudQuery's _cq_id would cut a
// timestamp to the second, and two on-demand rotations can complete within one).
func keyMaterialRef(e types.RotationsListEntry) string {
	if e.KeyMaterialId != nil {
		return *e.KeyMaterialId
	}
	if e.RotationDate != nil {
		return "rotated:" + e.RotationDate.UTC().Format(time.RFC3339Nano)
	}
	return "first" // the only entry without either: the first key material of an old response
}
