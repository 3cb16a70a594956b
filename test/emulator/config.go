package emulator

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"
)

// Config describes the World to generate and how the Server misbehaves. It is
// JSON-able so `awsemu -config file.json` can load it; fields left out of the
// file keep DefaultConfig's values.
type Config struct {
	// Seed makes every generated id, date and choice reproducible.
	Seed int64 `json:"seed"`
	// Now anchors every generated date (keys, grants, events) and CloudTrail's
	// 90-day retention. Zero means the start of the current UTC day.
	Now time.Time `json:"now,omitzero"`
	// Partition of every ARN ("aws", "aws-cn", "aws-us-gov").
	Partition string `json:"partition"`

	// ManagementAccount is the organization's management account.
	ManagementAccount string `json:"managementAccount"`
	// MemberAccountIDs lists the member accounts; when empty, MemberAccounts
	// ids are generated from the seed.
	MemberAccountIDs []string `json:"memberAccountIds,omitempty"`
	MemberAccounts   int      `json:"memberAccounts"`
	// SuspendedAccounts is how many of the last member accounts are SUSPENDED
	// (listed by Organizations, no data, AssumeRole denied).
	SuspendedAccounts int `json:"suspendedAccounts"`
	// OutsideAccount is an account outside the organization, used as grantee.
	OutsideAccount string `json:"outsideAccount"`

	// Regions are enabled in every account, unless AccountRegions says otherwise.
	Regions []string `json:"regions"`
	// DisabledRegions are opt-in regions no account enabled: calls there fail
	// with UnrecognizedClientException and ListRegions reports them DISABLED.
	DisabledRegions []string `json:"disabledRegions"`
	// AccountRegions overrides Regions for single accounts (account id → regions).
	AccountRegions map[string][]string `json:"accountRegions,omitempty"`

	// KeysPerRegion is the number of plain customer keys generated in every
	// region in addition to the fixed catalogue of key kinds.
	KeysPerRegion int `json:"keysPerRegion"`
	// GrantsPerKey is the range of generated grants on each customer key.
	GrantsPerKey IntRange `json:"grantsPerKey"`
	// HotKeyGrants puts one key (alias/hot-key, management account, first
	// region) with this many grants into the World; 0 leaves it out.
	HotKeyGrants int `json:"hotKeyGrants"`
	// Scenario adds the named grant scenario (ScenarioFacts) to the management
	// account's first region.
	Scenario bool `json:"scenario"`
	// AccessScenario adds the access scenario (AccessFacts): two keys in the
	// first member account, IAM in two members, an SCP and an RCP.
	AccessScenario bool `json:"accessScenario"`
	// RetiredGrantsPerRegion is a busy account's CloudTrail: in every
	// account-region, this many grants on the aws/ebs key were created and
	// retired inside the lookback window (EC2 creating a grant for a volume and
	// retiring it when the volume goes), so CloudTrail holds a CreateGrant and
	// a RetireGrant event for each and KMS lists none of them.
	RetiredGrantsPerRegion int `json:"retiredGrantsPerRegion,omitempty"`

	// MemberRoleName is the role AssumeRole accepts in member accounts.
	MemberRoleName string `json:"memberRoleName"`
	// ExtraRoleNames are roles AssumeRole accepts in every account, the
	// management account included.
	ExtraRoleNames []string `json:"extraRoleNames,omitempty"`
	// DelegatedAdministrators are member accounts registered as delegated administrators
	// (RegisterDelegatedAdministrator): like the management account, they may call
	// Organizations' List and Describe operations.
	DelegatedAdministrators []string `json:"delegatedAdministrators,omitempty"`
	// ExternalIDs requires this ExternalId when assuming a role in the account.
	ExternalIDs map[string]string `json:"externalIds,omitempty"`

	ClustersPerRegion int `json:"clustersPerRegion"`
	BackupsPerCluster int `json:"backupsPerCluster"`

	// Server holds the serving behaviour: latency, quotas and faults.
	Server ServerConfig `json:"server"`
}

