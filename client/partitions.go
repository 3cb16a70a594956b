package client

import "strings"

// Partitions: https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html.
// A region's name tells its partition; credentials of one partition work in no other.

// partitionOf is the partition a region belongs to, from its name.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// globalRegions are where STS is called when the account's own region refuses it (STS deactivated
// there, or an opt-in region the account has not enabled): the region of the partition's global
// STS endpoint, sts.amazonaws.com in us-east-1 (https://docs.aws.amazon.com/general/latest/gr/sts.html),
// or the partition's first region where it has none.
var globalRegions = map[string]string{
	"aws":        "us-east-1",
	"aws-cn":     "cn-north-1",
	"aws-us-gov": "us-gov-west-1",
	"aws-iso":    "us-iso-east-1",
	"aws-iso-b":  "us-isob-east-1",
}

// globalRegionOf is the region of the partition's global endpoints, "" when unknown.
func globalRegionOf(partition string) string { return globalRegions[partition] }
