package emulator

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	hsmtypes "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"
)

// CloudHSM ids are pure functions of (seed, account, region, index), so a
// backup copied from another region can name its source without generating it.
func clusterID(seed int64, account, region string, i int) string {
	return "cluster-" + newRNG(seed, "cluster", account, region, fmt.Sprint(i)).chars(lowerAlnum, 11)
}

func backupID(seed int64, account, region string, cluster, i int) string {
	return "backup-" + newRNG(seed, "backup", account, region, fmt.Sprint(cluster), fmt.Sprint(i)).chars(lowerAlnum, 11)
}

// generateClusters creates Config.ClustersPerRegion clusters: the first ACTIVE
// with two HSMs (it backs the custom key store key), the others UNINITIALIZED;
// each with Config.BackupsPerCluster backups. Outside its first region the
// account's first cluster also holds a backup copied from the first region.
func (g *regionGen) generateClusters() {
	cfg := g.w.Config
	for i := range cfg.ClustersPerRegion {
		id := clusterID(cfg.Seed, g.account, g.region, i)
		vpc := "vpc-" + g.r.hex(17)
		azs := []string{g.region + "a", g.region + "b"}
		subnets := map[string]string{}
		for _, az := range azs {
			subnets[az] = "subnet-" + g.r.hex(17)
		}
		created := g.r.timeBetween(g.w.Now.AddDate(-2, 0, 0), g.w.Now.AddDate(0, 0, -150))
		cluster := hsmtypes.Cluster{
			ClusterId:             aws.String(id),
			BackupPolicy:          hsmtypes.BackupPolicyDefault,
			BackupRetentionPolicy: &hsmtypes.BackupRetentionPolicy{Type: hsmtypes.BackupRetentionTypeDays, Value: aws.String("90")},
			CreateTimestamp:       aws.Time(created),
			HsmType:               aws.String("hsm1.medium"),
			Mode:                  hsmtypes.ClusterModeFips,
			NetworkType:           hsmtypes.NetworkTypeIpv4,
			SecurityGroup:         aws.String("sg-" + g.r.hex(17)),
			State:                 hsmtypes.ClusterStateActive,
			SubnetMapping:         subnets,
			VpcId:                 aws.String(vpc),
			TagList: []hsmtypes.Tag{
				{Key: aws.String("Team"), Value: aws.String("security")},
				{Key: aws.String("Name"), Value: aws.String(fmt.Sprintf("kms-custom-key-store-%d", i+1))},
			},
			Certificates: &hsmtypes.Certificates{
				ClusterCertificate: aws.String(fakePEM(g.r, "CERTIFICATE")),
				HsmCertificate:     aws.String(fakePEM(g.r, "CERTIFICATE")),
			},
		}
		if i == 0 {
			for j, az := range azs {
				cluster.Hsms = append(cluster.Hsms, hsmtypes.Hsm{
					HsmId:            aws.String("hsm-" + g.r.chars(lowerAlnum, 11)),
					ClusterId:        aws.String(id),
					AvailabilityZone: aws.String(az),
					SubnetId:         aws.String(subnets[az]),
					EniId:            aws.String("eni-" + g.r.hex(17)),
					EniIp:            aws.String(fmt.Sprintf("10.0.%d.%d", j+1, g.r.between(4, 250))),
					HsmType:          aws.String("hsm1.medium"),
					State:            hsmtypes.HsmStateActive,
					StateMessage:     aws.String("HSM created."),
				})
			}
		} else {
			cluster.State = hsmtypes.ClusterStateUninitialized
			cluster.Certificates.ClusterCsr = aws.String(fakePEM(g.r, "CERTIFICATE REQUEST"))
			cluster.Certificates.ClusterCertificate = nil
			cluster.StateMessage = aws.String("Cluster is uninitialized.")
			cluster.Hsms = []hsmtypes.Hsm{}
		}
		g.rd.Clusters = append(g.rd.Clusters, cluster)
		for j := range cfg.BackupsPerCluster {
			g.rd.Backups = append(g.rd.Backups, g.backup(cluster, backupID(cfg.Seed, g.account, g.region, i, j), created, j))
		}
	}
	first := g.w.EnabledRegions[g.account][0]
	if cfg.ClustersPerRegion > 0 && cfg.BackupsPerCluster > 0 && g.region != first {
		source := backupID(cfg.Seed, g.account, first, 0, 0)
		copied := g.backup(g.rd.Clusters[0], backupID(cfg.Seed, g.account, g.region, 0, cfg.BackupsPerCluster), *g.rd.Clusters[0].CreateTimestamp, cfg.BackupsPerCluster)
		copied.SourceBackup = aws.String(source)
		copied.SourceCluster = aws.String(clusterID(cfg.Seed, g.account, first, 0))
		copied.SourceRegion = aws.String(first)
		copied.CopyTimestamp = copied.CreateTimestamp
		g.rd.Backups = append(g.rd.Backups, copied)
	}
}

func (g *regionGen) backup(cluster hsmtypes.Cluster, id string, after time.Time, i int) hsmtypes.Backup {
	created := g.r.timeBetween(after.Add(time.Hour), g.w.Now.AddDate(0, 0, -1))
	b := hsmtypes.Backup{
		BackupId:        aws.String(id),
		BackupArn:       aws.String(fmt.Sprintf("arn:%s:cloudhsm:%s:%s:backup/%s", g.partition, g.region, g.account, id)),
		BackupState:     hsmtypes.BackupStateReady,
		ClusterId:       cluster.ClusterId,
		CreateTimestamp: aws.Time(created),
		HsmType:         cluster.HsmType,
		Mode:            cluster.Mode,
		NeverExpires:    aws.Bool(i == 0),
		TagList:         []hsmtypes.Tag{{Key: aws.String("Backup"), Value: aws.String(fmt.Sprintf("nightly-%d", i+1))}},
	}
	return b
}

// fakePEM is PEM-shaped filler: nothing parses these certificates.
func fakePEM(r *rng, kind string) string {
	body := r.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 128)
	return fmt.Sprintf("-----BEGIN %s-----\n%s\n%s\n-----END %s-----", kind, body[:64], body[64:], kind)
}
