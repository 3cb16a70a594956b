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
