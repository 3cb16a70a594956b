package kms

import (
	"cmp"
	"context"
	"reflect"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	sdktypes "github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// keysPerSend is how many keys are described at once and handed to the scheduler together. The
// scheduler holds a send's resolved keys until their child tables start, so small sends keep
// memory flat however many keys a region has; eight keep DescribeKey ahead of the child tables.
const keysPerSend = 8

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
				Description: "Whether automatic key rotation is on; null where it was not read, and rotation_not_read_reason says why.",
				Resolver:    resolveKeyRotationEnabled,
			},
			{
				Name: rotationReasonColumn,
				Type: arrow.BinaryTypes.String,
				Description: "Why rotation_enabled is null: `unsupported` (asymmetric, HMAC or custom key store keys cannot rotate), " +
					"`key_state:<KeyState>` (KMS refuses rotation calls while the key is PendingDeletion, PendingReplicaDeletion, Creating, Updating, PendingImport or Unavailable; `key_state:refused` when KMS refused with KMSInvalidStateException though DescribeKey showed another state), " +
					"`error:<AWS error code>` (the call failed, e.g. denied; `error` when the failure carries no code). Null when rotation_enabled was read.",
				Resolver: func(context.Context, schema.ClientMeta, *schema.Resource, schema.Column) error { return nil }, // set with rotation_enabled
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
				Resolver:            client.PathResolver("Arn"),
				PrimaryKeyComponent: true,
			},
			{
				Name:     "replica_keys",
				Type:     sdktypes.ExtensionTypes.JSON,
				Resolver: client.NilAsNullResolver("MultiRegionConfiguration.ReplicaKeys"),
			},
		},
		Relations: []*schema.Table{KeyGrants(), KeyPolicies(), KeyRotations(), KeyLastUsage()},
	}
}

// fetchKeys sends the keys of each page of ListKeys in batches, each once its keys are described.
// A key whose DescribeKey is denied is still written from ListKeys, and the first such failure
// is returned once every key was sent, so the sync's error count has it once per account and
// region; a key deleted meanwhile is left out.
func fetchKeys(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	var report error
	describers := startWorkers(keysPerSend)
	defer describers.stop()
	p := kms.NewListKeysPaginator(c.Services().KMS, &kms.ListKeysInput{Limit: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return c.RecordFailure("aws_kms_keys", "ListKeys", c.ID(), err)
		}
		for batch := range slices.Chunk(longGrantListsFirst(page.Keys, c.LastGrantPages), keysPerSend) {
			keys, failure, err := describeKeys(ctx, c, batch, describers)
			if err != nil {
				return err
			}
			report = cmp.Or(report, failure)
			// A batch per send, not a key: the scheduler resolves the keys of one send and their
			// child tables in parallel, but finishes every child table of a send before it takes
			// the next, so keys sent one by one would be synced one after another.
			select {
			case res <- keys:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return report
}

// longGrantListsFirst puts the keys whose grants took most pages in the last sync first, most
// pages first, and keeps the others in ListKeys' order: a long list is a chain of calls, and a key
// described early has its grants read early (client.LastGrantPages).
func longGrantListsFirst(entries []types.KeyListEntry, lastPages func(keyARN string) int) []types.KeyListEntry {
	pages := make(map[string]int)
	for _, e := range entries {
		if n := lastPages(aws.ToString(e.KeyArn)); n > 0 {
			pages[aws.ToString(e.KeyArn)] = n
		}
	}
	if len(pages) == 0 {
		return entries
	}
	out := slices.Clone(entries)
	slices.SortStableFunc(out, func(a, b types.KeyListEntry) int {
		return cmp.Compare(pages[aws.ToString(b.KeyArn)], pages[aws.ToString(a.KeyArn)])
	})
	return out
}

// describeKeys describes a batch of keys in parallel on the describers, keeping ListKeys' order
// and leaving out keys deleted since; failure is the first failure to report.
func describeKeys(ctx context.Context, c *client.Client, entries []types.KeyListEntry, describers workers) (keys []*types.KeyMetadata, failure, err error) {
	keys = make([]*types.KeyMetadata, len(entries))
	failures := make([]error, len(entries))
	errs := make([]error, len(entries))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i, entry := range entries {
		wg.Add(1)
		describers.run(func() {
			defer wg.Done()
			if keys[i], failures[i], errs[i] = describeKey(ctx, c, entry); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	if err := cmp.Or(errs...); err != nil {
		return nil, nil, err
	}
	return slices.DeleteFunc(keys, func(md *types.KeyMetadata) bool { return md == nil }), cmp.Or(failures...), nil
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
