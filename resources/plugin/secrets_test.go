package plugin

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
	"github.com/rs/zerolog"
)

// issuedCredentials records the temporary credentials STS's AssumeRole hands out, by reading
// the answers on their way from the emulator to the plugin.
type issuedCredentials struct {
	next http.Handler
	mu   sync.Mutex
	// secrets are the access key ids, secret keys and session tokens issued so far.
	secrets []string
	issued  int
}

var credentialElement = regexp.MustCompile(`<(AccessKeyId|SecretAccessKey|SessionToken)>([^<]+)</`)

func (c *issuedCredentials) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	if form.Get("Action") != "AssumeRole" {
		c.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	c.mu.Lock()
	for _, m := range credentialElement.FindAllStringSubmatch(rec.Body.String(), -1) {
		c.secrets = append(c.secrets, m[2])
		if m[1] == "SessionToken" {
			c.issued++
		}
	}
	c.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// anyAccessKeyID matches an AWS access key id of any kind.
var anyAccessKeyID = regexp.MustCompile(`\b(AKIA|ASIA)[A-Z0-9]{16}\b`)

// TestSyncLogsNoSecrets runs a sync at trace level through its error paths (a member role
// refused, denied key operations, 500s that are retried) and asserts that the plugin's log output
// holds no access key id, secret key or session token: neither the long-term keys of the
// accounts nor the temporary ones AssumeRole issued during the sync. Nor does any synced row, and
// no table has a column for grant tokens (CloudTrail does not record them either).
func TestSyncLogsNoSecrets(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process sync against the emulator")
	}
	cfg := emulator.DefaultConfig()
	cfg.Now = time.Now().UTC().Add(-time.Hour)
	world, srv := emulatedOrg(t, cfg,
		emulator.WithAssumeRoleDenied("345678901234"),
		emulator.WithDeniedKeyOperations(3, "DescribeKey", "ListGrants", "GetKeyPolicy"))
	issued := &issuedCredentials{next: srv}
	flaky := &flakyAWS{next: issued, errorRate: 0.05}
	spec := orgSpec(srv)
	spec["custom_endpoint_url"] = flaky.serve(t)
	res := runSync(t, spec, syncOptions{level: zerolog.TraceLevel})
	if res.initErr != nil || res.syncErr != nil {
		t.Fatalf("init %v, sync %v", res.initErr, res.syncErr)
	}

	var secrets []string
	for _, a := range world.Accounts {
		akid, secret := emulator.AccessKeyFor(*a.Id)
		secrets = append(secrets, akid, secret)
	}
	issued.mu.Lock()
	secrets = append(secrets, issued.secrets...)
	sessions := issued.issued
	issued.mu.Unlock()
	if sessions == 0 {
		t.Fatal("no role was assumed: the test cannot check temporary credentials")
	}

	logs := res.logs.String()
	if lines := strings.Count(logs, "\n"); lines < 100 || !strings.Contains(logs, "failures during sync") {
		t.Fatalf("only %d log lines, without the failure summary: the test checks too little", lines)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log output contains the credential %.8s…", s)
		}
	}
	if m := anyAccessKeyID.FindString(logs); m != "" {
		t.Errorf("the log output contains an access key id: %s", m)
	}

	tables := Tables().FlattenTables()
	for _, table := range tables {
		for _, col := range table.Columns {
			if strings.Contains(strings.ToLower(col.Name), "token") {
				t.Errorf("%s.%s: a column for tokens", table.Name, col.Name)
			}
		}
		for _, r := range syncedRows(t, res.msgs, table) {
			for col, v := range r {
				text := strings.ToLower(normaliseText(v))
				if strings.Contains(text, "granttoken") || strings.Contains(text, "grant_token") {
					t.Errorf("%s.%s holds a grant token field: %.80s", table.Name, col, text)
				}
				for _, s := range secrets {
					if strings.Contains(normaliseText(v), s) {
						t.Errorf("%s.%s holds the credential %.8s…", table.Name, col, s)
					}
				}
			}
		}
	}
	t.Logf("%d log lines at trace level, %d credentials (%d AssumeRole sessions) checked: none logged or stored", strings.Count(logs, "\n"), len(secrets), sessions)
}

// normaliseText is a synced value as text, whatever its type.
func normaliseText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
