package client

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
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
