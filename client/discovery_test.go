package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// Discovery against the emulator. The expected accounts and regions are written by hand from
// emulator.DefaultConfig: management 123412341234 and members 210987654321 (opted in to
// ap-east-1), 345678901234, 456789012345 (SUSPENDED); us-east-1 and eu-west-1 enabled
// everywhere; af-south-1 and me-south-1 disabled opt-in regions.
const (
	mgmtID    = "123412341234"
	memberA   = "210987654321"
	memberB   = "345678901234"
	suspended = "456789012345"
)

// serveEmulator serves cfg's World and makes the management account the default credentials.
func serveEmulator(t *testing.T, cfg emulator.Config, opts ...emulator.Option) *emulator.Server {
	t.Helper()
	srv := emulator.NewServer(emulator.NewWorld(cfg), opts...)
	if _, err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	akid, secret := emulator.AccessKeyFor(cfg.ManagementAccount)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
	return srv
}

// syncedLog is a concurrency-safe log buffer.
type syncedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines returns the JSON log lines whose message is msg.
func (l *syncedLog) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["message"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// discover runs New with spec (JSON) against srv and returns the client and its log.
func discover(t *testing.T, srv *emulator.Server, spec string, pacer Pacer) (*Client, *syncedLog) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(spec), &m); err != nil {
		t.Fatal(err)
	}
	m["custom_endpoint_url"] = srv.URL()
	m["max_backoff"] = 1
	raw, _ := json.Marshal(m)
	parsed, err := ParseSpec(raw)
	if err != nil {
		t.Fatal(err)
	}
	log := &syncedLog{}
	c, err := New(context.Background(), zerolog.New(log), parsed, pacer)
	if err != nil {
		t.Fatalf("New: %v\nlog:\n%s", err, log.buf.String())
	}
	return c, log
}

func pairStrings(c *Client) []string {
	var out []string
	for _, p := range c.Pairs() {
		out = append(out, p.AccountID+"/"+p.Region)
	}
	return out
}

// regionsLogged is each account's "account's regions" line: account id → regions and source.
func regionsLogged(t *testing.T, log *syncedLog) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range log.lines(t, "account's regions") {
		id := l["account_id"].(string)
		if _, dup := out[id]; dup {
			t.Errorf("account %s logged its regions twice", id)
		}
		out[id] = fmt.Sprint(l["regions"], " from ", l["regions_from"])
	}
	return out
}

func TestRegionsFromListRegions(t *testing.T) {
	srv := serveEmulator(t, emulator.DefaultConfig())
	c, log := discover(t, srv, `{"regions": ["*"], "org": {"member_role_name": "OrganizationAccountAccessRole"}}`, nil)
	want := []string{
		mgmtID + "/eu-west-1", mgmtID + "/us-east-1",
		memberA + "/ap-east-1", memberA + "/eu-west-1", memberA + "/us-east-1",
		memberB + "/eu-west-1", memberB + "/us-east-1",
	}
	if got := pairStrings(c); !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	wantLog := map[string]string{
		mgmtID:  "[eu-west-1 us-east-1] from account:ListRegions",
		memberA: "[ap-east-1 eu-west-1 us-east-1] from account:ListRegions",
		memberB: "[eu-west-1 us-east-1] from account:ListRegions",
	}
	if got := regionsLogged(t, log); fmt.Sprint(got) != fmt.Sprint(wantLog) {
		t.Errorf("logged regions %v, want %v", got, wantLog)
	}
}

