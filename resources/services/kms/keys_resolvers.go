package kms

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// rotationApplies tells whether automatic rotation can apply to the key: only symmetric
// encryption keys whose key material KMS generated (not asymmetric, HMAC, imported or custom key
// store keys). When the metadata is unknown (DescribeKey denied) we ask AWS.
func rotationApplies(md *types.KeyMetadata) bool {
	if md.KeySpec == "" {
		return true
	}
	return md.KeySpec == types.KeySpecSymmetricDefault && md.Origin == types.OriginTypeAwsKms && md.CustomKeyStoreId == nil
}

func resolveKeyRotationEnabled(ctx context.Context, meta schema.ClientMeta, r *schema.Resource, col schema.Column) error {
	md := r.Item.(*types.KeyMetadata)
	if !rotationApplies(md) {
		return nil
	}
	c := meta.(*client.Client)
	out, err := c.Services().KMS.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.Arn})
	switch {
	case err == nil:
		return r.Set(col.Name, out.KeyRotationEnabled)
	case client.IsUnsupported(err), client.IsNotFound(err):
		return nil
	}
	return c.RecordFailure("aws_kms_keys", "GetKeyRotationStatus", aws.ToString(md.Arn), err)
}

func resolveKeyTags(ctx context.Context, meta schema.ClientMeta, r *schema.Resource, col schema.Column) error {
	md := r.Item.(*types.KeyMetadata)
	if md.KeyManager == types.KeyManagerTypeAws {
		return nil // AWS managed keys cannot be tagged; asking only costs quota
	}
	c := meta.(*client.Client)
	tags := map[string]string{}
	p := kms.NewListResourceTagsPaginator(c.Services().KMS, &kms.ListResourceTagsInput{KeyId: md.Arn, Limit: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if client.IsNotFound(err) {
				return nil
			}
			return c.RecordFailure("aws_kms_keys", "ListResourceTags", aws.ToString(md.Arn), err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
		}
	}
	return r.Set(col.Name, tags)
}
