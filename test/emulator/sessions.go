package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// session is a set of temporary credentials issued by AssumeRole.
type session struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Account         string
	RoleName        string
	SessionName     string
	Expiration      time.Time

	// caller is who the session's calls come from, worked out on its first call.
	callerOnce sync.Once
	caller     caller
}

// sessionStore remembers the sessions a Server issued; they die with it.
type sessionStore struct {
	mu    sync.Mutex
	next  int
	byKey map[string]*session
}

func newSessionStore() *sessionStore { return &sessionStore{byKey: map[string]*session{}} }

// maxSessions is what the 4-character serial of an ASIA key can number.
const maxSessions = 32 * 32 * 32 * 32

func (st *sessionStore) issue(account, role, sessionName string, lifetime time.Duration) (*session, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.next >= maxSessions {
		return nil, fmt.Errorf("emulator: more than %d sessions issued", maxSessions)
	}
	serial := make([]byte, 4)
	for i, n := 3, st.next; i >= 0; i-- {
		serial[i] = upperBase32[n%32]
		n /= 32
	}
	st.next++
	sess := &session{
		AccessKeyID:     temporaryKeyPrefix + account + string(serial),
		SecretAccessKey: randomString(30),
		SessionToken:    "IQoJb3JpZ2luX2VjE" + randomString(270),
		Account:         account,
		RoleName:        role,
		SessionName:     sessionName,
		Expiration:      time.Now().Add(lifetime).UTC().Truncate(time.Second),
	}
	st.byKey[sess.AccessKeyID] = sess
	return sess, nil
}

func (st *sessionStore) lookup(akid string) (*session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	sess, ok := st.byKey[akid]
	return sess, ok
}

// randomString is base64 of n random bytes: secrets must look like secrets.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// authenticate turns the request's access key (and session token) into the
// caller, as AWS would accept or refuse it.
func (s *Server) authenticate(akid, sessionToken string) (caller, *apiError) {
	prefix, account, ok := splitAccessKey(akid)
	if !ok {
		return caller{}, unrecognizedClient()
	}
	if prefix == longTermKeyPrefix {
		a := s.world.account(account)
		if a == nil || a.State != orgtypes.AccountStateActive {
			return caller{}, unrecognizedClient()
		}
		return longTermCaller(s.world.Partition, account, akid), nil
	}
	sess, ok := s.sessions.lookup(akid)
	if !ok || sess.SessionToken != sessionToken {
		return caller{}, unrecognizedClient()
	}
	if time.Now().After(sess.Expiration) {
		return caller{}, clientError("ExpiredTokenException", "The security token included in the request is expired")
	}
	sess.callerOnce.Do(func() {
		sess.caller = caller{
			Account:     account,
			ARN:         assumedRoleARN(s.world.Partition, account, sess.RoleName, sess.SessionName),
			UserID:      uniqueID("AROA", account, "role/"+sess.RoleName) + ":" + sess.SessionName,
			AccessKeyID: akid,
		}
	})
	return sess.caller, nil
}

func unrecognizedClient() *apiError {
	return clientError("UnrecognizedClientException", invalidTokenMessage)
}
