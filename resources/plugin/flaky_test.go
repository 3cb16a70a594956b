package plugin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// flakyAWS stands in front of the emulator and, for a share of calls drawn independently of
// each other, answers with the service's 500 error or holds the call for slowDelay before
// serving it. (The emulator's own InternalErrorRate and SlowRate draw from a hash of the call's
// number whose high bits barely change between consecutive numbers, so its faults come in
// streaks of ten and more consecutive calls of one operation, which no retry budget outlasts.)
type flakyAWS struct {
	next      http.Handler
	errorRate float64
	slowRate  float64
	slowDelay time.Duration

	mu  sync.Mutex
	rng *rand.Rand

	calls, errors, slow atomic.Int64
}

// serve starts an HTTP server for f and returns its URL.
func (f *flakyAWS) serve(t *testing.T) string {
	f.rng = rand.New(rand.NewPCG(1, 2))
	s := httptest.NewServer(f)
	t.Cleanup(s.Close)
	return s.URL
}

// serviceOf reads the signing name from the SigV4 credential scope
// (Credential=AKID/date/region/service/aws4_request).
var serviceOf = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// internalErrorCodes are the services' own 500 error codes; KMS also answers
// DependencyTimeoutException.
var internalErrorCodes = map[string][]string{
	"kms":           {"KMSInternalException", "DependencyTimeoutException"},
	"cloudhsm":      {"CloudHsmInternalFailureException"},
	"cloudtrail":    {"InternalFailure"},
	"organizations": {"ServiceException"},
	"account":       {"InternalServerException"},
	"sts":           {"InternalFailure"},
	"ram":           {"ServerInternalException"},
	"iam":           {"ServiceFailure"},
}

func (f *flakyAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	f.mu.Lock()
	fail, slow, pick := f.rng.Float64() < f.errorRate, f.rng.Float64() < f.slowRate, f.rng.IntN(2)
	f.mu.Unlock()
	if slow {
		// Read the body first: only then does the server notice a client that hangs up.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.slow.Add(1)
		select {
		case <-time.After(f.slowDelay):
		case <-r.Context().Done():
			return // the client gave up waiting, as it should
		}
	}
	m := serviceOf.FindStringSubmatch(r.Header.Get("Authorization"))
	if !fail || m == nil {
		f.next.ServeHTTP(w, r)
		return
	}
	f.errors.Add(1)
	codes := internalErrorCodes[m[1]]
	code := codes[pick%len(codes)]
	message := "The service encountered an internal error. Try again."
	if m[1] == "sts" || m[1] == "iam" { // awsQuery: XML errors
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Receiver</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>flaky</RequestId></ErrorResponse>`, code, message)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(http.StatusInternalServerError)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
}
