package emulator_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func TestNewWorldIsDeterministic(t *testing.T) {
	for name, cfg := range map[string]emulator.Config{"fixed now": testConfig(), "default now": emulator.DefaultConfig()} {
		a, b := emulator.NewWorld(cfg), emulator.NewWorld(cfg)
		assert.True(t, reflect.DeepEqual(a, b), "%s: two worlds from one config differ", name)
	}
	other := testConfig()
	other.Seed++
	a, b := emulator.NewWorld(testConfig()), emulator.NewWorld(other)
	assert.NotEqual(t, a.Region(a.ManagementAccount, "us-east-1").Keys[0].ID(), b.Region(b.ManagementAccount, "us-east-1").Keys[0].ID(),
		"another seed makes other data")
}

func TestEveryRegionHoldsEveryKeyKind(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	require.NotEmpty(t, w.Regions)
	for ar, rd := range w.Regions {
		has := func(match func(k *emulator.Key) bool) bool { return slices.ContainsFunc(rd.Keys, match) }
		md := func(k *emulator.Key) kmstypes.KeyMetadata { return k.Metadata }
		checks := map[string]func(k *emulator.Key) bool{
			"rotating customer key": func(k *emulator.Key) bool {
				return md(k).KeyManager == kmstypes.KeyManagerTypeCustomer && k.Rotation != nil && k.Rotation.Enabled
			},
			"non-rotating customer key": func(k *emulator.Key) bool {
				return md(k).KeyManager == kmstypes.KeyManagerTypeCustomer && k.Rotation != nil && !k.Rotation.Enabled
			},
			"AWS managed key": func(k *emulator.Key) bool {
				return md(k).KeyManager == kmstypes.KeyManagerTypeAws && strings.HasPrefix(*md(k).Description, "Default key that protects my EBS volumes")
			},
			"asymmetric signing": func(k *emulator.Key) bool { return md(k).KeyUsage == kmstypes.KeyUsageTypeSignVerify },
			"asymmetric encryption": func(k *emulator.Key) bool {
				return md(k).KeyUsage == kmstypes.KeyUsageTypeEncryptDecrypt && md(k).KeySpec != kmstypes.KeySpecSymmetricDefault
			},
			"HMAC":     func(k *emulator.Key) bool { return md(k).KeyUsage == kmstypes.KeyUsageTypeGenerateVerifyMac },
			"EXTERNAL": func(k *emulator.Key) bool { return md(k).Origin == kmstypes.OriginTypeExternal },
			"CloudHSM": func(k *emulator.Key) bool {
				return md(k).Origin == kmstypes.OriginTypeAwsCloudhsm && md(k).CloudHsmClusterId != nil && *md(k).CloudHsmClusterId == *rd.Clusters[0].ClusterId
			},
			"disabled": func(k *emulator.Key) bool { return md(k).KeyState == kmstypes.KeyStateDisabled && !md(k).Enabled },
			"pending deletion": func(k *emulator.Key) bool {
				return md(k).KeyState == kmstypes.KeyStatePendingDeletion && md(k).DeletionDate != nil && md(k).PendingDeletionWindowInDays != nil
			},
			"multi-region": func(k *emulator.Key) bool { return md(k).MultiRegionConfiguration != nil },
			"tagged":       func(k *emulator.Key) bool { return len(k.Tags) > 0 },
		}
		for name, check := range checks {
			assert.True(t, has(check), "%v has no %s key", ar, name)
		}
	}
}

func TestMultiRegionReplicasAgreeWithTheirPrimary(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	for _, acct := range w.OrgAccountIDs() {
		regions := w.EnabledRegions[acct]
		if w.Region(acct, regions[0]) == nil {
			continue // suspended
		}
		var primary *emulator.Key
		for i, region := range regions {
			for _, k := range w.Region(acct, region).Keys {
				mrc := k.Metadata.MultiRegionConfiguration
				if mrc == nil {
					continue
				}
				if i == 0 {
					assert.Equal(t, kmstypes.MultiRegionKeyTypePrimary, mrc.MultiRegionKeyType)
					assert.Len(t, mrc.ReplicaKeys, len(regions)-1)
					primary = k
					continue
				}
				require.NotNil(t, primary)
				assert.Equal(t, kmstypes.MultiRegionKeyTypeReplica, mrc.MultiRegionKeyType)
				assert.Equal(t, primary.ID(), k.ID())
				assert.Equal(t, *primary.Metadata.MultiRegionConfiguration.PrimaryKey.Arn, *mrc.PrimaryKey.Arn)
				assert.Equal(t, primary.Rotations, k.Rotations, "replicas share the primary's key material")
			}
		}
	}
}

