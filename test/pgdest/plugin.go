// Package pgdest is a CloudQuery destination plugin named "pgtest" that writes to PostgreSQL.
// It exists for this repository's tests and offline demo only; see README.md.
package pgdest

import (
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/kmsaudit/cq-source-awskms/test/pgdest/client"
)

const (
	// Name is the plugin name; CloudQuery configurations refer to it as the destination's name.
	Name = "pgtest"
	// BinaryName is the executable the CLI starts for `registry: local`.
	BinaryName = "cq-destination-pgtest"
)

// Version is set at build time with -ldflags "-X github.com/kmsaudit/cq-source-awskms/test/pgdest.Version=...".
var Version = "development"

// Plugin returns the pgtest destination plugin.
func Plugin() *plugin.Plugin {
	return plugin.NewPlugin(Name, Version, client.New,
		plugin.WithKind(string(plugin.KindDestination)),
		plugin.WithTeam("kmsaudit"),
	)
}
