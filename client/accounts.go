package client

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"
)

// discoveryConcurrency bounds the accounts being connected at once (AssumeRole, GetCallerIdentity,
// region discovery): wide enough that hundreds of accounts start in seconds, while every call
// is still paced per account by the rate limiter, and a slow or denied account holds one slot.
const discoveryConcurrency = 32

// accountSession is one account the sync can call into.
type accountSession struct {
	ID        string
	Name      string
	Partition string
	// region is where the account's global calls go (STS, Account, EC2 DescribeRegions).
	region  string
	cfg     aws.Config // its credentials, paced and counted under the account
	regions []string   // regions asked for this account: a list, or ["*"]
}

// candidate is an account to try, before its credentials are proven to work.
type candidate struct {
	name    string
	regions []string
	// region is the account's discovery region; its partition is the account's.
	region string
	// wantID is the account the credentials should belong to, when known in advance.
	wantID string
	label  *accountLabel
	// credentials returns the account's configuration, its AssumeRole (if any) made through the
	// STS endpoint of stsRegion.
	credentials func(stsRegion string) aws.Config
}

// accountCandidates lists the accounts to try: the organization's, the listed ones, or the
// default credential chain's.
func accountCandidates(ctx context.Context, logger zerolog.Logger, f *configFactory) ([]candidate, *OrgInfo, error) {
	spec := f.spec
	switch {
	case spec.Org != nil:
		return orgCandidates(ctx, logger, f)
	case len(spec.Accounts) > 0:
		var out []candidate
		for _, a := range spec.Accounts {
			regions := a.Regions
			if len(regions) == 0 {
				regions = spec.Regions
			}
			region := f.accountRegion(a.DefaultRegion, regions)
			cfg, err := f.base(ctx, a.LocalProfile, region)
			if err != nil {
				logger.Error().Err(err).Str("account", a.name()).Msg("skipping account: cannot load its credentials")
				continue
			}
			label := newAccountLabel(a.name())
			credentials := func(string) aws.Config { return cfg }
			if a.RoleARN != "" {
				credentials = func(stsRegion string) aws.Config {
					return f.assumeRole(cfg, label, stsRegion, a.RoleARN, a.RoleSessionName, a.ExternalID)
				}
			}
			out = append(out, candidate{name: a.name(), regions: regions, region: region, label: label, credentials: credentials})
		}
		return out, nil, nil
	default:
		cfg, err := f.base(ctx, "", f.region)
		if err != nil {
			return nil, nil, err
		}
		return []candidate{{
			name: "default", regions: spec.Regions, region: f.region, label: newAccountLabel("default"),
			credentials: func(string) aws.Config { return cfg },
		}}, nil, nil
	}
}

// name is how logs call the account: its account_name, else its id.
func (a Account) name() string {
	if a.AccountName != "" {
		return a.AccountName
	}
	return a.ID
}

// accountSet collects the connected accounts, each once.
type accountSet struct {
	mu       sync.Mutex
	sessions []*accountSession
	seen     map[string]bool
}

// add keeps s unless its account is already there.
func (set *accountSet) add(s *accountSession) bool {
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.seen[s.ID] {
		return false
	}
	set.seen[s.ID] = true
	set.sessions = append(set.sessions, s)
	return true
}

// connectAll proves each candidate's credentials and discovers its regions, in parallel; each
// account's regions go to found as soon as they are known. An account that cannot be reached
// is logged and skipped.
func connectAll(ctx context.Context, logger zerolog.Logger, f *configFactory, candidates []candidate, found func(*accountSession, []string)) []*accountSession {
	set := &accountSet{seen: map[string]bool{}}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(discoveryConcurrency)
	for _, c := range candidates {
		g.Go(func() error {
			s, err := f.connect(gctx, c)
			log := logger.With().Str("account", c.name).Str("account_id", c.wantID).Logger()
			switch {
			case err != nil:
				log.Error().Err(err).Msg("skipping account: its credentials do not work (AssumeRole or GetCallerIdentity failed)")
				return nil
			case c.wantID != "" && s.ID != c.wantID:
				log.Error().Str("got_account", s.ID).Msg("skipping account: the role belongs to another account")
				return nil
			case !set.add(s):
				log.Warn().Str("account_id", s.ID).Msg("skipping account: listed twice")
				return nil
			}
			found(s, regionsOf(gctx, logger, s))
			return nil
		})
	}
	_ = g.Wait()
	sort.Slice(set.sessions, func(i, j int) bool { return set.sessions[i].ID < set.sessions[j].ID })
	return set.sessions
}

// connect proves a candidate's credentials with GetCallerIdentity, calling STS in the account's
// region, or in its partition's global region when STS refuses that region.
func (f *configFactory) connect(ctx context.Context, c candidate) (*accountSession, error) {
	cfg := c.credentials(c.region)
	idCfg := f.paced(cfg, c.label)
	idCfg.Region = c.region
	id, err := callerIdentity(ctx, idCfg)
	if global := globalRegionOf(partitionOf(c.region)); err != nil && stsRegionRefused(err) && global != "" && global != c.region {
		cfg = c.credentials(global)
		idCfg = f.paced(cfg, c.label)
		idCfg.Region = global
		if id, err = callerIdentity(ctx, idCfg); err != nil {
			return nil, fmt.Errorf("STS refused region %s, and in %s: %w", c.region, global, err)
		}
	}
	if err != nil {
		return nil, err
	}
	c.label.set(id.AccountID)
	s := &accountSession{ID: id.AccountID, Name: c.name, Partition: id.Partition, region: c.region, regions: c.regions}
	s.cfg = f.paced(cfg, c.label)
	s.cfg.Region = c.region
	return s, nil
}