// TestRegionsFallBackToDescribeRegions: without account:ListRegions the enabled regions come from
// ec2:DescribeRegions, opt-in ones included, and each account says so once.
func TestRegionsFallBackToDescribeRegions(t *testing.T) {
	srv := serveEmulator(t, emulator.DefaultConfig(), emulator.WithDeniedOperations("account:ListRegions"))
	c, log := discover(t, srv, `{"regions": ["*"], "org": {"member_role_name": "OrganizationAccountAccessRole"}}`, nil)
	want := []string{
		mgmtID + "/eu-west-1", mgmtID + "/us-east-1",
		memberA + "/ap-east-1", memberA + "/eu-west-1", memberA + "/us-east-1",
		memberB + "/eu-west-1", memberB + "/us-east-1",
	}
	if got := pairStrings(c); !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	wantLog := map[string]string{
		mgmtID:  "[eu-west-1 us-east-1] from ec2:DescribeRegions",
		memberA: "[ap-east-1 eu-west-1 us-east-1] from ec2:DescribeRegions",
		memberB: "[eu-west-1 us-east-1] from ec2:DescribeRegions",
	}
	if got := regionsLogged(t, log); fmt.Sprint(got) != fmt.Sprint(wantLog) {
		t.Errorf("logged regions %v, want %v", got, wantLog)
	}
}

// TestRegionsWhenNeitherAnswers: with both denied, ["*"] falls back to the discovery region and a
// list is used as configured; either way the account says why.
func TestRegionsWhenNeitherAnswers(t *testing.T) {
	srv := serveEmulator(t, emulator.DefaultConfig(), emulator.WithDeniedOperations("account:ListRegions", "ec2:DescribeRegions"))
	c, log := discover(t, srv, `{"regions": ["*"], "accounts": [{"id": "mgmt", "default_region": "eu-west-1"}]}`, nil)
	if got, want := pairStrings(c), []string{mgmtID + "/eu-west-1"}; !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	if got, want := regionsLogged(t, log)[mgmtID], "[eu-west-1] from discovery region only (enabled regions unknown)"; got != want {
		t.Errorf("logged %q, want %q", got, want)
	}
	c, log = discover(t, srv, `{"regions": ["us-east-1", "af-south-1"], "accounts": [{"id": "mgmt"}]}`, nil)
	if got, want := pairStrings(c), []string{mgmtID + "/af-south-1", mgmtID + "/us-east-1"}; !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	if got, want := regionsLogged(t, log)[mgmtID], "[us-east-1 af-south-1] from configured (enabled regions unknown)"; got != want {
		t.Errorf("logged %q, want %q", got, want)
	}
}

// TestAccountNameNamesTheAccount: accounts[].account_name is the account's name in logs and on
// its client.
func TestAccountNameNamesTheAccount(t *testing.T) {
	srv := serveEmulator(t, emulator.DefaultConfig())
	c, log := discover(t, srv, `{"regions": ["us-east-1"], "accounts": [{"id": "mgmt", "account_name": "Management"}]}`, nil)
	lines := log.lines(t, "account's regions")
	if len(lines) != 1 || lines[0]["account"] != "Management" {
		t.Errorf("log lines %v, want one naming the account Management", lines)
	}
	if got := c.WithPair(c.Pairs()[0]).AccountName; got != "Management" {
		t.Errorf("AccountName %q, want Management", got)
	}
}

// recordingPacer notes every call it paces.
type recordingPacer struct {
	mu   sync.Mutex
	keys map[CallKey]int
}

func (p *recordingPacer) Wait(_ context.Context, k CallKey) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys == nil {
		p.keys = map[CallKey]int{}
	}
	p.keys[k]++
	return nil
}
func (p *recordingPacer) Done(CallKey, bool) {}

func (p *recordingPacer) count(account, region, service, op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[CallKey{Account: account, Region: region, Service: service, Operation: op}]
}

