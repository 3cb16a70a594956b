package analysis

import (
	"reflect"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/transformers"
)

// The fact structs are the column contract with the plugin's tables: the
// table author builds columns from them with CloudQuery's struct
// transformer, and docs/queries uses these names. Renaming a field must be a
// deliberate change to both, so the names are pinned here.
func TestFactColumnNames(t *testing.T) {
	tests := []struct {
		value any
		want  []string
	}{
		{GrantFacts{}, []string{
			"grantee_type", "retiring_principal_type", "grantee_account_id", "is_cross_account", "is_cross_organization",
			"allows_create_grant", "allows_retire_grant", "allows_decrypt", "allows_encrypt", "allows_generate_data_key",
			"allows_re_encrypt", "allows_sign", "allows_verify", "allows_mac", "allows_describe_key",
			"allows_derive_shared_secret", "allows_get_public_key", "allows_encapsulate", "allows_decapsulate",
			"is_delegating", "constraint_type", "encryption_context_equals", "encryption_context_subset", "source_arn_constraint",
		}},
		{PolicyFacts{}, []string{
			"allows_iam_policies", "create_grant_principals", "create_grant_requires_aws_resource",
			"allows_put_key_policy_principals", "has_wildcard_principal", "has_unconditioned_wildcard_principal",
		}},
		{Statement{}, []string{
			"statement_index", "sid", "effect", "principals", "principal_list", "not_principals",
			"actions", "not_actions", "resources", "not_resources", "conditions",
		}},
		{StatementFacts{}, []string{"allows_create_grant", "create_grant_requires_aws_resource"}},
	}
	for _, tt := range tests {
		typ := reflect.TypeOf(tt.value)
		var got []string
		for i := 0; i < typ.NumField(); i++ {
			field := typ.Field(i)
			if !field.IsExported() {
				continue
			}
			name, err := transformers.DefaultNameTransformer(field)
			if err != nil {
				t.Fatalf("%s.%s: %v", typ.Name(), field.Name, err)
			}
			if name != "" {
				got = append(got, name)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s columns =\n%q\nwant\n%q", typ.Name(), got, tt.want)
		}
	}
}
