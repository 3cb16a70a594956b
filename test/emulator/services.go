package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// service is one AWS service the emulator speaks, keyed by its SigV4 signing
// name (CloudHSMv2 signs as "cloudhsm").
type service struct {
	// name prefixes operation names in stats and quotas ("kms:ListGrants").
	name     string
	protocol protocol
	// targetPrefixes are the X-Amz-Target prefixes of awsJson services.
	targetPrefixes []string
	// restPaths maps request paths to operations for restJson services.
	restPaths map[string]string
	// regional services refuse regions the caller's account has not enabled.
	regional bool
	// throttleCode and internalCode are the service's own names for "slow
	// down" and "we failed".
	throttleCode string
	throttleHTTP int
	internalCode string
	ops          map[string]handler
	// camelMembers: the wire member names start lower-case (AWS RAM).
	camelMembers bool
	// xmlNamespace is an awsQuery service's response namespace (STS's when empty).
	xmlNamespace string
}

// request is one authenticated call being served.
type request struct {
	op     string
	caller caller
	region string
	body   []byte
	form   url.Values
}

// decode reads the JSON body into v; a malformed body is a client error.
func (r *request) decode(v any) error {
	if len(r.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		return clientError("SerializationException", "could not read the request body: %v", err)
	}
	return nil
}

type handler func(s *Server, req *request) (any, error)

func newServiceTable() map[string]*service {
	return map[string]*service{
		"kms": {
			name: "kms", protocol: awsJSON, targetPrefixes: []string{"TrentService"}, regional: true,
			throttleCode: "ThrottlingException", throttleHTTP: http.StatusBadRequest, internalCode: "KMSInternalException",
			ops: kmsOperations,
		},
		"cloudhsm": {
			name: "cloudhsmv2", protocol: awsJSON, targetPrefixes: []string{"BaldrApiService"}, regional: true,
			throttleCode: "ThrottlingException", throttleHTTP: http.StatusBadRequest, internalCode: "CloudHsmInternalFailureException",
			ops: cloudHSMOperations,
		},
		"cloudtrail": {
			name: "cloudtrail", protocol: awsJSON, // aws-sdk-go-v2 sends the shape name; other SDKs the namespaced one.
			targetPrefixes: []string{"CloudTrail_20131101", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"}, regional: true,
			throttleCode: "ThrottlingException", throttleHTTP: http.StatusBadRequest, internalCode: "InternalFailure",
			ops: cloudTrailOperations,
		},
		"organizations": {
			name: "organizations", protocol: awsJSON, targetPrefixes: []string{"AWSOrganizationsV20161128"},
			throttleCode: "TooManyRequestsException", throttleHTTP: http.StatusBadRequest, internalCode: "ServiceException",
			ops: organizationsOperations,
		},
		"account": {
			name: "account", protocol: restJSON, restPaths: map[string]string{"/listRegions": "ListRegions"},
			throttleCode: "TooManyRequestsException", throttleHTTP: http.StatusTooManyRequests, internalCode: "InternalServerException",
			ops: accountOperations,
		},
		"ram": {
			// restJson1, POST /<operation in lower case> (RAM API reference, each operation's
			// "Request Syntax"); members are camelCase.
			name: "ram", protocol: restJSON, regional: true, camelMembers: true,
			restPaths: map[string]string{
				"/getresourceshares": "GetResourceShares", "/listresources": "ListResources",
				"/listprincipals": "ListPrincipals", "/listresourcesharepermissions": "ListResourceSharePermissions",
				"/getpermission": "GetPermission",
			},
			throttleCode: "ThrottlingException", throttleHTTP: http.StatusTooManyRequests, internalCode: "ServerInternalException",
			ops: ramOperations,
		},
		"iam": {
			name: "iam", protocol: awsQuery, xmlNamespace: iamXMLNamespace,
			throttleCode: "Throttling", throttleHTTP: http.StatusBadRequest, internalCode: "ServiceFailure",
			ops: iamOperations,
		},
		"ec2": {
			name: "ec2", protocol: ec2Query, regional: true,
			throttleCode: "RequestLimitExceeded", throttleHTTP: http.StatusServiceUnavailable, internalCode: "InternalError",
			ops: ec2Operations,
		},
		"sts": {
			// STS is regional: in an opt-in region the caller's account has not enabled it refuses
			// the token (InvalidClientTokenId), https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html
			name: "sts", protocol: awsQuery, regional: true,
			throttleCode: "Throttling", throttleHTTP: http.StatusBadRequest, internalCode: "InternalFailure",
			ops: stsOperations,
		},
	}
}

// accessDenied is the service's answer to a caller whose policies do not allow the operation.
func (svc *service) accessDenied(who caller, operation string) *apiError {
	switch svc.protocol {
	case ec2Query:
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
		return withStatus(clientError("UnauthorizedOperation", "You are not authorized to perform this operation. User: %s is not authorized to perform: %s", who.ARN, operation), http.StatusForbidden)
	case awsQuery:
		return withStatus(clientError("AccessDenied", "User: %s is not authorized to perform: %s", who.ARN, operation), http.StatusForbidden)
	}
	return withStatus(clientError("AccessDeniedException", "User: %s is not authorized to perform: %s", who.ARN, operation), http.StatusForbidden)
}

// operationName finds the operation a request calls, "" when it names none.
func (svc *service) operationName(r *http.Request, form url.Values) string {
	switch svc.protocol {
	case awsJSON:
		// The prefix itself may contain dots (CloudTrail's does).
		target := r.Header.Get("X-Amz-Target")
		i := strings.LastIndex(target, ".")
		if i < 0 || !slices.Contains(svc.targetPrefixes, target[:i]) {
			return ""
		}
		return target[i+1:]
	case restJSON:
		return svc.restPaths[r.URL.Path]
	default:
		return form.Get("Action")
	}
}
