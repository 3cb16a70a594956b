package kms

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/client"
)

func Aliases() *schema.Table {
	return &schema.Table{
		Name:        "aws_kms_aliases",
		Description: "https://docs.aws.amazon.com/kms/latest/APIReference/API_AliasListEntry.html",
		Resolver:    fetchAliases,
		Multiplex:   client.AccountRegionMultiplex,
		Transform:   client.TransformWithStruct(&types.AliasListEntry{}),
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			{
				Name:                "arn",
				Type:                arrow.BinaryTypes.String,
				Resolver:            client.PathResolver("AliasArn"),
				PrimaryKeyComponent: true,
			},
		},
	}
}

func fetchAliases(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	p := kms.NewListAliasesPaginator(c.Services().KMS, &kms.ListAliasesInput{Limit: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return c.RecordFailure("aws_kms_aliases", "ListAliases", c.ID(), err)
		}
		res <- page.Aliases
	}
	return nil
}
