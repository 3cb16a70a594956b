package emulator

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
)

// RAMKeyResourceType is the resource type AWS RAM gives KMS keys (ListResources' resourceType,
// a permission's resourceType).
const RAMKeyResourceType = "kms:Key"

// The managed permissions the emulator's shares use. Their documents are RAM's permission
// format (GetPermission: "The permission's effect and actions in JSON format").
var (
	// RAMKeyUsePermission allows the use of a key for encryption, the actions of the catalogue
	// key's AWS_RAM policy.
	RAMKeyUsePermission = RAMPermission{
		Name: "AWSRAMDefaultPermissionKMSKey", Version: 1,
		Actions: []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
	}
	// RAMKeyDecryptPermission allows Decrypt only: the receiver may not even DescribeKey.
	RAMKeyDecryptPermission = RAMPermission{Name: "AWSRAMPermissionKMSKeyDecryptOnly", Version: 2, Actions: []string{"kms:Decrypt"}}
)

// RAMPermission is an AWS managed RAM permission for KMS keys.
type RAMPermission struct {
	Name    string
	Version int32
	Actions []string
}

// ARN is the permission's ARN in the partition (AWS managed permissions live in account "aws").
func (p RAMPermission) ARN(partition string) string {
	return "arn:" + partition + ":ram::aws:permission/" + p.Name
}

// Document is the permission's JSON document as GetPermission returns it.
func (p RAMPermission) Document() string {
	b, _ := json.Marshal(map[string]any{"Effect": "Allow", "Action": p.Actions})
	return string(b)
}

// ResourceShare is one AWS RAM resource share an account owns in a region, with what
// ListResources, ListPrincipals and ListResourceSharePermissions answer for it.
type ResourceShare struct {
	Share      ramtypes.ResourceShare
	Resources  []ramtypes.Resource
	Principals []ramtypes.Principal
	Permission RAMPermission
}

// ARN returns the share's ARN.
func (s *ResourceShare) ARN() string { return *s.Share.ResourceShareArn }

// SharedKey is a key another account shares with this account-region through AWS RAM, as
// ListKeys with ResourceOwners=OTHER_ACCOUNTS_VIA_RAM lists it.
type SharedKey struct {
	Entry kmstypes.KeyListEntry
	// Owner is the account that owns the key (the key ARN's account).
	Owner string
	// Permission is what the share lets this account do with the key.
	Permission RAMPermission
	// Metadata is what DescribeKey answers when the permission allows it.
	Metadata kmstypes.KeyMetadata
}

// generateRAM builds the resource shares of every key that has an AWS_RAM policy, the keys
// each receiving account sees, and (Config.Scenario) a key the outside account shares with
// the management account. It draws from its own random stream, so the rest of the World is
// the same with or without it.
func (w *World) generateRAM() {
	r := newRNG(w.Config.Seed, "ram")
	for _, acct := range w.activeAccounts() {
		for _, region := range w.EnabledRegions[acct] {
			rd := w.Regions[AccountRegion{acct, region}]
			for _, k := range rd.Keys {
				principals := w.ramPrincipals[k.ARN()]
				if len(principals) == 0 {
					continue
				}
				share := w.newKeyShare(r, acct, region, k, principals, RAMKeyUsePermission)
				rd.Shares = append(rd.Shares, share)
				for _, p := range principals {
					if recv := w.Regions[AccountRegion{p, region}]; recv != nil {
						md := k.Metadata
						recv.SharedWithMe = append(recv.SharedWithMe, &SharedKey{
							Entry: kmstypes.KeyListEntry{KeyId: aws.String(k.ID()), KeyArn: aws.String(k.ARN())},
							Owner: acct, Permission: RAMKeyUsePermission, Metadata: md,
						})
					}
				}
			}
		}
	}
	if w.Config.Scenario && w.OutsideAccount != "" {
		region := w.firstRegion()
		id := r.uuid()
		created := r.timeBetween(w.Now.AddDate(-1, 0, 0), w.Now.AddDate(0, 0, -30))
		arn := keyARN(w.Partition, region, w.OutsideAccount, id)
		recv := w.Regions[AccountRegion{w.ManagementAccount, region}]
		recv.SharedWithMe = append(recv.SharedWithMe, &SharedKey{
			Entry: kmstypes.KeyListEntry{KeyId: aws.String(id), KeyArn: aws.String(arn)},
			Owner: w.OutsideAccount, Permission: RAMKeyDecryptPermission,
			Metadata: kmstypes.KeyMetadata{
				KeyId: aws.String(id), Arn: aws.String(arn), AWSAccountId: aws.String(w.OutsideAccount),
				CreationDate: aws.Time(created), Enabled: true, KeyState: kmstypes.KeyStateEnabled,
				KeyManager: kmstypes.KeyManagerTypeCustomer, KeySpec: kmstypes.KeySpecSymmetricDefault,
				KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt, Origin: kmstypes.OriginTypeAwsKms,
			},
		})
		w.Scenario.ForeignSharedKeyARN = arn
	}
	for _, rd := range w.Regions {
		slices.SortFunc(rd.SharedWithMe, func(a, b *SharedKey) int {
			return compareStrings(*a.Entry.KeyArn, *b.Entry.KeyArn)
		})
	}
}

// newKeyShare is a STANDARD, ACTIVE share of one key with accounts; it allows external
// principals exactly when one of them is outside the organization (CreateResourceShare's
// allowExternalPrincipals must be true to add one).
func (w *World) newKeyShare(r *rng, acct, region string, k *Key, accounts []string, perm RAMPermission) *ResourceShare {
	arn := "arn:" + w.Partition + ":ram:" + region + ":" + acct + ":resource-share/" + r.uuid()
	created := k.Metadata.CreationDate.Add(time.Duration(r.between(3600, 30*86400)) * time.Second)
	external := false
	s := &ResourceShare{Permission: perm}
	for _, p := range accounts {
		ext := !w.IsOrgAccount(p)
		external = external || ext
		s.Principals = append(s.Principals, ramtypes.Principal{
			Id: aws.String(p), ResourceShareArn: aws.String(arn), External: aws.Bool(ext),
			CreationTime: aws.Time(created), LastUpdatedTime: aws.Time(created),
		})
	}
	s.Share = ramtypes.ResourceShare{
		ResourceShareArn: aws.String(arn), Name: aws.String("share-" + aws.ToString(k.Metadata.Description)),
		OwningAccountId: aws.String(acct), AllowExternalPrincipals: aws.Bool(external),
		Status: ramtypes.ResourceShareStatusActive, FeatureSet: ramtypes.ResourceShareFeatureSetStandard,
		CreationTime: aws.Time(created), LastUpdatedTime: aws.Time(created), Tags: []ramtypes.Tag{},
	}
	s.Resources = []ramtypes.Resource{{
		Arn: aws.String(k.ARN()), Type: aws.String(RAMKeyResourceType), ResourceShareArn: aws.String(arn),
		Status: ramtypes.ResourceStatusAvailable, CreationTime: aws.Time(created), LastUpdatedTime: aws.Time(created),
		ResourceRegionScope: ramtypes.ResourceRegionScopeRegional,
	}}
	return s
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
