package client

import (
	"os"
	"strings"
	"testing"
)

const (
	policyBegin = "<!-- minimal-iam-policy:begin (generated from client.ReadOnlyActions; TestREADMEPolicyMatchesActions checks it) -->"
	policyEnd   = "<!-- minimal-iam-policy:end -->"
)

// TestREADMEPolicyMatchesActions fails when the README's minimal IAM policy differs from the
// actions the plugin calls. Run with UPDATE_README=1 to rewrite the block.
func TestREADMEPolicyMatchesActions(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start, end := strings.Index(readme, policyBegin), strings.Index(readme, policyEnd)
	if start < 0 || end < start {
		t.Fatalf("README.md lacks the policy markers %q ... %q", policyBegin, policyEnd)
	}
	want := policyBegin + "\n```json\n" + MinimalIAMPolicy() + "\n```\n" + policyEnd
	if got := readme[start : end+len(policyEnd)]; got != want {
		if os.Getenv("UPDATE_README") == "1" {
			if err := os.WriteFile("../README.md", []byte(readme[:start]+want+readme[end+len(policyEnd):]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's minimal IAM policy is out of date: run UPDATE_README=1 go test ./client -run TestREADMEPolicyMatchesActions\ngot:\n%s\nwant:\n%s", got, want)
	}
}