// TestDiscoveryCallsArePaced: STS, Organizations and region discovery go through the pacer and
// the call counters like every other call, each under the account whose credentials make it
// (AssumeRole into a member is the admin's call) and in the region it is signed for.
func TestDiscoveryCallsArePaced(t *testing.T) {
	srv := serveEmulator(t, emulator.DefaultConfig())
	pacer := &recordingPacer{}
	c, _ := discover(t, srv, `{"regions": ["eu-west-1"], "org": {"member_role_name": "OrganizationAccountAccessRole"}}`, pacer)
	for _, want := range []struct{ account, region, service, op string }{
		{mgmtID, "eu-west-1", "STS", "GetCallerIdentity"},
		{mgmtID, "eu-west-1", "Organizations", "ListAccounts"},
		{mgmtID, "eu-west-1", "Organizations", "DescribeOrganization"},
		{mgmtID, "eu-west-1", "STS", "AssumeRole"},
		{memberA, "eu-west-1", "STS", "GetCallerIdentity"},
		{memberA, "eu-west-1", "Account", "ListRegions"},
	} {
		if pacer.count(want.account, want.region, want.service, want.op) == 0 {
			t.Errorf("%+v was not paced", want)
		}
	}
	// Three member accounts are ACTIVE or SUSPENDED; AssumeRole is asked into the two ACTIVE ones.
	if n := pacer.count(mgmtID, "eu-west-1", "STS", "AssumeRole"); n != 2 {
		t.Errorf("AssumeRole paced %d times, want 2 (one per ACTIVE member: credentials are cached per account)", n)
	}
	counted := false
	for _, k := range c.Calls.Snapshot() {
		counted = counted || (k.Service == "Organizations" && k.Operation == "ListAccounts" && k.Attempts == 1)
	}
	if !counted {
		t.Error("ListAccounts is not in the call counters")
	}
}

// TestRateLimitsPaceListAccounts: rate_limits.ListAccounts now paces Organizations' listing.
func TestRateLimitsPaceListAccounts(t *testing.T) {
	spec, err := ParseSpec([]byte(`{"rate_limits": {"ListAccounts": 2, "AssumeRole": 5}}`))
	if err != nil {
		t.Fatal(err)
	}
	l := NewRateLimiter(spec)
	for op, want := range map[string]float64{"ListAccounts": 2, "AssumeRole": 5, "GetCallerIdentity": 0} {
		if got := l.bucket(CallKey{Account: mgmtID, Region: "us-east-1", Service: "Organizations", Operation: op}).quota; got != want {
			t.Errorf("%s paced at %v/s, want %v", op, got, want)
		}
	}
}

// TestSTSIsCalledInTheAccountsRegion: GetCallerIdentity goes to the account's default_region; in
// an opt-in region the account has not enabled, STS refuses the token and the partition's global
// region (us-east-1 for aws) is used instead.
func TestSTSIsCalledInTheAccountsRegion(t *testing.T) {
	srv := serveEmulator(t, emulator.DefaultConfig())
	pacer := &recordingPacer{}
	discover(t, srv, `{"regions": ["us-east-1"], "accounts": [{"id": "mgmt", "default_region": "eu-west-1"}]}`, pacer)
	// Until STS answers, the account's calls are paced under its name in the spec.
	if pacer.count("mgmt", "eu-west-1", "STS", "GetCallerIdentity") != 1 || pacer.count("mgmt", "us-east-1", "STS", "GetCallerIdentity") != 0 {
		t.Errorf("GetCallerIdentity not called in eu-west-1 alone: %v", pacer.keys)
	}
	pacer = &recordingPacer{}
	c, _ := discover(t, srv, `{"regions": ["us-east-1"], "accounts": [{"id": "mgmt", "default_region": "af-south-1"}]}`, pacer)
	if pacer.count("mgmt", "af-south-1", "STS", "GetCallerIdentity") == 0 || pacer.count("mgmt", "us-east-1", "STS", "GetCallerIdentity") != 1 {
		t.Errorf("GetCallerIdentity not tried in af-south-1, then in us-east-1: %v", pacer.keys)
	}
	if got, want := pairStrings(c), []string{mgmtID + "/us-east-1"}; !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
}

