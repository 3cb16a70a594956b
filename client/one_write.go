package client

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// callsClient is the HTTP client of every paced call: one connection pool for the whole sync
// (keepConnections), each request written in one piece (oneWrite). options adjust its transport.
func callsClient(options ...func(*http.Transport)) aws.HTTPClient {
	return oneWrite{awshttp.NewBuildableClient().WithTransportOptions(append([]func(*http.Transport){keepConnections}, options...)...)}
}

// maxOneWriteBody is the largest request body oneWrite holds in memory; AWS's JSON requests of the
// inventory are well under a kilobyte.
const maxOneWriteBody = 1 << 20

// oneWrite hands net/http each request's body as bytes in memory. net/http flushes a request's
// headers before a body it cannot tell is in memory, and the SDK's body is a reader it cannot tell
// (smithy-go wraps it), so every call took two writes to the socket, and its server two reads
// (plus TLS records, against AWS). With the bytes, the request line, headers and body leave in one
// write, and net/http can also resend the body itself when a kept connection turns out closed.
type oneWrite struct{ next aws.HTTPClient }

func (c oneWrite) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength <= 0 || req.ContentLength > maxOneWriteBody {
		return c.next.Do(req)
	}
	body := make([]byte, req.ContentLength)
	if _, err := io.ReadFull(req.Body, body); err != nil {
		return nil, fmt.Errorf("reading the %d-byte body of the request to %s: %w", req.ContentLength, req.URL.Host, err)
	}
	// A shallow copy, as http.Request.WithContext makes: the SDK closes the body it built.
	out := new(http.Request)
	*out = *req
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return c.next.Do(out)
}
