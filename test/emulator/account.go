package emulator

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
)

// accountOperations is the Account API's ListRegions (restJson1, POST /listRegions).
var accountOperations = map[string]handler{
	"ListRegions": (*Server).accountListRegions,
}

type listRegionsInput struct {
	AccountId               *string
	MaxResults              *int64
	NextToken               *string
	RegionOptStatusContains []accounttypes.RegionOptStatus
}

// accountListRegions lists the known regions of the caller's account, or of
// AccountId when the management account asks about a member.
func (s *Server) accountListRegions(req *request) (any, error) {
	var in listRegionsInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	target := req.caller.Account
	if in.AccountId != nil && *in.AccountId != target {
		if target != s.world.ManagementAccount || !s.world.IsOrgAccount(*in.AccountId) {
			return nil, withStatus(clientError("AccessDeniedException", "User: %s is not authorized to perform: account:ListRegions", req.caller.ARN), 403)
		}
		target = *in.AccountId
	}
	limit, aerr := limitParam(in.MaxResults, "maxResults", 1, 50, 20)
	if aerr != nil {
		return nil, aerr
	}
	var regions []accounttypes.Region
	for _, r := range s.world.RegionStatuses[target] {
		if len(in.RegionOptStatusContains) == 0 || slices.Contains(in.RegionOptStatusContains, r.RegionOptStatus) {
			regions = append(regions, r)
		}
	}
	start, ok := decodeOffset(in.NextToken)
	if !ok || start > len(regions) {
		return nil, clientError("ValidationException", "The NextToken is not valid.")
	}
	end, more := pageEnd(len(regions), start, limit)
	out := &account.ListRegionsOutput{Regions: append([]accounttypes.Region{}, regions[start:end]...)}
	if more {
		out.NextToken = offsetToken(end)
	}
	return out, nil
}
