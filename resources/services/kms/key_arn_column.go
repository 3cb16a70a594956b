package kms

import (
	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// keyARNColumn is the key_arn column of the key's child tables, taken from the parent row's
// parentColumn; it is part of each child row's identity.
func keyARNColumn(parentColumn string) schema.Column {
	return schema.Column{
		Name:                "key_arn",
		Type:                arrow.BinaryTypes.String,
		Resolver:            schema.ParentColumnResolver(parentColumn),
		PrimaryKeyComponent: true,
	}
}
