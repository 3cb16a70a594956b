package ram

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// PermissionActions returns the actions a RAM managed permission document allows, sorted. RAM's
// GetPermission gives "the permission's effect and actions in JSON format": a statement
// ({"Effect":"Allow","Action":[...]}) or a policy with a Statement list; Action is a string or a
// list. Deny statements' actions are left out (they take away, they do not give).
func PermissionActions(doc string) ([]string, error) {
	var top struct {
		statement
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return nil, fmt.Errorf("permission document: %w", err)
	}
	statements := []statement{top.statement}
	if len(top.Statement) > 0 {
		statements = nil
		if err := json.Unmarshal(top.Statement, &statements); err != nil {
			var one statement
			if err := json.Unmarshal(top.Statement, &one); err != nil {
				return nil, fmt.Errorf("permission document: Statement: %w", err)
			}
			statements = []statement{one}
		}
	}
	actions := []string{}
	for _, s := range statements {
		if !strings.EqualFold(s.Effect, "Allow") {
			continue
		}
		actions = append(actions, s.Action...)
	}
	slices.Sort(actions)
	return slices.Compact(actions), nil
}

type statement struct {
	Effect string
	Action stringOrList
}

type stringOrList []string

func (l *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

var (
	organizationARN = regexp.MustCompile(`^arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]+$`)
	ouARN           = regexp.MustCompile(`^arn:aws[a-z-]*:organizations::\d{12}:ou/o-[a-z0-9]+/ou-[a-z0-9-]+$`)
	accountID       = regexp.MustCompile(`^\d{12}$`)
)

// PrincipalType names what a RAM principal id is (CreateResourceShare's principals: "An AWS
// account ID", "An ARN of an organization", "An ARN of an organizational unit (OU)", "An ARN of
// an IAM role", "An ARN of an IAM user", or a service principal).
func PrincipalType(id string) string {
	switch {
	case accountID.MatchString(id):
		return "account"
	case organizationARN.MatchString(id):
		return "organization"
	case ouARN.MatchString(id):
		return "organizational_unit"
	case strings.HasPrefix(id, "arn:") && strings.Contains(id, ":iam::") && strings.Contains(id, ":role/"):
		return "iam_role"
	case strings.HasPrefix(id, "arn:") && strings.Contains(id, ":iam::") && strings.Contains(id, ":user/"):
		return "iam_user"
	case strings.HasSuffix(id, ".amazonaws.com"):
		return "service_principal"
	}
	return "unknown"
}

// parseVersion reads a permission version ("1") as GetPermission takes it.
func parseVersion(v *string) (*int32, error) {
	n, err := strconv.ParseInt(aws.ToString(v), 10, 32)
	if err != nil {
		return nil, err
	}
	return aws.Int32(int32(n)), nil
}
