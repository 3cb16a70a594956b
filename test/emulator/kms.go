package emulator

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// kmsOperations is the read-only KMS API (TrentService, awsJson1.1).
var kmsOperations = map[string]handler{
	"ListKeys":             (*Server).kmsListKeys,
	"DescribeKey":          (*Server).kmsDescribeKey,
	"ListResourceTags":     (*Server).kmsListResourceTags,
	"ListAliases":          (*Server).kmsListAliases,
	"ListGrants":           (*Server).kmsListGrants,
	"ListKeyPolicies":      (*Server).kmsListKeyPolicies,
	"GetKeyPolicy":         (*Server).kmsGetKeyPolicy,
	"GetKeyRotationStatus": (*Server).kmsGetKeyRotationStatus,
	"ListKeyRotations":     (*Server).kmsListKeyRotations,
	"GetKeyLastUsage":      (*Server).kmsGetKeyLastUsage,
}

// kmsInput holds every request member the served KMS operations read.
type kmsInput struct {
	KeyId            *string
	Limit            *int64
	Marker           *string
	GrantId          *string
	GranteePrincipal *string
	PolicyName       *string
	// IncludeKeyMaterial is ListKeyRotations' ROTATIONS_ONLY (default) or ALL_KEY_MATERIAL.
	IncludeKeyMaterial *string
	// ResourceOwners is ListKeys' SELF and/or OTHER_ACCOUNTS_VIA_RAM (kms v1.63.0).
	ResourceOwners []string
}

func (s *Server) kmsInput(req *request) (kmsInput, error) {
	var in kmsInput
	if decodeFlatKMSInput(req.body, &in) {
		return in, nil
	}
	in = kmsInput{}
	return in, req.decode(&in)
}

func invalidMarker() *apiError {
	return clientError("InvalidMarkerException", "The request was rejected because the marker that specifies where pagination should next begin is not valid.")
}

func keyNotFound(ref string) *apiError {
	return clientError("NotFoundException", "Key '%s' does not exist", ref)
}

// findKey resolves a KeyId member (key id or key ARN; alias name or alias ARN
// where KMS accepts them) in the caller's account and region, then applies
// the per-key faults. Call with the World read-locked.
func (s *Server) findKey(req *request, rd *RegionData, ref *string, allowAlias bool) (*Key, *apiError) {
	if ref == nil || *ref == "" {
		return nil, validationError("keyId", "null", "Member must not be null")
	}
	id := *ref
	if strings.HasPrefix(id, "arn:") {
		fields := strings.SplitN(id, ":", 6)
		if len(fields) != 6 || fields[2] != "kms" {
			return nil, clientError("NotFoundException", "Invalid arn %s", id)
		}
		if fields[3] != req.region || fields[4] != req.caller.Account {
			return nil, keyNotFound(id)
		}
		id = fields[5] // key/<id> or alias/<name>
		if after, ok := strings.CutPrefix(id, "key/"); ok {
			id = after
		}
	}
	if strings.HasPrefix(id, "alias/") {
		if !allowAlias {
			return nil, clientError("NotFoundException", "Invalid keyId %s", *ref)
		}
		target := ""
		for _, a := range rd.Aliases {
			if *a.AliasName == id && a.TargetKeyId != nil {
				target = *a.TargetKeyId
			}
		}
		if target == "" {
			return nil, clientError("NotFoundException", "Alias %s is not found.", aliasARN(s.world.Partition, req.region, req.caller.Account, id))
		}
		id = target
	}
	k, nth := s.keys.find(rd, id)
	if k == nil {
		return nil, keyNotFound(keyARN(s.world.Partition, req.region, req.caller.Account, id))
	}
	if fault := s.keyFault(nth, k, req); fault != nil {
		return nil, fault
	}
	return k, nil
}

// withKey runs fn on the request's key with the World read-locked.
func (s *Server) withKey(req *request, allowAlias bool, fn func(in kmsInput, k *Key) (any, error)) (any, error) {
	in, err := s.kmsInput(req)
	if err != nil {
		return nil, err
	}
	var out any
	s.world.Read(func() {
		rd := s.world.Region(req.caller.Account, req.region)
		k, aerr := s.findKey(req, rd, in.KeyId, allowAlias)
		if aerr != nil {
			err = aerr
			return
		}
		out, err = fn(in, k)
	})
	return out, err
}