// Grantee variety the audit must classify, somewhere in the World.
func TestGranteesCoverEveryPrincipalKind(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	orgAccounts := w.OrgAccountIDs()
	kinds := map[string]bool{}
	for ar, rd := range w.Regions {
		for _, k := range rd.Keys {
			for _, g := range k.Grants {
				p := ""
				if g.GranteePrincipal != nil {
					p = *g.GranteePrincipal
				}
				switch {
				case g.GranteeServicePrincipal != nil:
					kinds["service principal field"] = true
				case p == "AWS Internal":
					kinds["AWS Internal"] = true
				case strings.HasSuffix(p, ".amazonaws.com"):
					kinds["service"] = true
				case strings.HasPrefix(p, "AROA") || strings.HasPrefix(p, "AIDA"):
					kinds["unique id"] = true
				case strings.Contains(p, ":assumed-role/"):
					kinds["assumed role"] = true
				case strings.HasSuffix(p, ":root"):
					kinds["account root"] = true
				case strings.Contains(p, ":user/"):
					kinds["IAM user"] = true
				case strings.Contains(p, ":role/"):
					kinds["IAM role"] = true
				}
				if acct := strings.Split(p, ":"); len(acct) > 4 && acct[4] != ar.Account {
					if slices.Contains(orgAccounts, acct[4]) {
						kinds["other org account"] = true
					} else {
						kinds["outside org"] = true
					}
				}
				if g.RetiringPrincipal != nil {
					kinds["retiring principal"] = true
				}
				if slices.Contains(g.Operations, kmstypes.GrantOperationRetireGrant) {
					kinds["RetireGrant operation"] = true
				}
				if slices.Contains(g.Operations, kmstypes.GrantOperationCreateGrant) {
					kinds["CreateGrant operation"] = true
				}
				if g.Constraints != nil && g.Constraints.EncryptionContextEquals != nil {
					kinds["EncryptionContextEquals"] = true
				}
				if g.Constraints != nil && g.Constraints.EncryptionContextSubset != nil {
					kinds["EncryptionContextSubset"] = true
				}
			}
		}
	}
	for _, want := range []string{"service principal field", "AWS Internal", "service", "unique id", "assumed role",
		"account root", "IAM user", "IAM role", "other org account", "outside org", "retiring principal",
		"RetireGrant operation", "CreateGrant operation", "EncryptionContextEquals", "EncryptionContextSubset"} {
		assert.True(t, kinds[want], "no grant with %s", want)
	}
}

