package plugin

import (
	"strings"
	"testing"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// TestCloudHSMDeniedOncePerAccount: an SCP that denies CloudHSM denies it in every region; the
// sync reports it once per table and account (not once per region), loses no other row, and
// never calls CloudHSMv2 in ap-southeast-4, where it has no endpoint (AWS General Reference,
// "AWS CloudHSM endpoints and quotas"), while KMS is still read there.
func TestCloudHSMDeniedOncePerAccount(t *testing.T) {
	cfg := faultConfig(t)
	cfg.HotKeyGrants = 0
	// The first member also enabled ap-southeast-4 (Melbourne).
	member := cfg.MemberAccountIDs[0]
	cfg.AccountRegions = map[string][]string{member: {"us-east-1", "eu-west-1", "ap-southeast-4"}}
	world, srv := emulatedOrg(t, cfg, emulator.WithDeniedOperations("cloudhsmv2:DescribeClusters", "cloudhsmv2:DescribeBackups"))
	res := runSync(t, orgSpec(srv), syncOptions{})
	if res.initErr != nil || res.syncErr != nil {
		t.Fatalf("init %v, sync %v", res.initErr, res.syncErr)
	}
	errorsOf := map[string]int{} // table/account → scheduler errors
	for _, e := range withMessage(res.logs.Entries(t), "table sync finished") {
		account, _, _ := strings.Cut(e.str("client"), ":")
		if n := e.num("errors"); n > 0 {
			errorsOf[e.str("table")+"/"+account] += n
		}
	}
	active := activeAccounts(world)
	want := map[string]int{}
	for _, a := range active {
		want["aws_cloudhsmv2_clusters/"+a] = 1
		want["aws_cloudhsmv2_backups/"+a] = 1
	}
	if len(errorsOf) != len(want) {
		t.Errorf("errors %v, want %v", errorsOf, want)
	}
	for k, n := range want {
		if errorsOf[k] != n {
			t.Errorf("%s: %d scheduler errors, want %d", k, errorsOf[k], n)
		}
	}
	summary := withMessage(res.logs.Entries(t), "failures during sync")
	if len(summary) != 2*len(active) {
		t.Errorf("%d summary lines, want %d (one per CloudHSM table and account)", len(summary), 2*len(active))
	}
	for _, e := range summary {
		if e.str("region") != "*" || e.str("error_code") != "AccessDeniedException" {
			t.Errorf("summary line %v, want region * and AccessDeniedException", e)
		}
	}
	melbourneKeys := 0
	for key, st := range srv.Stats() {
		if key.Region == "ap-southeast-4" && strings.HasPrefix(key.Operation, "cloudhsmv2:") && st.Calls > 0 {
			t.Errorf("%s called in ap-southeast-4, where CloudHSMv2 has no endpoint", key.Operation)
		}
		if key.Region == "ap-southeast-4" && key.Operation == "kms:ListKeys" {
			melbourneKeys++
		}
	}
	if melbourneKeys == 0 {
		t.Error("KMS was not read in ap-southeast-4: the case tests nothing")
	}
}
