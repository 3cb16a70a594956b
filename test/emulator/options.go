package emulator

import "time"

// Option adjusts a Server's behaviour on top of the World's Config.Server.
type Option func(*ServerConfig)

// WithServerConfig replaces the whole serving behaviour.
func WithServerConfig(cfg ServerConfig) Option {
	return func(c *ServerConfig) { *c = cfg }
}

// WithLatency delays every call by fixed plus a uniform jitter in [0, jitter).
func WithLatency(fixed, jitter time.Duration) Option {
	return func(c *ServerConfig) {
		c.Latency.Fixed, c.Latency.Jitter = Duration(fixed), Duration(jitter)
	}
}

// WithSlowCalls delays the rate fraction of calls by delay; choose a delay
// longer than the client's timeout to exercise it.
func WithSlowCalls(rate float64, delay time.Duration) Option {
	return func(c *ServerConfig) {
		c.Latency.SlowRate, c.Latency.SlowDelay = rate, Duration(delay)
	}
}

// WithQuotas enables AWS's request quotas scaled by scale (0.1 = ten times lower).
func WithQuotas(scale float64) Option {
	return func(c *ServerConfig) {
		c.Quotas.Enabled, c.Quotas.Scale = true, scale
	}
}

// WithQuota sets one operation's quota ("kms:ListGrants", requests per
// second, before scaling) and enables quotas.
func WithQuota(operation string, perSecond float64) Option {
	return func(c *ServerConfig) {
		c.Quotas.Enabled = true
		if c.Quotas.PerSecond == nil {
			c.Quotas.PerSecond = map[string]float64{}
		}
		c.Quotas.PerSecond[operation] = perSecond
	}
}

// WithInternalErrors answers the rate fraction of calls with a 500 error.
func WithInternalErrors(rate float64) Option {
	return func(c *ServerConfig) { c.Faults.InternalErrorRate = rate }
}

// WithFailingOperations answers every call of the operations ("cloudtrail:LookupEvents") with
// the service's 500 error.
func WithFailingOperations(operations ...string) Option {
	return func(c *ServerConfig) { c.Faults.FailingOperations = operations }
}

// WithDeniedKeyOperations refuses the KMS operations (e.g. "ListGrants") on
// every everyNth key of each region with AccessDeniedException.
func WithDeniedKeyOperations(everyNth int, operations ...string) Option {
	return func(c *ServerConfig) {
		c.Faults.DeniedKeyEveryNth, c.Faults.DeniedKeyOperations = everyNth, operations
	}
}

// WithInvalidStateKeyOperations answers the KMS operations on every everyNth
// key of each region with KMSInvalidStateException, as KMS does when a key's
// state (here: Updating, since DescribeKey) does not allow the operation.
func WithInvalidStateKeyOperations(everyNth int, operations ...string) Option {
	return func(c *ServerConfig) {
		c.Faults.InvalidStateKeyEveryNth, c.Faults.InvalidStateKeyOperations = everyNth, operations
	}
}

// WithAssumeRoleDenied refuses every AssumeRole into the accounts.
func WithAssumeRoleDenied(accounts ...string) Option {
	return func(c *ServerConfig) { c.Faults.AssumeRoleDeniedAccounts = accounts }
}

// WithIAMDenied answers every IAM call made in the accounts with AccessDenied.
func WithIAMDenied(accounts ...string) Option {
	return func(c *ServerConfig) { c.Faults.IAMDeniedAccounts = accounts }
}

// WithOrganizationsDenied makes every Organizations call AccessDeniedException.
func WithOrganizationsDenied() Option {
	return func(c *ServerConfig) { c.Faults.OrganizationsDenied = true }
}

// WithVanishingKeys makes every everyNth key of each region NotFound for
// everything but ListKeys, as if deleted right after being listed.
func WithVanishingKeys(everyNth int) Option {
	return func(c *ServerConfig) { c.Faults.VanishingKeyEveryNth = everyNth }
}

// WithGrantRevokedBetweenPages revokes, once per key, the first grant of the
// next ListGrants page right after a truncated page.
func WithGrantRevokedBetweenPages() Option {
	return func(c *ServerConfig) { c.Faults.RevokeGrantBetweenPages = true }
}

// WithDeniedOperations refuses the operations ("account:ListRegions", "ec2:DescribeRegions") to
// every caller with the service's access-denied error.
func WithDeniedOperations(operations ...string) Option {
	return func(c *ServerConfig) { c.Faults.DeniedOperations = operations }
}

// WithDeniedOperationsIn refuses the operations to callers of account alone, as an SCP would.
func WithDeniedOperationsIn(account string, operations ...string) Option {
	return func(c *ServerConfig) {
		if c.Faults.DeniedOperationsByAccount == nil {
			c.Faults.DeniedOperationsByAccount = map[string][]string{}
		}
		c.Faults.DeniedOperationsByAccount[account] = append(c.Faults.DeniedOperationsByAccount[account], operations...)
	}
}
