package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// TestFaultRAMDeniedInOneAccount: an SCP that denies AWS RAM in one member account costs only
// that account's aws_ram_kms_key_shares rows. The refusal is reported once for the account (not
// once per region), every other table, that account's keys shared with it included, syncs
// exactly, and the other accounts' shares are all there.
func TestFaultRAMDeniedInOneAccount(t *testing.T) {
	cfg := faultConfig(t)
	member := cfg.MemberAccountIDs[0]
	world, srv := emulatedOrg(t, cfg, emulator.WithDeniedOperationsIn(member,
		"ram:GetResourceShares", "ram:ListResources", "ram:ListPrincipals", "ram:ListResourceSharePermissions", "ram:GetPermission"))
	start := time.Now().UTC()
	res := runSync(t, orgSpec(srv), syncOptions{})
	if res.initErr != nil || res.syncErr != nil {
		t.Fatalf("init %v, sync %v", res.initErr, res.syncErr)
	}
	want := perfectSync(t, world, start)
	lost := 0
	for _, r := range want["aws_ram_kms_key_shares"] {
		if r["account_id"] == member {
			lost++
		}
	}
	if lost == 0 || len(want["aws_ram_kms_key_shares"]) == lost {
		t.Fatalf("the member owns %d of %d shares: the case tests nothing", lost, len(want["aws_ram_kms_key_shares"]))
	}
	want.dropRows(func(r row) bool { return r["account_id"] == member }, "aws_ram_kms_key_shares")
	checkRows(t, res, want)
	checkFailureSummary(t, res, map[failureKind]int{
		{Table: "aws_ram_kms_key_shares", Account: member, Region: "*", Operation: "ListResources", Code: "AccessDeniedException"}: len(world.EnabledRegions[member]),
	})
	errorsOf := map[string]int{}
	for _, e := range withMessage(res.logs.Entries(t), "table sync finished") {
		account, _, _ := strings.Cut(e.str("client"), ":")
		if n := e.num("errors"); n > 0 {
			errorsOf[e.str("table")+"/"+account] += n
		}
	}
	if len(errorsOf) != 1 || errorsOf["aws_ram_kms_key_shares/"+member] != 1 {
		t.Errorf("scheduler errors %v, want one, aws_ram_kms_key_shares in %s", errorsOf, member)
	}
	checkNoPanics(t, res)
}
