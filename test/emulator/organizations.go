package emulator

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// organizationsOperations is the read-only Organizations API
// (AWSOrganizationsV20161128, awsJson1.1). Only the management account and
// the delegated administrators may list ("This operation can be called only
// from the organization's management account or by a member account that is
// a delegated administrator", API_ListAccounts.html); every organization
// account may DescribeOrganization.
var organizationsOperations = map[string]handler{
	"DescribeOrganization":             (*Server).orgDescribeOrganization,
	"ListAccounts":                     (*Server).orgListAccounts,
	"ListRoots":                        (*Server).orgListRoots,
	"ListOrganizationalUnitsForParent": (*Server).orgListOUsForParent,
	"ListAccountsForParent":            (*Server).orgListAccountsForParent,
	"ListChildren":                     (*Server).orgListChildren,
	"ListParents":                      (*Server).orgListParents,
	"ListPoliciesForTarget":            (*Server).orgListPoliciesForTarget,
	"DescribePolicy":                   (*Server).orgDescribePolicy,
}

type orgInput struct {
	MaxResults *int64
	NextToken  *string
	ParentId   *string
	ChildType  string
	ChildId    *string
	TargetId   *string
	Filter     string
	PolicyId   *string
}

// orgRequest decodes the input and enforces who may call.
func (s *Server) orgRequest(req *request, managementOnly bool) (orgInput, error) {
	var in orgInput
	if err := req.decode(&in); err != nil {
		return in, err
	}
	if s.cfg.Faults.OrganizationsDenied || (managementOnly && !s.world.mayListOrganization(req.caller.Account)) {
		return in, clientError("AccessDeniedException", "You don't have permissions to access this resource.")
	}
	return in, nil
}

// orgPage slices a list for MaxResults (1..20) and NextToken.
func orgPage[T any](in orgInput, items []T) ([]T, *string, error) {
	limit, aerr := limitParam(in.MaxResults, "maxResults", 1, 20, 20)
	if aerr != nil {
		aerr.Code = "InvalidInputException"
		return nil, nil, aerr
	}
	start, ok := decodeOffset(in.NextToken)
	if !ok || start > len(items) {
		return nil, nil, clientError("InvalidInputException", "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.")
	}
	end, more := pageEnd(len(items), start, limit)
	page := append(make([]T, 0, end-start), items[start:end]...)
	if more {
		return page, offsetToken(end), nil
	}
	return page, nil, nil
}

func (s *Server) parentOf(in orgInput) (string, error) {
	if in.ParentId == nil || !s.world.isParent(*in.ParentId) {
		return "", clientError("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	return *in.ParentId, nil
}

func (s *Server) orgDescribeOrganization(req *request) (any, error) {
	if _, err := s.orgRequest(req, false); err != nil {
		return nil, err
	}
	org := s.world.Organization
	return &organizations.DescribeOrganizationOutput{Organization: &org}, nil
}

func (s *Server) orgListAccounts(req *request) (any, error) {
	in, err := s.orgRequest(req, true)
	if err != nil {
		return nil, err
	}
	page, next, err := orgPage(in, s.world.Accounts)
	return &organizations.ListAccountsOutput{Accounts: page, NextToken: next}, err
}

func (s *Server) orgListRoots(req *request) (any, error) {
	in, err := s.orgRequest(req, true)
	if err != nil {
		return nil, err
	}
	page, next, err := orgPage(in, s.world.Roots)
	return &organizations.ListRootsOutput{Roots: page, NextToken: next}, err
}

func (s *Server) orgListOUsForParent(req *request) (any, error) {
	in, err := s.orgRequest(req, true)
	if err != nil {
		return nil, err
	}
	parent, err := s.parentOf(in)
	if err != nil {
		return nil, err
	}
	ous, _ := s.world.childrenOf(parent)
	units := make([]orgtypes.OrganizationalUnit, len(ous))
	for i, ou := range ous {
		units[i] = ou.OrganizationalUnit
	}
	page, next, err := orgPage(in, units)
	return &organizations.ListOrganizationalUnitsForParentOutput{OrganizationalUnits: page, NextToken: next}, err
}

func (s *Server) orgListAccountsForParent(req *request) (any, error) {
	in, err := s.orgRequest(req, true)
	if err != nil {
		return nil, err
	}
	parent, err := s.parentOf(in)
	if err != nil {
		return nil, err
	}
	_, accounts := s.world.childrenOf(parent)
	page, next, err := orgPage(in, accounts)
	return &organizations.ListAccountsForParentOutput{Accounts: page, NextToken: next}, err
}

func (s *Server) orgListChildren(req *request) (any, error) {
	in, err := s.orgRequest(req, true)
	if err != nil {
		return nil, err
	}
	parent, err := s.parentOf(in)
	if err != nil {
		return nil, err
	}
	ous, accounts := s.world.childrenOf(parent)
	var children []orgtypes.Child
	switch orgtypes.ChildType(in.ChildType) {
	case orgtypes.ChildTypeOrganizationalUnit:
		for _, ou := range ous {
			children = append(children, orgtypes.Child{Id: ou.Id, Type: orgtypes.ChildTypeOrganizationalUnit})
		}
	case orgtypes.ChildTypeAccount:
		for _, a := range accounts {
			children = append(children, orgtypes.Child{Id: a.Id, Type: orgtypes.ChildTypeAccount})
		}
	default:
		return nil, clientError("InvalidInputException", "You provided a value that does not match the required pattern: childType must be ACCOUNT or ORGANIZATIONAL_UNIT.")
	}
	page, next, err := orgPage(in, children)
	return &organizations.ListChildrenOutput{Children: page, NextToken: next}, err
}

// mayListOrganization: the management account and the delegated administrators.
func (w *World) mayListOrganization(account string) bool {
	return account == w.ManagementAccount || slices.Contains(w.Config.DelegatedAdministrators, account)
}
