package client

import (
	"slices"

	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// cloudHSMV2Regions are the regions where CloudHSMv2 has an endpoint, per partition, copied from
// the endpoint table that aws-sdk-go-v2 generates from AWS's endpoint model
// (service/cloudhsmv2@v1.36.0/internal/endpoints/endpoints.go; TestCloudHSMV2RegionsMatchTheSDK
// keeps them in step). The SDK's current resolver builds a URL for any region, so it cannot
// tell; the AWS General Reference's "AWS CloudHSM endpoints and quotas" lists the same regions.
// A partition the table does not name (aws-cn, aws-iso*, where the SDK lists none) is called
// anyway, and a refusal there is recorded like any other.
var cloudHSMV2Regions = map[string][]string{
	"aws": {
		"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
		"ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-5",
		"ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
		"eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
		"me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
		"us-west-2",
	},
	"aws-us-gov": {"us-gov-east-1", "us-gov-west-1"},
}

// CloudHSMV2Offered reports whether CloudHSMv2 has an endpoint in region.
func CloudHSMV2Offered(region string) bool {
	regions, known := cloudHSMV2Regions[partitionOf(region)]
	return !known || slices.Contains(regions, region)
}

// CloudHSMV2Multiplex runs a table once per pair whose region offers CloudHSMv2.
func CloudHSMV2Multiplex(meta schema.ClientMeta) []schema.ClientMeta {
	c := meta.(*Client)
	out := make([]schema.ClientMeta, 0, len(c.pairs))
	for _, p := range c.pairs {
		if CloudHSMV2Offered(p.Region) {
			out = append(out, c.WithPair(p))
		}
	}
	return out
}
