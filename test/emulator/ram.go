package emulator

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
)

// ramOperations is the read-only part of AWS RAM the KMS audit needs (restJson1), written from
// the RAM API reference pages "GetResourceShares", "ListResources", "ListPrincipals",
// "ListResourceSharePermissions" and "GetPermission". Every paginated operation's page carries
// the reference's note: "These operations can occasionally return an empty set of results even
// when there are more results available. The NextToken response parameter value is null only
// when there are no more results to display." The emulator's first page of a non-empty list is
// empty, with a nextToken.
var ramOperations = map[string]handler{
	"GetResourceShares":            (*Server).ramGetResourceShares,
	"ListResources":                (*Server).ramListResources,
	"ListPrincipals":               (*Server).ramListPrincipals,
	"ListResourceSharePermissions": (*Server).ramListResourceSharePermissions,
	"GetPermission":                (*Server).ramGetPermission,
}

// ramInput holds every request member the served RAM operations read.
type ramInput struct {
	ResourceOwner       *string
	ResourceShareArns   []string
	ResourceShareArn    *string
	ResourceShareStatus *string
	ResourceType        *string
	ResourceArn         *string
	ResourceArns        []string
	Principal           *string
	Principals          []string
	Name                *string
	PermissionArn       *string
	PermissionVersion   *int32
	MaxResults          *int64
	NextToken           *string
}

func ramInvalidParameter(format string, args ...any) *apiError {
	return clientError("InvalidParameterException", format, args...)
}

// visibleShares are the shares the caller sees for resourceOwner (required: SELF, the shares
// the account owns; OTHER-ACCOUNTS, the shares other accounts share with it). Call with the
// World read-locked.
func (s *Server) visibleShares(req *request, owner *string) ([]*ResourceShare, *apiError) {
	switch aws.ToString(owner) {
	case string(ramtypes.ResourceOwnerSelf):
		return s.world.Region(req.caller.Account, req.region).Shares, nil
	case string(ramtypes.ResourceOwnerOtherAccounts):
		var out []*ResourceShare
		for _, acct := range s.world.activeAccounts() {
			rd := s.world.Region(acct, req.region)
			if rd == nil || acct == req.caller.Account {
				continue
			}
			for _, sh := range rd.Shares {
				if slices.ContainsFunc(sh.Principals, func(p ramtypes.Principal) bool { return *p.Id == req.caller.Account }) {
					out = append(out, sh)
				}
			}
		}
		return out, nil
	case "":
		return nil, ramInvalidParameter("resourceOwner is required")
	}
	return nil, validationError("resourceOwner", aws.ToString(owner), "Member must satisfy enum value set: [SELF, OTHER-ACCOUNTS]")
}

// ramPage cuts one page of n items; the first page of a non-empty list is empty.
func ramPage(n int, in ramInput, hi int) (start, end int, next *string, err *apiError) {
	limit, aerr := limitParam(in.MaxResults, "maxResults", 1, hi, hi)
	if aerr != nil {
		return 0, 0, nil, aerr
	}
	if in.NextToken == nil || *in.NextToken == "" {
		if n > 0 {
			return 0, 0, offsetToken(0), nil
		}
		return 0, 0, nil, nil
	}
	start, ok := decodeOffset(in.NextToken)
	if !ok || start > n {
		return 0, 0, nil, clientError("InvalidNextTokenException", "The specified value for NextToken is not valid.")
	}
	end, more := pageEnd(n, start, limit)
	if more {
		next = offsetToken(end)
	}
	return start, end, next, nil
}

func (s *Server) ramGetResourceShares(req *request) (any, error) {
	page, next, err := ramList(s, req, 500, func(in ramInput) ([]ramtypes.ResourceShare, *apiError) {
		shares, aerr := s.visibleShares(req, in.ResourceOwner)
		var list []ramtypes.ResourceShare
		for _, sh := range shares {
			if (len(in.ResourceShareArns) == 0 || slices.Contains(in.ResourceShareArns, sh.ARN())) &&
				(in.ResourceShareStatus == nil || *in.ResourceShareStatus == string(sh.Share.Status)) &&
				(in.Name == nil || *in.Name == aws.ToString(sh.Share.Name)) {
				list = append(list, sh.Share)
			}
		}
		return list, aerr
	})
	if err != nil {
		return nil, err
	}
	return &ram.GetResourceSharesOutput{ResourceShares: page, NextToken: next}, nil
}

