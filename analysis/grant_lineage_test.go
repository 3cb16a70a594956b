package analysis

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func createGrantEvent(grantID, caller, grantee string, at int, ops ...string) GrantEvent {
	e := GrantEvent{EventName: "CreateGrant", KeyARN: "arn:aws:kms:us-east-1:111111111111:key/k", EventTime: time.Unix(int64(at), 0), Operations: ops}
	if grantID != "" {
		e.GrantID = &grantID
	}
	e.CallerARN, e.GranteePrincipal = &caller, &grantee
	return e
}

// The seed's nested granting: an admin grants hugh-grant DescribeKey+CreateGrant, hugh-grant
// then hands grants on; a denied attempt leaves no grant.
func TestLineageFollowsNestedGrants(t *testing.T) {
	const (
		admin  = "arn:aws:sts::111111111111:assumed-role/KeyAdminRole/alice"
		hugh   = "arn:aws:iam::111111111111:user/hugh-grant"
		sample = "arn:aws:iam::111111111111:user/sample-user"
		key    = "arn:aws:kms:us-east-1:111111111111:key/k"
	)
	l := NewLineage()
	l.Add(createGrantEvent("g-hugh", admin, hugh, 10, "DescribeKey", "CreateGrant"))
	l.Add(createGrantEvent("g-same", hugh, sample, 20, "DescribeKey", "CreateGrant"))
	l.Add(createGrantEvent("g-fewer", hugh, sample, 30, "DescribeKey"))
	denied := createGrantEvent("g-denied", hugh, sample, 40, "DescribeKey", "Decrypt", "CreateGrant")
	code := "AccessDenied"
	denied.ErrorCode = &code
	l.Add(denied)
	l.Add(createGrantEvent("g-by-sample", sample, "arn:aws:iam::111111111111:role/app", 50, "Decrypt"))

	cases := []struct{ grant, createdBy, parent string }{
		{"g-hugh", admin, ""},
		{"g-same", hugh, "g-hugh"},
		{"g-fewer", hugh, "g-hugh"},
		{"g-by-sample", sample, "g-same"},
		{"g-denied", "", ""},
		{"unknown", "", ""},
	}
	for _, tc := range cases {
		if got := deref(l.CreatedBy(tc.grant)); got != tc.createdBy {
			t.Errorf("CreatedBy(%s) = %q, want %q", tc.grant, got, tc.createdBy)
		}
		if got := deref(l.ParentOf(key, tc.grant)); got != tc.parent {
			t.Errorf("ParentOf(%s) = %q, want %q", tc.grant, got, tc.parent)
		}
	}
	if got := l.ParentOf("arn:aws:kms:us-east-1:111111111111:key/other", "g-same"); got != nil {
		t.Errorf("a grant on another key was taken as parent: %s", *got)
	}
}

// A role's grant is the parent of grants its sessions create; a later grant cannot be a parent.
func TestLineageMatchesRoleSessionsAndTime(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111111111111:key/k"
	l := NewLineage()
	l.Add(createGrantEvent("g-role", "arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:role/path/Deployer", 10, "CreateGrant", "Encrypt"))
	l.Add(createGrantEvent("g-child", "arn:aws:sts::111111111111:assumed-role/Deployer/ci-42", "arn:aws:iam::222222222222:root", 20, "Encrypt"))
	l.Add(createGrantEvent("g-late", "arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:role/Deployer", 30, "CreateGrant"))
	if got := deref(l.ParentOf(key, "g-child")); got != "g-role" {
		t.Errorf("parent of a session's grant = %q, want g-role", got)
	}
}

// KMS grant ids are 64 hex digits, kept as their 32 bytes: they must come back exactly, and ids
// of any other shape must still be found.
func TestLineageKeepsGrantIDsExactly(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111111111111:key/k"
	const admin = "arn:aws:iam::111111111111:role/Admin"
	const app = "arn:aws:iam::111111111111:role/App"
	parent := strings.Repeat("0a", 32)
	child := strings.Repeat("f1", 32)
	upper := strings.Repeat("AB", 32)
	l := NewLineage()
	l.Add(createGrantEvent(parent, admin, app, 10, "CreateGrant"))
	l.Add(createGrantEvent(child, "arn:aws:sts::111111111111:assumed-role/App/s", "arn:aws:iam::222222222222:root", 20, "Decrypt"))
	l.Add(createGrantEvent(upper, admin, app, 30, "Decrypt"))
	if got := deref(l.ParentOf(key, child)); got != parent {
		t.Errorf("ParentOf(child) = %q, want %q", got, parent)
	}
	if got := deref(l.CreatedBy(upper)); got != admin {
		t.Errorf("CreatedBy(upper-case id) = %q, want %q", got, admin)
	}
	if got := l.CreatedBy(strings.ToLower(upper)); got != nil {
		t.Errorf("the lower-case twin of an upper-case id was found: %q", *got)
	}
}

// Events fill several chunks, in no order of grant id; each is found, and a grant id seen twice
// keeps the creation added last, as CloudTrail lists the newest first.
func TestLineageIndexesManyEvents(t *testing.T) {
	const n = 3 * lineageChunk
	id := func(i int) string { return fmt.Sprintf("%064x", (i*7919)%n) }
	user := func(i int) string { return fmt.Sprintf("arn:aws:iam::111111111111:user/u%d", i%5) }
	l := NewLineage()
	for i := range n {
		l.Add(createGrantEvent(id(i), user(i), "arn:aws:iam::111111111111:role/App", i))
	}
	l.Add(createGrantEvent(id(0), "arn:aws:iam::111111111111:user/oldest", "arn:aws:iam::111111111111:role/App", -1))
	for _, i := range []int{1, 2, lineageChunk, n - 1} {
		if got := deref(l.CreatedBy(id(i))); got != user(i) {
			t.Errorf("CreatedBy(event %d) = %q, want %q", i, got, user(i))
		}
	}
	if got := deref(l.CreatedBy(id(0))); got != "arn:aws:iam::111111111111:user/oldest" {
		t.Errorf("CreatedBy(a grant id seen twice) = %q, want the creation added last", got)
	}
}