// IntRange is an inclusive range.
type IntRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// ServerConfig is the serving behaviour; Options override it per Server.
type ServerConfig struct {
	Latency LatencyConfig `json:"latency"`
	Quotas  QuotaConfig   `json:"quotas"`
	Faults  FaultConfig   `json:"faults"`
}

// LatencyConfig delays every call by Fixed plus a uniform jitter, and a
// SlowRate fraction of calls by SlowDelay (meant to exceed client timeouts).
type LatencyConfig struct {
	Fixed     Duration `json:"fixed"`
	Jitter    Duration `json:"jitter"`
	SlowRate  float64  `json:"slowRate"`
	SlowDelay Duration `json:"slowDelay"`
}

// QuotaConfig enables AWS's per-second request quotas, one token bucket per
// (account, region, operation).
type QuotaConfig struct {
	Enabled bool `json:"enabled"`
	// Scale multiplies every quota: 0.1 makes them ten times lower. Zero means 1.
	Scale float64 `json:"scale"`
	// PerSecond overrides or adds quotas, keyed "service:Operation"
	// (for example "kms:ListGrants").
	PerSecond map[string]float64 `json:"perSecond,omitempty"`
}

// FaultConfig injects errors. Every choice is deterministic given the seed.
type FaultConfig struct {
	// InternalErrorRate is the fraction of calls answered with the service's
	// 500 error (KMSInternalException or DependencyTimeoutException for KMS).
	InternalErrorRate float64 `json:"internalErrorRate"`
	// FailingOperations (e.g. "cloudtrail:LookupEvents") answer every call with the service's
	// 500 error, as a service in an outage does.
	FailingOperations []string `json:"failingOperations,omitempty"`
	// DeniedKeyOperations are KMS operations (e.g. "ListGrants") answered with
	// AccessDeniedException on every DeniedKeyEveryNth key of each region.
	DeniedKeyOperations []string `json:"deniedKeyOperations,omitempty"`
	DeniedKeyEveryNth   int      `json:"deniedKeyEveryNth"`
	// InvalidStateKeyOperations are KMS operations answered with
	// KMSInvalidStateException on every InvalidStateKeyEveryNth key of each
	// region, as if the key changed state (e.g. to Updating) after DescribeKey.
	InvalidStateKeyOperations []string `json:"invalidStateKeyOperations,omitempty"`
	InvalidStateKeyEveryNth   int      `json:"invalidStateKeyEveryNth"`
	// AssumeRoleDeniedAccounts refuse every AssumeRole into them.
	AssumeRoleDeniedAccounts []string `json:"assumeRoleDeniedAccounts,omitempty"`
	// OrganizationsDenied makes every Organizations call AccessDeniedException.
	OrganizationsDenied bool `json:"organizationsDenied"`
	// IAMDeniedAccounts answer every IAM call with AccessDenied.
	IAMDeniedAccounts []string `json:"iamDeniedAccounts,omitempty"`
	// DeniedOperations are refused to every caller with the service's access-denied error, as an
	// SCP or a missing permission would: "account:ListRegions", "ec2:DescribeRegions".
	DeniedOperations []string `json:"deniedOperations,omitempty"`
	// DeniedOperationsByAccount refuses operations to the callers of one account only, as an SCP
	// on that account does (e.g. {"210987654321": ["ram:GetResourceShares", ...]}).
	DeniedOperationsByAccount map[string][]string `json:"deniedOperationsByAccount,omitempty"`
	// VanishingKeyEveryNth keys of each region are listed by ListKeys but are
	// NotFound everywhere else, as if deleted between the calls.
	VanishingKeyEveryNth int `json:"vanishingKeyEveryNth"`
	// RevokeGrantBetweenPages revokes, once per key, the first grant of the
	// next ListGrants page right after a truncated page was served.
	RevokeGrantBetweenPages bool `json:"revokeGrantBetweenPages"`
}

