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

// accountSession is one account the sync can call into.
type accountSession struct {
	ID        string
	Name      string
	Partition string
	cfg       aws.Config
	regions   []string // regions asked for this account: a list, or ["*"]
}

// candidate is an account to try, before its credentials are proven to work.
type candidate struct {
	name    string
	cfg     aws.Config
	regions []string
	// wantID is the account the credentials should belong to, when known in advance.
	wantID string
}

// discoverAccounts returns every account whose credentials work, sorted by account id. An
// account that cannot be reached is logged and skipped; only when none is left is it an error.
func discoverAccounts(ctx context.Context, logger zerolog.Logger, f *configFactory) ([]*accountSession, *OrgInfo, error) {
	var (
		candidates []candidate
		org        *OrgInfo
		err        error
	)
	switch spec := f.spec; {
	case spec.Org != nil:
		candidates, org, err = orgCandidates(ctx, logger, f)
		if err != nil {
			return nil, nil, err
		}
	case len(spec.Accounts) > 0:
		for _, a := range spec.Accounts {
			cfg, err := f.base(ctx, a.LocalProfile)
			if err != nil {
				logger.Error().Err(err).Str("account", a.ID).Msg("skipping account: cannot load its credentials")
				continue
			}
			if a.RoleARN != "" {
				cfg = f.assumeRole(cfg, a.RoleARN, a.RoleSessionName, a.ExternalID)
			}
			regions := a.Regions
			if len(regions) == 0 {
				regions = spec.Regions
			}
			candidates = append(candidates, candidate{name: a.ID, cfg: cfg, regions: regions})
		}
	default:
		cfg, err := f.base(ctx, "")
		if err != nil {
			return nil, nil, err
		}
		candidates = []candidate{{name: "default", cfg: cfg, regions: f.spec.Regions}}
	}

	sessions := verifyCandidates(ctx, logger, f, candidates)
	if len(sessions) == 0 {
		return nil, nil, fmt.Errorf("no AWS account could be reached (%d tried); check the credentials, role_arn and member_role_name in the spec, and the errors logged above", len(candidates))
	}
	return sessions, org, nil
}

// verifyCandidates proves each candidate's credentials with GetCallerIdentity, in parallel.
func verifyCandidates(ctx context.Context, logger zerolog.Logger, f *configFactory, candidates []candidate) []*accountSession {
	var (
		mu       sync.Mutex
		sessions []*accountSession
		seen     = map[string]bool{}
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(20)
	for _, c := range candidates {
		g.Go(func() error {
			id, err := callerIdentity(gctx, c.cfg)
			if err != nil {
				logger.Error().Err(err).Str("account", c.name).Str("account_id", c.wantID).Msg("skipping account: its credentials do not work (AssumeRole or GetCallerIdentity failed)")
				return nil
			}
			if c.wantID != "" && id.AccountID != c.wantID {
				logger.Error().Str("account", c.name).Str("account_id", c.wantID).Str("got_account", id.AccountID).Msg("skipping account: the role belongs to another account")
				return nil
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[id.AccountID] {
				logger.Warn().Str("account", c.name).Str("account_id", id.AccountID).Msg("skipping account: listed twice")
				return nil
			}
			seen[id.AccountID] = true
			sessions = append(sessions, &accountSession{
				ID: id.AccountID, Name: c.name, Partition: id.Partition,
				cfg: f.forAccount(c.cfg, id.AccountID), regions: c.regions,
			})
			return nil
		})
	}
	_ = g.Wait()
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].ID < sessions[j].ID })
	return sessions
}