// kmsListKeys follows ListKeys (API reference, kms v1.63.0 ListKeysInput.ResourceOwners):
// without ResourceOwners, or with SELF, the account's own keys; with OTHER_ACCOUNTS_VIA_RAM the
// keys other accounts share with it through RAM; with both, the own keys first and then the
// shared ones, never both kinds in one response. Listing shared keys, "a response can contain
// fewer KMS keys than the Limit value, or none, even when Truncated is true": the emulator
// starts that part with an empty page and then serves at most half a Limit a page. "Use a
// NextMarker value only in a request that has the same ResourceOwners value as the request
// that returned it. Otherwise, the request can fail with an InvalidMarkerException."
func (s *Server) kmsListKeys(req *request) (any, error) {
	in, err := s.kmsInput(req)
	if err != nil {
		return nil, err
	}
	limit, aerr := limitParam(in.Limit, "limit", 1, 1000, 100)
	if aerr != nil {
		return nil, aerr
	}
	self, shared := len(in.ResourceOwners) == 0, false
	for _, o := range in.ResourceOwners {
		switch o {
		case string(kmstypes.ResourceOwnerTypeSelf):
			self = true
		case string(kmstypes.ResourceOwnerTypeOtherAccountsViaRam):
			shared = true
		default:
			return nil, validationError("resourceOwners", o, "Member must satisfy enum value set: [SELF, OTHER_ACCOUNTS_VIA_RAM]")
		}
	}
	if len(in.ResourceOwners) > 2 {
		return nil, validationError("resourceOwners", in.ResourceOwners, "Member must have length less than or equal to 2")
	}
	owners := map[[2]bool]string{{true, false}: "S", {false, true}: "R", {true, true}: "SR"}[[2]bool{self, shared}]
	phase, pos, ok := "S", "", true
	if !self {
		phase = "R0"
	}
	if in.Marker != nil && *in.Marker != "" {
		phase, pos, ok = decodeListKeysMarker(*in.Marker, owners)
	}
	if !ok {
		return nil, invalidMarker()
	}
	out := &kms.ListKeysOutput{Keys: []kmstypes.KeyListEntry{}}
	s.world.Read(func() {
		rd := s.world.Region(req.caller.Account, req.region)
		switch phase {
		case "S":
			keys := rd.Keys
			start := sort.Search(len(keys), func(i int) bool { return keyPosition(keys[i]) > pos })
			end, more := pageEnd(len(keys), start, limit)
			for _, k := range keys[start:end] {
				out.Keys = append(out.Keys, kmstypes.KeyListEntry{KeyId: aws.String(k.ID()), KeyArn: aws.String(k.ARN())})
			}
			switch {
			case more:
				out.Truncated, out.NextMarker = true, listKeysMarker(owners, "S", keyPosition(keys[end-1]))
			case shared && len(rd.SharedWithMe) > 0:
				out.Truncated, out.NextMarker = true, listKeysMarker(owners, "R0", "")
			}
		case "R0":
			if len(rd.SharedWithMe) > 0 {
				out.Truncated, out.NextMarker = true, listKeysMarker(owners, "R", "")
			}
		default:
			keys := rd.SharedWithMe
			start := sort.Search(len(keys), func(i int) bool { return *keys[i].Entry.KeyArn > pos })
			end, more := pageEnd(len(keys), start, max(1, limit/2))
			for _, k := range keys[start:end] {
				out.Keys = append(out.Keys, k.Entry)
			}
			if more {
				out.Truncated, out.NextMarker = true, listKeysMarker(owners, "R", *keys[end-1].Entry.KeyArn)
			}
		}
	})
	return out, nil
}

// listKeysMarker ties a ListKeys marker to the ResourceOwners value it came with.
func listKeysMarker(owners, phase, pos string) *string {
	return encodeToken("keys:" + owners + ":" + phase + ":" + pos)
}

func decodeListKeysMarker(token, owners string) (phase, pos string, ok bool) {
	payload, ok := decodeToken(token)
	if !ok {
		return "", "", false
	}
	parts := strings.SplitN(payload, ":", 4)
	if len(parts) != 4 || parts[0] != "keys" || parts[1] != owners {
		return "", "", false
	}
	return parts[2], parts[3], true
}

