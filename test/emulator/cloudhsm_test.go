package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	hsmtypes "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCloudHSMListingsMatchTheWorld(t *testing.T) {
	cfg := testConfig()
	cfg.ClustersPerRegion = 3
	w, url := startEmulator(t, cfg)
	ctx := context.Background()
	for ar, rd := range w.Regions {
		client := cloudhsmv2.NewFromConfig(clientConfig(url, ar.Account, ar.Region))
		var clusters []hsmtypes.Cluster
		cp := cloudhsmv2.NewDescribeClustersPaginator(client, &cloudhsmv2.DescribeClustersInput{MaxResults: aws.Int32(2)})
		for cp.HasMorePages() {
			page, err := cp.NextPage(ctx)
			require.NoError(t, err)
			clusters = append(clusters, page.Clusters...)
		}
		assert.Equal(t, rd.Clusters, clusters, "%v", ar)

		var backups []hsmtypes.Backup
		bp := cloudhsmv2.NewDescribeBackupsPaginator(client, &cloudhsmv2.DescribeBackupsInput{MaxResults: aws.Int32(2)})
		for bp.HasMorePages() {
			page, err := bp.NextPage(ctx)
			require.NoError(t, err)
			backups = append(backups, page.Backups...)
		}
		assert.Equal(t, rd.Backups, backups, "%v", ar)

		tags, err := client.ListTags(ctx, &cloudhsmv2.ListTagsInput{ResourceId: rd.Clusters[0].ClusterId})
		require.NoError(t, err)
		assert.Equal(t, rd.Clusters[0].TagList, tags.TagList)
	}
}

func TestCloudHSMFiltersAndErrors(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	rd := w.Region(w.ManagementAccount, "eu-west-1")
	client := cloudhsmv2.NewFromConfig(noRetries(clientConfig(url, rd.Account, rd.Region)))
	ctx := context.Background()
	copied, err := client.DescribeBackups(ctx, &cloudhsmv2.DescribeBackupsInput{Filters: map[string][]string{"sourceBackupIds": {*backupCopiedFrom(rd.Backups)}}})
	require.NoError(t, err)
	require.Len(t, copied.Backups, 1)
	assert.Equal(t, "us-east-1", aws.ToString(copied.Backups[0].SourceRegion))

	_, err = client.ListTags(ctx, &cloudhsmv2.ListTagsInput{ResourceId: aws.String("cluster-doesnotexist")})
	var notFound *hsmtypes.CloudHsmResourceNotFoundException
	assert.ErrorAs(t, err, &notFound)
}

func backupCopiedFrom(backups []hsmtypes.Backup) *string {
	for _, b := range backups {
		if b.SourceBackup != nil {
			return b.SourceBackup
		}
	}
	return aws.String("none")
}
