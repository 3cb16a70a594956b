package emulator

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// grantSpec is one grant to create, with who created it and when.
type grantSpec struct {
	Grantee         string
	GranteeService  string
	Retiring        string
	RetiringService string
	Ops             []kmstypes.GrantOperation
	Constraints     *kmstypes.GrantConstraints
	Name            string
	Creator         actor
	// Created defaults to a time within CloudTrail retention after the key's creation.
	Created time.Time
}

// grantArchetype builds one kind of grant for a key (a delegation is two
// grants); nil when it does not apply to the key, as service grants only
// exist on symmetric encryption keys.
type grantArchetype func(g *regionGen, k *Key) []grantSpec

func single(build func(g *regionGen, k *Key) *grantSpec) grantArchetype {
	return func(g *regionGen, k *Key) []grantSpec {
		if s := build(g, k); s != nil {
			return []grantSpec{*s}
		}
		return nil
	}
}

// grantArchetypes cover every grantee the seed document talks about. Grants
// are dealt round-robin from a per-region cursor, so every region holds each
// kind once it has as many grants as there are kinds.
var grantArchetypes = []grantArchetype{
	single((*regionGen).rdsServiceGrant),
	single((*regionGen).roleGrant),
	single((*regionGen).dynamoDBServiceGrant),
	single((*regionGen).userRetireGrant),
	single((*regionGen).servicePrincipalFieldGrant),
	single((*regionGen).crossOrgAccountGrant),
	single((*regionGen).awsInternalGrant),
	single((*regionGen).accountRootGrant),
	single((*regionGen).outsideOrgGrant),
	single((*regionGen).assumedRoleGrant),
	single((*regionGen).encryptionContextEqualsGrant),
	single((*regionGen).uniqueIDGrant),
	single((*regionGen).encryptionContextSubsetGrant),
	(*regionGen).delegatingGrants,
}

// generateGrants gives a new key its grants: AWS managed keys the grants of
// their service, customer keys Config.GrantsPerKey grants of varied kinds.
func (g *regionGen) generateGrants(k *Key) {
	switch k.Kind {
	case "aws-managed-ebs":
		g.addGrant(k, grantSpec{
			Grantee: "AWS Internal",
			Ops: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationGenerateDataKeyWithoutPlaintext,
				kmstypes.GrantOperationReEncryptFrom, kmstypes.GrantOperationReEncryptTo, kmstypes.GrantOperationDescribeKey},
			Creator: awsServiceActor("ec2.amazonaws.com"),
		})
		// EC2 grants the instance's infrastructure role use of the volume key.
		g.addGrant(k, grantSpec{
			Grantee: assumedRoleARN(g.partition, g.account, "aws:ec2-infrastructure", "i-0"+g.r.hex(16)),
			Ops:     []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt},
			Creator: g.admin.via("ec2.amazonaws.com"),
		})
		return
	case "aws-managed-rds":
		g.addGrant(k, *g.rdsServiceGrant(k))
		return
	case "scenario", "hot", "access-main", "access-no-iam":
		return // their grants are written out by hand
	}
	if g.cursor < 0 {
		g.cursor = g.r.IntN(len(grantArchetypes))
	}
	want := g.r.between(g.w.Config.GrantsPerKey.Min, g.w.Config.GrantsPerKey.Max)
	for made, tries := 0, 0; made < want && tries < 2*len(grantArchetypes); tries++ {
		specs := grantArchetypes[g.cursor%len(grantArchetypes)](g, k)
		g.cursor++
		for _, spec := range specs {
			g.addGrant(k, spec)
		}
		made += len(specs)
	}
}

// addGrant creates the grant on the key and logs its CreateGrant call.
func (g *regionGen) addGrant(k *Key, s grantSpec) kmstypes.GrantListEntry {
	grant := g.issueGrant(k, s)
	k.Grants = append(k.Grants, grant)
	return grant
}

