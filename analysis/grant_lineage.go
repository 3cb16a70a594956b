package analysis

import (
	"bytes"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
)

// Lineage tells who created each grant and, for nested grants, through which parent grant, from
// the successful CreateGrant events CloudTrail kept (90 days at most). Add every event, then look
// grants up: the first look-up indexes them, from any number of goroutines.
//
// A region may hold hundreds of thousands of such events for the whole sync, so each is kept in
// 48 bytes: the grant id as the 32 bytes its 64 hex digits encode, the caller interned (a few
// principals create most grants), the time; in fixed chunks while they arrive (no slice doubling),
// then in one slice sorted by grant id.
type Lineage struct {
	chunks [][]creation
	once   sync.Once
	sorted []creation
	// byOtherID holds grants whose id is not 64 lower-case hex digits (not seen from KMS).
	byOtherID map[string]creation
	// delegations are the creations of grants that allow CreateGrant, per key ARN.
	delegations map[string][]delegation
	principals  interner
}

// lineageChunk is how many creations a chunk holds: 192 KiB.
const lineageChunk = 4096

type grantKey [32]byte

type creation struct {
	grant  grantKey
	caller principalRef
	at     int64 // Unix nanoseconds
}

type delegation struct {
	grantID string
	grantee principalRef
	at      int64
}

func NewLineage() *Lineage {
	return &Lineage{byOtherID: map[string]creation{}, delegations: map[string][]delegation{}}
}

// Add records a CreateGrant event; failed calls and other events are ignored.
func (l *Lineage) Add(e GrantEvent) {
	if e.EventName != "CreateGrant" || e.ErrorCode != nil || e.GrantID == nil {
		return
	}
	// A caller from another account is logged with its account only (userIdentity type
	// AWSAccount), and an AWS service acting on its own with its name only (AWSService).
	caller := deref(nonEmpty(deref(e.CallerARN), deref(e.CallerAccountID), deref(e.InvokedBy)))
	c := creation{caller: l.principals.ref(caller), at: e.EventTime.UnixNano()}
	if key, ok := parseGrantKey(*e.GrantID); ok {
		c.grant = key
		if n := len(l.chunks); n == 0 || len(l.chunks[n-1]) == lineageChunk {
			l.chunks = append(l.chunks, make([]creation, 0, lineageChunk))
		}
		l.chunks[len(l.chunks)-1] = append(l.chunks[len(l.chunks)-1], c)
	} else {
		l.byOtherID[*e.GrantID] = c
	}
	if slices.Contains(e.Operations, "CreateGrant") {
		d := delegation{grantID: *e.GrantID, grantee: l.principals.ref(deref(e.GranteePrincipal)), at: c.at}
		l.delegations[e.KeyARN] = append(l.delegations[e.KeyARN], d)
	}
}

// index sorts the creations by grant id into one slice of the exact size, on the first look-up.
func (l *Lineage) index() {
	l.once.Do(func() {
		n := 0
		for _, c := range l.chunks {
			n += len(c)
		}
		l.sorted = make([]creation, 0, n)
		for _, c := range l.chunks {
			l.sorted = append(l.sorted, c...)
		}
		l.chunks = nil
		slices.SortStableFunc(l.sorted, func(a, b creation) int { return bytes.Compare(a.grant[:], b.grant[:]) })
	})
}

func (l *Lineage) creation(grantID string) (creation, bool) {
	key, ok := parseGrantKey(grantID)
	if !ok {
		c, found := l.byOtherID[grantID]
		return c, found
	}
	l.index()
	i, found := slices.BinarySearchFunc(l.sorted, key, func(c creation, k grantKey) int { return bytes.Compare(c.grant[:], k[:]) })
	if !found {
		return creation{}, false
	}
	for i+1 < len(l.sorted) && l.sorted[i+1].grant == key {
		i++ // the last one added, as a map would keep
	}
	return l.sorted[i], true
}

// CreatedBy is the caller of the grant's CreateGrant: its ARN, else its account id (a call from
// another account), else the AWS service that made it; nil when the event is not known.
func (l *Lineage) CreatedBy(grantID string) *string {
	if c, ok := l.creation(grantID); ok && c.caller != noPrincipal {
		caller := l.principals.name(c.caller)
		return &caller
	}
	return nil
}

// ParentOf is the grant through which the creator of grantID held CreateGrant on keyARN: the
// latest earlier grant on that key, allowing CreateGrant, whose grantee is the creator.
func (l *Lineage) ParentOf(keyARN, grantID string) *string {
	child, ok := l.creation(grantID)
	if !ok || child.caller == noPrincipal {
		return nil
	}
	caller := l.principals.name(child.caller)
	var parent *delegation
	for i, d := range l.delegations[keyARN] {
		if d.grantID != grantID && d.at < child.at && samePrincipal(l.principals.name(d.grantee), caller) && (parent == nil || d.at > parent.at) {
			parent = &l.delegations[keyARN][i]
		}
	}
	if parent == nil {
		return nil
	}
	return &parent.grantID
}

// parseGrantKey decodes a KMS grant id (64 hex digits) into its 32 bytes.
func parseGrantKey(id string) (grantKey, bool) {
	var key grantKey
	if len(id) != 2*len(key) {
		return key, false
	}
	_, err := hex.Decode(key[:], []byte(id))
	// Upper-case digits decode too, but would not round-trip: keep such ids as strings.
	return key, err == nil && strings.ToLower(id) == id
}

// samePrincipal compares a grantee with a caller: a role's session (assumed-role ARN) is the role.
func samePrincipal(grantee, caller string) bool {
	return grantee == caller || principalIdentity(grantee) == principalIdentity(caller) && principalIdentity(caller) != ""
}

// principalIdentity reduces role and assumed-role ARNs to "account:role/name" and user ARNs to
// "account:user/name", dropping paths and session names; other principals give "".
func principalIdentity(p string) string {
	account := PrincipalAccount(p)
	if account == "" {
		return ""
	}
	resource := p[strings.LastIndex(p, ":")+1:]
	switch ClassifyPrincipal(p) {
	case PrincipalIAMRole:
		return account + ":role/" + resource[strings.LastIndex(resource, "/")+1:]
	case PrincipalAssumedRole:
		parts := strings.Split(resource, "/")
		if len(parts) >= 2 {
			return account + ":role/" + parts[1]
		}
	case PrincipalIAMUser:
		return account + ":user/" + resource[strings.LastIndex(resource, "/")+1:]
	}
	return ""
}
