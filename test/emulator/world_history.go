package emulator

import (
	"time"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// generateGrantHistory adds grants that existed and are gone: one retired by
// its retiring principal, one revoked by the key administrator. Only their
// CloudTrail events remain.
func (g *regionGen) generateGrantHistory() {
	k := g.firstKeyOfKind("symmetric-rotating")
	if k == nil {
		return
	}
	created := g.recentSince(*k.Metadata.CreationDate)
	retirer := roleARN(g.partition, g.account, KeyAdminRoleName)
	g.removedGrant(k, grantSpec{
		Grantee: roleARN(g.partition, g.account, AppRoleName), Retiring: retirer,
		Ops: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt}, Creator: g.admin, Created: created,
	}, "RetireGrant", g.admin, created.Add(36*time.Hour))
	created = g.recentSince(*k.Metadata.CreationDate)
	g.removedGrant(k, grantSpec{
		Grantee: userARN(g.partition, g.account, aliceUserName),
		Ops:     []kmstypes.GrantOperation{kmstypes.GrantOperationEncrypt}, Creator: g.admin, Created: created,
	}, "RevokeGrant", g.admin, created.Add(48*time.Hour))
}

// removedGrant logs the creation of a grant and its removal (RetireGrant or
// RevokeGrant by remover at removedAt) without keeping the grant.
func (g *regionGen) removedGrant(k *Key, s grantSpec, removal string, remover actor, removedAt time.Time) string {
	grant := g.issueGrant(k, s)
	g.log(removeGrantEvent(k, *grant.GrantId, removal, remover, removedAt))
	return *grant.GrantId
}

func removeGrantEvent(k *Key, grantID, removal string, remover actor, at time.Time) eventSpec {
	return eventSpec{
		Name: removal, At: at, Actor: remover, KeyARN: k.ARN(),
		Params: &RequestParameters{KeyID: k.ARN(), GrantID: grantID},
	}
}

// generateNoiseEvents adds calls a grant audit must filter out: a KMS
// cryptographic call, a read-only KMS call and a call to another service.
func (g *regionGen) generateNoiseEvents() {
	app := assumedRoleActor(g.partition, g.account, AppRoleName, "i-0"+g.r.hex(16))
	if k := g.firstKeyOfKind("symmetric-rotating"); k != nil {
		g.log(eventSpec{
			Name: "Decrypt", At: g.recentSince(time.Time{}), Actor: app, ReadOnly: true, KeyARN: k.ARN(),
			Params: &RequestParameters{KeyID: k.ARN(), EncryptionAlgorithm: "SYMMETRIC_DEFAULT"},
		})
	}
	g.log(eventSpec{Name: "ListAliases", At: g.recentSince(time.Time{}), Actor: g.admin, ReadOnly: true})
	g.log(eventSpec{Name: "RunInstances", Source: "ec2.amazonaws.com", At: g.recentSince(time.Time{}), Actor: g.admin,
		Response: &ResponseElements{}})
}

func (g *regionGen) firstKeyOfKind(kind string) *Key {
	for _, k := range g.rd.Keys {
		if k.Kind == kind {
			return k
		}
	}
	return nil
}

// generateRetiredGrants fills the trail of a busy account
// (Config.RetiredGrantsPerRegion): EC2 creates a grant on the aws/ebs key for
// each volume it attaches, on behalf of the key administrator, and retires it
// when the volume is detached or deleted, minutes to days later. Only the
// CreateGrant and RetireGrant events remain. The grants draw from their own
// random stream, so the rest of the region is the same with or without them.
func (g *regionGen) generateRetiredGrants() {
	n := g.w.Config.RetiredGrantsPerRegion
	k := g.firstKeyOfKind("aws-managed-ebs")
	if n == 0 || k == nil {
		return
	}
	churn := *g
	churn.r = newRNG(g.w.Config.Seed, "retired-grants", g.account, g.region)
	ec2 := awsServiceActor("ec2.amazonaws.com")
	creator := g.admin.via("ec2.amazonaws.com")
	lastRetire := g.w.Now.Add(-time.Minute)
	for range n {
		created := churn.recentSince(*k.Metadata.CreationDate)
		grant := churn.issueGrant(k, grantSpec{
			Grantee: assumedRoleARN(g.partition, g.account, "aws:ec2-infrastructure", "i-0"+churn.r.hex(16)),
			Ops:     []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt},
			Creator: creator,
			Created: created,
		})
		retired := created.Add(time.Duration(churn.r.between(600, 3*24*3600)) * time.Second)
		if retired.After(lastRetire) {
			retired = lastRetire
		}
		churn.log(removeGrantEvent(k, *grant.GrantId, "RetireGrant", ec2, retired))
	}
}
