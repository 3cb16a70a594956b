package emulator

import (
	"errors"
	"net/http"
	"strings"
)

// credentialScope is the part of a SigV4 Authorization header the emulator
// routes on. Signatures are not verified: the emulator trusts its clients.
type credentialScope struct {
	AccessKeyID string
	Date        string
	Region      string
	Service     string
}

var (
	errMissingAuth   = errors.New("missing Authorization header")
	errMalformedAuth = errors.New("malformed Authorization header")
)

// parseCredentialScope reads
// "AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=...".
func parseCredentialScope(r *http.Request) (credentialScope, error) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return credentialScope{}, errMissingAuth
	}
	algorithm, params, ok := strings.Cut(auth, " ")
	if !ok || algorithm != "AWS4-HMAC-SHA256" {
		return credentialScope{}, errMalformedAuth
	}
	for _, part := range strings.Split(params, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name != "Credential" {
			continue
		}
		fields := strings.Split(value, "/")
		if len(fields) != 5 || fields[4] != "aws4_request" {
			return credentialScope{}, errMalformedAuth
		}
		return credentialScope{AccessKeyID: fields[0], Date: fields[1], Region: fields[2], Service: fields[3]}, nil
	}
	return credentialScope{}, errMalformedAuth
}
