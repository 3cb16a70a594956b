package ram

import (
	"reflect"
	"testing"
)

// The documents are written by hand in the forms RAM's GetPermission describes ("The
// permission's effect and actions in JSON format").
func TestPermissionActions(t *testing.T) {
	cases := map[string][]string{
		`{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"]}`: {"kms:Decrypt", "kms:Encrypt"},
		`{"Effect":"Allow","Action":"kms:Decrypt"}`:                 {"kms:Decrypt"},
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:DescribeKey"]},{"Effect":"Deny","Action":"kms:Encrypt"}]}`: {"kms:Decrypt", "kms:DescribeKey"},
		`{"Statement":{"Effect":"Allow","Action":"kms:Sign"}}`: {"kms:Sign"},
		`{"Effect":"Deny","Action":"kms:Decrypt"}`:             {},
	}
	for doc, want := range cases {
		got, err := PermissionActions(doc)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, %v; want %v", doc, got, err, want)
		}
	}
	if _, err := PermissionActions(`{"Effect":"Allow","Action":7}`); err == nil {
		t.Error("a number as Action was accepted")
	}
}

// The principal forms of CreateResourceShare's principals parameter (RAM API reference).
func TestPrincipalType(t *testing.T) {
	for id, want := range map[string]string{
		"123456789012": "account",
		"arn:aws:organizations::123456789012:organization/o-exampleorgid":                    "organization",
		"arn:aws:organizations::123456789012:ou/o-exampleorgid/ou-examplerootid-exampleouid": "organizational_unit",
		"arn:aws:iam::123456789012:role/rolename":                                            "iam_role",
		"arn:aws:iam::123456789012:user/username":                                            "iam_user",
		"service-id.amazonaws.com":                                                           "service_principal",
		"12345":                                                                              "unknown",
	} {
		if got := PrincipalType(id); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
}
