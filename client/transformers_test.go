package client

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/scalar"
	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// TestAbsentEnumIsNull: an enum the response left out is NULL, whatever its Go type; a present
// enum and a plain string (even "") keep their values. The expectations are read off the
// DescribeKey reference: ExpirationModel is "present only when the Origin is EXTERNAL", so a
// symmetric AWS_KMS key's metadata has none.
func TestAbsentEnumIsNull(t *testing.T) {
	type item struct {
		Plain   string
		Pointer *string
	}
	md := &kmstypes.KeyMetadata{KeyId: aws.String("k"), Origin: kmstypes.OriginTypeAwsKms, Description: aws.String("")}
	table := transformedTable(t, &kmstypes.KeyMetadata{})
	r := schema.NewResourceData(table, nil, md)
	for _, col := range table.Columns {
		if err := col.Resolver(context.Background(), nil, r, col); err != nil {
			t.Fatal(err)
		}
	}
	for col, wantNull := range map[string]bool{
		"expiration_model": true, "key_usage": true, "key_state": true, "key_spec": true,
		"origin": false, "key_id": false, "description": false,
	} {
		if got := !r.Get(col).IsValid(); got != wantNull {
			t.Errorf("%s: null=%v, want %v (value %v)", col, got, wantNull, r.Get(col))
		}
	}
	if got := r.Get("origin").String(); got != "AWS_KMS" {
		t.Errorf("origin = %q, want AWS_KMS", got)
	}
	if got := r.Get("description").String(); got != "" {
		t.Errorf("description = %q, want the empty string KMS returned", got)
	}

	plain := transformedTable(t, &item{})
	r = schema.NewResourceData(plain, nil, &item{})
	for _, col := range plain.Columns {
		if err := col.Resolver(context.Background(), nil, r, col); err != nil {
			t.Fatal(err)
		}
	}
	if !r.Get("plain").IsValid() || r.Get("pointer").IsValid() {
		t.Errorf("plain string \"\" must stay a value and a nil *string NULL: plain=%v pointer=%v", r.Get("plain"), r.Get("pointer"))
	}
}

// transformedTable is a table whose columns come from st through TransformWithStruct.
func transformedTable(t *testing.T, st any) *schema.Table {
	t.Helper()
	table := &schema.Table{Name: "t", Transform: TransformWithStruct(st)}
	if err := table.Transform(table); err != nil {
		t.Fatal(err)
	}
	return table
}

