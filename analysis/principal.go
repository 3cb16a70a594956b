package analysis

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// PrincipalType is the kind of AWS principal a grant or policy names.
type PrincipalType string

const (
	// PrincipalAWSService is a service principal such as ec2.amazonaws.com or
	// rds.us-east-1.amazonaws.com (also amazonaws.com.cn and the other
	// partitions' service domains).
	PrincipalAWSService PrincipalType = "aws_service"
	// PrincipalAWSInternal is the literal "AWS Internal" that ListGrants shows
	// for grants AWS services hold on their own behalf.
	PrincipalAWSInternal PrincipalType = "aws_internal"
	// PrincipalAccountRoot is an account: arn:aws:iam::123456789012:root or
	// the bare 12-digit account id.
	PrincipalAccountRoot PrincipalType = "account_root"
	// PrincipalIAMRole is an IAM role ARN, service-linked roles included.
	PrincipalIAMRole PrincipalType = "iam_role"
	// PrincipalIAMUser is an IAM user ARN.
	PrincipalIAMUser PrincipalType = "iam_user"
	// PrincipalAssumedRole is an STS assumed-role session ARN.
	PrincipalAssumedRole PrincipalType = "assumed_role"
	// PrincipalFederatedUser is an STS federated-user ARN.
	PrincipalFederatedUser PrincipalType = "federated_user"
	// PrincipalUniqueID is an IAM unique id (AROA… for roles, AIDA… for
	// users), which AWS shows instead of the ARN once the principal has been
	// deleted (or recreated under the same name).
	PrincipalUniqueID PrincipalType = "unique_id"
	// PrincipalUnknown is anything else, including the empty string.
	PrincipalUnknown PrincipalType = "unknown"
)

// awsInternalPrincipal is how ListGrants names a grantee inside AWS itself.
const awsInternalPrincipal = "AWS Internal"

// partitions are the ARN partitions principals can live in.
var partitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true,
	"aws-iso": true, "aws-iso-b": true, "aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

// serviceDomains are the DNS suffixes of service principals, one per
// partition (from the SDK's partitions.json).
var serviceDomains = []string{
	".amazonaws.com", ".amazonaws.com.cn", ".amazonaws.eu",
	".c2s.ic.gov", ".sc2s.sgov.gov", ".cloud.adc-e.uk", ".csp.hci.ic.gov",
}

// uniqueIDPrefixes are the IAM unique-id prefixes of principals that can be
// grantees: roles and users.
var uniqueIDPrefixes = []string{"AROA", "AIDA"}

// ClassifyPrincipal reports the kind of principal p names. It never panics
// and returns PrincipalUnknown for anything it does not recognise. A grant's
// GranteeServicePrincipal field is a service principal by definition; callers
// handle that field themselves (AnalyzeGrant does).
func ClassifyPrincipal(p string) PrincipalType {
	switch {
	case p == awsInternalPrincipal:
		return PrincipalAWSInternal
	case isAccountID(p):
		return PrincipalAccountRoot
	case isServicePrincipal(p):
		return PrincipalAWSService
	case isUniqueID(p):
		return PrincipalUniqueID
	}
	a, ok := parsePrincipalARN(p)
	if !ok {
		return PrincipalUnknown
	}
	kind, rest, _ := strings.Cut(a.Resource, "/")
	switch a.Service {
	case "iam":
		switch {
		case a.Resource == "root":
			return PrincipalAccountRoot
		case kind == "role" && hasFinalName(rest):
			return PrincipalIAMRole
		case kind == "user" && hasFinalName(rest):
			return PrincipalIAMUser
		}
	case "sts":
		switch {
		case kind == "assumed-role" && isRoleSession(rest):
			return PrincipalAssumedRole
		case kind == "federated-user" && rest != "" && !strings.Contains(rest, "/"):
			return PrincipalFederatedUser
		}
	}
	return PrincipalUnknown
}

// PrincipalAccount returns the account id a principal belongs to: the
// account field of an ARN in a known partition (IAM and STS principals, but
// also e.g. a key ARN), or a bare account id. It returns "" when there is no
// 12-digit account to report (services, unique ids, "AWS Internal", garbage).
func PrincipalAccount(p string) string {
	if isAccountID(p) {
		return p
	}
	if a, ok := parseAccountARN(p); ok {
		return a.AccountID
	}
	return ""
}

// IsServiceLinkedRole reports whether p is the ARN of a service-linked role,
// which AWS services create under the role/aws-service-role/ path.
func IsServiceLinkedRole(p string) bool {
	if ClassifyPrincipal(p) != PrincipalIAMRole {
		return false
	}
	a, _ := parsePrincipalARN(p)
	return strings.HasPrefix(a.Resource, "role/aws-service-role/")
}

// parseAccountARN parses an ARN in a known partition whose account field is
// a 12-digit account id.
func parseAccountARN(p string) (arn.ARN, bool) {
	a, err := arn.Parse(p)
	if err != nil || !partitions[a.Partition] || !isAccountID(a.AccountID) {
		return arn.ARN{}, false
	}
	return a, true
}

// parsePrincipalARN parses an IAM or STS ARN with a 12-digit account and no
// region, the shape every principal ARN has.
func parsePrincipalARN(p string) (arn.ARN, bool) {
	a, ok := parseAccountARN(p)
	if !ok || (a.Service != "iam" && a.Service != "sts") || a.Region != "" || a.Resource == "" {
		return arn.ARN{}, false
	}
	return a, true
}

// hasFinalName reports whether an IAM path-and-name ("path/to/name" or
// "name") ends in a non-empty name.
func hasFinalName(pathAndName string) bool {
	return pathAndName != "" && !strings.HasSuffix(pathAndName, "/")
}

// isRoleSession reports whether s is "RoleName/SessionName" with both parts
// present.
func isRoleSession(s string) bool {
	role, session, ok := strings.Cut(s, "/")
	return ok && role != "" && session != ""
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isServicePrincipal reports whether p is a DNS name under a service domain
// whose labels are non-empty and made of letters, digits and hyphens.
func isServicePrincipal(p string) bool {
	lower := strings.ToLower(p)
	for _, domain := range serviceDomains {
		name, ok := strings.CutSuffix(lower, domain)
		if ok && isDNSLabels(name) {
			return true
		}
	}
	return false
}

func isDNSLabels(name string) bool {
	if name == "" {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// isUniqueID reports whether s looks like an IAM role or user unique id: a
// known prefix followed by upper-case letters and digits (21 characters in
// practice; 16 to 32 are accepted).
func isUniqueID(s string) bool {
	if len(s) < 16 || len(s) > 32 {
		return false
	}
	known := false
	for _, prefix := range uniqueIDPrefixes {
		known = known || strings.HasPrefix(s, prefix)
	}
	if !known {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
