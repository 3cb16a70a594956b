package kms

import (
	"context"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// SharedKey is a key another account shares with the syncing account through AWS RAM.
type SharedKey struct {
	KeyArn string
	KeyId  *string
	// OwnerAccountId is the account in the key ARN: the key's owner.
	OwnerAccountId string
	// OwnerInOrganization is whether the owner belongs to the synced organization; nil when the
	// accounts were listed in the spec rather than discovered from Organizations.
	OwnerInOrganization *bool
}

func KeysSharedWithUs() *schema.Table {
	accountID := client.AccountIDColumn
	accountID.PrimaryKeyComponent = true
	accountID.Description = "The account the key is shared with."
	return &schema.Table{
		Name: "aws_kms_keys_shared_with_us",
		Description: "Keys other accounts share with each synced account through AWS RAM, as ListKeys lists them with " +
			"ResourceOwners=OTHER_ACCOUNTS_VIA_RAM (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html); " +
			"one row per receiving account and key. They are not rows of aws_kms_keys: their owner syncs them. DescribeKey is " +
			"not called: a share may allow only cryptographic use of the key, and the key's details belong to its owner.",
		Resolver:  fetchKeysSharedWithUs,
		Multiplex: client.AccountRegionMultiplex,
		Transform: client.TransformWithStruct(&SharedKey{}),
		Columns: []schema.Column{
			accountID,
			client.RegionColumn,
			{
				Name:                "key_arn",
				Type:                arrow.BinaryTypes.String,
				Resolver:            client.PathResolver("KeyArn"),
				PrimaryKeyComponent: true,
			},
		},
	}
}

// fetchKeysSharedWithUs pages through the shared keys. Such pages "can contain fewer KMS keys
// than the Limit value, or none, even when Truncated is true", so only Truncated ends the list,
// and each marker is sent back with the ResourceOwners value it came with.
func fetchKeysSharedWithUs(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	in := &kms.ListKeysInput{Limit: aws.Int32(1000), ResourceOwners: []types.ResourceOwnerType{types.ResourceOwnerTypeOtherAccountsViaRam}}
	p := kms.NewListKeysPaginator(c.Services().KMS, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return c.RecordFailure("aws_kms_keys_shared_with_us", "ListKeys", c.ID(), err)
		}
		rows := make([]*SharedKey, 0, len(page.Keys))
		for _, k := range page.Keys {
			arn := aws.ToString(k.KeyArn)
			owner := accountOfARN(arn)
			if owner == c.AccountID {
				continue // "This list doesn't include KMS keys that your account owns"; kept out if it ever did
			}
			row := &SharedKey{KeyArn: arn, KeyId: k.KeyId, OwnerAccountId: owner}
			if c.Org != nil {
				row.OwnerInOrganization = aws.Bool(c.Org.Accounts[owner])
			}
			rows = append(rows, row)
		}
		if len(rows) > 0 {
			res <- rows
		}
	}
	return nil
}

// accountOfARN is the account field of an ARN, "" when arn is not one.
func accountOfARN(arn string) string {
	fields := strings.SplitN(arn, ":", 6)
	if len(fields) != 6 {
		return ""
	}
	return fields[4]
}