func keyPosition(k *Key) string { return positionKey(*k.Metadata.CreationDate, k.ID()) }

func (s *Server) kmsDescribeKey(req *request) (any, error) {
	if out, err, ok := s.describeSharedKey(req); ok {
		return out, err
	}
	return s.withKey(req, true, func(_ kmsInput, k *Key) (any, error) {
		md := k.Metadata
		return &kms.DescribeKeyOutput{KeyMetadata: &md}, nil
	})
}

// kmsListResourceTags lists a key's tags. AWS managed keys answer with an
// empty list: their policy allows kms:List* to the account.
func (s *Server) kmsListResourceTags(req *request) (any, error) {
	return s.withKey(req, false, func(in kmsInput, k *Key) (any, error) {
		limit, aerr := limitParam(in.Limit, "limit", 1, 50, 50)
		if aerr != nil {
			return nil, aerr
		}
		start, ok := decodeOffset(in.Marker)
		if !ok || start > len(k.Tags) {
			return nil, invalidMarker()
		}
		end, more := pageEnd(len(k.Tags), start, limit)
		out := &kms.ListResourceTagsOutput{Tags: k.Tags[start:end:end]}
		if more {
			out.Truncated, out.NextMarker = true, offsetToken(end)
		}
		return out, nil
	})
}

func (s *Server) kmsListAliases(req *request) (any, error) {
	in, err := s.kmsInput(req)
	if err != nil {
		return nil, err
	}
	limit, aerr := limitParam(in.Limit, "limit", 1, 100, 50)
	if aerr != nil {
		return nil, aerr
	}
	after, ok := decodePosition(in.Marker)
	if !ok {
		return nil, invalidMarker()
	}
	out := &kms.ListAliasesOutput{Aliases: []kmstypes.AliasListEntry{}}
	s.world.Read(func() {
		rd := s.world.Region(req.caller.Account, req.region)
		aliases := rd.Aliases
		if in.KeyId != nil {
			k, kerr := s.findKey(req, rd, in.KeyId, false)
			if kerr != nil {
				err = kerr
				return
			}
			aliases = nil
			for _, a := range rd.Aliases {
				if a.TargetKeyId != nil && *a.TargetKeyId == k.ID() {
					aliases = append(aliases, a)
				}
			}
		}
		start := sort.Search(len(aliases), func(i int) bool { return *aliases[i].AliasName > after })
		end, more := pageEnd(len(aliases), start, limit)
		out.Aliases = append(out.Aliases, aliases[start:end]...)
		if more {
			out.Truncated, out.NextMarker = true, positionToken(*aliases[end-1].AliasName)
		}
	})
	return out, err
}

func (s *Server) kmsListGrants(req *request) (any, error) {
	var (
		key       *Key
		nextGrant string
	)
	out, err := s.withKey(req, false, func(in kmsInput, k *Key) (any, error) {
		limit, aerr := limitParam(in.Limit, "limit", 1, 100, 50)
		if aerr != nil {
			return nil, aerr
		}
		after, ok := decodePosition(in.Marker)
		if !ok {
			return nil, invalidMarker()
		}
		grants := k.Grants
		if in.GrantId != nil || in.GranteePrincipal != nil {
			grants = nil
			for _, g := range k.Grants {
				if (in.GrantId == nil || *g.GrantId == *in.GrantId) &&
					(in.GranteePrincipal == nil || aws.ToString(g.GranteePrincipal) == *in.GranteePrincipal) {
					grants = append(grants, g)
				}
			}
		}
		start := sort.Search(len(grants), func(i int) bool { return grantPosition(grants[i]) > after })
		end, more := pageEnd(len(grants), start, limit)
		out := &kms.ListGrantsOutput{Grants: append([]kmstypes.GrantListEntry{}, grants[start:end]...)}
		if more {
			out.Truncated, out.NextMarker = true, positionToken(grantPosition(grants[end-1]))
			key, nextGrant = k, *grants[end].GrantId
		}
		return out, nil
	})
	if err == nil && key != nil {
		s.revokeBetweenPages(req, key, nextGrant)
	}
	return out, err
}

func grantPosition(g kmstypes.GrantListEntry) string { return positionKey(*g.CreationDate, *g.GrantId) }

