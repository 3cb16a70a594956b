package plugin

import (
	"sort"

	"github.com/kmsaudit/cq-source-awskms/client"
	"github.com/rs/zerolog"
)

// logSummary reports, once per sync, the calls made per operation and every kind of failure per
// table, account and region.
func logSummary(logger zerolog.Logger, c *client.Client) {
	ops := c.Calls.ByOperation()
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		n := ops[name]
		logger.Debug().Str("operation", name).Uint64("attempts", n.Attempts).Uint64("throttled", n.Throttled).Uint64("failed", n.Failed).Msg("AWS calls")
	}
	for _, f := range c.Failures().Summary() {
		logger.Warn().Str("table", f.Table).Str("account_id", f.Account).Str("region", f.Region).
			Str("operation", f.Operation).Str("error_code", f.Code).Int("count", f.Count).Str("example", f.Example).
			Msg("failures during sync")
	}
}
