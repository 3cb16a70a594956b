package cloudhsmv2

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	sdktypes "github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/kmsaudit/cq-source-awskms/client"
)

func Backups() *schema.Table {
	return &schema.Table{
		Name:        "aws_cloudhsmv2_backups",
		Description: "https://docs.aws.amazon.com/cloudhsm/latest/APIReference/API_Backup.html",
		Resolver:    fetchBackups,
		Multiplex:   client.CloudHSMV2Multiplex,
		Transform:   client.TransformWithStruct(&types.Backup{}, transformers.WithSkipFields("TagList")),
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			{
				Name:                "arn",
				Type:                arrow.BinaryTypes.String,
				Description:         "arn:<partition>:cloudhsm:<region>:<account>:backup/<backup id>",
				Resolver:            resolveARN("backup", func(item any) *string { return item.(types.Backup).BackupId }),
				PrimaryKeyComponent: true,
			},
			{
				Name:     "tags",
				Type:     sdktypes.ExtensionTypes.JSON,
				Resolver: resolveTags(func(item any) []types.Tag { return item.(types.Backup).TagList }),
			},
		},
	}
}

func fetchBackups(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	p := cloudhsmv2.NewDescribeBackupsPaginator(c.Services().CloudHSMV2, &cloudhsmv2.DescribeBackupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if client.IsAccessDenied(err) {
			// An SCP or policy that denies CloudHSM denies it in every region: reported once per account.
			return c.RecordAccountFailure("aws_cloudhsmv2_backups", "DescribeBackups", err)
		}
		if err != nil {
			return c.RecordFailure("aws_cloudhsmv2_backups", "DescribeBackups", c.ID(), err)
		}
		res <- page.Backups
	}
	return nil
}
