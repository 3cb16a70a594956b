package client

// Spec is the plugin's `spec:` block. Key names follow CloudQuery's AWS plugin where the concept is
// the same, so existing configurations carry over.
type Spec struct {
	// Regions to sync, or ["*"] for every region enabled in each account.
	Regions []string `json:"regions,omitempty" jsonschema:"minItems=1"`
	// Accounts to sync with their own credentials. Leave empty (and org unset) to sync the account
	// of the default credential chain.
	Accounts []Account `json:"accounts,omitempty"`
	// Org discovers the organization's ACTIVE accounts and assumes a role in each.
	Org *Org `json:"org,omitempty"`
	// CustomEndpointURL sends every AWS call to this endpoint (VPC endpoints, emulators). Calls are
	// still signed for the region they are made in.
	CustomEndpointURL string `json:"custom_endpoint_url,omitempty" jsonschema:"format=uri"`
	// MaxRetries is the number of retries of a failed or throttled call (default 10).
	MaxRetries *int `json:"max_retries,omitempty" jsonschema:"minimum=0,default=10"`
	// MaxBackoff is the longest wait between retries, in seconds (default 30).
	MaxBackoff *int `json:"max_backoff,omitempty" jsonschema:"minimum=1,default=30"`
	// RequestTimeout bounds one attempt of one AWS call, in seconds (default 60); a slower answer
	// is abandoned and retried.
	RequestTimeout *int `json:"request_timeout,omitempty" jsonschema:"minimum=1,default=60"`
	// Concurrency bounds the scheduler's parallel work (default 10000).
	Concurrency *int `json:"concurrency,omitempty" jsonschema:"minimum=1,default=10000"`
	// QuotaShare is the share of each AWS request quota the sync may use (default 1), leaving the
	// rest to the account's other callers.
	QuotaShare *float64 `json:"quota_share,omitempty" jsonschema:"exclusiveMinimum=0,maximum=1,default=1"`
	// RateLimits overrides the pace of single operations, in calls per second per account and
	// region, e.g. {"ListGrants": 50}. It is not scaled by quota_share.
	RateLimits map[string]float64 `json:"rate_limits,omitempty"`
	// GrantEventsLookbackDays is how far back the first sync reads CloudTrail's grant events, and
	// how far back each grant's creator is looked up (default and most: 90, CloudTrail's history).
	GrantEventsLookbackDays int `json:"grant_events_lookback_days,omitempty" jsonschema:"minimum=1,maximum=90,default=90"`
	// Shard splits the (account, region) pairs across several processes.
	Shard *Shard `json:"shard,omitempty"`
}

// Account is one entry of `accounts`.
type Account struct {
	ID              string `json:"id" jsonschema:"required"`
	AccountName     string `json:"account_name,omitempty"`
	RoleARN         string `json:"role_arn,omitempty"`
	RoleSessionName string `json:"role_session_name,omitempty"`
	ExternalID      string `json:"external_id,omitempty"`
	LocalProfile    string `json:"local_profile,omitempty"`
	// DefaultRegion is where the account's STS, Account and EC2 DescribeRegions calls go; it
	// sets the partition (cn-north-1 for aws-cn, us-gov-west-1 for aws-us-gov). Default: the
	// first of its regions, else of spec.regions, else AWS_REGION, else us-east-1.
	DefaultRegion string   `json:"default_region,omitempty"`
	Regions       []string `json:"regions,omitempty"`
}

// Org is the `org` block: the management (or delegated admin) account and the member role.
type Org struct {
	AdminAccount          *AdminAccount `json:"admin_account,omitempty"`
	MemberRoleName        string        `json:"member_role_name" jsonschema:"required"`
	MemberRoleSessionName string        `json:"member_role_session_name,omitempty"`
	MemberExternalID      string        `json:"member_external_id,omitempty"`
	MemberRegions         []string      `json:"member_regions,omitempty"`
	OrganizationUnits     []string      `json:"organization_units,omitempty"`
	SkipOrganizationUnits []string      `json:"skip_organization_units,omitempty"`
	SkipMemberAccounts    []string      `json:"skip_member_accounts,omitempty"`
}

// AdminAccount holds the credentials used to call Organizations.
type AdminAccount struct {
	LocalProfile string `json:"local_profile,omitempty"`
	RoleARN      string `json:"role_arn,omitempty"`
	ExternalID   string `json:"external_id,omitempty"`
	// DefaultRegion is where Organizations, STS and region discovery are called for the admin
	// and the member accounts; it sets the organization's partition.
	DefaultRegion string `json:"default_region,omitempty"`
}

// Shard selects this process's share of the (account, region) pairs: pair i belongs to shard
// i mod total, counting pairs in sorted order.
type Shard struct {
	Index int `json:"index" jsonschema:"minimum=0"`
	Total int `json:"total" jsonschema:"minimum=1"`
}

const (
	defaultMaxRetries      = 10
	defaultMaxBackoff      = 30
	defaultConcurrency     = 10000
	defaultRequestTimeout  = 60
	defaultRoleSessionName = "cq-source-awskms"
	defaultDiscoveryRegion = "us-east-1"
)

// setDefaults fills the optional fields that have defaults.
func (s *Spec) setDefaults() {
	if len(s.Regions) == 0 {
		s.Regions = []string{"*"}
	}
	if s.MaxRetries == nil {
		v := defaultMaxRetries
		s.MaxRetries = &v
	}
	if s.MaxBackoff == nil {
		v := defaultMaxBackoff
		s.MaxBackoff = &v
	}
	if s.RequestTimeout == nil {
		v := defaultRequestTimeout
		s.RequestTimeout = &v
	}
	if s.Concurrency == nil {
		v := defaultConcurrency
		s.Concurrency = &v
	}
	if s.GrantEventsLookbackDays == 0 {
		s.GrantEventsLookbackDays = 90
	}
	if s.QuotaShare == nil {
		v := 1.0
		s.QuotaShare = &v
	}
	if s.Org != nil && s.Org.MemberRoleSessionName == "" {
		s.Org.MemberRoleSessionName = defaultRoleSessionName
	}
	for i := range s.Accounts {
		if s.Accounts[i].RoleSessionName == "" {
			s.Accounts[i].RoleSessionName = defaultRoleSessionName
		}
	}
}