// Duration is a time.Duration written as "150ms" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON accepts a Go duration string or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("duration must be a string like \"150ms\": %w", err)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// DefaultConfig is a small organization: a management account (the seed
// document's 123412341234), three members of which one is suspended, two
// regions plus two disabled opt-in regions, and the named grant scenario.
func DefaultConfig() Config {
	return Config{
		Seed:              1,
		Partition:         "aws",
		ManagementAccount: "123412341234",
		MemberAccountIDs:  []string{"210987654321", "345678901234", "456789012345"},
		SuspendedAccounts: 1,
		OutsideAccount:    "999988887777",
		Regions:           []string{"us-east-1", "eu-west-1"},
		DisabledRegions:   []string{"af-south-1", "me-south-1"},
		// The first member opted in to ap-east-1: ListRegions shows it ENABLED.
		AccountRegions: map[string][]string{"210987654321": {"us-east-1", "eu-west-1", "ap-east-1"}},
		KeysPerRegion:  2,
		GrantsPerKey:   IntRange{Min: 1, Max: 4},
		HotKeyGrants:   1500,
		Scenario:       true,
		MemberRoleName: "OrganizationAccountAccessRole",
		// The organization's audit role exists in every account.
		ExtraRoleNames:    []string{"KMSAuditRole"},
		ClustersPerRegion: 1,
		BackupsPerCluster: 2,
	}
}

// ParseConfig reads a JSON config on top of DefaultConfig.
func ParseConfig(data []byte) (Config, error) {
	cfg := DefaultConfig()
	if err := json.Unmarshal(data, &cfg); err != nil {
		return Config{}, fmt.Errorf("emulator config: %w", err)
	}
	return cfg, cfg.Validate()
}

// LoadConfig reads a JSON config file on top of DefaultConfig.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	return ParseConfig(data)
}

// maxRetiredGrantsPerRegion bounds the busy-CloudTrail knob: 200,000 grants
// are 400,000 events, about 800 MB per account-region.
const maxRetiredGrantsPerRegion = 200000

// Validate reports the first field that cannot generate a World.
func (c Config) Validate() error {
	switch {
	case !isAccountID(c.ManagementAccount):
		return fmt.Errorf("managementAccount %q is not a 12-digit account id", c.ManagementAccount)
	case c.OutsideAccount != "" && !isAccountID(c.OutsideAccount):
		return fmt.Errorf("outsideAccount %q is not a 12-digit account id", c.OutsideAccount)
	case len(c.Regions) == 0:
		return fmt.Errorf("regions must not be empty")
	case c.GrantsPerKey.Min < 0 || c.GrantsPerKey.Max < c.GrantsPerKey.Min:
		return fmt.Errorf("grantsPerKey must satisfy 0 <= min <= max")
	case c.HotKeyGrants < 0 || c.HotKeyGrants > 50000:
		return fmt.Errorf("hotKeyGrants must be within 0..50000 (KMS's grants-per-key quota)")
	case c.RetiredGrantsPerRegion < 0 || c.RetiredGrantsPerRegion > maxRetiredGrantsPerRegion:
		return fmt.Errorf("retiredGrantsPerRegion must be within 0..%d (each costs two CloudTrail events of about 2 KB in memory)", maxRetiredGrantsPerRegion)
	case c.MemberRoleName == "":
		return fmt.Errorf("memberRoleName must not be empty")
	}
	seen := map[string]bool{c.ManagementAccount: true, c.OutsideAccount: true}
	for _, id := range c.MemberAccountIDs {
		if !isAccountID(id) || seen[id] {
			return fmt.Errorf("memberAccountIds: %q is not a distinct 12-digit account id", id)
		}
		seen[id] = true
	}
	for _, id := range c.DelegatedAdministrators {
		// Only a member can be registered; generated member ids are not known here.
		notMember := len(c.MemberAccountIDs) > 0 && !slices.Contains(c.MemberAccountIDs, id)
		if id == c.ManagementAccount || id == c.OutsideAccount || notMember {
			return fmt.Errorf("delegatedAdministrators: %q is not a member account (the management account cannot be registered)", id)
		}
	}
	for acct := range c.AccountRegions {
		if !isAccountID(acct) {
			return fmt.Errorf("accountRegions: %q is not a 12-digit account id", acct)
		}
	}
	return nil
}
