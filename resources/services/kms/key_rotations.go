package kms

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/client"
)

func KeyRotations() *schema.Table {
	return &schema.Table{
		Name:        "aws_kms_key_rotations",
		Description: "https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html",
		Resolver:    fetchKeyRotations,
		Transform:   client.TransformWithStruct(&types.RotationsListEntry{}, transformers.WithPrimaryKeyComponents("RotationDate")),
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			keyARNColumn("arn"),
		},
	}
}

// fetchKeyRotations lists completed rotations; keys that cannot rotate are not asked.
func fetchKeyRotations(ctx context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
	key := parent.Item.(*types.KeyMetadata)
	if !rotationApplies(key) {
		return nil
	}
	c := meta.(*client.Client)
	p := kms.NewListKeyRotationsPaginator(c.Services().KMS, &kms.ListKeyRotationsInput{KeyId: key.Arn, Limit: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if client.IsUnsupported(err) || client.IsNotFound(err) {
				return nil
			}
			return c.RecordFailure("aws_kms_key_rotations", "ListKeyRotations", aws.ToString(key.Arn), err)
		}
		res <- page.Rotations
	}
	return nil
}
