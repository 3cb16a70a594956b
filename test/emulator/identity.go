package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Access key IDs carry the account they belong to, so the emulator needs no
// credential database for long-term keys:
//
//	AKIA + 12-digit account + 4-char checksum   long-term key of the account's emulator user
//	ASIA + 12-digit account + 4-char serial     temporary key issued by AssumeRole
const (
	longTermKeyPrefix  = "AKIA"
	temporaryKeyPrefix = "ASIA"
	accessKeyLength    = 20
)

// EmulatorUserName is the IAM user that owns every account's long-term key.
const EmulatorUserName = "emulator-admin"

// AccessKeyFor returns the long-term credentials of the account's emulator
// user. Every account of the World (and no other) accepts them.
func AccessKeyFor(account string) (accessKeyID, secretAccessKey string) {
	return longTermKeyPrefix + account + checksum4(account), derivedSecret("secret", account)
}

// checksum4 makes a long-term key id self-validating: a mistyped or invented
// key is rejected as AWS rejects an unknown one.
func checksum4(account string) string {
	sum := sha256.Sum256([]byte("akid:" + account))
	out := make([]byte, 4)
	for i := range out {
		out[i] = upperBase32[int(sum[i])%len(upperBase32)]
	}
	return string(out)
}

// derivedSecret is a stable, random-looking 40-character secret.
func derivedSecret(purpose, value string) string {
	sum := sha256.Sum256([]byte(purpose + ":" + value))
	more := sha256.Sum256(sum[:])
	return base64.StdEncoding.EncodeToString(append(sum[:], more[:]...)[:30])
}

// splitAccessKey returns the prefix and account of a well-formed access key id.
func splitAccessKey(akid string) (prefix, account string, ok bool) {
	if len(akid) != accessKeyLength {
		return "", "", false
	}
	prefix, account = akid[:4], akid[4:16]
	if prefix != longTermKeyPrefix && prefix != temporaryKeyPrefix {
		return "", "", false
	}
	if !isAccountID(account) {
		return "", "", false
	}
	if prefix == longTermKeyPrefix && akid[16:] != checksum4(account) {
		return "", "", false
	}
	return prefix, account, true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// caller is the authenticated identity of one request.
type caller struct {
	Account     string
	ARN         string
	UserID      string
	AccessKeyID string
}

func longTermCaller(partition, account, akid string) caller {
	return caller{
		Account:     account,
		ARN:         iamARN(partition, account, "user/"+EmulatorUserName),
		UserID:      uniqueID("AIDA", account, "user/"+EmulatorUserName),
		AccessKeyID: akid,
	}
}

// uniqueID is the stable IAM unique id (AIDA… for users, AROA… for roles) of a
// principal; AWS shows it instead of the ARN once the principal is deleted.
func uniqueID(prefix, account, name string) string {
	sum := sha256.Sum256([]byte(account + "/" + name))
	var b strings.Builder
	b.WriteString(prefix)
	for i := range 17 {
		b.WriteByte(upperBase32[int(sum[i])%len(upperBase32)])
	}
	return b.String()
}
