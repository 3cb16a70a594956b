package emulator

import (
	"fmt"
	"net/http"
)

// apiError is an AWS error response: the code the SDK maps to a typed error,
// the message, and the HTTP status AWS uses for it.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Receiver marks server-side faults (STS writes <Type>Receiver</Type>).
	Receiver bool
}

func (e *apiError) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

func clientError(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

func serverError(code, message string) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: code, Message: message, Receiver: true}
}

func withStatus(e *apiError, status int) *apiError {
	e.Status = status
	return e
}

const invalidTokenMessage = "The security token included in the request is invalid."

// validationError words a constraint failure as AWS's request validation does.
func validationError(member string, value any, constraint string) *apiError {
	return clientError("ValidationException", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}
