package kms

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// PolicyStatement is one row of aws_kms_key_policy_statements.
type PolicyStatement struct {
	analysis.Statement
	analysis.StatementFacts
}

func KeyPolicyStatements() *schema.Table {
	return &schema.Table{
		Name:        "aws_kms_key_policy_statements",
		Description: "One row per statement of each key policy, parsed: principals, actions, resources and conditions as lists and JSON (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).",
		Resolver:    fetchKeyPolicyStatements,
		Transform: client.TransformWithStruct(&PolicyStatement{},
			transformers.WithUnwrapAllEmbeddedStructs(),

			transformers.WithPrimaryKeyComponents("Index"),
		),
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			keyARNColumn("key_arn"),
			{
				Name:                "policy_name",
				Type:                arrow.BinaryTypes.String,
				Resolver:            schema.ParentColumnResolver("name"),
				PrimaryKeyComponent: true,
			},
		},
	}
}

func fetchKeyPolicyStatements(_ context.Context, _ schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
	p := parent.Item.(*KeyPolicy)
	if p.parsed == nil {
		return nil
	}
	for i := range p.parsed.Statements {
		s := &p.parsed.Statements[i]
		res <- &PolicyStatement{Statement: *s, StatementFacts: analysis.AnalyzeStatement(s)}
	}
	return nil
}
