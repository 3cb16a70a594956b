package plugin

import (
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/resources/services/cloudhsmv2"
	"github.com/kmsaudit/cq-source-awskms/resources/services/iam"
	"github.com/kmsaudit/cq-source-awskms/resources/services/kms"
	"github.com/kmsaudit/cq-source-awskms/resources/services/organizations"
	"github.com/kmsaudit/cq-source-awskms/resources/services/ram"
)

// Tables returns every table the plugin syncs, transformed and with CloudQuery's _cq columns.
func Tables() schema.Tables {
	tables := schema.Tables{
		kms.Keys(),
		kms.Aliases(),
		kms.GrantEvents(),
		kms.KeysSharedWithUs(),
		ram.KeyShares(),
		cloudhsmv2.Clusters(),
		cloudhsmv2.Backups(),
		iam.KMSPrincipals(),
		organizations.AccountPolicies(),
	}
	if err := transformers.TransformTables(tables); err != nil {
		panic(err)
	}
	transformers.SetParents(tables, nil)
	for _, t := range tables {
		schema.AddCqIDs(t)
	}
	return tables
}
