package emulator

import (
	"fmt"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// generateHotKey adds alias/hot-key with Config.HotKeyGrants grants, the
// pagination stress case (KMS allows 50,000 grants per key).
func (g *regionGen) generateHotKey() {
	k := g.addKey(keySpec{
		Kind:        "hot",
		Alias:       "alias/hot-key",
		Description: "Shared key of the batch fleet",
		Usage:       kmstypes.KeyUsageTypeEncryptDecrypt,
		Spec:        kmstypes.KeySpecSymmetricDefault,
		Policy:      defaultKeyPolicy(g.partition, g.account),
		Created:     g.w.Now.AddDate(-1, 0, 0),
	})
	ops := []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationGenerateDataKey}
	for i := range g.w.Config.HotKeyGrants {
		grantee := roleARN(g.partition, g.account, "batch-worker-"+pad5(i))
		if i%10 == 9 {
			grantee = assumedRoleARN(g.partition, g.account, "batch-worker", "task-"+pad5(i))
		}
		g.addGrant(k, grantSpec{Grantee: grantee, Ops: ops, Creator: g.admin, Name: "batch-" + pad5(i)})
	}
	g.w.HotKey = &KeyRef{Account: g.account, Region: g.region, KeyID: k.ID()}
}

func pad5(i int) string { return fmt.Sprintf("%05d", i) }
