package emulator_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func lookupAll(t *testing.T, client *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []cloudtrailtypes.Event {
	t.Helper()
	var events []cloudtrailtypes.Event
	p := cloudtrail.NewLookupEventsPaginator(client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		events = append(events, page.Events...)
	}
	return events
}

func byName(attribute cloudtrailtypes.LookupAttributeKey, value string) []cloudtrailtypes.LookupAttribute {
	return []cloudtrailtypes.LookupAttribute{{AttributeKey: attribute, AttributeValue: aws.String(value)}}
}

func TestLookupEventsPaginatesCreateGrantNewestFirst(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	rd := w.Region(w.ManagementAccount, w.Config.Regions[0])
	client := cloudtrail.NewFromConfig(clientConfig(url, rd.Account, rd.Region))
	got := lookupAll(t, client, &cloudtrail.LookupEventsInput{
		LookupAttributes: byName(cloudtrailtypes.LookupAttributeKeyEventName, "CreateGrant"),
	})
	var want []cloudtrailtypes.Event
	for _, ev := range rd.Events {
		if ev.Record.EventName == "CreateGrant" {
			want = append(want, ev.Event)
		}
	}
	require.Greater(t, len(want), 1000, "the hot key alone makes the trail span many pages")
	assert.Equal(t, want, got)
	for i := 1; i < len(got); i++ {
		assert.False(t, got[i].EventTime.After(*got[i-1].EventTime), "newest first")
	}
}

func TestLookupEventsFiltersBySourceAndTime(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	rd := w.Region(w.Config.MemberAccountIDs[0], "eu-west-1")
	client := cloudtrail.NewFromConfig(clientConfig(url, rd.Account, rd.Region))

	kmsEvents := lookupAll(t, client, &cloudtrail.LookupEventsInput{
		LookupAttributes: byName(cloudtrailtypes.LookupAttributeKeyEventSource, "kms.amazonaws.com"),
		MaxResults:       aws.Int32(7),
	})
	all := lookupAll(t, client, &cloudtrail.LookupEventsInput{})
	require.Len(t, all, len(rd.Events))
	assert.Less(t, len(kmsEvents), len(all), "other services' events are filtered out")
	for _, ev := range kmsEvents {
		assert.Equal(t, "kms.amazonaws.com", *ev.EventSource)
	}

	from, to := w.Now.AddDate(0, 0, -30), w.Now.AddDate(0, 0, -10)
	window := lookupAll(t, client, &cloudtrail.LookupEventsInput{StartTime: aws.Time(from), EndTime: aws.Time(to)})
	expected := 0
	for _, ev := range rd.Events {
		if !ev.Event.EventTime.Before(from) && !ev.Event.EventTime.After(to) {
			expected++
		}
	}
	assert.Len(t, window, expected)
	for _, ev := range window {
		assert.True(t, !ev.EventTime.Before(from) && !ev.EventTime.After(to))
	}

	_, err := cloudtrail.NewFromConfig(noRetries(clientConfig(url, rd.Account, rd.Region))).LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
		LookupAttributes: append(byName(cloudtrailtypes.LookupAttributeKeyEventName, "CreateGrant"),
			byName(cloudtrailtypes.LookupAttributeKeyEventSource, "kms.amazonaws.com")...),
	})
	var invalid *cloudtrailtypes.InvalidLookupAttributesException
	assert.ErrorAs(t, err, &invalid)
}

// Every current grant was created by a logged CreateGrant call within the
// retention window, and the record carries the grant's own request.
func TestEveryGrantHasItsCreateGrantEvent(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	for ar, rd := range w.Regions {
		created := map[string]emulator.CloudTrailRecord{}
		for _, ev := range rd.Events {
			if ev.Record.EventName == "CreateGrant" && ev.Record.ResponseElements != nil && ev.Record.RecipientAccountID == ar.Account {
				created[ev.Record.ResponseElements.GrantID] = ev.Record
				var parsed emulator.CloudTrailRecord
				require.NoError(t, json.Unmarshal([]byte(*ev.Event.CloudTrailEvent), &parsed))
				assert.Equal(t, ev.Record, parsed, "CloudTrailEvent is the record")
			}
		}
		for _, k := range rd.Keys {
			for _, g := range k.Grants {
				rec, ok := created[*g.GrantId]
				require.True(t, ok, "grant %s of %s in %v has no CreateGrant event", *g.GrantId, k.Kind, ar)
				at, err := time.Parse(time.RFC3339, rec.EventTime)
				require.NoError(t, err)
				assert.Equal(t, *g.CreationDate, at)
				assert.False(t, at.Before(w.Now.AddDate(0, 0, -90)), "within retention")
				assert.Equal(t, k.ARN(), rec.RequestParameters.KeyID)
				assert.Equal(t, aws.ToString(g.GranteePrincipal), rec.RequestParameters.GranteePrincipal)
				assert.Equal(t, aws.ToString(g.RetiringPrincipal), rec.RequestParameters.RetiringPrincipal)
				assert.Len(t, rec.RequestParameters.Operations, len(g.Operations))
			}
		}
	}
}

// onOwnKey tells a call on the account's own key from the caller-side copy of
// a call this account made on another account's key.
func onOwnKey(r emulator.CloudTrailRecord, account string) bool {
	return len(r.Resources) == 1 && r.Resources[0].AccountID == account
}

// Grants that are gone left a CreateGrant and then a RetireGrant or
// RevokeGrant event, and nothing else references them.
func TestRemovedGrantsLeaveCreateAndRemoveEvents(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	for ar, rd := range w.Regions {
		current := map[string]bool{}
		for _, k := range rd.Keys {
			for _, g := range k.Grants {
				current[*g.GrantId] = true
			}
		}
		created, removed := map[string]time.Time{}, map[string]time.Time{}
		for _, ev := range rd.Events {
			r := ev.Record
			switch {
			case r.EventName == "CreateGrant" && r.ResponseElements != nil && onOwnKey(r, ar.Account):
				created[r.ResponseElements.GrantID] = *ev.Event.EventTime
			case r.EventName == "RetireGrant" || r.EventName == "RevokeGrant":
				removed[r.RequestParameters.GrantID] = *ev.Event.EventTime
			}
		}
		require.NotEmpty(t, removed, "%v", ar)
		for id, at := range removed {
			assert.False(t, current[id], "removed grant %s is still listed", id)
			require.Contains(t, created, id)
			assert.True(t, created[id].Before(at), "created before removed")
		}
		for id := range created {
			assert.True(t, current[id] || !removed[id].IsZero(), "grant %s was created, is not listed and was never removed", id)
		}
	}
}
