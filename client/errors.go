package client

import (
	"errors"

	"github.com/aws/smithy-go"
)

// Error codes that mean "this call cannot succeed for this resource", as opposed to a failure.
var (
	accessDeniedCodes = map[string]bool{"AccessDeniedException": true, "AccessDenied": true, "UnauthorizedOperation": true}
	notFoundCodes     = map[string]bool{"NotFoundException": true, "ResourceNotFoundException": true, "CloudHsmResourceNotFoundException": true}
	unsupportedCodes  = map[string]bool{"UnsupportedOperationException": true}
	// invalidStateCodes: KMS refuses the operation in the key's current state ("Key states of
	// AWS KMS keys", KMS developer guide); the key is fine, the call is not for now.
	invalidStateCodes = map[string]bool{"KMSInvalidStateException": true}
)

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// IsAccessDenied reports whether AWS refused the call for lack of permission.
func IsAccessDenied(err error) bool { return accessDeniedCodes[errorCode(err)] }

// IsNotFound reports whether the resource no longer exists.
func IsNotFound(err error) bool { return notFoundCodes[errorCode(err)] }

// IsUnsupported reports whether the operation does not apply to the resource.
func IsUnsupported(err error) bool { return unsupportedCodes[errorCode(err)] }

// IsInvalidState reports whether KMS refused the call because of the key's state.
func IsInvalidState(err error) bool { return invalidStateCodes[errorCode(err)] }

// ErrorCode is the AWS error code of err, or "" when err did not come from AWS.
func ErrorCode(err error) string { return errorCode(err) }
