package emulator

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// keySpec is what distinguishes one generated key from another.
type keySpec struct {
	Kind        string
	ID          string // generated when empty
	Alias       string // "alias/..." or empty
	Description string
	Usage       kmstypes.KeyUsageType
	Spec        kmstypes.KeySpec
	Origin      kmstypes.OriginType
	Manager     kmstypes.KeyManagerType
	State       kmstypes.KeyState
	// RotationDays > 0 enables automatic rotation with that period.
	RotationDays int32
	Policy       string
	Tags         []kmstypes.Tag
	Created      time.Time
}

// generateCatalogueKeys creates one key of every kind the plugin must handle.
func (g *regionGen) generateCatalogueKeys() {
	p, acct, region := g.partition, g.account, g.region
	old := func() time.Time { return g.r.timeBetween(g.w.Now.AddDate(-3, 0, 0), g.w.Now.AddDate(0, 0, -120)) }
	symmetric := keySpec{Usage: kmstypes.KeyUsageTypeEncryptDecrypt, Spec: kmstypes.KeySpecSymmetricDefault}
	with := func(base keySpec, edit func(*keySpec)) keySpec { edit(&base); base.Created = old(); return base }

	shared := g.addKey(with(symmetric, func(s *keySpec) {
		s.Kind, s.Alias, s.Description = "symmetric-rotating", "alias/app-data", "Application data at rest"
		s.RotationDays, s.Policy = 365, defaultKeyPolicy(p, acct)
		s.Tags = tags("Environment", "production", "Owner", "security-team")
	}))
	if other := g.otherOrgAccount(); other != "" {
		// Shared with another account of the organization through AWS RAM: RAM adds the key's
		// second policy, AWS_RAM.
		shared.Policies["AWS_RAM"] = ramKeyPolicy(p, shared.ARN(), other)
	}
	g.addKey(with(symmetric, func(s *keySpec) {
		s.Kind, s.Alias, s.Description = "symmetric-static", "alias/legacy-data", "Legacy data, rotation never enabled"
		s.Policy = seedKeyPolicy(p, acct)
	}))
	g.addKey(with(symmetric, func(s *keySpec) {
		s.Kind, s.Alias, s.Manager = "aws-managed-ebs", "alias/aws/ebs", kmstypes.KeyManagerTypeAws
		s.Description = "Default key that protects my EBS volumes when no other key is defined"
		s.RotationDays, s.Policy = 365, awsManagedKeyPolicy(p, acct, region, "ec2")
	}))
	g.addKey(with(symmetric, func(s *keySpec) {
		s.Kind, s.Alias, s.Manager = "aws-managed-rds", "alias/aws/rds", kmstypes.KeyManagerTypeAws
		s.Description = "Default key that protects my RDS database volumes when no other key is defined"
		s.RotationDays, s.Policy = 365, awsManagedKeyPolicy(p, acct, region, "rds")
	}))
	g.addKey(with(keySpec{Usage: kmstypes.KeyUsageTypeSignVerify, Spec: kmstypes.KeySpecRsa2048}, func(s *keySpec) {
		s.Kind, s.Alias, s.Description = "rsa-sign", "alias/signing-rsa", "Release signing"
		s.Policy = defaultKeyPolicy(p, acct)
	}))
	g.addKey(with(keySpec{Usage: kmstypes.KeyUsageTypeEncryptDecrypt, Spec: kmstypes.KeySpecRsa3072}, func(s *keySpec) {
		s.Kind, s.Alias, s.Description = "rsa-encrypt", "alias/partner-exchange", "Partners encrypt to this public key"
		s.Policy = grantForAWSResourcesPolicy(p, acct)
	}))
	g.addKey(with(keySpec{Usage: kmstypes.KeyUsageTypeSignVerify, Spec: kmstypes.KeySpecEccNistP256}, func(s *keySpec) {
		s.Kind, s.Alias, s.Description = "ecc-sign", "alias/signing-ecc", "Token signing"
		s.Policy = guardedKeyPolicy(p, acct, *g.w.Organization.Id)
		s.Tags = tags("Team", "identity")
	}))
	g.addKey(with(keySpec{Usage: kmstypes.KeyUsageTypeGenerateVerifyMac, Spec: kmstypes.KeySpecHmac256}, func(s *keySpec) {
		s.Kind, s.Alias, s.Description = "hmac", "alias/webhook-mac", "Webhook MACs"
		s.Policy = defaultKeyPolicy(p, acct)
	}))
	g.addKey(with(symmetric, func(s *keySpec) {
		s.Kind, s.Alias, s.Origin = "external", "alias/imported-material", kmstypes.OriginTypeExternal
		s.Description, s.Policy = "Key material imported from the on-premises HSM", defaultKeyPolicy(p, acct)
	}))
	if len(g.rd.Clusters) > 0 {
		g.addKey(with(symmetric, func(s *keySpec) {
			s.Kind, s.Alias, s.Origin = "cloudhsm", "alias/hsm-backed", kmstypes.OriginTypeAwsCloudhsm
			s.Description, s.Policy = "Key in the CloudHSM custom key store", seedKeyPolicy(p, acct)
		}))
	}
	g.addKey(with(symmetric, func(s *keySpec) {
		s.Kind, s.Alias, s.State = "disabled", "alias/disabled-app", kmstypes.KeyStateDisabled
		s.Description, s.Policy = "Disabled after the app was retired", grantForAWSResourcesPolicy(p, acct)
	}))
	g.addKey(with(symmetric, func(s *keySpec) {
		s.Kind, s.Alias, s.State = "pending-deletion", "alias/old-reports", kmstypes.KeyStatePendingDeletion
		s.Description, s.Policy = "Scheduled for deletion", defaultKeyPolicy(p, acct)
		s.Tags = tags("Environment", "decommissioned")
	}))
	g.addMultiRegionKey()
	g.addPredefinedAWSAlias("alias/aws/s3")
}

