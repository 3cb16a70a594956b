package emulator

import (
	"errors"
	"fmt"
	"slices"
	"time"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// ErrNotFound is returned by mutations naming something the World lacks.
var ErrNotFound = errors.New("emulator: not found")

// Mutations change the World while a Server serves it, as re-sync tests need.
// Each takes the write lock and replaces the slices it changes (never edits
// them in place), so a page being encoded keeps its consistent snapshot. Each
// is logged to CloudTrail like the real call.

// RevokeGrant deletes a grant as the key administrator would.
func (w *World) RevokeGrant(account, region, keyID, grantID string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	rd, k, err := w.lockedKey(account, region, keyID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(k.Grants, func(g kmstypes.GrantListEntry) bool { return *g.GrantId == grantID })
	if i < 0 {
		return fmt.Errorf("%w: grant %s on key %s", ErrNotFound, grantID, keyID)
	}
	k.Grants = slices.Delete(slices.Clone(k.Grants), i, i+1)
	admin := assumedRoleActor(w.Partition, account, KeyAdminRoleName, keyAdminSessionName)
	w.logMutation(rd, removeGrantEvent(k, grantID, "RevokeGrant", admin, w.mutationTime()))
	return nil
}

// DeleteAlias deletes an alias (its key stays).
func (w *World) DeleteAlias(account, region, aliasName string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	rd := w.Region(account, region)
	if rd == nil {
		return fmt.Errorf("%w: region %s of account %s", ErrNotFound, region, account)
	}
	i := slices.IndexFunc(rd.Aliases, func(a kmstypes.AliasListEntry) bool { return *a.AliasName == aliasName })
	if i < 0 {
		return fmt.Errorf("%w: alias %s", ErrNotFound, aliasName)
	}
	alias := rd.Aliases[i]
	rd.Aliases = slices.Delete(slices.Clone(rd.Aliases), i, i+1)
	spec := eventSpec{
		Name: "DeleteAlias", At: w.mutationTime(),
		Actor:  assumedRoleActor(w.Partition, account, KeyAdminRoleName, keyAdminSessionName),
		Params: &RequestParameters{AliasName: aliasName},
	}
	if alias.TargetKeyId != nil {
		spec.KeyARN = keyARN(w.Partition, region, account, *alias.TargetKeyId)
	}
	w.logMutation(rd, spec)
	return nil
}

// AddKey creates a customer key (symmetric, default policy, rotation off, no
// alias, no grants) and returns it; nil when the account cannot use the
// region. The n-th key added to a region is the same in every run, except
// for its creation date, which is the time of the call.
func (w *World) AddKey(account, region string) *Key {
	w.mu.Lock()
	defer w.mu.Unlock()
	rd := w.Region(account, region)
	if rd == nil {
		return nil
	}
	ar := AccountRegion{account, region}
	if w.addedKeys == nil {
		w.addedKeys = map[AccountRegion]int{}
	}
	w.addedKeys[ar]++
	r := newRNG(w.Config.Seed, "added-key", account, region, fmt.Sprint(w.addedKeys[ar]))
	at := w.mutationTime()
	k := buildKey(w, r, account, region, keySpec{
		Kind:        "added",
		Description: fmt.Sprintf("Added during the test (%d)", w.addedKeys[ar]),
		Usage:       kmstypes.KeyUsageTypeEncryptDecrypt,
		Spec:        kmstypes.KeySpecSymmetricDefault,
		Policy:      defaultKeyPolicy(w.Partition, account),
		Created:     at,
	})
	k.Grants = nil
	rd.Keys = append(slices.Clone(rd.Keys), k)
	admin := assumedRoleActor(w.Partition, account, KeyAdminRoleName, keyAdminSessionName)
	w.logMutation(rd, eventSpec{
		Name: "CreateKey", At: at, Actor: admin, KeyARN: k.ARN(),
		Params: &RequestParameters{
			Description: *k.Metadata.Description, KeySpec: string(k.Metadata.KeySpec),
			KeyUsage: string(k.Metadata.KeyUsage), Origin: string(k.Metadata.Origin),
		},
		Response: &ResponseElements{KeyID: k.ARN()},
	})
	return k
}

func (w *World) lockedKey(account, region, keyID string) (*RegionData, *Key, error) {
	rd := w.Region(account, region)
	if rd == nil {
		return nil, nil, fmt.Errorf("%w: region %s of account %s", ErrNotFound, region, account)
	}
	k := rd.Key(keyID)
	if k == nil {
		return nil, nil, fmt.Errorf("%w: key %s", ErrNotFound, keyID)
	}
	return rd, k, nil
}

// mutationTime is the wall clock, kept after Now and strictly increasing so
// mutations sort after the generated history and after each other.
func (w *World) mutationTime() time.Time {
	t := time.Now().UTC().Truncate(time.Second)
	if !t.After(w.Now) {
		t = w.Now.Add(time.Second)
	}
	if !t.After(w.lastMutation) {
		t = w.lastMutation.Add(time.Second)
	}
	w.lastMutation = t
	return t
}

// logMutation prepends the event: the trail is newest first.
func (w *World) logMutation(rd *RegionData, spec eventSpec) {
	r := newRNG(w.Config.Seed, "mutation-event", rd.Account, rd.Region, spec.At.String(), spec.Name)
	ev := buildTrailEvent(spec, w.Partition, rd.Region, rd.Account, trailIDs{EventID: r.uuid(), RequestID: r.uuid()})
	rd.Events = append([]TrailEvent{ev}, rd.Events...)
}