// issueGrant builds a grant and logs its CreateGrant call, without adding it
// to the key (for grants deleted since).
func (g *regionGen) issueGrant(k *Key, s grantSpec) kmstypes.GrantListEntry {
	if s.Created.IsZero() {
		s.Created = g.recentSince(*k.Metadata.CreationDate)
	}
	grant := kmstypes.GrantListEntry{
		GrantId:        aws.String(g.r.hex(64)),
		KeyId:          aws.String(k.ARN()),
		CreationDate:   aws.Time(s.Created.UTC().Truncate(time.Second)),
		IssuingAccount: aws.String(rootARN(g.partition, issuingAccount(s.Creator, g.account))),
		Operations:     s.Ops,
		Constraints:    s.Constraints,
	}
	grant.GranteePrincipal = optional(s.Grantee)
	grant.GranteeServicePrincipal = optional(s.GranteeService)
	grant.RetiringPrincipal = optional(s.Retiring)
	grant.RetiringServicePrincipal = optional(s.RetiringService)
	grant.Name = optional(s.Name)
	g.log(createGrantEvent(k, grant, s.Creator))
	return grant
}

// createGrantEvent is the CreateGrant record of an existing grant.
func createGrantEvent(k *Key, grant kmstypes.GrantListEntry, creator actor) eventSpec {
	params := grantRequestParameters(k.ARN(), grant.GranteePrincipal, grant.GranteeServicePrincipal,
		grant.RetiringPrincipal, grant.RetiringServicePrincipal, grant.Operations, grant.Constraints)
	params.Name = aws.ToString(grant.Name)
	return eventSpec{
		Name: "CreateGrant", At: *grant.CreationDate, Actor: creator, KeyARN: k.ARN(),
		Params:   params,
		Response: &ResponseElements{GrantID: *grant.GrantId, KeyID: k.ARN()},
	}
}

func grantRequestParameters(keyARN string, grantee, granteeService, retiring, retiringService *string,
	ops []kmstypes.GrantOperation, constraints *kmstypes.GrantConstraints) *RequestParameters {
	params := &RequestParameters{
		KeyID:                    keyARN,
		GranteePrincipal:         aws.ToString(grantee),
		GranteeServicePrincipal:  aws.ToString(granteeService),
		RetiringPrincipal:        aws.ToString(retiring),
		RetiringServicePrincipal: aws.ToString(retiringService),
	}
	for _, op := range ops {
		params.Operations = append(params.Operations, string(op))
	}
	if constraints != nil {
		params.Constraints = &RecordConstraints{
			EncryptionContextEquals: constraints.EncryptionContextEquals,
			EncryptionContextSubset: constraints.EncryptionContextSubset,
			SourceArn:               aws.ToString(constraints.SourceArn),
		}
	}
	return params
}

// issuingAccount is the account a grant was issued under: the creator's,
// except for AWS services acting on their own.
func issuingAccount(creator actor, keyAccount string) string {
	if creator.Account == "" {
		return keyAccount
	}
	return creator.Account
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func sortGrants(grants []kmstypes.GrantListEntry) {
	slices.SortFunc(grants, func(a, b kmstypes.GrantListEntry) int {
		return cmp.Or(a.CreationDate.Compare(*b.CreationDate), cmp.Compare(*a.GrantId, *b.GrantId))
	})
}

func sortRotations(rotations []kmstypes.RotationsListEntry) {
	slices.SortFunc(rotations, func(a, b kmstypes.RotationsListEntry) int {
		return a.RotationDate.Compare(*b.RotationDate)
	})
}

func isSymmetricEncryption(k *Key) bool {
	return k.Metadata.KeySpec == kmstypes.KeySpecSymmetricDefault
}

// usageOperations are the grant operations a key's usage allows, in the order
// KMS lists them.
func usageOperations(k *Key) []kmstypes.GrantOperation {
	switch {
	case isSymmetricEncryption(k):
		return []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationEncrypt,
			kmstypes.GrantOperationGenerateDataKey, kmstypes.GrantOperationGenerateDataKeyWithoutPlaintext,
			kmstypes.GrantOperationReEncryptFrom, kmstypes.GrantOperationReEncryptTo, kmstypes.GrantOperationDescribeKey}
	case k.Metadata.KeyUsage == kmstypes.KeyUsageTypeEncryptDecrypt:
		return []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationEncrypt,
			kmstypes.GrantOperationGetPublicKey, kmstypes.GrantOperationDescribeKey}
	case k.Metadata.KeyUsage == kmstypes.KeyUsageTypeSignVerify:
		return []kmstypes.GrantOperation{kmstypes.GrantOperationSign, kmstypes.GrantOperationVerify,
			kmstypes.GrantOperationGetPublicKey, kmstypes.GrantOperationDescribeKey}
	default:
		return []kmstypes.GrantOperation{kmstypes.GrantOperationGenerateMac, kmstypes.GrantOperationVerifyMac,
			kmstypes.GrantOperationDescribeKey}
	}
}