// generatePlainKeys adds Config.KeysPerRegion ordinary customer keys.
func (g *regionGen) generatePlainKeys() {
	policies := []func() string{
		func() string { return defaultKeyPolicy(g.partition, g.account) },
		func() string { return seedKeyPolicy(g.partition, g.account) },
		func() string { return guardedKeyPolicy(g.partition, g.account, *g.w.Organization.Id) },
		func() string { return grantForAWSResourcesPolicy(g.partition, g.account) },
	}
	for i := range g.w.Config.KeysPerRegion {
		spec := keySpec{
			Kind:        "plain",
			Alias:       fmt.Sprintf("alias/app-%02d", i+1),
			Description: fmt.Sprintf("Application key %d", i+1),
			Usage:       kmstypes.KeyUsageTypeEncryptDecrypt,
			Spec:        kmstypes.KeySpecSymmetricDefault,
			Policy:      policies[i%len(policies)](),
			Created:     g.r.timeBetween(g.w.Now.AddDate(0, 0, -400), g.w.Now.AddDate(0, 0, -10)),
		}
		if i%2 == 0 {
			spec.RotationDays = int32(g.r.between(90, 730))
		}
		if i%3 == 0 {
			spec.Tags = tags("Team", "payments", "CostCenter", fmt.Sprintf("cc-%d", 100+i))
		}
		if i%4 == 3 {
			spec.Description = "" // KMS returns "" for a key created without one
		}
		k := g.addKey(spec)
		if k.Metadata.CreationDate.After(g.w.Now.Add(-trailRetention)) {
			g.logCreateKey(k, g.admin, *k.Metadata.CreationDate)
		}
	}
}

// addKey creates a key (and its alias and grants) in the region.
func (g *regionGen) addKey(s keySpec) *Key {
	return g.placeKey(buildKey(g.w, g.r, g.account, g.region, s), s)
}

// placeKey completes a built key with what depends on the region: custom key
// store, deletion schedule, alias and grants.
func (g *regionGen) placeKey(k *Key, s keySpec) *Key {
	if s.Origin == kmstypes.OriginTypeAwsCloudhsm {
		k.Metadata.CustomKeyStoreId = aws.String("cks-" + g.r.hex(17))
		k.Metadata.CloudHsmClusterId = g.rd.Clusters[0].ClusterId
	}
	if s.State == kmstypes.KeyStatePendingDeletion {
		scheduled := g.r.timeBetween(g.w.Now.AddDate(0, 0, -20), g.w.Now.AddDate(0, 0, -1))
		k.Metadata.DeletionDate = aws.Time(scheduled.AddDate(0, 0, 30))
		k.Metadata.PendingDeletionWindowInDays = aws.Int32(30)
		g.log(eventSpec{
			Name: "ScheduleKeyDeletion", At: scheduled, Actor: g.admin, KeyARN: k.ARN(),
			Params:   &RequestParameters{KeyID: k.ID(), PendingWindowInDays: 30},
			Response: &ResponseElements{KeyID: k.ARN(), DeletionDate: k.Metadata.DeletionDate.Format(time.RFC3339), KeyState: string(kmstypes.KeyStatePendingDeletion)},
		})
	}
	g.rd.Keys = append(g.rd.Keys, k)
	if s.Alias != "" {
		g.addAlias(s.Alias, k)
	}
	g.generateGrants(k)
	return k
}

