package kms

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	sdktypes "github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/kmsaudit/cq-source-awskms/client"
	"golang.org/x/sync/errgroup"
)

// describeParallelism bounds the DescribeKey calls in flight for one page of ListKeys.
const describeParallelism = 32

func Keys() *schema.Table {
	return &schema.Table{
		Name:        "aws_kms_keys",
		Description: "https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html",
		Resolver:    fetchKeys,
		Multiplex:   client.AccountRegionMultiplex,
		Transform:   client.TransformWithStruct(&types.KeyMetadata{}, transformers.WithSkipFields("Arn")),
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			{
				Name:        "rotation_enabled",
				Type:        arrow.FixedWidthTypes.Boolean,
				Description: "Whether automatic key rotation is on; null where rotation does not apply to the key or the call was denied.",
				Resolver:    resolveKeyRotationEnabled,
			},
			{
				Name:        "tags",
				Type:        sdktypes.ExtensionTypes.JSON,
				Description: "The key's tags as an object; null for AWS managed keys, which have none.",
				Resolver:    resolveKeyTags,
			},
			{
				Name:                "arn",
				Type:                arrow.BinaryTypes.String,
				Resolver:            schema.PathResolver("Arn"),
				PrimaryKeyComponent: true,
			},
			{
				Name:     "replica_keys",
				Type:     sdktypes.ExtensionTypes.JSON,
				Resolver: client.NilAsNullResolver("MultiRegionConfiguration.ReplicaKeys"),
			},
		},
		Relations: []*schema.Table{KeyGrants(), KeyPolicies(), KeyRotations()},
	}
}

// fetchKeys streams each page of ListKeys as soon as its keys are described. A key whose
// DescribeKey is denied is still written from ListKeys; one deleted meanwhile is left out.
func fetchKeys(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	api := c.Services().KMS
	p := kms.NewListKeysPaginator(api, &kms.ListKeysInput{Limit: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(describeParallelism)
		for _, entry := range page.Keys {
			g.Go(func() error {
				md, err := describeKey(gctx, c, entry)
				if err != nil || md == nil {
					return err
				}
				select {
				case res <- md:
				case <-gctx.Done():
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

func describeKey(ctx context.Context, c *client.Client, entry types.KeyListEntry) (*types.KeyMetadata, error) {
	out, err := c.Services().KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: entry.KeyArn})
	switch {
	case err == nil:
		return out.KeyMetadata, nil
	case client.IsNotFound(err):
		c.Logger().Debug().Str("key", aws.ToString(entry.KeyArn)).Msg("key deleted since ListKeys; leaving it out")
		return nil, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	c.Logger().Warn().Err(err).Str("key", aws.ToString(entry.KeyArn)).Msg("DescribeKey failed; writing the key from ListKeys (arn, key_id) only")
	if report := c.RecordFailure("aws_kms_keys", "DescribeKey", aws.ToString(entry.KeyArn), err); report != nil {
		c.Logger().Error().Err(report).Msg("key metadata incomplete")
	}
	return &types.KeyMetadata{Arn: entry.KeyArn, KeyId: entry.KeyId}, nil
}
