package analysis

import (
	"strings"
)

// PrincipalIdentity is the identity a principal acts as, in one canonical spelling, so that a
// grant's grantee and a CloudTrail caller compare as plain strings (an indexed SQL equality):
// a role ARN loses its path (role names are unique in an account) and an assumed-role session
// is its role (arn:aws:sts::111122223333:assumed-role/Deployer/ci-42 acts as
// arn:aws:iam::111122223333:role/Deployer); a user ARN loses its path. Any other principal
// (account root, bare account id, service, federated user, unique id) is itself. Empty is nil.
func PrincipalIdentity(p string) *string {
	if p == "" {
		return nil
	}
	identity := p
	if a, ok := parsePrincipalARN(p); ok {
		prefix := "arn:" + a.Partition + ":iam::" + a.AccountID + ":"
		kind, rest, _ := strings.Cut(a.Resource, "/")
		switch ClassifyPrincipal(p) {
		case PrincipalIAMRole, PrincipalIAMUser:
			identity = prefix + kind + "/" + rest[strings.LastIndex(rest, "/")+1:]
		case PrincipalAssumedRole:
			role, _, _ := strings.Cut(rest, "/")
			identity = prefix + "role/" + role
		}
	}
	return &identity
}
