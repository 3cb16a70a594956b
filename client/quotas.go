package client

// documentedQuotas are AWS's request quotas per second, per account and region, for the
// operations the plugin calls (KMS: https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html,
// CloudTrail: LookupEvents). Operations not listed are not paced.
var documentedQuotas = map[string]float64{
	"ListGrants":           100,
	"ListKeyRotations":     100,
	"ListKeyPolicies":      100,
	"ListKeys":             500,
	"ListAliases":          500,
	"GetKeyPolicy":         1000,
	"GetKeyRotationStatus": 1000,
	"DescribeKey":          2000,
	"ListResourceTags":     2000,
	"GetKeyLastUsage":      5, // kms v1.63.0 GetKeyLastUsage; only with spec.key_last_usage
	"LookupEvents":         2,
}

// quotaFor is the pace for one operation: the spec's override, else the documented quota, scaled
// by quota_share. Zero means unpaced.
func quotaFor(spec *Spec, operation string) float64 {
	if q, ok := spec.RateLimits[operation]; ok {
		return q
	}
	return documentedQuotas[operation] * *spec.QuotaShare
}
