package emulator

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// orgListParents answers ListParents
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListParents.html):
// the one root or OU directly above an account or OU.
func (s *Server) orgListParents(req *request) (any, error) {
	in, err := s.orgRequest(req, true)
	if err != nil {
		return nil, err
	}
	w := s.world
	child := ""
	if in.ChildId != nil {
		child = *in.ChildId
	}
	parent, ok := w.Parents[child]
	if !ok {
		return nil, clientError("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	t := orgtypes.ParentTypeOrganizationalUnit
	if slices.ContainsFunc(w.Roots, func(r orgtypes.Root) bool { return *r.Id == parent }) {
		t = orgtypes.ParentTypeRoot
	}
	id := parent
	page, next, err := orgPage(in, []orgtypes.Parent{{Id: &id, Type: t}})
	return &organizations.ListParentsOutput{Parents: page, NextToken: next}, err
}

// orgListPoliciesForTarget answers ListPoliciesForTarget
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListPoliciesForTarget.html):
// Filter is required; a policy type not enabled is PolicyTypeNotEnabledException.
func (s *Server) orgListPoliciesForTarget(req *request) (any, error) {
	in, err := s.orgRequest(req, true)
	if err != nil {
		return nil, err
	}
	w := s.world
	t := orgtypes.PolicyType(in.Filter)
	if !slices.Contains(t.Values(), t) {
		return nil, clientError("InvalidInputException", "You provided a value that does not match the required pattern: filter.")
	}
	target := ""
	if in.TargetId != nil {
		target = *in.TargetId
	}
	if _, isChild := w.Parents[target]; !isChild && !w.isParent(target) {
		return nil, clientError("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
	}
	if !w.policyTypeEnabled(t) {
		return nil, clientError("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
	}
	page, next, err := orgPage(in, w.policiesFor(target, t))
	return &organizations.ListPoliciesForTargetOutput{Policies: page, NextToken: next}, err
}

// orgDescribePolicy answers DescribePolicy
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribePolicy.html).
func (s *Server) orgDescribePolicy(req *request) (any, error) {
	in, err := s.orgRequest(req, true)
	if err != nil {
		return nil, err
	}
	for _, p := range s.world.OrgPolicies {
		if in.PolicyId != nil && *p.Summary.Id == *in.PolicyId {
			summary, content := p.Summary, p.Content
			return &organizations.DescribePolicyOutput{Policy: &orgtypes.Policy{PolicySummary: &summary, Content: &content}}, nil
		}
	}
	return nil, clientError("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
}
