package analysis

import (
	"slices"
	"strings"
	"time"
)

// Lineage tells who created each grant and, for nested grants, through which parent grant, from
// the successful CreateGrant events CloudTrail kept (90 days at most).
type Lineage struct {
	byGrant map[string]*creation
	// delegations are the creations of grants that allow CreateGrant, per key ARN.
	delegations map[string][]*creation
}

type creation struct {
	grantID string
	caller  string
	grantee string
	at      time.Time
}

func NewLineage() *Lineage {
	return &Lineage{byGrant: map[string]*creation{}, delegations: map[string][]*creation{}}
}

// Add records a CreateGrant event; failed calls and other events are ignored.
func (l *Lineage) Add(e GrantEvent) {
	if e.EventName != "CreateGrant" || e.ErrorCode != nil || e.GrantID == nil {
		return
	}
	// A caller from another account is logged with its account only (userIdentity type
	// AWSAccount), and an AWS service acting on its own with its name only (AWSService).
	caller := deref(nonEmpty(deref(e.CallerARN), deref(e.CallerAccountID), deref(e.InvokedBy)))
	c := &creation{grantID: *e.GrantID, caller: caller, grantee: deref(e.GranteePrincipal), at: e.EventTime}
	l.byGrant[c.grantID] = c
	if slices.Contains(e.Operations, "CreateGrant") {
		l.delegations[e.KeyARN] = append(l.delegations[e.KeyARN], c)
	}
}

// CreatedBy is the caller of the grant's CreateGrant: its ARN, else its account id (a call from
// another account), else the AWS service that made it; nil when the event is not known.
func (l *Lineage) CreatedBy(grantID string) *string {
	if c, ok := l.byGrant[grantID]; ok && c.caller != "" {
		return &c.caller
	}
	return nil
}

// ParentOf is the grant through which the creator of grantID held CreateGrant on keyARN: the
// latest earlier grant on that key, allowing CreateGrant, whose grantee is the creator.
func (l *Lineage) ParentOf(keyARN, grantID string) *string {
	child, ok := l.byGrant[grantID]
	if !ok || child.caller == "" {
		return nil
	}
	var parent *creation
	for _, d := range l.delegations[keyARN] {
		if d.grantID != grantID && d.at.Before(child.at) && samePrincipal(d.grantee, child.caller) && (parent == nil || d.at.After(parent.at)) {
			parent = d
		}
	}
	if parent == nil {
		return nil
	}
	return &parent.grantID
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
