package emulator

import (
	"slices"
	"sync"
	"time"

	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	hsmtypes "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// World is everything the emulator serves, as aws-sdk-go-v2 types. Tests
// compare what a client synced against these fields.
//
// Reading fields directly is fine while nothing mutates the World; a test that
// mutates while a Server serves should read through Read.
type World struct {
	Config            Config
	Partition         string
	ManagementAccount string
	// OutsideAccount is an account outside the organization (grantee only).
	OutsideAccount string
	// Now is the instant the data was generated for (see Config.Now).
	Now time.Time

	Organization orgtypes.Organization
	Roots        []orgtypes.Root
	// OUs in creation order: every parent comes before its children.
	OUs []OrgUnit
	// Accounts in ListAccounts order, the management account first.
	Accounts []orgtypes.Account
	// Parents maps an account or OU id to its parent's id.
	Parents map[string]string

	// EnabledRegions lists the regions each account can call, in config order.
	EnabledRegions map[string][]string
	// RegionStatuses is each account's ListRegions answer, sorted by name.
	RegionStatuses map[string][]accounttypes.Region

	// Regions holds the resources of every ACTIVE account in every enabled region.
	Regions map[AccountRegion]*RegionData

	// Scenario is the named grant scenario, nil unless Config.Scenario.
	Scenario *ScenarioFacts
	// Access is the access scenario, nil unless Config.AccessScenario.
	Access *AccessFacts
	// IAM holds each ACTIVE account's users, groups, roles and policies.
	IAM map[string]*IAMAccount
	// OrgPolicies are the organization's SCPs and RCPs with their targets.
	OrgPolicies []OrgPolicy
	// HotKey locates the key with Config.HotKeyGrants grants, nil without one.
	HotKey *KeyRef

	// ramPrincipals lists, per key ARN, the accounts its RAM share reaches (generation only).
	ramPrincipals map[string][]string

	mu sync.RWMutex
	// lastMutation keeps mutation timestamps strictly increasing.
	lastMutation time.Time
	// addedKeys counts AddKey calls per region, so added keys are reproducible.
	addedKeys map[AccountRegion]int
}

// AccountRegion names one account's view of one region.
type AccountRegion struct{ Account, Region string }

// KeyRef locates one key.
type KeyRef struct {
	Account, Region, KeyID string
}

// OrgUnit is an organizational unit with its parent (a root or another OU).
type OrgUnit struct {
	orgtypes.OrganizationalUnit
	ParentID string
}

// RegionData is one account's resources in one region, each list in the order
// the list operation returns it.
type RegionData struct {
	Account, Region string
	// Keys in ListKeys order (creation date, then key id).
	Keys []*Key
	// Aliases in ListAliases order (alias name).
	Aliases []kmstypes.AliasListEntry
	// Clusters and Backups in DescribeClusters / DescribeBackups order.
	Clusters []hsmtypes.Cluster
	Backups  []hsmtypes.Backup
	// Events is the region's CloudTrail event history, newest first.
	Events []TrailEvent
	// Shares are the AWS RAM resource shares of KMS keys the account owns here, in
	// GetResourceShares order.
	Shares []*ResourceShare
	// SharedWithMe are the keys other accounts share with this account here, in ListKeys
	// (OTHER_ACCOUNTS_VIA_RAM) order.
	SharedWithMe []*SharedKey
}

// Key is one KMS key with everything the read API reveals about it.
type Key struct {
	Metadata kmstypes.KeyMetadata
	// Tags as ListResourceTags returns them (a non-nil empty list: no tags).
	Tags []kmstypes.Tag
	// Policies maps policy name to document: "default", and "AWS_RAM" for a
	// key shared through AWS RAM (ListKeyPolicies: "A KMS key can have at most
	// two key policies, default and AWS_RAM").
	Policies map[string]string
	// Rotation is GetKeyRotationStatus's answer; nil means the key does not
	// support rotation (UnsupportedOperationException).
	Rotation *RotationStatus
	// Rotations as ListKeyRotations returns them by default (ROTATIONS_ONLY:
	// completed rotations); nil when unsupported.
	Rotations []kmstypes.RotationsListEntry
	// KeyMaterials as ListKeyRotations returns them with IncludeKeyMaterial
	// ALL_KEY_MATERIAL: the first key material, the completed rotations and any
	// imported material pending rotation; nil when unsupported.
	KeyMaterials []kmstypes.RotationsListEntry
	// Grants in ListGrants order (creation date, then grant id).
	Grants []kmstypes.GrantListEntry
	// Kind says which catalogue entry produced the key (e.g. "aws-managed-ebs").
	Kind string
	// LastUsage is GetKeyLastUsage's answer (world_last_usage.go).
	LastUsage *KeyLastUsage
}

// RotationStatus is the answer of GetKeyRotationStatus.
type RotationStatus struct {
	Enabled                   bool
	RotationPeriodInDays      *int32
	NextRotationDate          *time.Time
	OnDemandRotationStartDate *time.Time
}

// ID returns the key id.
func (k *Key) ID() string { return *k.Metadata.KeyId }

// ARN returns the key ARN.
func (k *Key) ARN() string { return *k.Metadata.Arn }

// NewWorld generates the World described by cfg. The same cfg always yields
// a deep-equal World. It panics on a config Validate rejects.
func NewWorld(cfg Config) *World {
	cfg = withRequiredDefaults(cfg)
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	now := cfg.Now
	if now.IsZero() {
		now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	w := &World{
		Config:            cfg,
		Partition:         cfg.Partition,
		ManagementAccount: cfg.ManagementAccount,
		OutsideAccount:    cfg.OutsideAccount,
		Now:               now.UTC().Truncate(time.Second),
		Regions:           map[AccountRegion]*RegionData{},
		ramPrincipals:     map[string][]string{},
	}
	w.generateOrganization()
	w.generateRegionStatuses()
	if len(w.EnabledRegions[w.ManagementAccount]) == 0 {
		panic("emulator: the management account has no enabled region")
	}
	crossAccount := map[AccountRegion][]TrailEvent{}
	for _, acct := range w.activeAccounts() {
		for _, region := range w.EnabledRegions[acct] {
			g := newRegionGen(w, acct, region, crossAccount)
			g.generate()
			w.Regions[AccountRegion{acct, region}] = g.rd
		}
	}
	// Calls made from another account are also logged in the caller's account.
	for ar, events := range crossAccount {
		if rd, ok := w.Regions[ar]; ok {
			rd.Events = append(rd.Events, events...)
		}
	}
	for _, rd := range w.Regions {
		rd.sortAll()
	}
	w.generateAccessWorld()
	w.generateRAM()
	w.generateLastUsage()
	w.ramPrincipals = nil
	return w
}

func withRequiredDefaults(cfg Config) Config {
	def := DefaultConfig()
	if cfg.Partition == "" {
		cfg.Partition = def.Partition
	}
	if cfg.ManagementAccount == "" {
		cfg.ManagementAccount = def.ManagementAccount
	}
	if len(cfg.Regions) == 0 {
		cfg.Regions = def.Regions
	}
	if cfg.MemberRoleName == "" {
		cfg.MemberRoleName = def.MemberRoleName
	}
	return cfg
}

// Read runs fn while no mutation can happen.
func (w *World) Read(fn func()) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	fn()
}

// Region returns one account's region data, nil when the account cannot use it.
func (w *World) Region(account, region string) *RegionData {
	return w.Regions[AccountRegion{account, region}]
}

// Key returns a key by id or ARN, nil when absent.
func (rd *RegionData) Key(idOrARN string) *Key {
	for _, k := range rd.Keys {
		if k.ID() == idOrARN || k.ARN() == idOrARN {
			return k
		}
	}
	return nil
}

// IsOrgAccount reports whether the account belongs to the organization.
func (w *World) IsOrgAccount(account string) bool {
	return slices.ContainsFunc(w.Accounts, func(a orgtypes.Account) bool { return *a.Id == account })
}

// OrgAccountIDs returns every account id of the organization.
func (w *World) OrgAccountIDs() []string {
	ids := make([]string, len(w.Accounts))
	for i, a := range w.Accounts {
		ids[i] = *a.Id
	}
	return ids
}

// account returns the organization's account, nil when unknown.
func (w *World) account(id string) *orgtypes.Account {
	for i := range w.Accounts {
		if *w.Accounts[i].Id == id {
			return &w.Accounts[i]
		}
	}
	return nil
}

// activeAccounts returns the ACTIVE accounts in ListAccounts order.
func (w *World) activeAccounts() []string {
	var ids []string
	for _, a := range w.Accounts {
		if a.State == orgtypes.AccountStateActive {
			ids = append(ids, *a.Id)
		}
	}
	return ids
}

// firstRegion is where the scenario and the hot key live.
func (w *World) firstRegion() string { return w.EnabledRegions[w.ManagementAccount][0] }
