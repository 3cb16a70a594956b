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

// grantLineage indexes the pair's CreateGrant events over the lookback window, once per sync,
// so each grant row can name its creator and parent grant. Nil when CloudTrail cannot be read.
func grantLineage(ctx context.Context, c *client.Client) *analysis.Lineage {
	l, _, err := readGrantLineage(ctx, c, time.Now(), nil)
	if err != nil {
		if report := c.RecordFailure("aws_kms_key_grants", "LookupEvents", "CloudTrail", err); report != nil {
			c.Logger().Warn().Err(report).Msg("created_by and parent_grant_id left empty: CloudTrail's CreateGrant events could not be read")
		}
		return nil
	}
	return l
}

// readGrantLineage returns the pair's lineage, reading the CreateGrant events of the lookback
// window before end on the sync's first call only. That call also hands every event it reads to
// also (when not nil), so aws_kms_grant_events can share the read; read tells whether it did.
func readGrantLineage(ctx context.Context, c *client.Client, end time.Time, also func([]analysis.GrantEvent)) (l *analysis.Lineage, read bool, err error) {
	v, err := c.Memo("grant-lineage:"+c.ID(), func() (any, error) {
		read = true
		l := analysis.NewLineage()
		start := end.AddDate(0, 0, -c.Spec.GrantEventsLookbackDays)
		return l, lookupGrantEvents(ctx, c, "CreateGrant", start, end, func(events []analysis.GrantEvent) {
			for _, e := range events {
				l.Add(e)
			}
			if also != nil {
				also(events)
			}
		})
	})
	if err != nil {
		return nil, read, err
	}
	return v.(*analysis.Lineage), read, nil
}
