package client

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

var (
	regionPattern     = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)
	roleARNPattern    = regexp.MustCompile(`^arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
	roleNamePattern   = regexp.MustCompile(`^[\w+=,.@/-]{1,64}$`)
	accountIDPattern  = regexp.MustCompile(`^[0-9]{12}$`)
	orgUnitPattern    = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$`)
	sessionNameFormat = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

// validate checks the decoded spec's values; it returns one line per problem.
func (s *Spec) validate() []string {
	var p problems
	p.regions("spec.regions", s.Regions)
	if len(s.Accounts) > 0 && s.Org != nil {
		p.add("spec: `accounts` and `org` cannot be used together; keep `org` to discover the organization's accounts, or list them under `accounts`")
	}
	for i, a := range s.Accounts {
		path := fmt.Sprintf("spec.accounts[%d]", i)
		if strings.TrimSpace(a.ID) == "" {
			p.add(path + ".id: is required; give each account a short name used in logs (e.g. \"prod\")")
		}
		p.roleARN(path+".role_arn", a.RoleARN)
		p.sessionName(path+".role_session_name", a.RoleSessionName)
		if a.ExternalID != "" && a.RoleARN == "" {
			p.add(path + ".external_id: only applies with role_arn; add the role_arn to assume or remove external_id")
		}
		p.regions(path+".regions", a.Regions)
		regions := a.Regions
		if len(regions) == 0 {
			regions = s.Regions
		}
		p.defaultRegion(path+".default_region", a.DefaultRegion, path+".regions", regions)
	}
	if o := s.Org; o != nil {
		if o.MemberRoleName == "" {
			p.add("spec.org.member_role_name: is required; set the role to assume in each member account (e.g. OrganizationAccountAccessRole)")
		} else if strings.HasPrefix(o.MemberRoleName, "arn:") || !roleNamePattern.MatchString(o.MemberRoleName) {
			p.add(fmt.Sprintf("spec.org.member_role_name: %q is not a role name; give the name only (e.g. OrganizationAccountAccessRole), not an ARN", o.MemberRoleName))
		}
		p.sessionName("spec.org.member_role_session_name", o.MemberRoleSessionName)
		if o.AdminAccount != nil {
			p.roleARN("spec.org.admin_account.role_arn", o.AdminAccount.RoleARN)
			if o.AdminAccount.ExternalID != "" && o.AdminAccount.RoleARN == "" {
				p.add("spec.org.admin_account.external_id: only applies with role_arn; add the role_arn to assume or remove external_id")
			}
			regions := o.MemberRegions
			if len(regions) == 0 {
				regions = s.Regions
			}
			p.defaultRegion("spec.org.admin_account.default_region", o.AdminAccount.DefaultRegion, "spec.org.member_regions", regions)
		}
		p.regions("spec.org.member_regions", o.MemberRegions)
		for i, ou := range append(append([]string{}, o.OrganizationUnits...), o.SkipOrganizationUnits...) {
			field := fmt.Sprintf("spec.org.organization_units[%d]", i)
			if i >= len(o.OrganizationUnits) {
				field = fmt.Sprintf("spec.org.skip_organization_units[%d]", i-len(o.OrganizationUnits))
			}
			if !orgUnitPattern.MatchString(ou) {
				p.add(fmt.Sprintf("%s: %q is not an organizational unit or root id; use ids like ou-ab12-cd34ef56 or r-ab12", field, ou))
			}
		}
		for i, id := range o.SkipMemberAccounts {
			if !accountIDPattern.MatchString(id) {
				p.add(fmt.Sprintf("spec.org.skip_member_accounts[%d]: %q is not an account id; use the 12-digit account number", i, id))
			}
		}
	}
	if s.CustomEndpointURL != "" {
		u, err := url.Parse(s.CustomEndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.add(fmt.Sprintf("spec.custom_endpoint_url: %q is not a usable URL; give a full http(s) URL such as https://vpce-123.kms.us-east-1.vpce.amazonaws.com", s.CustomEndpointURL))
		}
	}
	if *s.MaxRetries < 0 {
		p.add(fmt.Sprintf("spec.max_retries: %d is negative; use 0 to never retry or a positive count (default %d)", *s.MaxRetries, defaultMaxRetries))
	}
	if *s.MaxBackoff < 1 {
		p.add(fmt.Sprintf("spec.max_backoff: %d must be at least 1 second (default %d)", *s.MaxBackoff, defaultMaxBackoff))
	}
	if *s.RequestTimeout < 1 {
		p.add(fmt.Sprintf("spec.request_timeout: %d must be at least 1 second (default %d)", *s.RequestTimeout, defaultRequestTimeout))
	}
	if *s.Concurrency < 1 {
		p.add(fmt.Sprintf("spec.concurrency: %d must be at least 1 (default %d)", *s.Concurrency, defaultConcurrency))
	}
	if q := *s.QuotaShare; q <= 0 || q > 1 {
		p.add(fmt.Sprintf("spec.quota_share: %v is out of range; use a share above 0 and at most 1 (e.g. 0.5 leaves half of each quota to other callers)", q))
	}
	for _, op := range sortedKeys(s.RateLimits) {
		if s.RateLimits[op] <= 0 {
			p.add(fmt.Sprintf("spec.rate_limits.%s: %v must be above 0 calls per second", keyInPath(op), s.RateLimits[op]))
		}
		if _, known := documentedQuotas[op]; !known && !pacedElsewhere[op] {
			p.add(fmt.Sprintf("spec.rate_limits.%s: not an operation the plugin calls; use one of: %s", keyInPath(op), strings.Join(pacedOperations(), ", ")))
		}
	}
	if d := s.GrantEventsLookbackDays; d < 1 || d > 90 {
		p.add(fmt.Sprintf("spec.grant_events_lookback_days: %d is out of range; use 1 to 90 (CloudTrail keeps 90 days of events)", d))
	}
	if sh := s.Shard; sh != nil {
		if sh.Total < 1 {
			p.add(fmt.Sprintf("spec.shard.total: %d must be at least 1 (the number of processes sharing the sync)", sh.Total))
		} else if sh.Index < 0 || sh.Index >= sh.Total {
			p.add(fmt.Sprintf("spec.shard.index: %d is out of range; use 0 to %d for shard.total %d", sh.Index, sh.Total-1, sh.Total))
		}
	}
	return p
}

