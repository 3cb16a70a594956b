package emulator_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// A busy account's CloudTrail: every account-region gets 120 grants on its aws/ebs key that EC2
// created and retired inside the window. KMS lists none of them; CloudTrail holds one CreateGrant
// and one RetireGrant for each, shaped like the trail's other grant events, and the rest of the
// World is the same as without them.
func TestRetiredGrantsFillTheTrailOnly(t *testing.T) {
	quiet := testConfig()
	busy := testConfig()
	busy.RetiredGrantsPerRegion = 120
	wq, wb := emulator.NewWorld(quiet), emulator.NewWorld(busy)
	require.Equal(t, len(wq.Regions), len(wb.Regions))
	for ar, rb := range wb.Regions {
		rq := wq.Regions[ar]
		assert.True(t, reflect.DeepEqual(rq.Keys, rb.Keys), "%v: keys and live grants unchanged", ar)

		count := func(rd *emulator.RegionData, name string) int {
			n := 0
			for _, ev := range rd.Events {
				if ev.Record.EventName == name {
					n++
				}
			}
			return n
		}
		assert.Equal(t, count(rq, "CreateGrant")+120, count(rb, "CreateGrant"), "%v: CreateGrant events", ar)
		assert.Equal(t, count(rq, "RetireGrant")+120, count(rb, "RetireGrant"), "%v: RetireGrant events", ar)

		ebs := rb.Key("alias/aws/ebs")
		for _, k := range rb.Keys {
			if k.Kind == "aws-managed-ebs" {
				ebs = k
			}
		}
		require.NotNil(t, ebs, "%v: the aws/ebs key", ar)
		live := map[string]bool{}
		for _, g := range ebs.Grants {
			live[*g.GrantId] = true
		}
		created := map[string]emulator.TrailEvent{}
		for _, ev := range rb.Events {
			if ev.Record.EventName == "CreateGrant" && ev.Record.ResponseElements != nil {
				created[ev.Record.ResponseElements.GrantID] = ev
			}
		}
		retired := 0
		for _, ev := range rb.Events {
			if ev.Record.EventName != "RetireGrant" || ev.Record.UserIdentity.InvokedBy != "ec2.amazonaws.com" {
				continue
			}
			retired++
			rec := ev.Record
			assert.Equal(t, "AWSService", rec.UserIdentity.Type)
			assert.Equal(t, "AwsServiceEvent", rec.EventType)
			assert.Equal(t, ebs.ARN(), rec.RequestParameters.KeyID)
			id := rec.RequestParameters.GrantID
			assert.Len(t, id, 64, "a grant id is 64 hex digits")
			assert.False(t, live[id], "a retired grant is not listed")
			c, ok := created[id]
			require.True(t, ok, "%v: grant %s retired but never created", ar, id)
			assert.True(t, c.Event.EventTime.Before(*ev.Event.EventTime), "created before retired")
			assert.False(t, c.Event.EventTime.Before(wb.Now.AddDate(0, 0, -90)), "created inside CloudTrail's 90 days")
			assert.True(t, ev.Event.EventTime.Before(wb.Now), "retired before now")
			assert.Equal(t, "AssumedRole", c.Record.UserIdentity.Type, "EC2 creates the grant for the volume's owner")
			assert.Equal(t, "ec2.amazonaws.com", c.Record.UserIdentity.InvokedBy)
			assert.Equal(t, []string{"Decrypt"}, c.Record.RequestParameters.Operations)
			var raw map[string]any
			require.NoError(t, json.Unmarshal([]byte(*ev.Event.CloudTrailEvent), &raw))
			assert.Equal(t, "kms.amazonaws.com", raw["eventSource"])
			assert.Equal(t, ar.Account, raw["recipientAccountId"])
		}
		assert.Equal(t, 120, retired, "%v: grants EC2 retired", ar)
	}
}

// LookupEvents pages through the busy trail: 50 events a page, newest first, the retired grants'
// events included.
func TestLookupEventsServesRetiredGrants(t *testing.T) {
	cfg := testConfig()
	cfg.HotKeyGrants = 0
	cfg.RetiredGrantsPerRegion = 260
	w, url := startEmulator(t, cfg)
	rd := w.Region(w.Config.MemberAccountIDs[0], "us-east-1")
	client := cloudtrail.NewFromConfig(clientConfig(url, rd.Account, rd.Region))
	got := lookupAll(t, client, &cloudtrail.LookupEventsInput{
		LookupAttributes: byName(cloudtrailtypes.LookupAttributeKeyEventName, "RetireGrant"),
	})
	// 260 retired by EC2 plus the one the region's grant history retires by hand.
	assert.Len(t, got, 261)
}
