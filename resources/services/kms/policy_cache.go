package kms

import (
	"sync"

	"github.com/kmsaudit/cq-source-awskms/analysis"
)

// The keys of an account mostly carry the same few policy documents (the default key policy
// differs between accounts only by the account id), so a document is parsed and analysed once
// per account and sync, not once per key. Parsed policies are read-only after parsing.

// policyCacheSize bounds the documents kept; the cache starts afresh when full.
const policyCacheSize = 256

type analysedPolicy struct {
	parsed *analysis.Policy
	facts  analysis.PolicyFacts
	err    error
}

type policyCacheKey struct{ account, doc string }

var policies = struct {
	mu sync.Mutex
	m  map[policyCacheKey]*analysedPolicy
}{m: map[policyCacheKey]*analysedPolicy{}}

// analysePolicy parses doc and reads its facts for a key of account, or returns the earlier
// result for the same document and account.
func analysePolicy(account, doc string) *analysedPolicy {
	k := policyCacheKey{account: account, doc: doc}
	policies.mu.Lock()
	a := policies.m[k]
	policies.mu.Unlock()
	if a != nil {
		return a
	}
	a = &analysedPolicy{}
	if a.parsed, a.err = analysis.ParsePolicy(doc); a.err == nil {
		a.facts = analysis.AnalyzePolicy(a.parsed, account)
	}
	policies.mu.Lock()
	if len(policies.m) >= policyCacheSize {
		clear(policies.m)
	}
	policies.m[k] = a
	policies.mu.Unlock()
	return a
}
