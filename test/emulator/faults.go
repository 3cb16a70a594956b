package emulator

import (
	"slices"
	"strconv"
	"sync"
)

// draw returns a number in [0, 1) fixed by the seed, the purpose and the
// call (the n-th call of k): faults and jitter repeat run after run, however
// concurrent the client is.
func (s *Server) draw(purpose string, k StatKey, n int64) float64 {
	h := labelHash(strconv.FormatInt(s.world.Config.Seed, 10), purpose, k.Account, k.Region, k.Operation, strconv.FormatInt(n, 10))
	return float64(mix64(h)>>11) / (1 << 53)
}

// mix64 is splitmix64's finaliser. FNV alone barely changes its high bits when only the call
// number's last digit changes, which turned a 5% fault rate into streaks of failures.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// internalFault answers the InternalErrorRate fraction of calls with the
// service's 500 error, and every call of a FailingOperations operation; KMS alternates KMSInternalException and
// DependencyTimeoutException.
func (s *Server) internalFault(svc *service, k StatKey, n int64) *apiError {
	rate := s.cfg.Faults.InternalErrorRate
	outage := slices.Contains(s.cfg.Faults.FailingOperations, k.Operation)
	if !outage && (rate <= 0 || s.draw("internal", k, n) >= rate) {
		return nil
	}
	code := svc.internalCode
	if svc.name == "kms" && s.draw("internal-kind", k, n) < 0.5 {
		code = "DependencyTimeoutException"
	}
	return serverError(code, "The service encountered an internal error. Try again.")
}

// keyFault applies the per-key faults to a call on key k: every
// VanishingKeyEveryNth key of the region (in ListKeys order) is gone, every
// DeniedKeyEveryNth key refuses the DeniedKeyOperations, every
// InvalidStateKeyEveryNth key the InvalidStateKeyOperations.
// nth is k's 1-based place in its region's key list.
func (s *Server) keyFault(nth int, k *Key, req *request) *apiError {
	f := s.cfg.Faults
	if f.VanishingKeyEveryNth > 0 && nth%f.VanishingKeyEveryNth == 0 {
		return keyNotFound(k.ARN())
	}
	if f.DeniedKeyEveryNth > 0 && nth%f.DeniedKeyEveryNth == 0 && slices.Contains(f.DeniedKeyOperations, req.op) {
		return clientError("AccessDeniedException",
			"User: %s is not authorized to perform: kms:%s on resource: %s because no resource-based policy allows the kms:%s action",
			req.caller.ARN, req.op, k.ARN(), req.op)
	}
	if f.InvalidStateKeyEveryNth > 0 && nth%f.InvalidStateKeyEveryNth == 0 && slices.Contains(f.InvalidStateKeyOperations, req.op) {
		return clientError("KMSInvalidStateException", "%s is updating.", k.ARN())
	}
	return nil
}

// assumeRoleDenied reports whether the fault config refuses roles in account.
func (s *Server) assumeRoleDenied(account string) bool {
	return slices.Contains(s.cfg.Faults.AssumeRoleDeniedAccounts, account)
}

// revocations remembers the keys whose listing already lost a grant, so the
// RevokeGrantBetweenPages fault strikes once per key.
type revocations struct {
	mu   sync.Mutex
	done map[string]bool
}

func (rv *revocations) first(keyARN string) bool {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.done == nil {
		rv.done = map[string]bool{}
	}
	if rv.done[keyARN] {
		return false
	}
	rv.done[keyARN] = true
	return true
}

// revokeBetweenPages revokes the first grant of the next page right after a
// truncated ListGrants page, as a concurrent RevokeGrant would.
func (s *Server) revokeBetweenPages(req *request, k *Key, nextGrantID string) {
	if !s.cfg.Faults.RevokeGrantBetweenPages || !s.revoked.first(k.ARN()) {
		return
	}
	// A concurrent mutation may have removed the grant already: that is as good.
	_ = s.world.RevokeGrant(req.caller.Account, req.region, k.ID(), nextGrantID)
}
