package client

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/cloudquery/plugin-sdk/v4/state"
	"github.com/rs/zerolog"
)

// Pair is one (account, region) the sync runs in.
type Pair struct {
	AccountID string
	Region    string
}

// Client is the plugin's view of AWS. The root client holds every pair; the scheduler works with
// copies scoped to one pair (see WithPair), whose ID names that pair in logs and metrics.
type Client struct {
	logger zerolog.Logger
	Spec   *Spec

	AccountID   string
	AccountName string
	Region      string
	Partition   string

	// Org is known when the accounts came from Organizations; nil otherwise.
	Org      *OrgInfo
	Calls    *CallStats
	failures *Failures
	// State keeps incremental tables' cursors between syncs (CloudQuery's backend_options); a
	// no-op client when the sync has no backend.
	State state.Client

	pairs    []Pair
	accounts map[string]*accountSession
	services *servicePool
	gate     *pairGate
	// grantLists remembers the keys with long grant lists between syncs (long_grant_lists.go).
	grantLists *grantLists
	// pairLoggers keeps one logger per pair: every table's multiplexer scopes a client to every
	// pair, and a logger made for each (27,000 for 1,800 pairs) was most of the live heap.
	pairLoggers *sync.Map // Pair -> zerolog.Logger
}

// New discovers the accounts and their regions, in parallel and paced, and lists the pairs to
// sync; each pair's service clients are built when a table first asks for them. Accounts and
// regions that cannot be reached are logged and skipped.
func New(ctx context.Context, logger zerolog.Logger, spec *Spec, pacer Pacer) (*Client, error) {
	if pacer == nil {
		pacer = unpaced{}
	}
	c := &Client{
		logger:   logger,
		Spec:     spec,
		Calls:    &CallStats{},
		failures: newFailures(),
		State:    &state.NoOpClient{},
		accounts: map[string]*accountSession{},
		services: newServicePool(),
		gate:     newPairGate(PairsInFlight),

		grantLists: newGrantLists(),

		pairLoggers: &sync.Map{},
	}
	f := newConfigFactory(spec, pacer, c.Calls)
	candidates, org, err := accountCandidates(ctx, logger, f)
	if err != nil {
		return nil, err
	}
	c.Org = org
	var mu sync.Mutex
	sessions := connectAll(ctx, logger, f, candidates, func(s *accountSession, regions []string) {
		mu.Lock()
		defer mu.Unlock()
		c.accounts[s.ID] = s
		for _, r := range regions {
			c.pairs = append(c.pairs, Pair{AccountID: s.ID, Region: r})
		}
	})
	if len(sessions) == 0 {
		return nil, fmt.Errorf("no AWS account could be reached (%d tried); check the credentials, role_arn and member_role_name in the spec, and the errors logged above", len(candidates))
	}
	sort.Slice(c.pairs, func(i, j int) bool {
		if c.pairs[i].AccountID != c.pairs[j].AccountID {
			return c.pairs[i].AccountID < c.pairs[j].AccountID
		}
		return c.pairs[i].Region < c.pairs[j].Region
	})
	if spec.Shard != nil {
		c.pairs = shardPairs(c.pairs, *spec.Shard)
	}
	logger.Info().Int("accounts", len(sessions)).Int("account_regions", len(c.pairs)).Msg("discovery finished")
	return c, nil
}

// shardPairs keeps every total-th pair starting at index, so that N processes with the same
// discovery cover every pair exactly once.
func shardPairs(pairs []Pair, s Shard) []Pair {
	var out []Pair
	for i, p := range pairs {
		if i%s.Total == s.Index {
			out = append(out, p)
		}
	}
	return out
}

// ID names the client's pair; the scheduler keys its metrics and logs by it.
func (c *Client) ID() string {
	if c.AccountID == "" {
		return "awskms"
	}
	return Pair{AccountID: c.AccountID, Region: c.Region}.String()
}

// Logger is the client's logger, carrying the account and region of a scoped client.
func (c *Client) Logger() *zerolog.Logger { return &c.logger }

// Failures are the per-resource failures recorded so far.
func (c *Client) Failures() *Failures { return c.failures }

// Pairs lists the (account, region) pairs this process syncs.
func (c *Client) Pairs() []Pair { return c.pairs }

// Services returns the AWS clients of the client's pair, built on first use.
func (c *Client) Services() *Services {
	s, ok := c.accounts[c.AccountID]
	if !ok || c.Region == "" {
		panic(fmt.Sprintf("no AWS clients for %s: use a client scoped by a multiplexer", c.ID()))
	}
	return c.services.get(Pair{AccountID: c.AccountID, Region: c.Region}, s.cfg)
}

// WithPair returns a copy of the client scoped to one pair.
func (c *Client) WithPair(p Pair) *Client {
	scoped := *c
	s := c.accounts[p.AccountID]
	scoped.AccountID, scoped.AccountName, scoped.Partition, scoped.Region = p.AccountID, s.Name, s.Partition, p.Region
	scoped.logger = c.pairLogger(p)
	return &scoped
}

// pairLogger is the root logger with the pair's account and region.
func (c *Client) pairLogger(p Pair) zerolog.Logger {
	if c.pairLoggers == nil {
		return c.logger.With().Str("account_id", p.AccountID).Str("region", p.Region).Logger()
	}
	if l, ok := c.pairLoggers.Load(p); ok {
		return l.(zerolog.Logger)
	}
	l, _ := c.pairLoggers.LoadOrStore(p, c.logger.With().Str("account_id", p.AccountID).Str("region", p.Region).Logger())
	return l.(zerolog.Logger)
}