// buildKey fills the metadata, rotation and tags of a key. It consumes r in
// a fixed order, so a spec and a stream always produce the same key.
func buildKey(w *World, r *rng, account, region string, s keySpec) *Key {
	id := s.ID
	if id == "" {
		id = r.uuid()
	}
	if s.Origin == "" {
		s.Origin = kmstypes.OriginTypeAwsKms
	}
	if s.Manager == "" {
		s.Manager = kmstypes.KeyManagerTypeCustomer
	}
	if s.State == "" {
		s.State = kmstypes.KeyStateEnabled
	}
	created := s.Created.UTC().Truncate(time.Second)
	md := kmstypes.KeyMetadata{
		KeyId:                 aws.String(id),
		Arn:                   aws.String(keyARN(w.Partition, region, account, id)),
		AWSAccountId:          aws.String(account),
		CreationDate:          aws.Time(created),
		Description:           aws.String(s.Description),
		Enabled:               s.State == kmstypes.KeyStateEnabled,
		KeyManager:            s.Manager,
		KeySpec:               s.Spec,
		CustomerMasterKeySpec: kmstypes.CustomerMasterKeySpec(s.Spec),
		KeyState:              s.State,
		KeyUsage:              s.Usage,
		Origin:                s.Origin,
		MultiRegion:           aws.Bool(false),
	}
	switch s.Usage {
	case kmstypes.KeyUsageTypeEncryptDecrypt:
		if s.Spec == kmstypes.KeySpecSymmetricDefault {
			md.EncryptionAlgorithms = []kmstypes.EncryptionAlgorithmSpec{kmstypes.EncryptionAlgorithmSpecSymmetricDefault}
		} else {
			md.EncryptionAlgorithms = []kmstypes.EncryptionAlgorithmSpec{kmstypes.EncryptionAlgorithmSpecRsaesOaepSha1, kmstypes.EncryptionAlgorithmSpecRsaesOaepSha256}
		}
	case kmstypes.KeyUsageTypeSignVerify:
		if s.Spec == kmstypes.KeySpecEccNistP256 {
			md.SigningAlgorithms = []kmstypes.SigningAlgorithmSpec{kmstypes.SigningAlgorithmSpecEcdsaSha256}
		} else {
			md.SigningAlgorithms = []kmstypes.SigningAlgorithmSpec{
				kmstypes.SigningAlgorithmSpecRsassaPkcs1V15Sha256, kmstypes.SigningAlgorithmSpecRsassaPkcs1V15Sha384,
				kmstypes.SigningAlgorithmSpecRsassaPkcs1V15Sha512, kmstypes.SigningAlgorithmSpecRsassaPssSha256,
				kmstypes.SigningAlgorithmSpecRsassaPssSha384, kmstypes.SigningAlgorithmSpecRsassaPssSha512,
			}
		}
	case kmstypes.KeyUsageTypeGenerateVerifyMac:
		md.MacAlgorithms = []kmstypes.MacAlgorithmSpec{kmstypes.MacAlgorithmSpecHmacSha256}
	}
	if s.Origin == kmstypes.OriginTypeExternal {
		md.ExpirationModel = kmstypes.ExpirationModelTypeKeyMaterialExpires
		md.ValidTo = aws.Time(w.Now.AddDate(1, 0, 0))
	}
	k := &Key{Metadata: md, Tags: s.Tags, Policies: map[string]string{"default": s.Policy}, Kind: s.Kind}
	if k.Tags == nil {
		k.Tags = []kmstypes.Tag{}
	}
	currentMaterial := r.hex(64)
	switch {
	case !rotationSupported(md):
	case md.Origin == kmstypes.OriginTypeExternal:
		// From its own stream: the keys generated after it keep their values.
		k.Rotation, k.KeyMaterials, currentMaterial = importedKeyMaterials(newRNG(w.Config.Seed, "imported-material", account, region, id), w.Now, &k.Metadata)
		k.Rotations = completedRotations(k.KeyMaterials)
	default:
		initial := currentMaterial
		onDemand := s.Manager == kmstypes.KeyManagerTypeCustomer // AWS rotates its managed keys itself
		k.Rotation, k.Rotations, currentMaterial = rotationHistory(r, w.Now, id, created, s.RotationDays, onDemand, currentMaterial)
		k.KeyMaterials = append([]kmstypes.RotationsListEntry{firstKeyMaterial(id, initial, len(k.Rotations) == 0)}, k.Rotations...)
	}
	if s.Spec == kmstypes.KeySpecSymmetricDefault && (s.Origin == kmstypes.OriginTypeAwsKms || s.Origin == kmstypes.OriginTypeExternal) {
		k.Metadata.CurrentKeyMaterialId = aws.String(currentMaterial)
	}
	return k
}

