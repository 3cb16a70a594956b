package client

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// Where the columns below were in the last row (the same place in every table, usually).
var accountIDColumn, regionColumn columnHint

// The columns every table starts with, as in CloudQuery's AWS plugin.
var (
	AccountIDColumn = schema.Column{
		Name: "account_id",
		Type: arrow.BinaryTypes.String,
		Resolver: func(_ context.Context, meta schema.ClientMeta, r *schema.Resource, c schema.Column) error {
			return accountIDColumn.set(r, c.Name, meta.(*Client).AccountID)
		},
	}
	RegionColumn = schema.Column{
		Name: "region",
		Type: arrow.BinaryTypes.String,
		Resolver: func(_ context.Context, meta schema.ClientMeta, r *schema.Resource, c schema.Column) error {
			return regionColumn.set(r, c.Name, meta.(*Client).Region)
		},
	}
)
