package emulator

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// stsOperations is the part of STS (awsQuery, XML) a multi-account sync uses.
var stsOperations = map[string]handler{
	"GetCallerIdentity": (*Server).stsGetCallerIdentity,
	"AssumeRole":        (*Server).stsAssumeRole,
}

type getCallerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string
	UserId  string
	Account string
}

type assumeRoleResult struct {
	XMLName         xml.Name `xml:"AssumeRoleResult"`
	AssumedRoleUser struct {
		Arn           string
		AssumedRoleId string
	}
	Credentials struct {
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
}

func (s *Server) stsGetCallerIdentity(req *request) (any, error) {
	return getCallerIdentityResult{Arn: req.caller.ARN, UserId: req.caller.UserID, Account: req.caller.Account}, nil
}

var (
	roleARNPattern     = regexp.MustCompile(`^arn:([a-z-]+):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$`)
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

const (
	minSessionSeconds = 900
	// maxSessionSeconds is the roles' MaxSessionDuration (AWS's default).
	maxSessionSeconds = 3600
)

// stsAssumeRole issues credentials for a role of an ACTIVE organization
// account. The member role (Config.MemberRoleName) exists in member accounts
// and trusts the management account only; Config.ExtraRoleNames exist in
// every account and trust every organization account. A configured ExternalId
// must match.
func (s *Server) stsAssumeRole(req *request) (any, error) {
	w := s.world
	role := req.form.Get("RoleArn")
	sessionName := req.form.Get("RoleSessionName")
	m := roleARNPattern.FindStringSubmatch(role)
	if m == nil {
		return nil, stsValidation("roleArn", role, "Member must satisfy the role ARN pattern")
	}
	if !sessionNamePattern.MatchString(sessionName) {
		return nil, stsValidation("roleSessionName", sessionName, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	lifetime := time.Duration(maxSessionSeconds) * time.Second
	if d := req.form.Get("DurationSeconds"); d != "" {
		secs, err := strconv.Atoi(d)
		switch {
		case err != nil || secs < minSessionSeconds || secs > 43200:
			return nil, stsValidation("durationSeconds", d, "Member must have value between 900 and 43200")
		case secs > maxSessionSeconds:
			return nil, clientError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		lifetime = time.Duration(secs) * time.Second
	}
	if m[1] != w.Partition {
		// A role of another partition cannot be assumed from this one.
		return nil, clientError("ValidationError", "Partition %q is not valid for resource %q.", m[1], role)
	}
	account, roleName := m[2], m[4]
	denied := clientError("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", req.caller.ARN, role)
	denied.Status = http.StatusForbidden
	target := w.account(account)
	if target == nil || target.State != orgtypes.AccountStateActive || s.assumeRoleDenied(account) {
		return nil, denied
	}
	memberRole := account != w.ManagementAccount && roleName == w.Config.MemberRoleName && m[3] == "" &&
		req.caller.Account == w.ManagementAccount
	extraRole := slices.Contains(w.Config.ExtraRoleNames, roleName) && w.IsOrgAccount(req.caller.Account)
	if !memberRole && !extraRole {
		return nil, denied
	}
	if want, ok := w.Config.ExternalIDs[account]; ok && req.form.Get("ExternalId") != want {
		return nil, denied
	}
	sess, err := s.sessions.issue(account, roleName, sessionName, lifetime)
	if err != nil {
		return nil, err
	}
	var out assumeRoleResult
	out.AssumedRoleUser.Arn = assumedRoleARN(w.Partition, account, roleName, sessionName)
	out.AssumedRoleUser.AssumedRoleId = uniqueID("AROA", account, "role/"+roleName) + ":" + sessionName
	out.Credentials.AccessKeyId = sess.AccessKeyID
	out.Credentials.SecretAccessKey = sess.SecretAccessKey
	out.Credentials.SessionToken = sess.SessionToken
	out.Credentials.Expiration = sess.Expiration.Format(time.RFC3339)
	return out, nil
}

func stsValidation(member, value, constraint string) *apiError {
	e := validationError(member, value, constraint)
	e.Code = "ValidationError"
	return e
}
