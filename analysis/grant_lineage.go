package analysis

import (
	"encoding/hex"
	"slices"
	"strings"
)

// Lineage tells who created each grant and, for nested grants, through which parent grant, from
// the successful CreateGrant events CloudTrail kept (90 days at most).
//
// A region may hold hundreds of thousands of such events for the whole sync, so each is kept in
// about 60 bytes: grant ids as the 32 bytes their 64 hex digits encode, callers and grantees
// (a few principals create most grants) interned.
type Lineage struct {
	byGrant map[grantKey]creation
	// byOtherID holds grants whose id is not 64 hex digits (not seen from KMS, kept for safety).
	byOtherID map[string]creation
	// delegations are the creations of grants that allow CreateGrant, per key ARN.
	delegations map[string][]delegation
	principals  interner
}

type grantKey [32]byte

type creation struct {
	caller principalRef
	at     int64 // Unix nanoseconds
}

type delegation struct {
	grantID string
	grantee principalRef
	at      int64
}

func NewLineage() *Lineage {
	return &Lineage{byGrant: map[grantKey]creation{}, byOtherID: map[string]creation{}, delegations: map[string][]delegation{}}
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
		l.byGrant[key] = c
	} else {
		l.byOtherID[*e.GrantID] = c
	}
	if slices.Contains(e.Operations, "CreateGrant") {
		d := delegation{grantID: *e.GrantID, grantee: l.principals.ref(deref(e.GranteePrincipal)), at: c.at}
		l.delegations[e.KeyARN] = append(l.delegations[e.KeyARN], d)
	}
}

func (l *Lineage) creation(grantID string) (creation, bool) {
	if key, ok := parseGrantKey(grantID); ok {
		c, found := l.byGrant[key]
		return c, found
	}
	c, found := l.byOtherID[grantID]
	return c, found
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
