package pgdest_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/test/pgdest"
	"github.com/kmsaudit/cq-source-awskms/test/pgtest"
	"github.com/stretchr/testify/require"
)

// newInitializedPlugin returns the destination connected to dsn, closed when the test ends.
func newInitializedPlugin(t *testing.T, dsn string) *plugin.Plugin {
	t.Helper()
	p := pgdest.Plugin()
	spec, err := json.Marshal(map[string]any{"connection_string": dsn})
	require.NoError(t, err)
	require.NoError(t, p.Init(context.Background(), spec, plugin.NewClientOptions{}))
	t.Cleanup(func() { require.NoError(t, p.Close(context.Background())) })
	return p
}

func TestSDKWriterSuite(t *testing.T) {
	p := newInitializedPlugin(t, pgtest.Start(t))
	plugin.TestWriterSuiteRunner(t, p,
		plugin.WriterTestSuiteTests{
			SafeMigrations: plugin.SafeMigrations{
				AddColumn:              true,
				RemoveColumn:           true,
				RemoveColumnNotNull:    true,
				RemoveUniqueConstraint: true,
				// Unsafe: existing rows have no value for the column.
				AddColumnNotNull: false,
				// Unsafe: the stored values may not convert.
				ChangeColumn: false,
				// Unsafe: the primary key changes.
				MovePKToCQOnly: false,
			},
		},
		plugin.WithTestDataOptions(schema.TestSourceOptions{}),
	)
}