// TestPathResolverAsSDK: client.PathResolver gives the values the SDK's schema.PathResolver
// (funk.Get, zero values included) gives, written out by hand, on the paths it walks itself and
// those it leaves to funk.Get; and a resolver shared by tables whose columns sit in different
// places sets each table's own column.
func TestPathResolverAsSDK(t *testing.T) {
	type inner struct{ Name *string }
	type embedded struct{ Shadow string }
	type item struct {
		*embedded
		ID     *string
		Absent *string
		State  kmstypes.KeyState
		Count  int64
		Inner  *inner
		Tags   map[string]string
	}
	full := &item{ID: aws.String("id-1"), State: kmstypes.KeyStateEnabled, Count: 0, Inner: &inner{Name: aws.String("n")}, Tags: map[string]string{"k": "v"}, embedded: &embedded{Shadow: "s"}}
	empty := &item{}
	for _, tc := range []struct {
		path string
		item *item
		want any // nil: NULL
	}{
		{"ID", full, "id-1"},
		{"Absent", full, nil},
		{"State", full, "Enabled"},
		{"State", empty, ""}, // funk.Get keeps the zero value: the SDK's resolver is no NilAsNull
		{"Count", full, int64(0)},
		{"Inner.Name", full, "n"},
		{"Inner.Name", empty, nil}, // through a nil pointer: funk walks the zero struct
		{"Tags.k", full, "v"},      // a map on the way
		{"Shadow", full, "s"},      // through an embedded pointer
		{"Missing", full, nil},
	} {
		for name, resolver := range map[string]schema.ColumnResolver{"client": PathResolver(tc.path), "sdk": schema.PathResolver(tc.path)} {
			var col schema.Column
			switch tc.want.(type) {
			case int64:
				col = schema.Column{Name: "v", Type: arrow.PrimitiveTypes.Int64}
			default:
				col = schema.Column{Name: "v", Type: arrow.BinaryTypes.String}
			}
			table := &schema.Table{Name: "t", Columns: schema.ColumnList{{Name: "before", Type: arrow.BinaryTypes.String}, col}}
			r := schema.NewResourceData(table, nil, tc.item)
			if err := resolver(context.Background(), nil, r, col); err != nil {
				t.Fatal(err)
			}
			got := r.Get("v")
			switch {
			case tc.want == nil && got.IsValid():
				t.Errorf("%s %s: %v, want NULL", name, tc.path, got)
			case tc.want != nil && (!got.IsValid() || got.String() != fmt.Sprint(tc.want)):
				t.Errorf("%s %s: %v (valid %v), want %v", name, tc.path, got, got.IsValid(), tc.want)
			}
			if r.Get("before").IsValid() {
				t.Errorf("%s %s: set the column before", name, tc.path)
			}
		}
	}

	resolve := PathResolver("ID")
	col := schema.Column{Name: "id", Type: arrow.BinaryTypes.String}
	for _, columns := range []schema.ColumnList{{col}, {{Name: "a", Type: arrow.BinaryTypes.String}, col}, {col}} {
		r := schema.NewResourceData(&schema.Table{Name: "t", Columns: columns}, nil, full)
		if err := resolve(context.Background(), nil, r, col); err != nil {
			t.Fatal(err)
		}
		if got := r.Get("id"); got.String() != "id-1" {
			t.Errorf("columns %v: id = %v, want id-1", columns.Names(), got)
		}
		if len(columns) == 2 && r.Get("a").IsValid() {
			t.Errorf("columns %v: a = %v, want NULL", columns.Names(), r.Get("a"))
		}
	}
}

// shouting is a string type whose String() differs from its value: the scalar stores String().
type shouting string

func (s shouting) String() string { return strings.ToUpper(string(s)) }

type onOff bool

// TestNilAsNullPlainValues: strings and bools keep their values whatever their Go type (a
// named type's underlying value; a fmt.Stringer's String(), as the SDK's scalar has it), false
// is a value, not NULL.
func TestNilAsNullPlainValues(t *testing.T) {
	type item struct {
		State   kmstypes.KeyState
		Loud    shouting
		Enabled bool
		Named   onOff
		Ops     []kmstypes.GrantOperation
		Louds   []shouting
		None    []kmstypes.GrantOperation
	}
	table := transformedTable(t, &item{})
	r := schema.NewResourceData(table, nil, &item{State: kmstypes.KeyStateDisabled, Loud: "quiet", Enabled: false, Named: true,
		Ops: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationCreateGrant}, Louds: []shouting{"a"}, None: []kmstypes.GrantOperation{}})
	for _, col := range table.Columns {
		if err := col.Resolver(context.Background(), nil, r, col); err != nil {
			t.Fatal(err)
		}
	}
	for col, want := range map[string]string{"state": "Disabled", "loud": "QUIET", "enabled": "false", "named": "true"} {
		if got := r.Get(col); !got.IsValid() || got.String() != want {
			t.Errorf("%s = %v (valid %v), want %s", col, got, got.IsValid(), want)
		}
	}
	for col, want := range map[string][]string{"ops": {"Decrypt", "CreateGrant"}, "louds": {"A"}, "none": {}} {
		list, ok := r.Get(col).(*scalar.List)
		if !ok || !list.IsValid() || len(list.Value) != len(want) {
			t.Errorf("%s = %v, want the list %q", col, r.Get(col), want)
			continue
		}
		for i, w := range want {
			if got := list.Value[i].String(); got != w {
				t.Errorf("%s[%d] = %q, want %q", col, i, got, w)
			}
		}
	}
}
