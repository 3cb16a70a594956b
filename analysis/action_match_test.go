package analysis

import "testing"

func TestActionMatches(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"kms:CreateGrant", "kms:CreateGrant", true},
		{"KMS:creategrant", "kms:CreateGrant", true},
		{"kms:CreateGrants", "kms:CreateGrant", false},
		{"kms:*", "kms:CreateGrant", true},
		{"*", "kms:CreateGrant", true},
		{"kms:Create*", "kms:CreateGrant", true},
		{"kms:Create*", "kms:CreateAlias", true},
		{"kms:Create*", "kms:Decrypt", false},
		{"kms:*Grant", "kms:CreateGrant", true},
		{"kms:*Grant", "kms:CreateGrants", false},
		{"kms:*Grant*", "kms:ListGrants", true},
		{"kms:C?eateGrant", "kms:CreateGrant", true},
		{"kms:C?eateGrant", "kms:CeateGrant", false},
		{"kms:???", "kms:abc", true},
		{"kms:???", "kms:ab", false},
		{"kms:**", "kms:", true},
		{"kms:*e*e*", "kms:CreateGrant", true},
		{"kms:*e*e*e*", "kms:CreateGrant", false},
		{"s3:*", "kms:CreateGrant", false},
		{"", "kms:CreateGrant", false},
		{"", "", true},
		{"*", "", true},
		{"kms:ReEncrypt*", "kms:ReEncryptFrom", true},
		{"kms:GenerateDataKey*", "kms:GenerateDataKeyPairWithoutPlaintext", true},
		// A pattern that would make a naive backtracking matcher exponential.
		{"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tt := range tests {
		if got := ActionMatches(tt.pattern, tt.action); got != tt.want {
			t.Errorf("ActionMatches(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestStatementAllowsAction(t *testing.T) {
	tests := []struct {
		statement string
		want      bool
	}{
		{`"Action":"kms:CreateGrant"`, true},
		{`"Action":["kms:Decrypt","kms:Create*"]`, true},
		{`"Action":["kms:Decrypt"]`, false},
		{`"Action":[]`, false},
		{`"NotAction":"kms:Decrypt"`, true},
		{`"NotAction":["kms:Decrypt","kms:*Grant"]`, false},
		{`"NotAction":[]`, true},
	}
	for _, tt := range tests {
		p := mustParse(t, `{"Statement":{"Effect":"Allow",`+tt.statement+`}}`)
		if got := p.Statements[0].AllowsAction("kms:CreateGrant"); got != tt.want {
			t.Errorf("%s allows kms:CreateGrant = %v, want %v", tt.statement, got, tt.want)
		}
	}
}
