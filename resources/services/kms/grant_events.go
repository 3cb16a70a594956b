package kms

import (
	"context"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// cloudTrailDelay covers events CloudTrail delivers late: each sync re-reads this much before
// its cursor (the rows are upserted by event_id, so nothing doubles).
const cloudTrailDelay = 20 * time.Minute

func GrantEvents() *schema.Table {
	return &schema.Table{
		Name: "aws_kms_grant_events",
		Description: "CreateGrant, RetireGrant and RevokeGrant calls recorded by CloudTrail (https://docs.aws.amazon.com/kms/latest/developerguide/ct-creategrant.html), " +
			"including calls made from other accounts on this account's keys and denied attempts (error_code). caller_identity and grantee_identity spell principals as the aws_kms_grant_lineage view joins them. " +
			"Incremental: with a state backend each sync reads the events since the last one, and the rows accumulate beyond CloudTrail's 90 days.",
		Resolver:      fetchGrantEvents,
		Multiplex:     client.AccountRegionMultiplex,
		IsIncremental: true,
		Transform:     client.TransformWithStruct(&analysis.GrantEvent{}, transformers.WithPrimaryKeyComponents("EventID")),
		Columns:       []schema.Column{client.AccountIDColumn, client.RegionColumn},
	}
}

// fetchGrantEvents reads the events since the pair's cursor (the first time, the lookback
// window) and moves the cursor only when every lookup finished, so no event is ever skipped.
func fetchGrantEvents(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	cursorKey := "aws_kms_grant_events:" + c.ID()
	end := time.Now().UTC()
	start := end.AddDate(0, 0, -c.Spec.GrantEventsLookbackDays)
	if saved, err := c.State.GetKey(ctx, cursorKey); err == nil && saved != "" {
		if t, err := time.Parse(time.RFC3339Nano, saved); err == nil && t.Add(-cloudTrailDelay).After(start) {
			start = t.Add(-cloudTrailDelay)
		}
	}
	// A page at a time: the scheduler resolves the rows of one send in parallel.
	emit := func(events []analysis.GrantEvent) { res <- events }
	for _, name := range grantEventNames {
		if err := lookupGrantEvents(ctx, c, name, start, end, emit); err != nil {
			return err
		}
	}
	return c.State.SetKey(ctx, cursorKey, end.Format(time.RFC3339Nano))
}
