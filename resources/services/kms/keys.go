package kms

import (
	"cmp"
	"context"
	"reflect"
	"sync"

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
		Transform:   client.TransformWithStruct(&types.KeyMetadata{}, transformers.WithSkipFields("Arn"), transformers.WithResolverTransformer(describedOnly)),
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
// DescribeKey is denied is still written from ListKeys, and the first such failure is returned
// once every key was sent, so the sync's error count has it once per account and region; a key
// deleted meanwhile is left out.
func fetchKeys(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	api := c.Services().KMS
	var (
		mu     sync.Mutex
		report error
	)
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
				md, failure, err := describeKey(gctx, c, entry)
				if err != nil || md == nil {
					return err
				}
				if failure != nil {
					mu.Lock()
					report = cmp.Or(report, failure)
					mu.Unlock()
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
	return report
}

// describeKey reads the key's metadata. When DescribeKey fails for the key alone, it returns the
// key as ListKeys knows it and, the first time per table, account and region, the failure to
// report (RecordFailure counts the rest for the summary).
func describeKey(ctx context.Context, c *client.Client, entry types.KeyListEntry) (md *types.KeyMetadata, failure, err error) {
	out, err := c.Services().KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: entry.KeyArn})
	switch {
	case err == nil:
		return out.KeyMetadata, nil, nil
	case client.IsNotFound(err):
		c.Logger().Debug().Str("key", aws.ToString(entry.KeyArn)).Msg("key deleted since ListKeys; leaving it out")
		return nil, nil, nil
	case ctx.Err() != nil:
		return nil, nil, ctx.Err()
	}
	c.Logger().Debug().Err(err).Str("key", aws.ToString(entry.KeyArn)).Msg("DescribeKey failed; writing the key from ListKeys (arn, key_id) only")
	failure = c.RecordFailure("aws_kms_keys", "DescribeKey", aws.ToString(entry.KeyArn), err)
	return &types.KeyMetadata{Arn: entry.KeyArn, KeyId: entry.KeyId}, failure, nil
}

// described tells a key DescribeKey answered for from one written from ListKeys alone: KMS
// returns KeyState for every key.
func described(md *types.KeyMetadata) bool { return md.KeyState != "" }

// describedOnly resolves a metadata column only for described keys: on the others the
// struct's zero values (enabled=false, key_state="") would read as facts, so they stay NULL.
func describedOnly(_ reflect.StructField, path string) schema.ColumnResolver {
	resolve := client.NilAsNullResolver(path)
	if path == "KeyId" {
		return resolve // ListKeys knows it
	}
	return func(ctx context.Context, meta schema.ClientMeta, r *schema.Resource, col schema.Column) error {
		if !described(r.Item.(*types.KeyMetadata)) {
			return nil
		}
		return resolve(ctx, meta, r, col)
	}
}
