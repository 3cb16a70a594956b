package moto_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	hsmtypes "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	// managementAccount is moto's default account: every access key moto did not issue
	// through STS belongs to it.
	managementAccount = "123456789012"
	managementKey     = "AKIAMOTOMANAGEMENT01"
	// outsideAccount is in no organization: grants to it are cross-organization.
	outsideAccount = "999988887777"
	memberRole     = "OrganizationAccountAccessRole"
	homeRegion     = "us-east-1"
	otherRegion    = "eu-west-1"
	// delegatedGrants is how many grants one key gets: more than ListGrants' largest page (100,
	// https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html#KMS-ListGrants-request-Limit).
	delegatedGrants = 105
)

var regions = []string{homeRegion, otherRegion}

// motoAccount is one account of the organization moto holds, with the credentials that reach it.
type motoAccount struct {
	id                  string
	akid, secret, token string
	endpoint            string
}

func (a motoAccount) config(region string) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(a.akid, a.secret, a.token),
		BaseEndpoint:     aws.String(a.endpoint),
		RetryMaxAttempts: 1,
	}
}

// grantSpec is one grant the test creates, with its audit facts written by hand from the rules of
// docs/audit-columns.md and the AWS documentation each names.
type grantSpec struct {
	name     string
	grantee  string
	retiring string
	ops      []kmstypes.GrantOperation
	equals   map[string]string
	subset   map[string]string
	facts    row // the computed columns of aws_kms_key_grants
}

// keySpec is one key the test creates.
type keySpec struct {
	label        string
	spec         kmstypes.KeySpec
	usage        kmstypes.KeyUsageType
	origin       kmstypes.OriginType
	multiRegion  bool
	tags         map[string]string
	rotate       bool // EnableKeyRotation
	onDemand     int  // RotateKeyOnDemand calls
	disable      bool
	deleteInDays int32
	policy       *policySpec
	grants       []grantSpec
	alias        string
}

// world is what the test created, by account and region.
type world struct {
	accounts []motoAccount
	// keys by account|region|label -> key ARN
	keys map[string]string
	// grantFacts by grant id: the hand-written computed columns.
	grantFacts map[string]row
	// policies by key ARN: the hand-written facts of its policy.
	policies map[string]*policySpec
}

func keyIndex(account, region, label string) string { return account + "|" + region + "|" + label }

// buildWorld creates the organization and everything in it through moto's API, with the real
// aws-sdk-go-v2 clients.
func buildWorld(t *testing.T, endpoint string) *world {
	t.Helper()
	ctx := context.Background()
	mgmt := motoAccount{id: managementAccount, akid: managementKey, secret: "moto-secret", endpoint: endpoint}
	orgs := organizations.NewFromConfig(mgmt.config(homeRegion))
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"}); err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	w := &world{accounts: []motoAccount{mgmt}, keys: map[string]string{}, grantFacts: map[string]row{}, policies: map[string]*policySpec{}}
	for i, name := range []string{"workloads", "empty"} {
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(name), Email: aws.String(fmt.Sprintf("member%d@example.com", i)),
		})
		if err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		id := aws.ToString(out.CreateAccountStatus.AccountId)
		// Members are reached as the plugin reaches them: AssumeRole into the member role.
		creds, err := sts.NewFromConfig(mgmt.config(homeRegion)).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn:         aws.String("arn:aws:iam::" + id + ":role/" + memberRole),
			RoleSessionName: aws.String("moto-referee"),
		})
		if err != nil {
			t.Fatalf("AssumeRole into %s: %v", id, err)
		}
		c := creds.Credentials
		w.accounts = append(w.accounts, motoAccount{
			id: id, akid: aws.ToString(c.AccessKeyId), secret: aws.ToString(c.SecretAccessKey),
			token: aws.ToString(c.SessionToken), endpoint: endpoint,
		})
	}
	member := w.accounts[1].id
	// The management and workloads accounts hold keys in both regions; the third account holds
	// nothing but moto's predefined aliases.
	for _, a := range w.accounts[:2] {
		for _, region := range regions {
			w.createKeys(t, a, region, keySpecs(a.id, member, region))
		}
	}
	// Multi-Region key: primary in the home region, replica in the other.
	for _, a := range w.accounts[:2] {
		// Moto's ReplicateKey takes a key id only (an ARN answers HTTP 500).
		_, primary, _ := strings.Cut(w.keys[keyIndex(a.id, homeRegion, "multi-region")], ":key/")
		if _, err := kms.NewFromConfig(a.config(homeRegion)).ReplicateKey(ctx, &kms.ReplicateKeyInput{
			KeyId: aws.String(primary), ReplicaRegion: aws.String(otherRegion),
		}); err != nil {
			t.Fatalf("ReplicateKey: %v", err)
		}
	}
	// CloudHSMv2: a cluster in the home region of every account but the empty one (moto makes a
	// backup of each new cluster).
	for _, a := range w.accounts[:2] {
		hsm := cloudhsmv2.NewFromConfig(a.config(homeRegion))
		if _, err := hsm.CreateCluster(ctx, &cloudhsmv2.CreateClusterInput{
			HsmType:   aws.String("hsm2m.medium"),
			SubnetIds: []string{"subnet-0a1b2c3d"},
			TagList:   []hsmtypes.Tag{{Key: aws.String("owner"), Value: aws.String("crypto-team")}},
			BackupRetentionPolicy: &hsmtypes.BackupRetentionPolicy{
				Type: hsmtypes.BackupRetentionTypeDays, Value: aws.String("90"),
			},
		}); err != nil {
			t.Fatalf("CreateCluster: %v", err)
		}
	}
	return w
}

