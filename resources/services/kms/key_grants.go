package kms

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/client"
)

func KeyGrants() *schema.Table {
	return &schema.Table{
		Name:        "aws_kms_key_grants",
		Description: "Grants on each key (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html), with audit facts: grantee_type, is_cross_account, one allows_* column per operation family, is_delegating (CreateGrant held by a principal that is not an AWS service), constraint_type, grantee_identity (the grantee as the aws_kms_grant_lineage view joins it with CloudTrail's callers).",
		Resolver:    fetchKeyGrants,
		Transform:   client.TransformWithStruct(&Grant{}, transformers.WithUnwrapAllEmbeddedStructs(), transformers.WithSkipFields("GrantId")),
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			keyARNColumn("arn"),
			{
				Name:                "grant_id",
				Type:                arrow.BinaryTypes.String,
				Resolver:            client.PathResolver("GrantId"),
				PrimaryKeyComponent: true,
			},
		},
	}
}

// fetchKeyGrants streams the key's grants page by page (100, the most ListGrants returns), each
// page handed on as it arrives: no grant waits on anything but ListGrants. Up to grantPagesAhead
// pages are read while earlier ones are still being resolved (readAhead), so a key with 50,000
// grants is read at ListGrants' pace, not at the pace of resolving its rows.
func fetchKeyGrants(ctx context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	key := parent.Item.(*types.KeyMetadata)
	p := kms.NewListGrantsPaginator(c.Services().KMS, &kms.ListGrantsInput{KeyId: key.Arn, Limit: aws.Int32(100)})
	pages := 0
	err := readAhead(ctx, grantPagesAhead, func(ctx context.Context) ([]types.GrantListEntry, bool, error) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, false, err
		}
		pages++
		return page.Grants, p.HasMorePages(), nil
	}, func(grants []types.GrantListEntry) {
		res <- grantRows(grants, c.AccountID, orgAccounts(c))
	})
	// The next sync describes the keys with long lists first (client.LastGrantPages).
	c.NoteGrantPages(aws.ToString(key.Arn), pages)
	if err != nil {
		if client.IsNotFound(err) {
			return nil
		}
		return c.RecordFailure("aws_kms_key_grants", "ListGrants", aws.ToString(key.Arn), err)
	}
	return nil
}

// grantPagesAhead is how many pages of a key's grants may wait, read, for their rows' turn.
const grantPagesAhead = 4

func orgAccounts(c *client.Client) map[string]bool {
	if c.Org == nil {
		return nil
	}
	return c.Org.Accounts
}
