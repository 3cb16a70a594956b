package kms

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// grantEventNames are the CloudTrail events that change a key's grants. LookupEvents takes one
// lookup attribute per call, so each name is read on its own.
var grantEventNames = []string{"CreateGrant", "RetireGrant", "RevokeGrant"}

// lookupGrantEvents calls emit for every event named name in the pair's CloudTrail since start,
// newest first, 50 (the most LookupEvents returns) a page.
func lookupGrantEvents(ctx context.Context, c *client.Client, name string, start, end time.Time, emit func(analysis.GrantEvent)) error {
	p := cloudtrail.NewLookupEventsPaginator(c.Services().CloudTrail, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cloudtrailtypes.LookupAttribute{{AttributeKey: cloudtrailtypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}},
		StartTime:        aws.Time(start),
		EndTime:          aws.Time(end),
		MaxResults:       aws.Int32(50),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, ev := range page.Events {
			if aws.ToString(ev.EventSource) != "" && aws.ToString(ev.EventSource) != "kms.amazonaws.com" {
				continue
			}
			e, err := analysis.ParseGrantEvent(ev, c.Partition, c.AccountID, c.Region)
			if err != nil {
				c.Logger().Warn().Err(err).Msg("skipping unreadable CloudTrail event")
				continue
			}
			emit(e)
		}
	}
	return nil
}

// grantLineage indexes the pair's CreateGrant events over the lookback window, once per sync,
// so each grant row can name its creator and parent grant. Nil when CloudTrail cannot be read.
func grantLineage(ctx context.Context, c *client.Client) *analysis.Lineage {
	v, err := c.Memo("grant-lineage:"+c.ID(), func() (any, error) {
		l := analysis.NewLineage()
		end := time.Now()
		start := end.AddDate(0, 0, -c.Spec.GrantEventsLookbackDays)
		return l, lookupGrantEvents(ctx, c, "CreateGrant", start, end, l.Add)
	})
	if err != nil {
		if report := c.RecordFailure("aws_kms_key_grants", "LookupEvents", "CloudTrail", err); report != nil {
			c.Logger().Warn().Err(report).Msg("created_by and parent_grant_id left empty: CloudTrail's CreateGrant events could not be read")
		}
		return nil
	}
	return v.(*analysis.Lineage)
}