// rotationSupported follows the KMS developer guide ("Rotate AWS KMS keys",
// "List rotations and key materials"): symmetric encryption keys rotate, those
// whose key material KMS generated (automatically or on demand) and those with
// imported key material (on demand, since 2025); asymmetric keys, HMAC keys and
// keys in a custom key store (CloudHSM or external) do not.
func rotationSupported(md kmstypes.KeyMetadata) bool {
	if md.KeySpec != kmstypes.KeySpecSymmetricDefault || md.CustomKeyStoreId != nil {
		return false
	}
	return md.Origin == kmstypes.OriginTypeAwsKms || md.Origin == kmstypes.OriginTypeExternal
}

// firstKeyMaterial is the key material a key was created with, as
// ALL_KEY_MATERIAL lists it: no rotation date or type ("This field is not
// present for the first key material", RotationsListEntry).
func firstKeyMaterial(keyID, material string, current bool) kmstypes.RotationsListEntry {
	state := kmstypes.KeyMaterialStateNonCurrent
	if current {
		state = kmstypes.KeyMaterialStateCurrent
	}
	return kmstypes.RotationsListEntry{KeyId: aws.String(keyID), KeyMaterialId: aws.String(material), KeyMaterialState: state}
}

// completedRotations keeps the entries ROTATIONS_ONLY lists: those with a
// rotation date.
func completedRotations(materials []kmstypes.RotationsListEntry) []kmstypes.RotationsListEntry {
	out := []kmstypes.RotationsListEntry{}
	for _, m := range materials {
		if m.RotationDate != nil {
			out = append(out, m)
		}
	}
	return out
}

// importedKeyMaterials is the history of a key with imported key material, as
// "Rotate keys with imported key material" describes it: the first material
// (imported at creation, no expiry), one on-demand rotation to a second
// material (the current one, expiring at the key's ValidTo), and a third
// material imported for the next rotation (PENDING_ROTATION, no rotation date).
// Automatic rotation cannot be enabled on such keys (GetKeyRotationStatus).
// Every entry carries ImportState and ExpirationModel, which RotationsListEntry
// says are "only present for symmetric encryption KMS keys with EXTERNAL origin".
func importedKeyMaterials(r *rng, now time.Time, md *kmstypes.KeyMetadata) (*RotationStatus, []kmstypes.RotationsListEntry, string) {
	id := aws.ToString(md.KeyId)
	created := *md.CreationDate
	rotated := r.timeBetween(created.Add(time.Hour), now.Add(-48*time.Hour))
	entry := func(description string, state kmstypes.KeyMaterialState, expires *time.Time) kmstypes.RotationsListEntry {
		e := kmstypes.RotationsListEntry{
			KeyId: aws.String(id), KeyMaterialId: aws.String(r.hex(64)), KeyMaterialDescription: aws.String(description),
			KeyMaterialState: state, ImportState: kmstypes.ImportStateImported,
			ExpirationModel: kmstypes.ExpirationModelTypeKeyMaterialDoesNotExpire,
		}
		if expires != nil {
			e.ExpirationModel, e.ValidTo = kmstypes.ExpirationModelTypeKeyMaterialExpires, aws.Time(*expires)
		}
		return e
	}
	first := entry("Initial material from the on-premises HSM", kmstypes.KeyMaterialStateNonCurrent, nil)
	second := entry("Material of the first on-demand rotation", kmstypes.KeyMaterialStateCurrent, md.ValidTo)
	second.RotationDate, second.RotationType = aws.Time(rotated), kmstypes.RotationTypeOnDemand
	pending := entry("Material for the next rotation", kmstypes.KeyMaterialStatePendingRotation, nil)
	status := &RotationStatus{Enabled: false, OnDemandRotationStartDate: aws.Time(rotated)}
	return status, []kmstypes.RotationsListEntry{first, second, pending}, *second.KeyMaterialId
}

