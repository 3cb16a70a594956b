package analysis

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// goldenRecord is one CloudTrail record AWS publishes as an example, with the page it is on.
type goldenRecord struct {
	Source string          `json:"source"`
	Record json.RawMessage `json:"record"`
}

// lookupEvent wraps a golden record as LookupEvents returns it: the record itself as
// CloudTrailEvent, with eventID, eventName and eventTime repeated beside it
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html). Resources stay
// empty so the key comes from the record alone.
func lookupEvent(t *testing.T, file string) cloudtrailtypes.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cloudtrail", file))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenRecord
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if g.Source == "" {
		t.Fatalf("%s names no source page", file)
	}
	var head struct {
		EventID   string    `json:"eventID"`
		EventName string    `json:"eventName"`
		EventTime time.Time `json:"eventTime"`
	}
	if err := json.Unmarshal(g.Record, &head); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return cloudtrailtypes.Event{
		EventId:         aws.String(head.EventID),
		EventName:       aws.String(head.EventName),
		EventTime:       aws.Time(head.EventTime),
		EventSource:     aws.String("kms.amazonaws.com"),
		CloudTrailEvent: aws.String(string(g.Record)),
	}
}

// TestParseGrantEventOnAWSExamples parses the CloudTrail records of the KMS developer guide
// (testdata/cloudtrail, each with its page) and holds every field to values read off the record
// by hand.
func TestParseGrantEventOnAWSExamples(t *testing.T) {
	const (
		account = "111122223333"
		key     = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		alice   = "arn:aws:iam::111122223333:user/Alice"
	)
	cases := []struct {
		file   string
		region string
		want   GrantEvent
	}{
		{
			// https://docs.aws.amazon.com/kms/latest/developerguide/ct-creategrant.html
			file: "ct-creategrant.json", region: "us-west-2",
			want: GrantEvent{
				EventID:          "5d529779-2d27-42b5-92da-91aaea1fc4b5",
				EventTime:        time.Date(2014, 11, 4, 0, 53, 12, 0, time.UTC),
				EventName:        "CreateGrant",
				KeyARN:           key,
				GrantID:          aws.String("f020fe75197b93991dc8491d6f19dd3cebb24ee62277a05914386724f3d48758"),
				CallerARN:        aws.String(alice),
				CallerType:       aws.String("IAMUser"),
				CallerAccountID:  aws.String(account),
				CallerIdentity:   aws.String(alice), // a user ARN without a path is its own identity
				GranteePrincipal: aws.String("EX_PRINCIPAL_ID"),
				GranteeIdentity:  aws.String("EX_PRINCIPAL_ID"), // the page's placeholder, not an ARN
				Operations:       []string{"Encrypt", "RetireGrant"},
				Constraints:      json.RawMessage(`{"encryptionContextSubset":{"ContextKey1":"Value1"}}`),
				SourceIP:         aws.String("192.0.2.0"),
				UserAgent:        aws.String("AWS Internal"),
			},
		},
		{
			// https://docs.aws.amazon.com/kms/latest/developerguide/ct-retire-grant.html: a
			// retirement by grant token has no requestParameters; the grant id is in
			// additionalEventData and the key in resources.
			file: "ct-retire-grant.json", region: "us-west-2",
			want: GrantEvent{
				EventID:         "0771bcfb-3e24-4332-9ac8-e1c06563eecf",
				EventTime:       time.Date(2022, 9, 1, 19, 39, 33, 0, time.UTC),
				EventName:       "RetireGrant",
				KeyARN:          key,
				GrantID:         aws.String("abcde1237f76e4ba7987489ac329fbfba6ad343d6f7075dbd1ef191f0120514a"),
				CallerARN:       aws.String(alice),
				CallerType:      aws.String("IAMUser"),
				CallerAccountID: aws.String(account),
				CallerIdentity:  aws.String(alice),
				SourceIP:        aws.String("192.0.2.0"),
				UserAgent:       aws.String("AWS Internal"),
			},
		},
		{
			// https://docs.aws.amazon.com/kms/latest/developerguide/ct-revoke-grant.html: the
			// request names the key by id; the key ARN is in resources.
			file: "ct-revoke-grant.json", region: "us-west-2",
			want: GrantEvent{
				EventID:         "07a23a39-6526-4ae2-b31e-d35fbe9e24ee",
				EventTime:       time.Date(2022, 9, 1, 19, 35, 17, 0, time.UTC),
				EventName:       "RevokeGrant",
				KeyARN:          key,
				GrantID:         aws.String("abcde1237f76e4ba7987489ac329fbfba6ad343d6f7075dbd1ef191f0120514a"),
				CallerARN:       aws.String(alice),
				CallerType:      aws.String("IAMUser"),
				CallerAccountID: aws.String(account),
				CallerIdentity:  aws.String(alice),
				SourceIP:        aws.String("192.0.2.0"),
				UserAgent:       aws.String("AWS Internal"),
			},
		},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			ev := lookupEvent(t, c.file)
			got, err := ParseGrantEvent(ev, "aws", account, c.region)
			if err != nil {
				t.Fatal(err)
			}
			c.want.Event = json.RawMessage(aws.ToString(ev.CloudTrailEvent))
			compareGrantEvent(t, got, c.want)
		})
	}

	// The same CreateGrant record read in another account's trail: the caller (Alice, of
	// 111122223333) is then from another account than the key's.
	t.Run("ct-creategrant.json seen from another account", func(t *testing.T) {
		got, err := ParseGrantEvent(lookupEvent(t, "ct-creategrant.json"), "aws", "444455556666", "us-west-2")
		if err != nil {
			t.Fatal(err)
		}
		if !got.IsCrossAccountCaller || aws.ToString(got.CallerAccountID) != account {
			t.Errorf("is_cross_account_caller = %v, caller_account_id = %v; want true, %s", got.IsCrossAccountCaller, aws.ToString(got.CallerAccountID), account)
		}
	})
}

// compareGrantEvent compares field by field, JSON fields by their decoded value.
func compareGrantEvent(t *testing.T, got, want GrantEvent) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if raw, ok := w.(json.RawMessage); ok {
			g, w = decodeRaw(t, g.(json.RawMessage)), decodeRaw(t, raw)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n  got  %s\n  want %s", name, show(g), show(w))
		}
	}
}

func decodeRaw(t *testing.T, raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func show(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		v = rv.Elem().Interface()
	}
	b, _ := json.Marshal(v)
	return string(b)
}