// someOperations picks a non-empty subset of the key's operations, in order.
func (g *regionGen) someOperations(k *Key, extra ...kmstypes.GrantOperation) []kmstypes.GrantOperation {
	pool := usageOperations(k)
	var ops []kmstypes.GrantOperation
	for _, op := range pool {
		if g.r.chance(0.5) {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		ops = pool[:1]
	}
	return append(ops, extra...)
}

func (g *regionGen) rdsServiceGrant(k *Key) *grantSpec {
	if !isSymmetricEncryption(k) {
		return nil
	}
	rds := servicePrincipal("rds", g.region)
	return &grantSpec{
		Grantee: rds, Retiring: rds,
		Ops: append(usageOperations(k)[:6:6], kmstypes.GrantOperationCreateGrant,
			kmstypes.GrantOperationRetireGrant, kmstypes.GrantOperationDescribeKey),
		Creator: g.admin.via("rds.amazonaws.com"),
	}
}

func (g *regionGen) dynamoDBServiceGrant(k *Key) *grantSpec {
	if !isSymmetricEncryption(k) {
		return nil
	}
	return &grantSpec{
		Grantee: servicePrincipal("dynamodb", g.region),
		Ops: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationEncrypt,
			kmstypes.GrantOperationGenerateDataKey, kmstypes.GrantOperationDescribeKey},
		Creator: assumedRoleActor(g.partition, g.account, DeployRoleName, "terraform").via("dynamodb.amazonaws.com"),
	}
}

// servicePrincipalFieldGrant uses the newer GranteeServicePrincipal field:
// GranteePrincipal stays empty and a SourceArn constraint is mandatory.
func (g *regionGen) servicePrincipalFieldGrant(k *Key) *grantSpec {
	if !isSymmetricEncryption(k) {
		return nil
	}
	return &grantSpec{
		GranteeService: "bedrock.amazonaws.com", RetiringService: "bedrock.amazonaws.com",
		Ops: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationGenerateDataKey, kmstypes.GrantOperationDescribeKey},
		Constraints: &kmstypes.GrantConstraints{SourceArn: aws.String(
			fmt.Sprintf("arn:%s:bedrock:%s:%s:knowledge-base/%s", g.partition, g.region, g.account, g.r.chars(upperBase32, 10)))},
		Creator: g.admin.via("bedrock.amazonaws.com"),
	}
}

func (g *regionGen) awsInternalGrant(k *Key) *grantSpec {
	if !isSymmetricEncryption(k) {
		return nil
	}
	return &grantSpec{
		Grantee: "AWS Internal",
		Ops:     []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationDescribeKey},
		Creator: awsServiceActor("ec2.amazonaws.com"),
	}
}

func (g *regionGen) roleGrant(k *Key) *grantSpec {
	s := &grantSpec{
		Grantee: roleARN(g.partition, g.account, AppRoleName),
		Ops:     g.someOperations(k),
		Creator: g.admin,
	}
	if g.r.chance(0.5) {
		s.Retiring = roleARN(g.partition, g.account, KeyAdminRoleName)
		s.Name = "app-server-access"
	}
	return s
}

func (g *regionGen) userRetireGrant(k *Key) *grantSpec {
	return &grantSpec{
		Grantee: userARN(g.partition, g.account, aliceUserName),
		Ops:     g.someOperations(k, kmstypes.GrantOperationRetireGrant),
		Creator: g.admin,
	}
}