type problems []string

func (p *problems) add(msg string) { *p = append(*p, msg) }

func (p *problems) regions(path string, regions []string) {
	for i, r := range regions {
		switch {
		case r == "*" && len(regions) > 1:
			p.add(fmt.Sprintf("%s[%d]: \"*\" already means every enabled region; use [\"*\"] alone or list regions", path, i))
		case r != "*" && !regionPattern.MatchString(r):
			p.add(fmt.Sprintf("%s[%d]: %q is not a region name; use names like us-east-1, or [\"*\"] for every enabled region", path, i, r))
		}
	}
}

// defaultRegion checks an account's default_region, and that its regions share its partition:
// credentials of one partition work in no other.
func (p *problems) defaultRegion(path, region, regionsPath string, regions []string) {
	if region == "" {
		return
	}
	if !regionPattern.MatchString(region) {
		p.add(fmt.Sprintf("%s: %q is not a region name; use the region where the account's STS and region discovery calls go, e.g. us-east-1, cn-north-1 or us-gov-west-1", path, region))
		return
	}
	for i, r := range regions {
		if r != "*" && regionPattern.MatchString(r) && partitionOf(r) != partitionOf(region) {
			p.add(fmt.Sprintf("%s[%d]: %q is in partition %s but default_region %q is in %s; list regions of the account's own partition", regionsPath, i, r, partitionOf(r), region, partitionOf(region)))
		}
	}
}

func (p *problems) roleARN(path, arn string) {
	if arn != "" && !roleARNPattern.MatchString(arn) {
		p.add(fmt.Sprintf("%s: %q is not an IAM role ARN; use the form arn:aws:iam::123456789012:role/RoleName", path, arn))
	}
}

func (p *problems) sessionName(path, name string) {
	if name != "" && !sessionNameFormat.MatchString(name) {
		p.add(fmt.Sprintf("%s: %q is not a valid session name; use 2-64 letters, digits or +=,.@-", path, name))
	}
}

// pacedElsewhere are operations the plugin calls that have no documented quota but may be paced.
// AWS publishes no per-second quota for these (STS, Organizations, Account and EC2's
// DescribeRegions are throttled but not documented per operation): unpaced unless rate_limits
// names them.
var pacedElsewhere = map[string]bool{
	"DescribeClusters": true, "DescribeBackups": true,
	"AssumeRole": true, "GetCallerIdentity": true,
	"DescribeOrganization": true, "ListAccounts": true, "ListAccountsForParent": true, "ListOrganizationalUnitsForParent": true,
	"ListRegions": true, "DescribeRegions": true,
}

// pacedOperations are the operations rate_limits may name.
func pacedOperations() []string {
	ops := sortedKeys(documentedQuotas)
	ops = append(ops, sortedKeys(pacedElsewhere)...)
	sort.Strings(ops)
	return ops
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