func (w *world) createKeys(t *testing.T, a motoAccount, region string, specs []keySpec) {
	t.Helper()
	ctx := context.Background()
	c := kms.NewFromConfig(a.config(region))
	for _, s := range specs {
		in := &kms.CreateKeyInput{KeySpec: s.spec, KeyUsage: s.usage, Origin: s.origin, MultiRegion: aws.Bool(s.multiRegion),
			Description: aws.String(s.label + " key")}
		for k, v := range s.tags {
			in.Tags = append(in.Tags, kmstypes.Tag{TagKey: aws.String(k), TagValue: aws.String(v)})
		}
		out, err := c.CreateKey(ctx, in)
		if err != nil {
			t.Fatalf("CreateKey %s: %v", s.label, err)
		}
		arn := aws.ToString(out.KeyMetadata.Arn)
		id := out.KeyMetadata.KeyId
		w.keys[keyIndex(a.id, region, s.label)] = arn
		if s.policy != nil {
			if _, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, PolicyName: aws.String("default"), Policy: aws.String(s.policy.document)}); err != nil {
				t.Fatalf("PutKeyPolicy: %v", err)
			}
			w.policies[arn] = s.policy
		}
		if s.rotate {
			if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id}); err != nil {
				t.Fatalf("EnableKeyRotation: %v", err)
			}
		}
		for range s.onDemand {
			if _, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id}); err != nil {
				t.Fatalf("RotateKeyOnDemand: %v", err)
			}
		}
		for _, g := range s.grants {
			in := &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(g.grantee), Operations: g.ops, Name: aws.String(g.name)}
			if g.retiring != "" {
				in.RetiringPrincipal = aws.String(g.retiring)
			}
			if g.equals != nil || g.subset != nil {
				in.Constraints = &kmstypes.GrantConstraints{EncryptionContextEquals: g.equals, EncryptionContextSubset: g.subset}
			}
			out, err := c.CreateGrant(ctx, in)
			if err != nil {
				t.Fatalf("CreateGrant: %v", err)
			}
			w.grantFacts[aws.ToString(out.GrantId)] = g.facts
		}
		if s.alias != "" {
			if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(s.alias), TargetKeyId: id}); err != nil {
				t.Fatalf("CreateAlias: %v", err)
			}
		}
		if s.disable {
			if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
				t.Fatalf("DisableKey: %v", err)
			}
		}
		if s.deleteInDays > 0 {
			if _, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(s.deleteInDays)}); err != nil {
				t.Fatalf("ScheduleKeyDeletion: %v", err)
			}
		}
	}
}