// TestPartitionFromDefaultRegion: an organization in aws-cn is found from its default_region;
// the member role's ARN and the account's partition are aws-cn's, and us-east-1 is never called.
func TestPartitionFromDefaultRegion(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.Partition = "aws-cn"
	cfg.Regions = []string{"cn-north-1", "cn-northwest-1"}
	cfg.AccountRegions = nil
	cfg.DisabledRegions = nil
	srv := serveEmulator(t, cfg)
	pacer := &recordingPacer{}
	c, _ := discover(t, srv, `{"regions": ["*"], "org": {"member_role_name": "OrganizationAccountAccessRole", "admin_account": {"default_region": "cn-north-1"}}}`, pacer)
	want := []string{
		mgmtID + "/cn-north-1", mgmtID + "/cn-northwest-1",
		memberA + "/cn-north-1", memberA + "/cn-northwest-1",
		memberB + "/cn-north-1", memberB + "/cn-northwest-1",
	}
	if got := pairStrings(c); !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	for _, p := range c.Pairs() {
		if got := c.WithPair(p).Partition; got != "aws-cn" {
			t.Errorf("%v: partition %q, want aws-cn", p, got)
		}
	}
	for k := range pacer.keys {
		if k.Region == "us-east-1" {
			t.Errorf("%+v called in us-east-1, outside the organization's partition", k)
		}
	}
}

// TestPartitionMismatchIsASpecError: regions of another partition than default_region's.
func TestPartitionMismatchIsASpecError(t *testing.T) {
	_, err := ParseSpec([]byte(`{"accounts": [{"id": "cn", "default_region": "cn-north-1", "regions": ["us-east-1"]}]}`))
	want := `spec.accounts[0].regions[0]: "us-east-1" is in partition aws but default_region "cn-north-1" is in aws-cn; list regions of the account's own partition`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want a problem %q", err, want)
	}
	_, err = ParseSpec([]byte(`{"org": {"member_role_name": "R", "admin_account": {"default_region": "nowhere"}}}`))
	if err == nil || !strings.Contains(err.Error(), `spec.org.admin_account.default_region: "nowhere" is not a region name`) {
		t.Errorf("got %v, want default_region named", err)
	}
}

// TestDelegatedAdministrator: an organization listed by a delegated administrator (a member
// account, reached through a role there) with a role that exists in every account: every ACTIVE
// account is synced, the management account included, through that role.
func TestDelegatedAdministrator(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.DelegatedAdministrators = []string{memberB}
	srv := serveEmulator(t, cfg)
	pacer := &recordingPacer{}
	c, log := discover(t, srv, `{"regions": ["us-east-1"], "org": {"member_role_name": "KMSAuditRole",
		"admin_account": {"role_arn": "arn:aws:iam::`+memberB+`:role/KMSAuditRole"}}}`, pacer)
	want := []string{mgmtID + "/us-east-1", memberA + "/us-east-1", memberB + "/us-east-1"}
	if got := pairStrings(c); !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	if pacer.count(memberB, "us-east-1", "Organizations", "ListAccounts") == 0 {
		t.Errorf("ListAccounts was not called by the delegated administrator %s: %v", memberB, pacer.keys)
	}
	if lines := log.lines(t, "discovered the organization's accounts"); len(lines) != 1 || lines[0]["admin_role"] != "delegated administrator" {
		t.Errorf("log %v, want the admin named a delegated administrator", lines)
	}
	// A member that is not a delegated administrator cannot list the organization.
	_, err := New(context.Background(), zerolog.Nop(), mustSpec(t, srv, `{"org": {"member_role_name": "KMSAuditRole",
		"admin_account": {"role_arn": "arn:aws:iam::`+memberA+`:role/KMSAuditRole"}}}`), nil)
	if err == nil || !strings.Contains(err.Error(), "must be the management account or a delegated administrator") {
		t.Errorf("got %v, want the ListAccounts refusal explained", err)
	}
}

