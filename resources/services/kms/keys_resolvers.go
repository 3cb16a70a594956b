package kms

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// resolveKeyRotationEnabled reads GetKeyRotationStatus where it can answer and fills
// rotation_not_read_reason where it is not read or does not answer.
func resolveKeyRotationEnabled(ctx context.Context, meta schema.ClientMeta, r *schema.Resource, col schema.Column) error {
	md := r.Item.(*types.KeyMetadata)
	if reason := rotationNotReadReason(md); reason != "" {
		return r.Set(rotationReasonColumn, reason)
	}
	c := meta.(*client.Client)
	out, err := c.Services().KMS.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.Arn})
	return setRotationStatus(c, r, col, md, out, err)
}

// setRotationStatus writes GetKeyRotationStatus's answer (or refusal) into the key's row.
func setRotationStatus(c *client.Client, r *schema.Resource, col schema.Column, md *types.KeyMetadata, out *kms.GetKeyRotationStatusOutput, err error) error {
	switch {
	case err == nil:
		return r.Set(col.Name, out.KeyRotationEnabled)
	case client.IsUnsupported(err):
		return r.Set(rotationReasonColumn, reasonUnsupported)
	case client.IsInvalidState(err):
		// The key changed state since DescribeKey: the documented refusal, not a failure.
		return r.Set(rotationReasonColumn, reasonStateRefused)
	case client.IsNotFound(err):
		return nil
	}
	if serr := r.Set(rotationReasonColumn, reasonError(client.ErrorCode(err))); serr != nil {
		return serr
	}
	return c.RecordFailure("aws_kms_keys", "GetKeyRotationStatus", aws.ToString(md.Arn), err)
}

// rotationReasonColumn is set by resolveKeyRotationEnabled, which makes the one call both
// columns come from.
const rotationReasonColumn = "rotation_not_read_reason"

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
			if client.IsNotFound(err) || client.IsInvalidState(err) {
				return nil // deleted meanwhile, or refused in the key's state: no tags to show
			}
			return c.RecordFailure("aws_kms_keys", "ListResourceTags", aws.ToString(md.Arn), err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
		}
	}
	return r.Set(col.Name, tags)
}
