package emulator

import (
	"encoding/xml"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ec2Operations is the part of EC2 (the EC2 query protocol: a form POST with Action=..., answered
// in XML under the 2016-11-15 namespace) that region discovery uses.
var ec2Operations = map[string]handler{
	"DescribeRegions": (*Server).ec2DescribeRegions,
}

const ec2XMLNamespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// ec2RegionInfo is one item of DescribeRegions' regionInfo:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Region.html
type ec2RegionInfo struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus"`
}

type describeRegionsResult struct {
	RegionInfo []ec2RegionInfo `xml:"regionInfo>item"`
}

// Opt-in statuses of DescribeRegions.
const (
	optInNotRequired = "opt-in-not-required"
	optedIn          = "opted-in"
	notOptedIn       = "not-opted-in"
)

// ec2DescribeRegions follows the API reference
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html): without
// AllRegions it describes only the regions enabled for the caller's account; AllRegions=true adds
// the disabled ones as not-opted-in. RegionName.N and the region-name and opt-in-status filters
// narrow the answer.
func (s *Server) ec2DescribeRegions(req *request) (any, error) {
	all := strings.EqualFold(req.form.Get("AllRegions"), "true")
	names := indexedValues(req.form, "RegionName")
	filters := ec2Filters(req.form)
	enabled := s.world.EnabledRegions[req.caller.Account]
	var out describeRegionsResult
	for _, r := range s.world.RegionStatuses[req.caller.Account] {
		name := *r.RegionName
		status := optInNotRequired
		switch {
		case !slices.Contains(enabled, name):
			status = notOptedIn
		case slices.Contains(optInRegions, name):
			status = optedIn
		}
		if (status == notOptedIn && !all) ||
			(len(names) > 0 && !slices.Contains(names, name)) ||
			!filters.match("region-name", name) || !filters.match("opt-in-status", status) {
			continue
		}
		out.RegionInfo = append(out.RegionInfo, ec2RegionInfo{RegionName: name, RegionEndpoint: "ec2." + name + ".amazonaws.com", OptInStatus: status})
	}
	return out, nil
}

// indexedValues reads a query list: Name.1, Name.2, ...
func indexedValues(form url.Values, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[name+"."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v...)
	}
}

// ec2FilterSet is Filter.N.Name with its Filter.N.Value.M.
type ec2FilterSet map[string][]string

func ec2Filters(form url.Values) ec2FilterSet {
	out := ec2FilterSet{}
	for i := 1; ; i++ {
		prefix := "Filter." + strconv.Itoa(i)
		name := form.Get(prefix + ".Name")
		if name == "" {
			return out
		}
		out[name] = append(out[name], indexedValues(form, prefix+".Value")...)
	}
}

// match: a value passes a filter when it equals one of the filter's values.
func (f ec2FilterSet) match(name, value string) bool {
	values, ok := f[name]
	return !ok || slices.Contains(values, value)
}

// ec2Error is EC2's error body: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
type ec2Error struct {
	XMLName xml.Name `xml:"Response"`
	Errors  struct {
		Error struct {
			Code    string
			Message string
		}
	}
	RequestID string
}
