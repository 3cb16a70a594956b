package plugin

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func accessScenarioConfig(t *testing.T) emulator.Config {
	cfg := faultConfig(t)
	cfg.AccessScenario = true
	return cfg
}

// expectedIAMRows are the access scenario's principals with KMS statements, written by hand from
// what the scenario gives each of them (see emulator.AccessFacts): users and roles without a KMS
// statement (AppRole: s3 only; KeyAdmin, Delegator, GrantChild: nothing; CrossNoIAM: s3 only)
// have no row; an old policy version (kms:* in v1) is not in force.
func expectedIAMRows(w *emulator.World) []row {
	f := w.Access
	k, o := f.KeyAccount, f.OtherAccount
	statement := func(source string, actions []any, resource string) map[string]any {
		return map[string]any{"source": source, "statement": map[string]any{"Effect": "Allow", "Action": actions, "Resource": resource}}
	}
	boundary := "arn:aws:iam::" + k + ":policy/DescribeOnlyBoundary"
	auditors := statement(f.AuditorsGroupARN+"/inline/KMSRead", []any{"kms:Describe*", "kms:List*", "kms:Get*"}, "*")
	auditors["via_group"] = f.AuditorsGroupARN
	return []row{
		{"account_id": k, "arn": f.AuditorUserARN, "principal_type": "user", "permissions_boundary_arn": boundary,
			"statements":          []any{auditors},
			"boundary_statements": []any{statement(boundary, []any{"kms:DescribeKey", "s3:GetObject"}, "*")}},
		{"account_id": k, "arn": f.IAMOnlyRoleARN, "principal_type": "role", "permissions_boundary_arn": nil, "boundary_statements": nil,
			"statements": []any{statement(f.IAMOnlyRoleARN+"/inline/AllKMS", []any{"kms:*"}, "*")}},
		{"account_id": k, "arn": f.AnalystRoleARN, "principal_type": "role", "permissions_boundary_arn": nil, "boundary_statements": nil,
			"statements": []any{statement("arn:aws:iam::"+k+":policy/KMSDecryptMainKey", []any{"kms:Decrypt"}, f.MainKeyARN)}},
		{"account_id": o, "arn": f.CrossAllowedRoleARN, "principal_type": "role", "permissions_boundary_arn": nil, "boundary_statements": nil,
			"statements": []any{statement(f.CrossAllowedRoleARN+"/inline/UseKeyAccountKeys", []any{"kms:Decrypt", "kms:Encrypt"}, "arn:aws:kms:*:"+k+":key/*")}},
		{"account_id": o, "arn": f.OrgReaderRoleARN, "principal_type": "role", "permissions_boundary_arn": nil, "boundary_statements": nil,
			"statements": []any{statement(f.OrgReaderRoleARN+"/inline/Decrypt", []any{"kms:Decrypt"}, "*")}},
	}
}

// TestSyncAccessScenario syncs the access scenario: every table exactly, the IAM principals as
// written by hand, the SCPs and RCPs of every account with the scenario's Deny SCP and RCP.
func TestSyncAccessScenario(t *testing.T) {
	world, srv := emulatedOrg(t, accessScenarioConfig(t))
	start := time.Now().UTC()
	res := runSync(t, orgSpec(srv), syncOptions{})
	want := perfectSync(t, world, start)
	want["aws_iam_kms_principals"] = expectedIAMRows(world)
	checkSync(t, res, want, nil, nil)

	f := world.Access
	var scenarioPolicies []string
	for _, r := range want["aws_organizations_account_policies"] {
		if id := r["policy_id"].(string); (id == f.DenyDecryptSCPID || id == f.PerimeterRCPID) && !slices.Contains(scenarioPolicies, id+"@"+r["target_account_id"].(string)) {
			scenarioPolicies = append(scenarioPolicies, id+"@"+r["target_account_id"].(string))
		}
	}
	// The Deny SCP applies to the other account only; the RCP (on the root) to every account.
	if want := 1 + len(world.Accounts); len(scenarioPolicies) != want {
		t.Errorf("scenario policies apply %d times, want %d: %v", len(scenarioPolicies), want, scenarioPolicies)
	}
}

// TestFaultIAMDenied: IAM refused in one account loses that account's IAM principals and nothing
// else, with one error for that table and account.
func TestFaultIAMDenied(t *testing.T) {
	cfg := accessScenarioConfig(t)
	world := emulator.NewWorld(cfg)
	denied := world.Access.OtherAccount
	world, srv := emulatedOrg(t, cfg, emulator.WithIAMDenied(denied))
	start := time.Now().UTC()
	res := runSync(t, orgSpec(srv), syncOptions{})
	want := perfectSync(t, world, start)
	want["aws_iam_kms_principals"] = nil
	for _, r := range expectedIAMRows(world) {
		if r["account_id"] != denied {
			want["aws_iam_kms_principals"] = append(want["aws_iam_kms_principals"], r)
		}
	}
	regions := slices.Clone(world.EnabledRegions[denied])
	slices.Sort(regions)
	checkSync(t, res, want, nil, map[tableClient]int{{Table: "aws_iam_kms_principals", Client: denied + ":" + regions[0]}: 1})
}

// TestFaultOrganizationPoliciesDeniedForOneAccount refuses ListParents for one account: that
// account's SCPs and RCPs are missing, counted once in the failure summary and once by the
// scheduler; every other account's policies and every other table sync exactly.
func TestFaultOrganizationPoliciesDeniedForOneAccount(t *testing.T) {
	world, srv := emulatedOrg(t, accessScenarioConfig(t))
	denied := world.Access.OtherAccount
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".ListParents") && strings.Contains(string(body), denied) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"AccessDeniedException","message":"You don't have permissions to access this resource."}`)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	spec := orgSpec(srv)
	spec["custom_endpoint_url"] = proxy.URL
	start := time.Now().UTC()
	res := runSync(t, spec, syncOptions{})
	want := perfectSync(t, world, start)
	want["aws_iam_kms_principals"] = expectedIAMRows(world)
	want.dropRows(func(r row) bool { return r["target_account_id"] == denied }, "aws_organizations_account_policies")
	regions := slices.Clone(world.EnabledRegions[world.ManagementAccount])
	slices.Sort(regions)
	mgmt := world.ManagementAccount
	checkSync(t, res, want,
		map[failureKind]int{{Table: "aws_organizations_account_policies", Account: mgmt, Region: regions[0], Operation: "ListParents", Code: "AccessDeniedException"}: 1},
		map[tableClient]int{{Table: "aws_organizations_account_policies", Client: mgmt + ":" + regions[0]}: 1})
}