// keySpecs are the keys of one account and region: every key spec and usage moto implements
// (symmetric, RSA, ECC, HMAC; SM2 is China-only), multi-Region, imported (EXTERNAL origin), and
// the states moto can put a key in (Enabled, Disabled, PendingDeletion).
func keySpecs(account, member, region string) []keySpec {
	sym := keySpec{
		label: "symmetric", spec: kmstypes.KeySpecSymmetricDefault, usage: kmstypes.KeyUsageTypeEncryptDecrypt,
		tags: map[string]string{"team": "audit", "env": "test"}, rotate: true, onDemand: 2, alias: "alias/referee-symmetric",
		grants: []grantSpec{grantToOwnRole(account, "app-0")},
	}
	if account == managementAccount && region == homeRegion {
		sym.grants = nil
		for i := range delegatedGrants {
			name := fmt.Sprintf("g-%03d", i)
			switch i % 4 {
			case 0:
				sym.grants = append(sym.grants, grantToOwnRole(account, name))
			case 1:
				sym.grants = append(sym.grants, grantToMemberRole(account, member, name))
			case 2:
				sym.grants = append(sym.grants, grantToOutsideUser(name))
			case 3:
				sym.grants = append(sym.grants, grantToAssumedRole(account, name))
			}
		}
	}
	return []keySpec{
		sym,
		{label: "rsa-encrypt", spec: kmstypes.KeySpecRsa2048, usage: kmstypes.KeyUsageTypeEncryptDecrypt, alias: "alias/referee-rsa"},
		{label: "rsa-sign", spec: kmstypes.KeySpecRsa3072, usage: kmstypes.KeyUsageTypeSignVerify,
			grants: []grantSpec{grantSignToOwnRole(account)}},
		{label: "ecc-sign", spec: kmstypes.KeySpecEccNistP256, usage: kmstypes.KeyUsageTypeSignVerify},
		{label: "ecc-secg", spec: kmstypes.KeySpecEccSecgP256k1, usage: kmstypes.KeyUsageTypeSignVerify},
		{label: "rsa-4096", spec: kmstypes.KeySpecRsa4096, usage: kmstypes.KeyUsageTypeEncryptDecrypt},
		{label: "ecc-p384", spec: kmstypes.KeySpecEccNistP384, usage: kmstypes.KeyUsageTypeSignVerify},
		{label: "ecc-p521", spec: kmstypes.KeySpecEccNistP521, usage: kmstypes.KeyUsageTypeSignVerify},
		{label: "hmac", spec: kmstypes.KeySpecHmac256, usage: kmstypes.KeyUsageTypeGenerateVerifyMac,
			grants: []grantSpec{grantMacToMemberRole(account, member)}},
		{label: "hmac-224", spec: kmstypes.KeySpecHmac224, usage: kmstypes.KeyUsageTypeGenerateVerifyMac},
		{label: "hmac-384", spec: kmstypes.KeySpecHmac384, usage: kmstypes.KeyUsageTypeGenerateVerifyMac},
		{label: "hmac-512", spec: kmstypes.KeySpecHmac512, usage: kmstypes.KeyUsageTypeGenerateVerifyMac},
		{label: "multi-region", spec: kmstypes.KeySpecSymmetricDefault, usage: kmstypes.KeyUsageTypeEncryptDecrypt, multiRegion: region == homeRegion},
		{label: "imported", spec: kmstypes.KeySpecSymmetricDefault, usage: kmstypes.KeyUsageTypeEncryptDecrypt, origin: kmstypes.OriginTypeExternal},
		{label: "disabled", spec: kmstypes.KeySpecSymmetricDefault, usage: kmstypes.KeyUsageTypeEncryptDecrypt, disable: true, rotate: true},
		// Rotated before its deletion was scheduled: AWS keeps the rotations but refuses to list
		// them while the key is pending deletion; moto lists them.
		{label: "pending-deletion", spec: kmstypes.KeySpecSymmetricDefault, usage: kmstypes.KeyUsageTypeEncryptDecrypt, rotate: true, onDemand: 1, deleteInDays: 7},
		{label: "custom-policy", spec: kmstypes.KeySpecSymmetricDefault, usage: kmstypes.KeyUsageTypeEncryptDecrypt, policy: customPolicy(account, member)},
	}
}
