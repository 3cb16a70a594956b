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
// skip lists) and prepares the member role of each. The admin account itself is used with the
// admin credentials, since the member role rarely exists there.
func orgCandidates(ctx context.Context, logger zerolog.Logger, f *configFactory) ([]candidate, *OrgInfo, error) {
	o := f.spec.Org
	admin, err := f.adminConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	adminID, err := callerIdentity(ctx, admin)
	if err != nil {
		return nil, nil, fmt.Errorf("org.admin_account: its credentials do not work: %w", err)
	}
	api := organizations.NewFromConfig(admin)
	all, err := listOrgAccounts(ctx, api)
	if err != nil {
		return nil, nil, fmt.Errorf("listing the organization's accounts with the admin account %s failed (it needs organizations:ListAccounts; use `accounts` instead to list accounts by hand): %w", adminID.AccountID, err)
	}
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
			logger.Info().Str("account", id).Msg("skipping organization account: not ACTIVE")
			continue
		case skip[id] || (len(o.OrganizationUnits) > 0 && !include[id]):
			logger.Info().Str("account", id).Msg("skipping organization account: excluded by the org settings")
			continue
		}
		c := candidate{name: aws.ToString(a.Name), regions: regions, wantID: id, cfg: admin}
		if id != adminID.AccountID {
			role := fmt.Sprintf("arn:%s:iam::%s:role/%s", adminID.Partition, id, o.MemberRoleName)
			c.cfg = f.assumeRole(admin, role, o.MemberRoleSessionName, o.MemberExternalID)
		} else {
			c.regions = f.spec.Regions
		}
		out = append(out, c)
	}
	logger.Info().Int("accounts", len(all)).Int("selected", len(out)).Msg("discovered the organization's accounts")
	return out, info, nil
}

func (f *configFactory) adminConfig(ctx context.Context) (aws.Config, error) {
	a := f.spec.Org.AdminAccount
	if a == nil {
		return f.base(ctx, "")
	}
	cfg, err := f.base(ctx, a.LocalProfile)
	if err != nil {
		return aws.Config{}, fmt.Errorf("org.admin_account: %w", err)
	}
	if a.RoleARN != "" {
		cfg = f.assumeRole(cfg, a.RoleARN, defaultRoleSessionName, a.ExternalID)
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
