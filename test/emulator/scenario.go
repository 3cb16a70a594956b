package emulator

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// ScenarioKeyID is the key of the seed document ("A Deep Dive on AWS KMS Key
// Access and AWS Key Grants"), reused verbatim.
const ScenarioKeyID = "aaaaaaaa-1234-1234-1234-123412341234"

// ScenarioFacts names every actor, grant and event of the seed document's
// grant story, as generated into the management account's first region.
// Empty ids mean the config could not produce that part (e.g. no second
// ACTIVE organization account for the cross-account grant).
type ScenarioFacts struct {
	Account, Region string
	KeyID, KeyARN   string
	AliasName       string

	KeyAdminRoleARN    string
	HughGrantUserARN   string
	SampleUserARN      string
	SamplePrincipalARN string

	// ParentGrantID: hugh-grant may DescribeKey and CreateGrant; created by KeyAdminRole.
	ParentGrantID string
	// ChildSameOpsGrantID: hugh-grant gave sample-user DescribeKey and CreateGrant.
	ChildSameOpsGrantID string
	// ChildFewerOpsGrantID: hugh-grant gave sample-user DescribeKey only.
	ChildFewerOpsGrantID string
	// DeniedEventID: hugh-grant tried DescribeKey, Decrypt and CreateGrant
	// (more than he holds); KMS refused with AccessDenied and made no grant.
	DeniedEventID string
	// RetiringPrincipalGrantID: sample-user's grant that sample-principal may retire.
	RetiringPrincipalGrantID string
	// RetireOperationGrantID: sample-user may DescribeKey and RetireGrant.
	RetireOperationGrantID string
	// CrossAccountGrantID: a role of CrossAccount, created by CrossAccountCallerARN
	// from that account (logged here as an AWSAccount caller).
	CrossAccountGrantID   string
	CrossAccount          string
	CrossAccountCallerARN string
	// OutsideOrgGrantID: a role of OutsideAccount, an account outside the organization.
	OutsideOrgGrantID string
	OutsideAccount    string
	// ForeignSharedKeyARN is a key OutsideAccount shares with this account through AWS RAM
	// with a Decrypt-only permission (ListKeys OTHER_ACCOUNTS_VIA_RAM; DescribeKey refused).
	// The catalogue's "symmetric-rotating" key of this region is shared with CrossAccount's
	// organization peer and OutsideAccount (world_ram.go).
	ForeignSharedKeyARN string
	// ServiceGrantIDs: RDS (with CreateGrant) then DynamoDB (without).
	ServiceGrantIDs []string
	// AWSInternalGrantID: grantee "AWS Internal".
	AWSInternalGrantID string
	// EncryptionContextGrantID: limited by an EncryptionContextSubset constraint.
	EncryptionContextGrantID string
	// RetiredGrantID and RevokedGrantID no longer exist: only their CreateGrant
	// and RetireGrant / RevokeGrant events remain.
	RetiredGrantID string
	RevokedGrantID string
}