func (s *Server) ramListResources(req *request) (any, error) {
	page, next, err := ramList(s, req, 500, func(in ramInput) ([]ramtypes.Resource, *apiError) {
		shares, aerr := s.visibleShares(req, in.ResourceOwner)
		var list []ramtypes.Resource
		for _, sh := range shares {
			if len(in.ResourceShareArns) > 0 && !slices.Contains(in.ResourceShareArns, sh.ARN()) {
				continue
			}
			if in.Principal != nil && !slices.ContainsFunc(sh.Principals, func(p ramtypes.Principal) bool { return *p.Id == *in.Principal }) {
				continue
			}
			for _, r := range sh.Resources {
				if (in.ResourceType == nil || strings.EqualFold(*in.ResourceType, *r.Type)) &&
					(len(in.ResourceArns) == 0 || slices.Contains(in.ResourceArns, *r.Arn)) {
					list = append(list, r)
				}
			}
		}
		return list, aerr
	})
	if err != nil {
		return nil, err
	}
	return &ram.ListResourcesOutput{Resources: page, NextToken: next}, nil
}

// ramListPrincipals lists the principals of the caller's shares (SELF); for OTHER-ACCOUNTS,
// the accounts that share with the caller.
func (s *Server) ramListPrincipals(req *request) (any, error) {
	page, next, err := ramList(s, req, 500, func(in ramInput) ([]ramtypes.Principal, *apiError) {
		shares, aerr := s.visibleShares(req, in.ResourceOwner)
		var list []ramtypes.Principal
		for _, sh := range shares {
			if len(in.ResourceShareArns) > 0 && !slices.Contains(in.ResourceShareArns, sh.ARN()) {
				continue
			}
			if in.ResourceArn != nil && !slices.ContainsFunc(sh.Resources, func(r ramtypes.Resource) bool { return *r.Arn == *in.ResourceArn }) {
				continue
			}
			if in.ResourceType != nil && !slices.ContainsFunc(sh.Resources, func(r ramtypes.Resource) bool { return strings.EqualFold(*r.Type, *in.ResourceType) }) {
				continue
			}
			if aws.ToString(in.ResourceOwner) == string(ramtypes.ResourceOwnerOtherAccounts) {
				list = append(list, ramtypes.Principal{Id: sh.Share.OwningAccountId, ResourceShareArn: sh.Share.ResourceShareArn,
					CreationTime: sh.Share.CreationTime, LastUpdatedTime: sh.Share.LastUpdatedTime, External: aws.Bool(!s.world.IsOrgAccount(*sh.Share.OwningAccountId))})
				continue
			}
			for _, p := range sh.Principals {
				if len(in.Principals) == 0 || slices.Contains(in.Principals, *p.Id) {
					list = append(list, p)
				}
			}
		}
		return list, aerr
	})
	if err != nil {
		return nil, err
	}
	return &ram.ListPrincipalsOutput{Principals: page, NextToken: next}, nil
}

// ramShare finds a share the caller owns or receives by ARN. Call with the World read-locked.
func (s *Server) ramShare(req *request, arn *string) (*ResourceShare, *apiError) {
	if arn == nil || *arn == "" {
		return nil, ramInvalidParameter("resourceShareArn is required")
	}
	if !strings.HasPrefix(*arn, "arn:") || !strings.Contains(*arn, ":resource-share/") {
		return nil, clientError("MalformedArnException", "The format of ARN %s is not valid.", *arn)
	}
	for _, owner := range []string{string(ramtypes.ResourceOwnerSelf), string(ramtypes.ResourceOwnerOtherAccounts)} {
		shares, _ := s.visibleShares(req, &owner)
		for _, sh := range shares {
			if sh.ARN() == *arn {
				return sh, nil
			}
		}
	}
	return nil, clientError("UnknownResourceException", "ResourceShare %s could not be found.", *arn)
}

