package client

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// IAM returns an IAM client for the scoped client's account. IAM is global: the client signs for
// the account's global-call region, which the SDK resolves to the partition's IAM endpoint. Every
// call goes through the account's configuration (its retryer and pacing), like the regional
// clients.
func (c *Client) IAM() *iam.Client {
	return iam.NewFromConfig(c.globalConfig())
}

// Organizations returns an Organizations client with the scoped client's account credentials.
func (c *Client) Organizations() *organizations.Client {
	return organizations.NewFromConfig(c.globalConfig())
}

// globalConfig is the account's configuration signed for the region its global calls go to (as
// STS's), or the pair's region when the account has none.
func (c *Client) globalConfig() aws.Config {
	s := c.accounts[c.AccountID]
	cfg := s.cfg.Copy()
	cfg.Region = s.region
	if cfg.Region == "" {
		cfg.Region = c.Region
	}
	return cfg
}

// AccountMultiplex runs a table once per account, in the first of the account's pairs (pairs are
// sorted by account then region): for account-level reads such as IAM, which are the same in
// every region. With sharding, an account whose regions fall in several shards is read by each.
func AccountMultiplex(meta schema.ClientMeta) []schema.ClientMeta {
	c := meta.(*Client)
	var out []schema.ClientMeta
	seen := map[string]bool{}
	for _, p := range c.pairs {
		if !seen[p.AccountID] {
			seen[p.AccountID] = true
			out = append(out, c.WithPair(p))
		}
	}
	return out
}
