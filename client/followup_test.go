package client

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

func TestHasPageToken(t *testing.T) {
	for _, c := range []struct {
		name   string
		params any
		want   bool
	}{
		{"ListGrants, first page", &kms.ListGrantsInput{KeyId: aws.String("k")}, false},
		{"ListGrants, empty Marker", &kms.ListGrantsInput{KeyId: aws.String("k"), Marker: aws.String("")}, false},
		{"ListGrants, next page", &kms.ListGrantsInput{KeyId: aws.String("k"), Marker: aws.String("m")}, true},
		{"LookupEvents, next page", &cloudtrail.LookupEventsInput{NextToken: aws.String("t")}, true},
		{"DescribeKey", &kms.DescribeKeyInput{KeyId: aws.String("k")}, false},
		{"nil input", (*kms.ListGrantsInput)(nil), false},
	} {
		if got := hasPageToken(c.params); got != c.want {
			t.Errorf("%s: hasPageToken = %v, want %v", c.name, got, c.want)
		}
	}
}

// A follow-up page goes ahead of the calls waiting in its bucket, by at most followUpJump, and
// the calls booked after it start one slot later: the bucket's rate is unchanged.
func TestRateLimiterLetsFollowUpPagesAhead(t *testing.T) {
	l, _ := testLimiter(t, `{}`)
	grants := CallKey{Account: "1", Region: "r", Service: "KMS", Operation: "ListGrants"}
	b := l.bucket(grants)
	now := l.now()
	// 100/s, 100 ms of burst: 30 first pages booked at once take the slots -100 ms .. +190 ms.
	if d := lastDelay(l, grants, 30); !near(d, 190*time.Millisecond) {
		t.Fatalf("30th call waits %v, want 190ms", d)
	}
	// A next page passes at most 100 ms of the queue: it starts at +100 ms, not +200 ms.
	if d := b.reserveFollowUp(now); !near(d, 100*time.Millisecond) {
		t.Errorf("follow-up page waits %v, want 100ms (the queue's end, 200ms, less 100ms)", d)
	}
	// A second one takes the next slot after the first.
	if d := b.reserveFollowUp(now); !near(d, 110*time.Millisecond) {
		t.Errorf("second follow-up page waits %v, want 110ms", d)
	}
	// The queue moved back by the two slots they took: the next first page starts at +220 ms.
	if d := b.reserve(now); !near(d, 220*time.Millisecond) {
		t.Errorf("first page after them waits %v, want 220ms", d)
	}
	// With nobody waiting a follow-up page is booked like any call.
	idle := l.bucket(CallKey{Account: "2", Region: "r", Service: "KMS", Operation: "ListGrants"})
	if d := idle.reserveFollowUp(now); d > 0 {
		t.Errorf("follow-up page on an idle bucket waits %v, want 0", d)
	}
}

// followUpRecorder records, per call, whether the pacer saw it as a follow-up page.
type followUpRecorder struct {
	mu       sync.Mutex
	followUp []bool
}

func (p *followUpRecorder) Wait(ctx context.Context, _ CallKey) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.followUp = append(p.followUp, IsFollowUpPage(ctx))
	return nil
}
func (*followUpRecorder) Done(CallKey, bool) {}

// The SDK's ListGrants paginator's calls reach the pacer marked: the first page not, the next
// ones as follow-up pages.
func TestFollowUpPagesReachThePacerMarked(t *testing.T) {
	pacer := &followUpRecorder{}
	svc := servicesAgainst(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case !strings.Contains(string(body), `"Marker"`):
			_, _ = w.Write([]byte(`{"Grants":[],"NextMarker":"page2","Truncated":true}`))
		case strings.Contains(string(body), `"page2"`):
			_, _ = w.Write([]byte(`{"Grants":[],"NextMarker":"page3","Truncated":true}`))
		default:
			_, _ = w.Write([]byte(`{"Grants":[],"Truncated":false}`))
		}
	}, pacer)
	p := kms.NewListGrantsPaginator(svc.KMS, &kms.ListGrantsInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
	for p.HasMorePages() {
		if _, err := p.NextPage(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := []bool{false, true, true}
	if len(pacer.followUp) != len(want) {
		t.Fatalf("pacer saw %d calls, want %d", len(pacer.followUp), len(want))
	}
	for i := range want {
		if pacer.followUp[i] != want[i] {
			t.Errorf("page %d: follow-up = %v, want %v", i+1, pacer.followUp[i], want[i])
		}
	}
}
