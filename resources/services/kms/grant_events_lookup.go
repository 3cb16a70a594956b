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

// lookupGrantEvents calls emit with every page of events named name in the pair's CloudTrail
// since start, newest first, 50 (the most LookupEvents returns) a page.
func lookupGrantEvents(ctx context.Context, c *client.Client, name string, start, end time.Time, emit func([]analysis.GrantEvent)) error {
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
		events := make([]analysis.GrantEvent, 0, len(page.Events))
		for _, ev := range page.Events {
			if aws.ToString(ev.EventSource) != "" && aws.ToString(ev.EventSource) != "kms.amazonaws.com" {
				continue
			}
			e, err := analysis.ParseGrantEvent(ev, c.Partition, c.AccountID, c.Region)
			if err != nil {
				c.Logger().Warn().Err(err).Msg("skipping unreadable CloudTrail event")
				continue
			}
			events = append(events, e)
		}
		emit(events)
	}
	return nil
}
