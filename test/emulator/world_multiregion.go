package emulator

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// addMultiRegionKey places the account's multi-Region key: the primary in the
// account's first enabled region, a replica (same key id) in every other one.
// Its id, material and rotations come from a per-account stream so primary
// and replicas agree.
func (g *regionGen) addMultiRegionKey() {
	regions := g.w.EnabledRegions[g.account]
	shared := newRNG(g.w.Config.Seed, "multi-region-key", g.account)
	id := "mrk-" + shared.hex(32)
	spec := keySpec{
		Kind:         "multi-region-primary",
		ID:           id,
		Alias:        "alias/global-orders",
		Description:  "Orders, replicated to every region",
		Usage:        kmstypes.KeyUsageTypeEncryptDecrypt,
		Spec:         kmstypes.KeySpecSymmetricDefault,
		RotationDays: 180,
		Policy:       defaultKeyPolicy(g.partition, g.account),
		Tags:         tags("Scope", "global"),
		Created:      shared.timeBetween(g.w.Now.AddDate(-2, 0, 0), g.w.Now.AddDate(0, 0, -200)),
	}
	k := buildKey(g.w, shared, g.account, g.region, spec)
	primary := regions[0]
	arnIn := func(region string) *string { return aws.String(keyARN(g.partition, region, g.account, id)) }
	config := &kmstypes.MultiRegionConfiguration{
		MultiRegionKeyType: kmstypes.MultiRegionKeyTypePrimary,
		PrimaryKey:         &kmstypes.MultiRegionKey{Arn: arnIn(primary), Region: aws.String(primary)},
		ReplicaKeys:        []kmstypes.MultiRegionKey{},
	}
	for _, region := range regions[1:] {
		config.ReplicaKeys = append(config.ReplicaKeys, kmstypes.MultiRegionKey{Arn: arnIn(region), Region: aws.String(region)})
	}
	if g.region != primary {
		spec.Kind = "multi-region-replica"
		k.Kind = spec.Kind
		config.MultiRegionKeyType = kmstypes.MultiRegionKeyTypeReplica
		// A replica is created after its primary; its material and rotations are the primary's.
		created := k.Metadata.CreationDate.Add(time.Duration(1+indexOf(regions, g.region)) * time.Hour)
		k.Metadata.CreationDate = aws.Time(created)
	}
	k.Metadata.MultiRegion = aws.Bool(true)
	k.Metadata.MultiRegionConfiguration = config
	g.placeKey(k, spec)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
