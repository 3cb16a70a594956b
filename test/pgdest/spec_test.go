package pgdest_test

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/kmsaudit/cq-source-awskms/test/pgdest"
	"github.com/stretchr/testify/require"
)

func initError(t *testing.T, spec string) error {
	t.Helper()
	p := pgdest.Plugin()
	err := p.Init(context.Background(), []byte(spec), plugin.NewClientOptions{})
	if err == nil {
		_ = p.Close(context.Background())
	}
	return err
}

func TestSpecNeedsConnectionString(t *testing.T) {
	err := initError(t, `{}`)
	require.ErrorContains(t, err, "connection_string is required")
}

func TestSpecRejectsUnknownFields(t *testing.T) {
	err := initError(t, `{"connection_strng": "postgres://127.0.0.1/db"}`)
	require.ErrorContains(t, err, "connection_strng")
}

func TestSpecErrorsDoNotRevealThePassword(t *testing.T) {
	err := initError(t, `{"connection_string": "postgres://user:s3cr3t-pw@[::1/db"}`)
	require.ErrorContains(t, err, "connection_string is not a valid PostgreSQL connection string")
	require.NotContains(t, err.Error(), "s3cr3t-pw")

	// A server that is not there: the connection error names the host, never the password.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	err = initError(t, fmt.Sprintf(`{"connection_string": "postgres://user:s3cr3t-pw@127.0.0.1:%d/db?connect_timeout=5"}`, port))
	require.ErrorContains(t, err, "connect to PostgreSQL")
	require.NotContains(t, err.Error(), "s3cr3t-pw")
}
