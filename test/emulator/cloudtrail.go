package emulator

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	smithytime "github.com/aws/smithy-go/time"
)

// cloudTrailOperations is CloudTrail's LookupEvents (awsJson1.1).
var cloudTrailOperations = map[string]handler{
	"LookupEvents": (*Server).trailLookupEvents,
}

type lookupEventsInput struct {
	StartTime        *float64
	EndTime          *float64
	EventCategory    string
	LookupAttributes []struct {
		AttributeKey   string
		AttributeValue *string
	}
	MaxResults *int64
	NextToken  *string
}

var lookupAttributeKeys = []string{"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}

// trailLookupEvents returns the region's events newest first, within the
// 90-day retention (counted from World.Now) and the requested time range,
// matching at most one lookup attribute, as CloudTrail does.
func (s *Server) trailLookupEvents(req *request) (any, error) {
	var in lookupEventsInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if len(in.LookupAttributes) > 1 {
		return nil, clientError("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
	}
	for _, a := range in.LookupAttributes {
		if !slices.Contains(lookupAttributeKeys, a.AttributeKey) || a.AttributeValue == nil {
			return nil, clientError("InvalidLookupAttributesException", "Lookup attribute %q is not valid.", a.AttributeKey)
		}
	}
	limit, aerr := limitParam(in.MaxResults, "maxResults", 1, 50, 50)
	if aerr != nil {
		aerr.Code = "InvalidMaxResultsException"
		return nil, aerr
	}
	from := s.world.Now.Add(-trailRetention)
	to := time.Unix(math.MaxInt32, 0)
	if in.StartTime != nil {
		from = later(from, smithytime.ParseEpochSeconds(*in.StartTime))
	}
	if in.EndTime != nil {
		to = smithytime.ParseEpochSeconds(*in.EndTime)
	}
	if in.StartTime != nil && in.EndTime != nil && *in.StartTime > *in.EndTime {
		return nil, clientError("InvalidTimeRangeException", "Start time must be earlier than end time.")
	}
	after, ok := decodePosition(in.NextToken)
	if !ok {
		return nil, clientError("InvalidNextTokenException", "Invalid NextToken.")
	}
	out := &cloudtrail.LookupEventsOutput{Events: []cloudtrailtypes.Event{}}
	if in.EventCategory == "insight" {
		return out, nil // no Insights events are generated
	}
	s.world.Read(func() {
		events := s.world.Region(req.caller.Account, req.region).Events
		start := 0
		if after != "" {
			start = sort.Search(len(events), func(i int) bool { return eventPosition(events[i]) < after })
		}
		var last string
		for _, ev := range events[start:] {
			t := *ev.Event.EventTime
			if t.After(to) || t.Before(from) || !matchesLookup(ev.Event, in) {
				continue
			}
			if len(out.Events) == limit {
				out.NextToken = positionToken(last)
				return
			}
			out.Events = append(out.Events, ev.Event)
			last = eventPosition(ev)
		}
	})
	return out, nil
}

func eventPosition(ev TrailEvent) string { return positionKey(*ev.Event.EventTime, *ev.Event.EventId) }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func matchesLookup(ev cloudtrailtypes.Event, in lookupEventsInput) bool {
	if len(in.LookupAttributes) == 0 {
		return true
	}
	a := in.LookupAttributes[0]
	want := *a.AttributeValue
	is := func(p *string) bool { return p != nil && *p == want }
	switch a.AttributeKey {
	case "EventId":
		return is(ev.EventId)
	case "EventName":
		return is(ev.EventName)
	case "EventSource":
		return is(ev.EventSource)
	case "ReadOnly":
		return is(ev.ReadOnly)
	case "Username":
		return is(ev.Username)
	case "AccessKeyId":
		return is(ev.AccessKeyId)
	case "ResourceType", "ResourceName":
		for _, r := range ev.Resources {
			if (a.AttributeKey == "ResourceType" && is(r.ResourceType)) || (a.AttributeKey == "ResourceName" && is(r.ResourceName)) {
				return true
			}
		}
	}
	return false
}