// rotationHistory returns the rotation status and the completed rotations of
// a key created at created. periodDays 0 means automatic rotation is off; such
// a key may still have been rotated on demand once.
func rotationHistory(r *rng, now time.Time, keyID string, created time.Time, periodDays int32, onDemand bool, material string) (*RotationStatus, []kmstypes.RotationsListEntry, string) {
	status := &RotationStatus{Enabled: periodDays > 0}
	rotations := []kmstypes.RotationsListEntry{}
	add := func(at time.Time, typ kmstypes.RotationType) {
		material = r.hex(64)
		rotations = append(rotations, kmstypes.RotationsListEntry{
			KeyId:            aws.String(keyID),
			KeyMaterialId:    aws.String(material),
			KeyMaterialState: kmstypes.KeyMaterialStateCurrent,
			RotationDate:     aws.Time(at),
			RotationType:     typ,
		})
	}
	if periodDays > 0 {
		period := time.Duration(periodDays) * 24 * time.Hour
		next := created.Add(period)
		for ; next.Before(now); next = next.Add(period) {
			add(next, kmstypes.RotationTypeAutomatic)
		}
		status.RotationPeriodInDays = aws.Int32(periodDays)
		status.NextRotationDate = aws.Time(next)
	}
	if onDemand && r.chance(0.5) {
		at := r.timeBetween(created.Add(time.Hour), now.Add(-time.Hour))
		add(at, kmstypes.RotationTypeOnDemand)
		status.OnDemandRotationStartDate = aws.Time(at)
	}
	sortRotations(rotations)
	for i := range rotations {
		if i < len(rotations)-1 {
			rotations[i].KeyMaterialState = kmstypes.KeyMaterialStateNonCurrent
		}
	}
	if n := len(rotations); n > 0 {
		material = *rotations[n-1].KeyMaterialId
	}
	return status, rotations, material
}

func tags(kv ...string) []kmstypes.Tag {
	out := make([]kmstypes.Tag, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, kmstypes.Tag{TagKey: aws.String(kv[i]), TagValue: aws.String(kv[i+1])})
	}
	return out
}

func (g *regionGen) addAlias(name string, k *Key) {
	created := k.Metadata.CreationDate.Add(time.Duration(g.r.between(1, 600)) * time.Second)
	g.rd.Aliases = append(g.rd.Aliases, kmstypes.AliasListEntry{
		AliasName:       aws.String(name),
		AliasArn:        aws.String(aliasARN(g.partition, g.region, g.account, name)),
		TargetKeyId:     aws.String(k.ID()),
		CreationDate:    aws.Time(created),
		LastUpdatedDate: aws.Time(created),
	})
}

// addPredefinedAWSAlias lists an AWS managed alias whose key the service has
// not created yet: ListAliases returns it without a target or dates.
func (g *regionGen) addPredefinedAWSAlias(name string) {
	g.rd.Aliases = append(g.rd.Aliases, kmstypes.AliasListEntry{
		AliasName: aws.String(name),
		AliasArn:  aws.String(aliasARN(g.partition, g.region, g.account, name)),
	})
}

// logCreateKey records the CreateKey call of a key created within retention.
func (g *regionGen) logCreateKey(k *Key, by actor, at time.Time) {
	g.log(eventSpec{
		Name: "CreateKey", At: at, Actor: by, KeyARN: k.ARN(),
		Params: &RequestParameters{
			Description: *k.Metadata.Description, KeySpec: string(k.Metadata.KeySpec),
			KeyUsage: string(k.Metadata.KeyUsage), Origin: string(k.Metadata.Origin),
		},
		Response: &ResponseElements{KeyID: k.ARN()},
	})
}