func (s *Server) kmsListKeyPolicies(req *request) (any, error) {
	return s.withKey(req, false, func(in kmsInput, k *Key) (any, error) {
		limit, aerr := limitParam(in.Limit, "limit", 1, 1000, 100)
		if aerr != nil {
			return nil, aerr
		}
		names := slices.Sorted(maps.Keys(k.Policies))
		start, ok := decodeOffset(in.Marker)
		if !ok || start > len(names) {
			return nil, invalidMarker()
		}
		end, more := pageEnd(len(names), start, limit)
		out := &kms.ListKeyPoliciesOutput{PolicyNames: names[start:end]}
		if more {
			out.Truncated, out.NextMarker = true, offsetToken(end)
		}
		return out, nil
	})
}

// kmsGetKeyPolicy follows GetKeyPolicy (API reference): PolicyName defaults
// to "default"; the valid names are default and AWS_RAM, and a key without an
// AWS_RAM policy answers NotFoundException.
func (s *Server) kmsGetKeyPolicy(req *request) (any, error) {
	return s.withKey(req, false, func(in kmsInput, k *Key) (any, error) {
		name := aws.ToString(in.PolicyName)
		if name == "" {
			name = "default"
		}
		if name != "default" && name != "AWS_RAM" {
			return nil, validationError("policyName", name, "Member must satisfy regular expression pattern: default|AWS_RAM")
		}
		policy, ok := k.Policies[name]
		if !ok {
			return nil, clientError("NotFoundException", "Key policy %s does not exist for key %s", name, k.ARN())
		}
		return &kms.GetKeyPolicyOutput{Policy: aws.String(policy), PolicyName: aws.String(name)}, nil
	})
}

// unsupportedRotation words KMS's refusal to rotate a key that cannot rotate.
func unsupportedRotation(k *Key) *apiError {
	md := k.Metadata
	reason := "key spec is " + string(md.KeySpec)
	switch {
	case md.Origin != kmstypes.OriginTypeAwsKms:
		reason = "origin is " + string(md.Origin)
	case md.CustomKeyStoreId != nil:
		reason = "key is in a custom key store"
	}
	return clientError("UnsupportedOperationException", "%s %s which is not valid for this operation.", k.ARN(), reason)
}

// rotationStateError is the refusal of a rotation operation in a key state
// where the key state table (KMS developer guide, "Key states of AWS KMS
// keys") marks it as failing: KMSInvalidStateException naming the state, as its
// table details word it ("<key ARN> is pending deletion.").
func rotationStateError(k *Key) *apiError {
	words := map[kmstypes.KeyState]string{
		kmstypes.KeyStatePendingDeletion:        "pending deletion",
		kmstypes.KeyStatePendingReplicaDeletion: "pending replica deletion",
		kmstypes.KeyStatePendingImport:          "pending import",
		kmstypes.KeyStateUnavailable:            "unavailable",
		kmstypes.KeyStateCreating:               "creating",
		kmstypes.KeyStateUpdating:               "updating",
	}
	if w, ok := words[k.Metadata.KeyState]; ok {
		return clientError("KMSInvalidStateException", "%s is %s.", k.ARN(), w)
	}
	return nil
}

// AnswersRotationCalls reports whether GetKeyRotationStatus and ListKeyRotations answer for the
// key (rather than UnsupportedOperationException or KMSInvalidStateException), i.e. whether a
// reader gets its rotation status and key materials.
func (k *Key) AnswersRotationCalls() bool {
	return k.Rotation != nil && rotationStateError(k) == nil
}

// kmsGetKeyRotationStatus follows GetKeyRotationStatus (API reference): keys
// that cannot rotate answer UnsupportedOperationException; "while a KMS key
// is pending deletion, its key rotation status is false"; in the other
// transitional states the key state table has it fail.
func (s *Server) kmsGetKeyRotationStatus(req *request) (any, error) {
	return s.withKey(req, false, func(_ kmsInput, k *Key) (any, error) {
		if k.Rotation == nil {
			return nil, unsupportedRotation(k)
		}
		r := *k.Rotation
		switch k.Metadata.KeyState {
		case kmstypes.KeyStatePendingDeletion:
			r.Enabled = false
		default:
			if aerr := rotationStateError(k); aerr != nil {
				return nil, aerr
			}
		}
		return &kms.GetKeyRotationStatusOutput{
			KeyId:                     aws.String(k.ID()),
			KeyRotationEnabled:        r.Enabled,
			RotationPeriodInDays:      r.RotationPeriodInDays,
			NextRotationDate:          r.NextRotationDate,
			OnDemandRotationStartDate: r.OnDemandRotationStartDate,
		}, nil
	})
}