// TestManagementAccountUsesAdminCredentials: the management account has no
// OrganizationAccountAccessRole; called from it, the sync uses the admin credentials there and
// assumes the role in the members only.
func TestManagementAccountUsesAdminCredentials(t *testing.T) {
	srv := serveEmulator(t, emulator.DefaultConfig())
	pacer := &recordingPacer{}
	c, log := discover(t, srv, `{"regions": ["us-east-1"], "org": {"member_role_name": "OrganizationAccountAccessRole"}}`, pacer)
	if got, want := pairStrings(c), []string{mgmtID + "/us-east-1", memberA + "/us-east-1", memberB + "/us-east-1"}; !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	if lines := log.lines(t, "discovered the organization's accounts"); len(lines) != 1 || lines[0]["admin_role"] != "management account" {
		t.Errorf("log %v, want the admin named the management account", lines)
	}
}

func mustSpec(t *testing.T, srv *emulator.Server, spec string) *Spec {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(spec), &m); err != nil {
		t.Fatal(err)
	}
	m["custom_endpoint_url"] = srv.URL()
	m["max_backoff"] = 1
	raw, _ := json.Marshal(m)
	parsed, err := ParseSpec(raw)
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

// TestStartUpIsParallel: 100 member accounts behind 40 ms of latency, one of which answers its
// AssumeRole only after 2 s. Connected one by one, discovery would take at least 100 × 3 calls ×
// 40 ms = 12 s; in parallel it takes about the slow account's 2 s, and every account is found.
func TestStartUpIsParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("100 accounts against the emulator")
	}
	cfg := emulator.DefaultConfig()
	cfg.MemberAccountIDs = nil
	cfg.MemberAccounts = 100
	cfg.SuspendedAccounts = 0
	cfg.AccountRegions = nil
	cfg.Regions = []string{"us-east-1"}
	cfg.KeysPerRegion, cfg.HotKeyGrants, cfg.Scenario, cfg.ClustersPerRegion = 0, 0, false, 0
	cfg.GrantsPerKey = emulator.IntRange{}
	srv := serveEmulator(t, cfg, emulator.WithLatency(40*time.Millisecond, 0))
	members := []string{}
	for _, a := range srv.World().Accounts {
		if *a.Id != srv.World().ManagementAccount {
			members = append(members, *a.Id)
		}
	}
	slowAccount := members[0]
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "Action=AssumeRole") && strings.Contains(string(body), slowAccount) {
			time.Sleep(2 * time.Second)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	spec := mustSpec(t, srv, `{"regions": ["us-east-1"], "org": {"member_role_name": "OrganizationAccountAccessRole"}}`)
	spec.CustomEndpointURL = proxy.URL
	start := time.Now()
	c, err := New(context.Background(), zerolog.Nop(), spec, NewRateLimiter(spec))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.Pairs()), 101; got != want {
		t.Errorf("%d pairs, want %d (every account in us-east-1)", got, want)
	}
	if elapsed > 5*time.Second {
		t.Errorf("discovery of 101 accounts took %s, want about the slow account's 2 s", elapsed)
	}
	t.Logf("101 accounts discovered in %s", elapsed)
}

// TestOrgAdminFallsBackToGlobalSTS: with admin_account.default_region an opt-in region the
// management account has not enabled, STS refuses it (InvalidClientTokenId) and the organization
// is listed through us-east-1, the aws partition's global STS region.
func TestOrgAdminFallsBackToGlobalSTS(t *testing.T) {
	srv := serveEmulator(t, emulator.DefaultConfig())
	c, _ := discover(t, srv, `{"regions": ["us-east-1"], "org": {"member_role_name": "OrganizationAccountAccessRole", "admin_account": {"default_region": "af-south-1"}}}`, nil)
	if got, want := pairStrings(c), []string{mgmtID + "/us-east-1", memberA + "/us-east-1", memberB + "/us-east-1"}; !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
}
