package client

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/rs/zerolog"
)

// OrgInfo is what the sync knows of the organization: every account in it, whatever its state,
// so a grant to an account outside it can be told apart.
type OrgInfo struct {
	Accounts map[string]bool
}

// orgCandidates lists the organization's ACTIVE accounts (narrowed by organization_units and the
// skip lists) and prepares the member role of each. The caller's own account (the management
// account, or a delegated administrator) is used with the admin credentials: the management
// account has no OrganizationAccountAccessRole, since only accounts created by the organization
// get one.
func orgCandidates(ctx context.Context, logger zerolog.Logger, f *configFactory) ([]candidate, *OrgInfo, error) {
	o := f.spec.Org
	region := f.region
	if o.AdminAccount != nil && o.AdminAccount.DefaultRegion != "" {
		region = o.AdminAccount.DefaultRegion
	}
	adminLabel := newAccountLabel("org admin")
	admin, err := f.adminConfig(ctx, adminLabel, region)
	if err != nil {
		return nil, nil, err
	}
	adminID, err := callerIdentity(ctx, f.paced(admin, adminLabel))
	if global := globalRegionOf(partitionOf(region)); err != nil && stsRegionRefused(err) && global != "" && global != region {
		// STS refuses the region: the partition's global one serves the admin's calls instead.
		logger.Warn().Err(err).Str("region", region).Str("global_region", global).Msg("STS refused the org admin's region; using the partition's global region")
		region = global
		if admin, err = f.adminConfig(ctx, adminLabel, region); err != nil {
			return nil, nil, err
		}
		adminID, err = callerIdentity(ctx, f.paced(admin, adminLabel))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("org.admin_account: its credentials do not work: %w", err)
	}
	adminLabel.set(adminID.AccountID)
	api := organizations.NewFromConfig(f.paced(admin, adminLabel))
	all, err := listOrgAccounts(ctx, api)
	if err != nil {
		return nil, nil, fmt.Errorf("listing the organization's accounts with the admin account %s failed (it needs organizations:ListAccounts, and must be the management account or a delegated administrator; use `accounts` instead to list accounts by hand): %w", adminID.AccountID, err)
	}
	management := managementAccount(ctx, api)
	info := &OrgInfo{Accounts: map[string]bool{}}
	for _, a := range all {
		info.Accounts[aws.ToString(a.Id)] = true
	}

	include := map[string]bool{}
	if len(o.OrganizationUnits) > 0 {
		if include, err = accountsUnder(ctx, api, o.OrganizationUnits); err != nil {
			return nil, nil, fmt.Errorf("org.organization_units: %w", err)
		}
	}
	skip, err := accountsUnder(ctx, api, o.SkipOrganizationUnits)
	if err != nil {
		return nil, nil, fmt.Errorf("org.skip_organization_units: %w", err)
	}
	for _, id := range o.SkipMemberAccounts {
		skip[id] = true
	}

	regions := f.spec.Regions
	if len(o.MemberRegions) > 0 {
		regions = o.MemberRegions
	}
	var out []candidate
	for _, a := range all {
		id := aws.ToString(a.Id)
		switch {
		case !isActive(a):
			logger.Info().Str("account_id", id).Msg("skipping organization account: not ACTIVE")
			continue
		case skip[id] || (len(o.OrganizationUnits) > 0 && !include[id]):
			logger.Info().Str("account_id", id).Msg("skipping organization account: excluded by the org settings")
			continue
		}
		c := candidate{name: aws.ToString(a.Name), regions: regions, region: region, wantID: id}
		if id == adminID.AccountID {
			c.regions, c.label = f.spec.Regions, adminLabel
			c.credentials = func(string) aws.Config { return admin }
		} else {
			role := fmt.Sprintf("arn:%s:iam::%s:role/%s", adminID.Partition, id, o.MemberRoleName)
			if id == management {
				logger.Info().Str("account_id", id).Str("role_arn", role).
					Msg("the management account has no OrganizationAccountAccessRole unless you created one: assuming member_role_name there; if it fails, create the role or sync the management account with a separate `accounts` spec")
			}
			c.label = newAccountLabel(id)
			c.credentials = func(stsRegion string) aws.Config {
				return f.assumeRole(admin, adminLabel, stsRegion, role, o.MemberRoleSessionName, o.MemberExternalID)
			}
		}
		out = append(out, c)
	}
	role := "delegated administrator"
	if adminID.AccountID == management {
		role = "management account"
	}
	logger.Info().Str("admin_account_id", adminID.AccountID).Str("admin_role", role).Int("accounts", len(all)).Int("selected", len(out)).
		Msg("discovered the organization's accounts")
	return out, info, nil
}

// managementAccount is the organization's management account, "" when DescribeOrganization is
// denied (it only sharpens a log line).
func managementAccount(ctx context.Context, api *organizations.Client) string {
	out, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil || out.Organization == nil {
		return ""
	}
	return aws.ToString(out.Organization.MasterAccountId)
}

func (f *configFactory) adminConfig(ctx context.Context, label *accountLabel, region string) (aws.Config, error) {
	a := f.spec.Org.AdminAccount
	if a == nil {
		return f.base(ctx, "", region)
	}
	cfg, err := f.base(ctx, a.LocalProfile, region)
	if err != nil {
		return aws.Config{}, fmt.Errorf("org.admin_account: %w", err)
	}
	if a.RoleARN != "" {
		cfg = f.assumeRole(cfg, label, region, a.RoleARN, defaultRoleSessionName, a.ExternalID)
	}
	return cfg, nil
}

func isActive(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive //nolint:staticcheck // older organizations answer Status only
}

func listOrgAccounts(ctx context.Context, api *organizations.Client) ([]orgtypes.Account, error) {
	var out []orgtypes.Account
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Accounts...)
	}
	return out, nil
}

// accountsUnder returns the accounts below the given roots or OUs, at any depth.
func accountsUnder(ctx context.Context, api *organizations.Client, parents []string) (map[string]bool, error) {
	out := map[string]bool{}
	queue := slices.Clone(parents)
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		accounts := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		for accounts.HasMorePages() {
			page, err := accounts.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing accounts of %s: %w", parent, err)
			}
			for _, a := range page.Accounts {
				out[aws.ToString(a.Id)] = true
			}
		}
		units := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
		for units.HasMorePages() {
			page, err := units.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing organizational units of %s: %w", parent, err)
			}
			for _, u := range page.OrganizationalUnits {
				queue = append(queue, aws.ToString(u.Id))
			}
		}
	}
	return out, nil
}