// kmsListKeyRotations follows ListKeyRotations (API reference): by default
// (ROTATIONS_ONLY) the completed rotations; with ALL_KEY_MATERIAL also the
// first key material and imported material pending rotation. Keys that cannot
// rotate answer UnsupportedOperationException, keys in a transitional state
// KMSInvalidStateException.
func (s *Server) kmsListKeyRotations(req *request) (any, error) {
	return s.withKey(req, false, func(in kmsInput, k *Key) (any, error) {
		if k.Rotation == nil {
			return nil, unsupportedRotation(k)
		}
		if aerr := rotationStateError(k); aerr != nil {
			return nil, aerr
		}
		entries := k.Rotations
		switch include := aws.ToString(in.IncludeKeyMaterial); include {
		case "", string(kmstypes.IncludeKeyMaterialRotationsOnly):
		case string(kmstypes.IncludeKeyMaterialAllKeyMaterial):
			entries = k.KeyMaterials
		default:
			return nil, validationError("includeKeyMaterial", include, "Member must satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]")
		}
		limit, aerr := limitParam(in.Limit, "limit", 1, 1000, 100)
		if aerr != nil {
			return nil, aerr
		}
		start, ok := decodeOffset(in.Marker)
		if !ok || start > len(entries) {
			return nil, invalidMarker()
		}
		end, more := pageEnd(len(entries), start, limit)
		out := &kms.ListKeyRotationsOutput{Rotations: entries[start:end:end]}
		if more {
			out.Truncated, out.NextMarker = true, offsetToken(end)
		}
		return out, nil
	})
}

// describeSharedKey answers DescribeKey for a key another account shares with the caller
// through RAM (by key ARN: "To perform this operation on a KMS key in a different AWS account,
// specify the key ARN"): allowed when the share's permission includes kms:DescribeKey, else
// AccessDeniedException, as a decrypt-only share leaves it. ok is false for any other key.
func (s *Server) describeSharedKey(req *request) (out any, err error, ok bool) {
	in, derr := s.kmsInput(req)
	if derr != nil || in.KeyId == nil || !strings.HasPrefix(*in.KeyId, "arn:") {
		return nil, nil, false
	}
	s.world.Read(func() {
		rd := s.world.Region(req.caller.Account, req.region)
		for _, k := range rd.SharedWithMe {
			if *k.Entry.KeyArn != *in.KeyId {
				continue
			}
			ok = true
			if !slices.Contains(k.Permission.Actions, "kms:DescribeKey") {
				err = clientError("AccessDeniedException", "User: %s is not authorized to perform: kms:DescribeKey on resource: %s because no resource-based policy allows the kms:DescribeKey action", req.caller.ARN, *in.KeyId)
				return
			}
			md := k.Metadata
			out = &kms.DescribeKeyOutput{KeyMetadata: &md}
		}
	})
	return out, err, ok
}

// kmsGetKeyLastUsage follows GetKeyLastUsage (API reference, kms v1.63.0): by key id or key
// ARN ("Alias names are not supported"), in the caller's own account ("Cross-account use:
// No"); KeyLastUsage is an empty object for a key not used since its tracking start.
func (s *Server) kmsGetKeyLastUsage(req *request) (any, error) {
	return s.withKey(req, false, func(_ kmsInput, k *Key) (any, error) {
		u := k.LastUsage
		if u == nil { // added after generation: tracked since creation, unused
			u = &KeyLastUsage{TrackingStartDate: *k.Metadata.CreationDate}
		}
		data := u.Data
		return &kms.GetKeyLastUsageOutput{
			KeyId: aws.String(k.ID()), KeyCreationDate: k.Metadata.CreationDate,
			TrackingStartDate: aws.Time(u.TrackingStartDate), KeyLastUsage: &data,
		}, nil
	})
}
