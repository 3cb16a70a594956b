package cloudhsmv2

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	sdktypes "github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/kmsaudit/cq-source-awskms/client"
)

func Clusters() *schema.Table {
	return &schema.Table{
		Name:        "aws_cloudhsmv2_clusters",
		Description: "https://docs.aws.amazon.com/cloudhsm/latest/APIReference/API_Cluster.html",
		Resolver:    fetchClusters,
		Multiplex:   client.CloudHSMV2Multiplex,
		Transform:   client.TransformWithStruct(&types.Cluster{}, transformers.WithSkipFields("TagList")),
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			{
				Name:                "arn",
				Type:                arrow.BinaryTypes.String,
				Description:         "arn:<partition>:cloudhsm:<region>:<account>:cluster/<cluster id>",
				Resolver:            resolveARN("cluster", func(item any) *string { return item.(types.Cluster).ClusterId }),
				PrimaryKeyComponent: true,
			},
			{
				Name:     "tags",
				Type:     sdktypes.ExtensionTypes.JSON,
				Resolver: resolveTags(func(item any) []types.Tag { return item.(types.Cluster).TagList }),
			},
		},
	}
}

func fetchClusters(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	p := cloudhsmv2.NewDescribeClustersPaginator(c.Services().CloudHSMV2, &cloudhsmv2.DescribeClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if client.IsAccessDenied(err) {
			// An SCP or policy that denies CloudHSM denies it in every region: reported once per account.
			return c.RecordAccountFailure("aws_cloudhsmv2_clusters", "DescribeClusters", err)
		}
		if err != nil {
			return c.RecordFailure("aws_cloudhsmv2_clusters", "DescribeClusters", c.ID(), err)
		}
		res <- page.Clusters
	}
	return nil
}

// resolveARN builds the resource's ARN, which the CloudHSMv2 API does not return.
func resolveARN(resourceType string, id func(item any) *string) schema.ColumnResolver {
	return func(_ context.Context, meta schema.ClientMeta, r *schema.Resource, col schema.Column) error {
		c := meta.(*client.Client)
		return r.Set(col.Name, fmt.Sprintf("arn:%s:cloudhsm:%s:%s:%s/%s", c.Partition, c.Region, c.AccountID, resourceType, aws.ToString(id(r.Item))))
	}
}

// resolveTags turns the API's tag list into an object, as CloudQuery's AWS plugin stores tags.
func resolveTags(tags func(item any) []types.Tag) schema.ColumnResolver {
	return func(_ context.Context, _ schema.ClientMeta, r *schema.Resource, col schema.Column) error {
		out := map[string]string{}
		for _, t := range tags(r.Item) {
			out[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		return r.Set(col.Name, out)
	}
}