func (g *regionGen) accountRootGrant(k *Key) *grantSpec {
	return &grantSpec{Grantee: rootARN(g.partition, g.account), Ops: g.someOperations(k), Creator: g.admin}
}

func (g *regionGen) assumedRoleGrant(k *Key) *grantSpec {
	return &grantSpec{
		Grantee: assumedRoleARN(g.partition, g.account, AppRoleName, "i-0"+g.r.hex(16)),
		Ops:     g.someOperations(k),
		Creator: g.admin,
	}
}

// uniqueIDGrant names a role that was deleted since: KMS then shows its
// unique id instead of the ARN.
func (g *regionGen) uniqueIDGrant(k *Key) *grantSpec {
	return &grantSpec{
		Grantee: uniqueID("AROA", g.account, "role/DeletedBatchRole"),
		Ops:     g.someOperations(k),
		Creator: g.admin,
	}
}

// crossOrgAccountGrant is created by a user of another organization account
// for a role of that account.
func (g *regionGen) crossOrgAccountGrant(k *Key) *grantSpec {
	other := g.otherOrgAccount()
	if other == "" {
		return nil
	}
	return &grantSpec{
		Grantee: roleARN(g.partition, other, CrossAccountRoleName),
		Ops:     g.someOperations(k),
		Creator: iamUserActor(g.partition, other, aliceUserName),
	}
}

func (g *regionGen) outsideOrgGrant(k *Key) *grantSpec {
	if g.w.OutsideAccount == "" {
		return nil
	}
	return &grantSpec{
		Grantee: roleARN(g.partition, g.w.OutsideAccount, PartnerRoleName),
		Ops:     g.someOperations(k),
		Creator: g.admin,
	}
}

func (g *regionGen) encryptionContextEqualsGrant(k *Key) *grantSpec {
	if !isSymmetricEncryption(k) {
		return nil
	}
	return &grantSpec{
		Grantee: roleARN(g.partition, g.account, AppRoleName),
		Ops:     []kmstypes.GrantOperation{kmstypes.GrantOperationEncrypt, kmstypes.GrantOperationDecrypt},
		Constraints: &kmstypes.GrantConstraints{EncryptionContextEquals: map[string]string{
			"tenant": "t-" + g.r.chars(lowerAlnum, 6),
		}},
		Creator: g.admin,
	}
}

func (g *regionGen) encryptionContextSubsetGrant(k *Key) *grantSpec {
	if !isSymmetricEncryption(k) {
		return nil
	}
	return &grantSpec{
		Grantee: roleARN(g.partition, g.account, DeployRoleName),
		Ops:     []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationGenerateDataKey},
		Constraints: &kmstypes.GrantConstraints{EncryptionContextSubset: map[string]string{
			"Department": "IT", "Project": "p-" + g.r.chars("0123456789", 3),
		}},
		Creator: g.admin,
	}
}

// delegatingGrants lets alice create grants; she then hands a subset of her
// operations to the application role (a child grant she created).
func (g *regionGen) delegatingGrants(k *Key) []grantSpec {
	ops := append(g.someOperations(k), kmstypes.GrantOperationCreateGrant)
	parentCreated := g.recentSince(*k.Metadata.CreationDate)
	return []grantSpec{
		{
			Grantee: userARN(g.partition, g.account, aliceUserName),
			Ops:     ops,
			Creator: g.admin,
			Created: parentCreated,
		},
		{
			Grantee: roleARN(g.partition, g.account, AppRoleName),
			Ops:     ops[:1],
			Creator: iamUserActor(g.partition, g.account, aliceUserName),
			Created: parentCreated.Add(time.Duration(g.r.between(60, 3000)) * time.Second),
		},
	}
}

// otherOrgAccount is another ACTIVE organization account: the first member
// for the management account, the management account for members.
func (g *regionGen) otherOrgAccount() string {
	for _, id := range g.w.activeAccounts() {
		if id != g.account {
			return id
		}
	}
	return ""
}
