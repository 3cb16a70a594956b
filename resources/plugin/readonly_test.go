package plugin

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kmsaudit/cq-source-awskms/client"
	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// iamPrefixes maps the emulator's service names to IAM's action prefixes.
var iamPrefixes = map[string]string{
	"kms":           "kms",
	"cloudhsmv2":    "cloudhsm",
	"cloudtrail":    "cloudtrail",
	"sts":           "sts",
	"organizations": "organizations",
	"account":       "account",
	"iam":           "iam",
	"ec2":           "ec2",
	"ram":           "ram",
}

// ramOperations name RAM's REST paths (all lower case, RAM API reference "Request Syntax").
var ramOperations = map[string]string{
	"getresourceshares": "GetResourceShares", "listresources": "ListResources", "listprincipals": "ListPrincipals",
	"listresourcesharepermissions": "ListResourceSharePermissions", "getpermission": "GetPermission",
}

// readOperation is the definition of a read: List*, Describe*, Get*, LookupEvents, and
// the two STS calls every multi-account reader needs.
var readOperation = regexp.MustCompile(`^([a-z0-9]+:(List|Describe|Get)[A-Za-z]+|cloudtrail:LookupEvents|sts:AssumeRole|sts:GetCallerIdentity)$`)

// operationRecorder notes the IAM action of every request on its way to the emulator, including
// operations the emulator does not serve (which its Stats never count).
type operationRecorder struct {
	next http.Handler
	mu   sync.Mutex
	seen map[string]bool
}

func (o *operationRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// The signing name is the IAM prefix for all six services (cloudhsm for CloudHSMv2).
	service := "unsigned"
	if m := serviceOf.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		service = m[1]
	}
	var op string
	switch {
	case r.Header.Get("X-Amz-Target") != "": // JSON protocols: "TrentService.ListKeys"
		target := r.Header.Get("X-Amz-Target")
		op = target[strings.LastIndex(target, ".")+1:]
	case r.Header.Get("Content-Type") == "application/x-www-form-urlencoded": // STS's query protocol
		form, _ := url.ParseQuery(string(body))
		op = form.Get("Action")
	default: // REST: Account's POST /listRegions, RAM's POST /getresourceshares
		path := strings.Trim(r.URL.Path, "/")
		if name, ok := ramOperations[path]; ok {
			op = name
		} else if path != "" {
			op = strings.ToUpper(path[:1]) + path[1:]
		}
	}
	o.mu.Lock()
	o.seen[service+":"+op] = true
	o.mu.Unlock()
	o.next.ServeHTTP(w, r)
}

// TestSyncCallsOnlyReadOnlyActions runs full syncs the two ways accounts are found (the
// organization, narrowed by organizational unit so its listing calls run too, and an explicit
// account list with a role, once more without account:ListRegions so that the regions come
// from ec2:DescribeRegions) and holds every call, STS and discovery included, to
// client.ReadOnlyActions, which the README's IAM policy is generated from: both the calls the
// emulator served (its Stats) and every request sent its way.
func TestSyncCallsOnlyReadOnlyActions(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process sync against the emulator")
	}
	for _, action := range client.ReadOnlyActions {
		if !readOperation.MatchString(action) {
			t.Errorf("client.ReadOnlyActions lists %s, which is not a read operation", action)
		}
	}

	cfg := emulator.DefaultConfig()
	cfg.Now = time.Now().UTC().Add(-time.Hour)
	world, srv := emulatedOrg(t, cfg)
	recorder := &operationRecorder{next: srv, seen: map[string]bool{}}
	proxy := httptest.NewServer(recorder)
	t.Cleanup(proxy.Close)
	byOrg := orgSpec(srv)
	byOrg["custom_endpoint_url"] = proxy.URL
	byOrg["org"] = map[string]any{
		"member_role_name":   "OrganizationAccountAccessRole",
		"organization_units": []string{*world.Roots[0].Id},
	}
	byAccounts := maps.Clone(byOrg)
	delete(byAccounts, "org")
	byAccounts["accounts"] = []map[string]any{
		{"id": "management"},
		{"id": "member", "role_arn": "arn:aws:iam::210987654321:role/KMSAuditRole"},
	}

	// Without account:ListRegions, the regions come from ec2:DescribeRegions.
	_, noListRegions := emulatedOrg(t, cfg, emulator.WithDeniedOperations("account:ListRegions"))

	called := map[string]bool{}
	for _, name := range []string{"org", "accounts", "accounts without ListRegions"} {
		spec := map[string]map[string]any{"org": byOrg, "accounts": byAccounts, "accounts without ListRegions": byAccounts}[name]
		srv := srv
		if name == "accounts without ListRegions" {
			srv = noListRegions
			recorder.next = noListRegions
		}
		srv.ResetStats()
		res := runSync(t, spec, syncOptions{})
		if res.initErr != nil || res.syncErr != nil {
			t.Fatalf("%s sync: init %v, sync %v", name, res.initErr, res.syncErr)
		}
		if n := len(syncedRows(t, res.msgs, Tables().FlattenTables().Get("aws_kms_key_grants"))); n == 0 {
			t.Fatalf("%s sync wrote no grants: it did not sync", name)
		}
		checkErrorCounts(t, res, nil)
		for key, stat := range srv.Stats() {
			if stat.Calls == 0 {
				continue
			}
			service, op, _ := strings.Cut(key.Operation, ":")
			prefix, ok := iamPrefixes[service]
			if !ok {
				t.Errorf("%s sync called %s, a service this test does not know", name, key.Operation)
				continue
			}
			called[prefix+":"+op] = true
		}
	}

	for action := range recorder.seen {
		called[action] = true
	}
	var calledList []string
	for action := range called {
		calledList = append(calledList, action)
		if !slices.Contains(client.ReadOnlyActions, action) {
			t.Errorf("the sync called %s, which client.ReadOnlyActions (the README's IAM policy) does not list", action)
		}
	}
	for _, action := range client.ReadOnlyActions {
		if !called[action] {
			t.Errorf("client.ReadOnlyActions lists %s, which no sync called: the policy is not minimal", action)
		}
	}
	sort.Strings(calledList)
	t.Logf("%d actions called, all read-only: %s", len(calledList), strings.Join(calledList, ", "))
}
