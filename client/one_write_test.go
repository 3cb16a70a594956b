package client

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// writeCounter counts the writes to every connection its dialer opens.
type writeCounter struct{ writes atomic.Int64 }

type countedConn struct {
	net.Conn
	c *writeCounter
}

func (c countedConn) Write(p []byte) (int, error) {
	c.c.writes.Add(1)
	return c.Conn.Write(p)
}

func (w *writeCounter) dial(tr *http.Transport) {
	d := &net.Dialer{}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countedConn{conn, w}, nil
	}
}

// TestCallsWriteEachRequestOnce sends KMS calls through the sync's HTTP client and counts the
// writes to the socket: one per call, the body arriving whole.
func TestCallsWriteEachRequestOnce(t *testing.T) {
	var keyIDs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ KeyId string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			t.Errorf("request body: %v", err)
		}
		keyIDs = append(keyIDs, in.KeyId)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(describeKeyAnswer))
	}))
	defer srv.Close()

	counter := &writeCounter{}
	api := kms.New(kms.Options{
		Region:       "us-east-2",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		HTTPClient:   callsClient(counter.dial),
	})
	want := []string{"1234abcd-12ab-34cd-56ef-1234567890ab", "alias/ExampleAlias", "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
	for _, id := range want {
		out, err := api.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(id)})
		if err != nil {
			t.Fatalf("DescribeKey %s: %v", id, err)
		}
		if got := aws.ToString(out.KeyMetadata.KeyId); got != "1234abcd-12ab-34cd-56ef-1234567890ab" {
			t.Fatalf("DescribeKey answered key %q", got)
		}
	}
	if got := counter.writes.Load(); got != int64(len(want)) {
		t.Errorf("%d calls took %d writes to the socket, want one each", len(want), got)
	}
	if len(keyIDs) != len(want) {
		t.Fatalf("server saw %d requests, want %d", len(keyIDs), len(want))
	}
	for i := range want {
		if keyIDs[i] != want[i] {
			t.Errorf("request %d asked for key %q, want %q", i, keyIDs[i], want[i])
		}
	}
}