func (s *Server) ramListResourceSharePermissions(req *request) (any, error) {
	page, next, err := ramList(s, req, 100, func(in ramInput) ([]ramtypes.ResourceSharePermissionSummary, *apiError) {
		sh, aerr := s.ramShare(req, in.ResourceShareArn)
		if aerr != nil {
			return nil, aerr
		}
		return []ramtypes.ResourceSharePermissionSummary{ramPermissionSummary(s.world.Partition, sh.Permission, sh.Share.CreationTime)}, nil
	})
	if err != nil {
		return nil, err
	}
	return &ram.ListResourceSharePermissionsOutput{Permissions: page, NextToken: next}, nil
}

// ramList decodes a RAM list request and pages what pick selects for it (with the World
// read-locked), at most hi items a page.
func ramList[T any](s *Server, req *request, hi int, pick func(ramInput) ([]T, *apiError)) (page []T, next *string, err error) {
	var in ramInput
	if err := req.decode(&in); err != nil {
		return nil, nil, err
	}
	page = []T{}
	s.world.Read(func() {
		list, aerr := pick(in)
		if aerr == nil {
			var start, end int
			if start, end, next, aerr = ramPage(len(list), in, hi); aerr == nil {
				page = append(page, list[start:end]...)
			}
		}
		if aerr != nil {
			err = aerr
		}
	})
	return page, next, err
}

func ramPermissionSummary(partition string, p RAMPermission, created *time.Time) ramtypes.ResourceSharePermissionSummary {
	return ramtypes.ResourceSharePermissionSummary{
		Arn: aws.String(p.ARN(partition)), Version: aws.String(strconv.Itoa(int(p.Version))), DefaultVersion: aws.Bool(true),
		Name: aws.String(p.Name), ResourceType: aws.String(RAMKeyResourceType), Status: aws.String(string(ramtypes.PermissionStatusAttachable)),
		IsResourceTypeDefault: aws.Bool(p.Name == RAMKeyUsePermission.Name), PermissionType: ramtypes.PermissionTypeAwsManaged,
		FeatureSet: ramtypes.PermissionFeatureSetStandard, CreationTime: created, LastUpdatedTime: created,
	}
}

// ramGetPermission returns an AWS managed KMS key permission; permissionVersion defaults to
// the default (here: the only) version.
func (s *Server) ramGetPermission(req *request) (any, error) {
	var in ramInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	arn := aws.ToString(in.PermissionArn)
	if arn == "" {
		return nil, ramInvalidParameter("permissionArn is required")
	}
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":permission/") {
		return nil, clientError("MalformedArnException", "The format of ARN %s is not valid.", arn)
	}
	for _, p := range []RAMPermission{RAMKeyUsePermission, RAMKeyDecryptPermission} {
		if p.ARN(s.world.Partition) != arn {
			continue
		}
		if in.PermissionVersion != nil && *in.PermissionVersion != p.Version {
			return nil, clientError("UnknownResourceException", "Permission %s version %d could not be found.", arn, *in.PermissionVersion)
		}
		created := s.world.Now.AddDate(-2, 0, 0)
		return &ram.GetPermissionOutput{Permission: &ramtypes.ResourceSharePermissionDetail{
			Arn: aws.String(arn), Version: aws.String(strconv.Itoa(int(p.Version))), DefaultVersion: aws.Bool(true),
			Name: aws.String(p.Name), ResourceType: aws.String(RAMKeyResourceType), Permission: aws.String(p.Document()),
			IsResourceTypeDefault: aws.Bool(p.Name == RAMKeyUsePermission.Name), PermissionType: ramtypes.PermissionTypeAwsManaged,
			FeatureSet: ramtypes.PermissionFeatureSetStandard, Status: ramtypes.PermissionStatusAttachable,
			CreationTime: &created, LastUpdatedTime: &created,
		}}, nil
	}
	return nil, clientError("UnknownResourceException", "Permission %s could not be found.", arn)
}
