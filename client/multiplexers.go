package client

import "github.com/cloudquery/plugin-sdk/v4/schema"

// AccountRegionMultiplex runs a table once per (account, region) pair.
func AccountRegionMultiplex(meta schema.ClientMeta) []schema.ClientMeta {
	c := meta.(*Client)
	out := make([]schema.ClientMeta, 0, len(c.pairs))
	for _, p := range c.pairs {
		out = append(out, c.WithPair(p))
	}
	return out
}
