package moto_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// motoVersion is the release the deviations below were read from (moto/kms/models.py,
// moto/kms/responses.py, moto/cloudhsmv2/*.py, moto/cloudtrail/responses.py of that release).
const motoVersion = "5.2.1"

// startMoto runs `python3 -m moto.server` on a free loopback port and returns its URL. Moto is a
// Python package of the machine (pip's moto 5.2.1 under pyenv; PyPI is not reachable from here
// and Debian has no moto package, so the test cannot install it): without it the test skips,
// loudly, unless MOTO_REQUIRED=1 makes that a failure.
func startMoto(t *testing.T) string {
	t.Helper()
	python, version, tried := motoPython()
	if python == "" {
		msg := fmt.Sprintf("MOTO IS NOT INSTALLED: the referee test against moto did not run (no Python with moto.server among %s); install moto[server] %s with pip", tried, motoVersion)
		if os.Getenv("MOTO_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if version != motoVersion {
		t.Logf("moto %s is installed; the deviations written down here were read from moto %s", version, motoVersion)
	}
	port := freePort(t)
	cmd := exec.Command(python, "-m", "moto.server", "-H", "127.0.0.1", "-p", port)
	logFile, err := os.Create(t.TempDir() + "/moto.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logFile.Close()
	})
	url := "http://127.0.0.1:" + port
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("moto did not answer on %s within 60s: %v\n%s", url, err, log)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// motoPython is the first Python that imports moto's server: python3 on PATH, else pyenv's (a
// non-interactive shell may not have pyenv's shims on PATH).
func motoPython() (python, version string, tried []string) {
	candidates := []string{"python3"}
	if root := os.Getenv("PYENV_ROOT"); root != "" {
		candidates = append(candidates, filepath.Join(root, "shims", "python3"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".pyenv", "shims", "python3"))
	}
	for _, c := range candidates {
		tried = append(tried, c)
		out, err := exec.Command(c, "-c", "import moto, moto.server, flask_cors; print(moto.__version__)").Output()
		if err == nil {
			return c, strings.TrimSpace(string(out)), tried
		}
	}
	return "", "", tried
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// deviationProxy stands between the AWS SDK clients and moto and mends, in the test, the two
// places where moto's wire format is not AWS's and the real SDK cannot read it:
//
//   - CloudHSMv2 timestamps. AWS's awsJson1_1 protocol sends timestamps as epoch seconds (JSON
//     numbers): https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html ("timestamp ...
//     epoch-seconds"), and the Cluster shape's CreateTimestamp is such a timestamp
//     (https://docs.aws.amazon.com/cloudhsm/latest/APIReference/API_Cluster.html). Moto sends
//     Python's isoformat() string without a zone ("2026-12-01T15:06:32.468604", UTC), which
//     aws-sdk-go-v2 rejects ("expected Timestamp to be a JSON Number"). The proxy rewrites those
//     strings to epoch seconds.
//   - CloudTrail LookupEvents. Moto has no LookupEvents (its cloudtrail/responses.py has no
//     lookup_events; the call answers HTTP 500). AWS answers an account without grant events
//     with an empty Events list
//     (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html), and
//     that is what the proxy answers.
//   - ListGrants paging. Moto answers every grant in one page whatever Limit says
//     (kms/responses.py, list_grants); AWS answers at most Limit grants (1 to 100, default 50)
//     with Truncated and NextMarker
//     (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html). The proxy cuts
//     moto's answer into such pages, so the key with more than 100 grants is read page by page.
//   - MultiRegionKeyType. Moto's replica key shares its primary's MultiRegionConfiguration, and
//     DescribeKey of the replica sets it to REPLICA (kms/models.py, describe_key), so the primary
//     reads REPLICA once its replica was described, and the replica PRIMARY before. AWS says
//     PRIMARY for the primary key and REPLICA for its replicas
//     (https://docs.aws.amazon.com/kms/latest/APIReference/API_MultiRegionConfiguration.html):
//     the proxy sets it from whether the key is its PrimaryKey.
//   - AWS RAM ListResources. Moto's RAM has no list_resources (ram/responses.py); AWS answers
//     an account that shares nothing with an empty resources list
//     (https://docs.aws.amazon.com/ram/latest/APIReference/API_ListResources.html), and that is
//     what the proxy answers: nothing is shared in the test's organization.
//   - ListKeys ResourceOwners. Moto ignores the member (kms/responses.py, list_keys) and lists
//     the account's own keys; AWS's OTHER_ACCOUNTS_VIA_RAM "doesn't include KMS keys that your
//     account owns" (kms v1.63.0 ListKeysInput). With nothing shared, the proxy answers an
//     empty, untruncated list.
//
// Every other request goes to moto unchanged.
type deviationProxy struct {
	srv  *httptest.Server
	moto string

	mu         sync.Mutex
	targets    map[string]int // calls seen, by X-Amz-Target
	grantPages []grantPage    // ListGrants requests, in order
	// rotationCalls are the GetKeyRotationStatus and ListKeyRotations requests, by target.
	rotationCalls map[string][]rotationCall
}

// rotationCall is what a GetKeyRotationStatus or ListKeyRotations request asked.
type rotationCall struct {
	KeyID              string `json:"KeyId"`
	IncludeKeyMaterial string `json:"IncludeKeyMaterial"`
}

func newDeviationProxy(t *testing.T, motoURL string) *deviationProxy {
	p := &deviationProxy{moto: motoURL, targets: map[string]int{}, rotationCalls: map[string][]rotationCall{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *deviationProxy) URL() string { return p.srv.URL }

func (p *deviationProxy) calls(target string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.targets[target]
}

func (p *deviationProxy) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	p.mu.Lock()
	p.targets[target]++
	p.mu.Unlock()
	if target == "CloudTrail_20131101.LookupEvents" {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, `{"Events":[]}`)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.Path == "/listresources" && strings.Contains(r.Header.Get("Authorization"), "/ram/aws4_request") {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"resources":[]}`)
		return
	}
	if target == "TrentService.ListKeys" && bytes.Contains(body, []byte("OTHER_ACCOUNTS_VIA_RAM")) && !bytes.Contains(body, []byte(`"SELF"`)) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, `{"Keys":[],"Truncated":false}`)
		return
	}
	if target == "TrentService.GetKeyRotationStatus" || target == "TrentService.ListKeyRotations" {
		var call rotationCall
		if err := json.Unmarshal(body, &call); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.rotationCalls[target] = append(p.rotationCalls[target], call)
		p.mu.Unlock()
	}
	var page *grantPage
	if target == "TrentService.ListGrants" {
		if page, err = readGrantPage(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.grantPages = append(p.grantPages, *page)
		p.mu.Unlock()
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.moto+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if strings.HasPrefix(target, "BaldrApiService.") && resp.StatusCode == http.StatusOK {
		out = epochTimestamps(out)
	}
	if target == "TrentService.DescribeKey" && resp.StatusCode == http.StatusOK {
		out = fixMultiRegionKeyType(out)
	}
	if page != nil && resp.StatusCode == http.StatusOK {
		if out, err = page.cut(out); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	for k, v := range resp.Header {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

// cloudHSMTimestamps are the timestamp members of the Cluster, Backup and Hsm shapes of the
// CloudHSMv2 API reference.
var cloudHSMTimestamps = map[string]bool{
	"CreateTimestamp": true, "CopyTimestamp": true, "DeleteTimestamp": true,
	"HsmTypeRollbackExpiration": true,
}

// epochTimestamps rewrites moto's isoformat timestamps in a CloudHSMv2 answer to epoch seconds.
func epochTimestamps(body []byte) []byte {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return body
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && cloudHSMTimestamps[k] {
					if ts, err := parseMotoTime(s); err == nil {
						v[k] = json.Number(fmt.Sprintf("%d.%06d", ts.Unix(), ts.Nanosecond()/1000))
					}
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// parseMotoTime reads moto's CloudHSMv2 timestamps: Python's datetime.isoformat() of a naive UTC
// time (moto.core.utils.utcnow), with or without microseconds.
func parseMotoTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999", "2006-01-02T15:04:05.999999Z07:00"} {
		if ts, err := time.Parse(layout, s); err == nil {
			return ts.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a moto timestamp: %q", s)
}

// fixMultiRegionKeyType sets a DescribeKey answer's MultiRegionKeyType by AWS's rule: PRIMARY for
// the key named as PrimaryKey, REPLICA for any other.
func fixMultiRegionKeyType(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keep CreationDate's digits as moto wrote them
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return body
	}
	md, _ := doc["KeyMetadata"].(map[string]any)
	mrc, _ := md["MultiRegionConfiguration"].(map[string]any)
	primary, _ := mrc["PrimaryKey"].(map[string]any)
	if primary == nil {
		return body
	}
	if primary["Arn"] == md["Arn"] {
		mrc["MultiRegionKeyType"] = "PRIMARY"
	} else {
		mrc["MultiRegionKeyType"] = "REPLICA"
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// grantPage is one ListGrants request: which grants it asks for.
type grantPage struct {
	KeyID  string `json:"KeyId"`
	Limit  int    `json:"Limit"`
	Marker string `json:"Marker"`
}

func readGrantPage(body []byte) (*grantPage, error) {
	var p grantPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	if p.Limit == 0 {
		p.Limit = 50 // ListGrants' default
	}
	if p.Limit < 1 || p.Limit > 100 {
		return nil, fmt.Errorf("ListGrants Limit %d: AWS accepts 1 to 100", p.Limit)
	}
	return &p, nil
}

// cut keeps the page's share of moto's whole answer. The marker is the offset of the page's
// first grant (AWS's markers are opaque; moto lists grants in creation order every time).
func (p grantPage) cut(body []byte) ([]byte, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	grants, _ := doc["Grants"].([]any)
	from := 0
	if p.Marker != "" {
		if _, err := fmt.Sscanf(p.Marker, "offset-%d", &from); err != nil || from > len(grants) {
			return nil, fmt.Errorf("ListGrants Marker %q was not issued here", p.Marker)
		}
	}
	to := min(from+p.Limit, len(grants))
	doc["Grants"] = grants[from:to]
	doc["Truncated"] = to < len(grants)
	delete(doc, "NextMarker")
	if to < len(grants) {
		doc["NextMarker"] = fmt.Sprintf("offset-%d", to)
	}
	return json.Marshal(doc)
}

// rotationRequests are the GetKeyRotationStatus or ListKeyRotations requests the proxy saw.
func (p *deviationProxy) rotationRequests(target string) []rotationCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]rotationCall(nil), p.rotationCalls[target]...)
}

// pagesOf is how many ListGrants pages were asked for the key (by ARN or id).
func (p *deviationProxy) pagesOf(keyARN string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, page := range p.grantPages {
		if page.KeyID == keyARN || strings.HasSuffix(keyARN, "/"+page.KeyID) {
			n++
		}
	}
	return n
}