func TestScenarioFollowsTheSeedDocument(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	f := w.Scenario
	require.NotNil(t, f)
	rd := w.Region(f.Account, f.Region)
	k := rd.Key(f.KeyID)
	require.NotNil(t, k)
	grant := func(id string) kmstypes.GrantListEntry {
		i := slices.IndexFunc(k.Grants, func(g kmstypes.GrantListEntry) bool { return *g.GrantId == id })
		require.GreaterOrEqual(t, i, 0, "grant %s missing", id)
		return k.Grants[i]
	}
	ops := func(g kmstypes.GrantListEntry) []kmstypes.GrantOperation { return g.Operations }

	assert.NotContains(t, k.Policies["default"], `"Sid": "Enable IAM User Permissions"`)
	assert.Contains(t, k.Policies["default"], `"aws:PrincipalType": "Account"`)
	assert.Contains(t, k.Policies["default"], f.KeyAdminRoleARN)

	parent := grant(f.ParentGrantID)
	assert.Equal(t, f.HughGrantUserARN, *parent.GranteePrincipal)
	assert.ElementsMatch(t, []kmstypes.GrantOperation{"DescribeKey", "CreateGrant"}, ops(parent))
	assert.ElementsMatch(t, ops(parent), ops(grant(f.ChildSameOpsGrantID)))
	assert.Subset(t, ops(parent), ops(grant(f.ChildFewerOpsGrantID)))
	assert.Less(t, len(ops(grant(f.ChildFewerOpsGrantID))), len(ops(parent)))
	assert.Equal(t, f.SamplePrincipalARN, *grant(f.RetiringPrincipalGrantID).RetiringPrincipal)
	assert.Contains(t, ops(grant(f.RetireOperationGrantID)), kmstypes.GrantOperationRetireGrant)
	assert.Equal(t, "arn:aws:iam::"+f.CrossAccount+":root", *grant(f.CrossAccountGrantID).IssuingAccount)
	assert.Contains(t, *grant(f.OutsideOrgGrantID).GranteePrincipal, f.OutsideAccount)
	assert.False(t, w.IsOrgAccount(f.OutsideAccount))
	assert.Equal(t, "AWS Internal", *grant(f.AWSInternalGrantID).GranteePrincipal)
	assert.NotNil(t, grant(f.EncryptionContextGrantID).Constraints.EncryptionContextSubset)
	assert.Contains(t, ops(grant(f.ServiceGrantIDs[0])), kmstypes.GrantOperationCreateGrant)
	assert.NotContains(t, ops(grant(f.ServiceGrantIDs[1])), kmstypes.GrantOperationCreateGrant)

	events := map[string]emulator.TrailEvent{}
	for _, ev := range rd.Events {
		events[*ev.Event.EventId] = ev
		if ev.Record.ResponseElements != nil && ev.Record.ResponseElements.GrantID != "" {
			events[ev.Record.ResponseElements.GrantID] = ev
		}
	}
	denied := events[f.DeniedEventID].Record
	assert.Equal(t, "AccessDenied", denied.ErrorCode)
	assert.Equal(t, f.HughGrantUserARN, denied.UserIdentity.ARN)
	assert.ElementsMatch(t, []string{"DescribeKey", "Decrypt", "CreateGrant"}, denied.RequestParameters.Operations)
	assert.Nil(t, denied.ResponseElements, "a denied call made no grant")

	assert.Equal(t, f.HughGrantUserARN, events[f.ChildSameOpsGrantID].Record.UserIdentity.ARN, "hugh-grant created the child grants")
	assert.Equal(t, f.KeyAdminRoleARN, events[f.ParentGrantID].Record.UserIdentity.SessionContext.SessionIssuer.ARN)
	cross := events[f.CrossAccountGrantID].Record.UserIdentity
	assert.Equal(t, "AWSAccount", cross.Type)
	assert.Equal(t, f.CrossAccount, cross.AccountID)

	retired, revoked := false, false
	for _, ev := range rd.Events {
		retired = retired || (ev.Record.EventName == "RetireGrant" && ev.Record.RequestParameters.GrantID == f.RetiredGrantID)
		revoked = revoked || (ev.Record.EventName == "RevokeGrant" && ev.Record.RequestParameters.GrantID == f.RevokedGrantID)
	}
	assert.True(t, retired && revoked)
}

// The seed query keeps the grants to principals and drops service grants,
// "AWS Internal", and grants that name only a GranteeServicePrincipal (a
// NULL grantee_principal matches no LIKE).
func TestSeedQuerySelectsTheNonServiceGrants(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	f := w.Scenario
	var got []string
	for _, g := range emulator.ScenarioNonServiceGrants(w) {
		got = append(got, *g.GrantId)
	}
	assert.ElementsMatch(t, []string{f.ParentGrantID, f.ChildSameOpsGrantID, f.ChildFewerOpsGrantID, f.RetiringPrincipalGrantID,
		f.RetireOperationGrantID, f.CrossAccountGrantID, f.OutsideOrgGrantID, f.EncryptionContextGrantID}, got)

	for _, ref := range w.GrantsMatchingSeedQuery() {
		p := ref.Grant.GranteePrincipal
		require.NotNil(t, p)
		assert.False(t, strings.HasSuffix(*p, ".amazonaws.com") || *p == "AWS Internal", *p)
	}
	assert.False(t, emulator.MatchesSeedQuery(kmstypes.GrantListEntry{GranteeServicePrincipal: &f.AliasName}))
}

func TestConfigValidationNamesTheWrongField(t *testing.T) {
	for field, edit := range map[string]func(c *emulator.Config){
		"managementAccount": func(c *emulator.Config) { c.ManagementAccount = "12" },
		"memberAccountIds":  func(c *emulator.Config) { c.MemberAccountIDs = append(c.MemberAccountIDs, c.OutsideAccount) },
		"grantsPerKey":      func(c *emulator.Config) { c.GrantsPerKey = emulator.IntRange{Min: 3, Max: 1} },
		"hotKeyGrants":      func(c *emulator.Config) { c.HotKeyGrants = 50001 },
	} {
		cfg := emulator.DefaultConfig()
		edit(&cfg)
		err := cfg.Validate()
		require.Error(t, err, field)
		assert.Contains(t, err.Error(), field)
	}
	cfg, err := emulator.ParseConfig([]byte(`{"seed": 9, "server": {"faults": {"vanishingKeyEveryNth": 4}}}`))
	require.NoError(t, err)
	assert.Equal(t, int64(9), cfg.Seed)
	assert.Equal(t, 4, cfg.Server.Faults.VanishingKeyEveryNth)
	assert.Equal(t, emulator.DefaultConfig().Regions, cfg.Regions, "omitted fields keep their defaults")
}