// generateScenario writes out the seed document's story, in time order over
// the last two months.
func (g *regionGen) generateScenario() {
	p, acct := g.partition, g.account
	w := g.w
	other := g.otherOrgAccount()
	k := g.addKey(keySpec{
		Kind:        "scenario",
		ID:          ScenarioKeyID,
		Alias:       "alias/scenario-key",
		Description: "Key from the grants deep dive",
		Usage:       kmstypes.KeyUsageTypeEncryptDecrypt,
		Spec:        kmstypes.KeySpecSymmetricDefault,
		Policy:      scenarioKeyPolicy(p, acct, other),
		Tags:        tags("Scenario", "grants-deep-dive"),
		Created:     w.Now.AddDate(0, 0, -75),
	})
	hugh := iamUserActor(p, acct, "hugh-grant")
	f := &ScenarioFacts{
		Account: acct, Region: g.region, KeyID: k.ID(), KeyARN: k.ARN(), AliasName: "alias/scenario-key",
		KeyAdminRoleARN:    roleARN(p, acct, KeyAdminRoleName),
		HughGrantUserARN:   hugh.ARN,
		SampleUserARN:      userARN(p, acct, "sample-user"),
		SamplePrincipalARN: userARN(p, acct, "sample-principal"),
		OutsideAccount:     w.OutsideAccount,
	}
	w.Scenario = f
	at := w.Now.AddDate(0, 0, -60)
	step := func() time.Time { at = at.Add(time.Duration(g.r.between(3600, 3*86400)) * time.Second); return at }
	ops := func(names ...kmstypes.GrantOperation) []kmstypes.GrantOperation { return names }
	const (
		describe = kmstypes.GrantOperationDescribeKey
		create   = kmstypes.GrantOperationCreateGrant
		decrypt  = kmstypes.GrantOperationDecrypt
		retire   = kmstypes.GrantOperationRetireGrant
	)
	grant := func(s grantSpec) string { s.Created = step(); return *g.addGrant(k, s).GrantId }

	f.ParentGrantID = grant(grantSpec{Grantee: f.HughGrantUserARN, Ops: ops(describe, create), Creator: g.admin})
	denied := g.log(eventSpec{
		Name: "CreateGrant", At: step(), Actor: hugh, KeyARN: k.ARN(),
		Params:    grantRequestParameters(k.ARN(), aws.String(f.SampleUserARN), nil, nil, nil, ops(describe, decrypt, create), nil),
		ErrorCode: "AccessDenied",
		ErrorMsg: "User: " + hugh.ARN + " is not authorized to perform: kms:CreateGrant on resource: " + k.ARN() +
			" because no identity-based policy allows the kms:CreateGrant action",
	})
	f.DeniedEventID = *denied.Event.EventId
	f.ChildSameOpsGrantID = grant(grantSpec{Grantee: f.SampleUserARN, Ops: ops(describe, create), Creator: hugh})
	f.ChildFewerOpsGrantID = grant(grantSpec{Grantee: f.SampleUserARN, Ops: ops(describe), Creator: hugh})
	f.RetiringPrincipalGrantID = grant(grantSpec{Grantee: f.SampleUserARN, Retiring: f.SamplePrincipalARN, Ops: ops(describe), Creator: g.admin})
	f.RetireOperationGrantID = grant(grantSpec{Grantee: f.SampleUserARN, Ops: ops(describe, retire), Creator: g.admin})
	if other != "" {
		caller := iamUserActor(p, other, "data-pipeline-admin")
		f.CrossAccount, f.CrossAccountCallerARN = other, caller.ARN
		f.CrossAccountGrantID = grant(grantSpec{Grantee: roleARN(p, other, CrossAccountRoleName), Ops: ops(decrypt, describe), Creator: caller})
	}
	if w.OutsideAccount != "" {
		f.OutsideOrgGrantID = grant(grantSpec{
			Grantee: roleARN(p, w.OutsideAccount, PartnerRoleName),
			Ops:     ops(decrypt, kmstypes.GrantOperationEncrypt, kmstypes.GrantOperationGenerateDataKey),
			Creator: g.admin,
		})
	}
	rds, dynamo := *g.rdsServiceGrant(k), *g.dynamoDBServiceGrant(k)
	f.ServiceGrantIDs = []string{grant(rds), grant(dynamo)}
	f.AWSInternalGrantID = grant(*g.awsInternalGrant(k))
	f.EncryptionContextGrantID = grant(grantSpec{
		Grantee:     roleARN(p, acct, AppRoleName),
		Ops:         ops(kmstypes.GrantOperationEncrypt, decrypt),
		Constraints: &kmstypes.GrantConstraints{EncryptionContextSubset: map[string]string{"Department": "IT"}},
		Creator:     g.admin,
	})

	// Deleted grants: retired by their retiring principal, revoked by the admin.
	f.RetiredGrantID = g.removedGrant(k, grantSpec{
		Grantee: f.SampleUserARN, Retiring: f.SamplePrincipalARN, Ops: ops(describe), Creator: g.admin, Created: step(),
	}, "RetireGrant", iamUserActor(p, acct, "sample-principal"), step())
	f.RevokedGrantID = g.removedGrant(k, grantSpec{
		Grantee: userARN(p, acct, aliceUserName), Ops: ops(decrypt), Creator: g.admin, Created: step(),
	}, "RevokeGrant", g.admin, step())
}

// MatchesSeedQuery applies the seed document's inventory query to one grant,
// with SQL semantics (a NULL grantee_principal matches neither LIKE):
//
//	grantee_principal NOT LIKE '%.amazonaws.com' AND grantee_principal NOT LIKE 'AWS Internal'
func MatchesSeedQuery(g kmstypes.GrantListEntry) bool {
	if g.GranteePrincipal == nil {
		return false
	}
	p := *g.GranteePrincipal
	return !strings.HasSuffix(p, ".amazonaws.com") && p != "AWS Internal"
}

// ScenarioNonServiceGrants returns the scenario key's current grants the seed
// query selects, in ListGrants order (nil without a scenario).
func ScenarioNonServiceGrants(w *World) []kmstypes.GrantListEntry {
	if w.Scenario == nil {
		return nil
	}
	var out []kmstypes.GrantListEntry
	w.Read(func() {
		k := w.Region(w.Scenario.Account, w.Scenario.Region).Key(w.Scenario.KeyID)
		for _, grant := range k.Grants {
			if MatchesSeedQuery(grant) {
				out = append(out, grant)
			}
		}
	})
	return out
}

// GrantRef is one grant with where its key lives.
type GrantRef struct {
	Account, Region string
	Grant           kmstypes.GrantListEntry
}

// GrantsMatchingSeedQuery runs the seed query over every grant of the World.
func (w *World) GrantsMatchingSeedQuery() []GrantRef {
	var out []GrantRef
	w.Read(func() {
		for ar, rd := range w.Regions {
			for _, k := range rd.Keys {
				for _, grant := range k.Grants {
					if MatchesSeedQuery(grant) {
						out = append(out, GrantRef{Account: ar.Account, Region: ar.Region, Grant: grant})
					}
				}
			}
		}
	})
	slices.SortFunc(out, func(a, b GrantRef) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), cmp.Compare(*a.Grant.GrantId, *b.Grant.GrantId))
	})
	return out
}
