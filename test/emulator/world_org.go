package emulator

import (
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// generateOrganization builds the organization: one root, the OUs Workloads,
// Workloads/Production (nested) and Security, the management account in the
// root and the members spread over the OUs, the last ones SUSPENDED.
func (w *World) generateOrganization() {
	cfg := w.Config
	r := newRNG(cfg.Seed, "organization")
	mgmt := cfg.ManagementAccount
	orgID := "o-" + r.chars(lowerAlnum, 10)
	rootSuffix := r.chars(lowerAlnum, 4)
	rootID := "r-" + rootSuffix
	orgARN := func(resource string) string {
		return fmt.Sprintf("arn:%s:organizations::%s:%s", w.Partition, mgmt, resource)
	}
	scp := []orgtypes.PolicyTypeSummary{{Type: orgtypes.PolicyTypeServiceControlPolicy, Status: orgtypes.PolicyTypeStatusEnabled}}

	w.Organization = orgtypes.Organization{
		Id:                   aws.String(orgID),
		Arn:                  aws.String(orgARN("organization/" + orgID)),
		FeatureSet:           orgtypes.OrganizationFeatureSetAll,
		MasterAccountId:      aws.String(mgmt),
		MasterAccountArn:     aws.String(orgARN("account/" + orgID + "/" + mgmt)),
		MasterAccountEmail:   aws.String(accountEmail("management")),
		AvailablePolicyTypes: scp,
	}
	w.Roots = []orgtypes.Root{{
		Id:          aws.String(rootID),
		Arn:         aws.String(orgARN("root/" + orgID + "/" + rootID)),
		Name:        aws.String("Root"),
		PolicyTypes: scp,
	}}
	w.Parents = map[string]string{}
	paths := map[string]string{rootID: orgID + "/" + rootID + "/"}
	addOU := func(name, parent string) string {
		id := "ou-" + rootSuffix + "-" + r.chars(lowerAlnum, 8)
		paths[id] = paths[parent] + id + "/"
		w.OUs = append(w.OUs, OrgUnit{
			OrganizationalUnit: orgtypes.OrganizationalUnit{
				Id:   aws.String(id),
				Arn:  aws.String(orgARN("ou/" + orgID + "/" + id)),
				Name: aws.String(name),
				Path: aws.String(paths[id]),
			},
			ParentID: parent,
		})
		w.Parents[id] = parent
		return id
	}
	workloads := addOU("Workloads", rootID)
	production := addOU("Production", workloads)
	security := addOU("Security", rootID)
	memberHomes := []string{production, security, workloads}

	members := cfg.MemberAccountIDs
	if len(members) == 0 {
		members = generatedAccountIDs(r, cfg.MemberAccounts, mgmt, cfg.OutsideAccount)
	}
	joined := w.Now.AddDate(-4, 0, 0)
	addAccount := func(id, name, parent string, method orgtypes.AccountJoinedMethod, suspended bool) {
		state, status := orgtypes.AccountStateActive, orgtypes.AccountStatusActive
		if suspended {
			state, status = orgtypes.AccountStateSuspended, orgtypes.AccountStatusSuspended
		}
		joined = r.timeBetween(joined, joined.AddDate(0, 3, 0))
		w.Accounts = append(w.Accounts, orgtypes.Account{
			Id:              aws.String(id),
			Arn:             aws.String(orgARN("account/" + orgID + "/" + id)),
			Email:           aws.String(accountEmail(name)),
			Name:            aws.String(name),
			JoinedMethod:    method,
			JoinedTimestamp: aws.Time(joined),
			State:           state,
			Status:          status,
			Paths:           []string{paths[parent] + id + "/"},
		})
		w.Parents[id] = parent
	}
	addAccount(mgmt, "management", rootID, orgtypes.AccountJoinedMethodCreated, false)
	for i, id := range members {
		method := orgtypes.AccountJoinedMethodCreated
		if i%2 == 1 {
			method = orgtypes.AccountJoinedMethodInvited
		}
		suspended := i >= len(members)-cfg.SuspendedAccounts
		addAccount(id, fmt.Sprintf("member-%d", i+1), memberHomes[i%len(memberHomes)], method, suspended)
	}
}

func accountEmail(name string) string { return "aws+" + name + "@example.com" }

// generatedAccountIDs returns n distinct account ids avoiding the reserved ones.
func generatedAccountIDs(r *rng, n int, reserved ...string) []string {
	var ids []string
	for len(ids) < n {
		id := r.chars("123456789", 1) + r.chars("0123456789", 11)
		if !slices.Contains(ids, id) && !slices.Contains(reserved, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// childrenOf returns the OUs and accounts directly under parentID.
func (w *World) childrenOf(parentID string) (ous []OrgUnit, accounts []orgtypes.Account) {
	for _, ou := range w.OUs {
		if ou.ParentID == parentID {
			ous = append(ous, ou)
		}
	}
	for _, a := range w.Accounts {
		if w.Parents[*a.Id] == parentID {
			accounts = append(accounts, a)
		}
	}
	return ous, accounts
}

// isParent reports whether id is a root or an OU.
func (w *World) isParent(id string) bool {
	if slices.ContainsFunc(w.Roots, func(r orgtypes.Root) bool { return *r.Id == id }) {
		return true
	}
	return slices.ContainsFunc(w.OUs, func(ou OrgUnit) bool { return *ou.Id == id })
}
