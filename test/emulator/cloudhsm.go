package emulator

import (
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	hsmtypes "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"
)

// cloudHSMOperations is the read-only CloudHSMv2 API (BaldrApiService,
// awsJson1.1, signed as "cloudhsm").
var cloudHSMOperations = map[string]handler{
	"DescribeClusters": (*Server).hsmDescribeClusters,
	"DescribeBackups":  (*Server).hsmDescribeBackups,
	"ListTags":         (*Server).hsmListTags,
}

type hsmInput struct {
	Filters    map[string][]string
	MaxResults *int64
	NextToken  *string
	ResourceId *string
}

func (s *Server) hsmInput(req *request) (hsmInput, error) {
	var in hsmInput
	return in, req.decode(&in)
}

func invalidHSMToken() *apiError {
	return clientError("CloudHsmInvalidRequestException", "The NextToken value is not valid.")
}

// matchesFilter applies one CloudHSM filter: absent or empty filters match all.
func matchesFilter(filters map[string][]string, name, value string) bool {
	want, ok := filters[name]
	return !ok || len(want) == 0 || slices.Contains(want, value)
}

func (s *Server) hsmDescribeClusters(req *request) (any, error) {
	in, err := s.hsmInput(req)
	if err != nil {
		return nil, err
	}
	limit, aerr := limitParam(in.MaxResults, "maxResults", 1, 25, 25)
	if aerr != nil {
		return nil, aerr
	}
	start, ok := decodeOffset(in.NextToken)
	if !ok {
		return nil, invalidHSMToken()
	}
	var clusters []hsmtypes.Cluster
	for _, c := range s.world.Region(req.caller.Account, req.region).Clusters {
		if matchesFilter(in.Filters, "clusterIds", *c.ClusterId) && matchesFilter(in.Filters, "vpcIds", *c.VpcId) &&
			matchesFilter(in.Filters, "states", string(c.State)) {
			clusters = append(clusters, c)
		}
	}
	if start > len(clusters) {
		return nil, invalidHSMToken()
	}
	end, more := pageEnd(len(clusters), start, limit)
	out := &cloudhsmv2.DescribeClustersOutput{Clusters: append([]hsmtypes.Cluster{}, clusters[start:end]...)}
	if more {
		out.NextToken = offsetToken(end)
	}
	return out, nil
}

func (s *Server) hsmDescribeBackups(req *request) (any, error) {
	in, err := s.hsmInput(req)
	if err != nil {
		return nil, err
	}
	limit, aerr := limitParam(in.MaxResults, "maxResults", 1, 50, 50)
	if aerr != nil {
		return nil, aerr
	}
	start, ok := decodeOffset(in.NextToken)
	if !ok {
		return nil, invalidHSMToken()
	}
	var backups []hsmtypes.Backup
	for _, b := range s.world.Region(req.caller.Account, req.region).Backups {
		neverExpires := b.NeverExpires != nil && *b.NeverExpires
		source := ""
		if b.SourceBackup != nil {
			source = *b.SourceBackup
		}
		if matchesFilter(in.Filters, "backupIds", *b.BackupId) && matchesFilter(in.Filters, "clusterIds", *b.ClusterId) &&
			matchesFilter(in.Filters, "states", string(b.BackupState)) && matchesFilter(in.Filters, "sourceBackupIds", source) &&
			matchesFilter(in.Filters, "neverExpires", strconv.FormatBool(neverExpires)) {
			backups = append(backups, b)
		}
	}
	if start > len(backups) {
		return nil, invalidHSMToken()
	}
	end, more := pageEnd(len(backups), start, limit)
	out := &cloudhsmv2.DescribeBackupsOutput{Backups: append([]hsmtypes.Backup{}, backups[start:end]...)}
	if more {
		out.NextToken = offsetToken(end)
	}
	return out, nil
}

// hsmListTags lists the tags of a cluster or a backup.
func (s *Server) hsmListTags(req *request) (any, error) {
	in, err := s.hsmInput(req)
	if err != nil {
		return nil, err
	}
	if in.ResourceId == nil || *in.ResourceId == "" {
		return nil, validationError("resourceId", "null", "Member must not be null")
	}
	limit, aerr := limitParam(in.MaxResults, "maxResults", 1, 20, 20)
	if aerr != nil {
		return nil, aerr
	}
	start, ok := decodeOffset(in.NextToken)
	if !ok {
		return nil, invalidHSMToken()
	}
	rd := s.world.Region(req.caller.Account, req.region)
	var tags []hsmtypes.Tag
	found := false
	for _, c := range rd.Clusters {
		if *c.ClusterId == *in.ResourceId {
			tags, found = c.TagList, true
		}
	}
	for _, b := range rd.Backups {
		if *b.BackupId == *in.ResourceId {
			tags, found = b.TagList, true
		}
	}
	if !found {
		return nil, clientError("CloudHsmResourceNotFoundException", "Resource %s not found", *in.ResourceId)
	}
	if start > len(tags) {
		return nil, invalidHSMToken()
	}
	end, more := pageEnd(len(tags), start, limit)
	out := &cloudhsmv2.ListTagsOutput{TagList: append([]hsmtypes.Tag{}, tags[start:end]...)}
	if more {
		out.NextToken = offsetToken(end)
	}
	return out, nil
}
