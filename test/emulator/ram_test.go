package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/aws/smithy-go"
)

// The default World's accounts (README): management 123412341234, first member 210987654321,
// outside account 999988887777.
const (
	mgmtAccount    = "123412341234"
	firstMember    = "210987654321"
	secondMember   = "345678901234"
	outsideAccount = "999988887777"
)

// TestRAMSharesOfTheScenarioKey reads the management account's shares through the real RAM
// client: the application key is shared with one account inside and one outside the
// organization, with RAM's default KMS key permission.
func TestRAMSharesOfTheScenarioKey(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ctx := context.Background()
	client := ram.NewFromConfig(noRetries(clientConfig(url, mgmtAccount, "us-east-1")))

	var shares []ramtypes.ResourceShare
	pages := 0
	for p := ram.NewGetResourceSharesPaginator(client, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		shares = append(shares, out.ResourceShares...)
	}
	if len(shares) != 1 || pages < 2 {
		t.Fatalf("%d shares in %d pages, want 1 share after an empty first page", len(shares), pages)
	}
	sh := shares[0]
	if !aws.ToBool(sh.AllowExternalPrincipals) || sh.Status != ramtypes.ResourceShareStatusActive || aws.ToString(sh.OwningAccountId) != mgmtAccount {
		t.Errorf("share %+v: want ACTIVE, owned by %s, allowing external principals", sh, mgmtAccount)
	}
	shareARN := aws.ToString(sh.ResourceShareArn)

	var resources []ramtypes.Resource
	for p := ram.NewListResourcesPaginator(client, &ram.ListResourcesInput{ResourceOwner: ramtypes.ResourceOwnerSelf, ResourceType: aws.String("kms:Key")}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		resources = append(resources, out.Resources...)
	}
	keyARN := ""
	for _, k := range w.Region(mgmtAccount, "us-east-1").Keys {
		if k.Kind == "symmetric-rotating" {
			keyARN = k.ARN()
		}
	}
	if len(resources) != 1 || aws.ToString(resources[0].Arn) != keyARN || aws.ToString(resources[0].ResourceShareArn) != shareARN {
		t.Errorf("resources %+v, want the application key %s in %s", resources, keyARN, shareARN)
	}

	got := map[string]bool{}
	for p := ram.NewListPrincipalsPaginator(client, &ram.ListPrincipalsInput{ResourceOwner: ramtypes.ResourceOwnerSelf, ResourceShareArns: []string{shareARN}}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, pr := range out.Principals {
			got[aws.ToString(pr.Id)] = aws.ToBool(pr.External)
		}
	}
	if want := map[string]bool{firstMember: false, outsideAccount: true}; len(got) != 2 || got[firstMember] != false || got[outsideAccount] != true {
		t.Errorf("principals (id → external) %v, want %v", got, want)
	}

	var perms []ramtypes.ResourceSharePermissionSummary
	for p := ram.NewListResourceSharePermissionsPaginator(client, &ram.ListResourceSharePermissionsInput{ResourceShareArn: aws.String(shareARN)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		perms = append(perms, out.Permissions...)
	}
	if len(perms) != 1 || aws.ToString(perms[0].ResourceType) != "kms:Key" {
		t.Fatalf("permissions %+v, want one for kms:Key", perms)
	}
	perm, err := client.GetPermission(ctx, &ram.GetPermissionInput{PermissionArn: perms[0].Arn})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Effect string
		Action []string
	}
	if err := json.Unmarshal([]byte(aws.ToString(perm.Permission.Permission)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Effect != "Allow" || strings.Join(doc.Action, ",") != "kms:Decrypt,kms:DescribeKey,kms:Encrypt,kms:GenerateDataKey*,kms:ReEncrypt*" {
		t.Errorf("permission document %+v", doc)
	}
}

// TestListKeysResourceOwners follows ListKeysInput.ResourceOwners: SELF first, then the keys
// shared with the account, never both in one response; a marker is refused with another
// ResourceOwners value; pages of shared keys may be short or empty while Truncated.
func TestListKeysResourceOwners(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ctx := context.Background()
	client := kms.NewFromConfig(noRetries(clientConfig(url, mgmtAccount, "us-east-1")))
	own := len(w.Region(mgmtAccount, "us-east-1").Keys)

	list := func(owners ...kmstypes.ResourceOwnerType) (arns []string, pages, empty int) {
		var marker *string
		for {
			out, err := client.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(4), Marker: marker, ResourceOwners: owners})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if len(out.Keys) == 0 {
				empty++
			}
			mixed := map[bool]bool{}
			for _, k := range out.Keys {
				arns = append(arns, aws.ToString(k.KeyArn))
				mixed[strings.Contains(aws.ToString(k.KeyArn), ":"+mgmtAccount+":")] = true
			}
			if len(mixed) > 1 {
				t.Errorf("one ListKeys response holds own and shared keys: %v", out.Keys)
			}
			if !out.Truncated {
				return
			}
			marker = out.NextMarker
		}
	}
	self, _, _ := list()
	if len(self) != own {
		t.Errorf("ListKeys without ResourceOwners: %d keys, want the account's %d", len(self), own)
	}
	shared, _, empty := list(kmstypes.ResourceOwnerTypeOtherAccountsViaRam)
	// Shared with the management account: each member's application key (a member shares with
	// the management account) and the outside account's key (the scenario).
	owners := map[string]bool{}
	for _, arn := range shared {
		owners[strings.Split(arn, ":")[4]] = true
	}
	if len(shared) != 3 || !owners[firstMember] || !owners[secondMember] || !owners[outsideAccount] || empty == 0 {
		t.Errorf("OTHER_ACCOUNTS_VIA_RAM: %v (%d empty pages), want a key of %s, %s and %s, after an empty page", shared, empty, firstMember, secondMember, outsideAccount)
	}
	both, _, _ := list(kmstypes.ResourceOwnerTypeOtherAccountsViaRam, kmstypes.ResourceOwnerTypeSelf)
	if len(both) != own+3 || !strings.Contains(both[own-1], ":"+mgmtAccount+":") || strings.Contains(both[own], ":"+mgmtAccount+":") {
		t.Errorf("both owners: %d keys, want the %d own keys first, then the 3 shared", len(both), own)
	}

	first, err := client.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(2), Marker: first.NextMarker, ResourceOwners: []kmstypes.ResourceOwnerType{kmstypes.ResourceOwnerTypeOtherAccountsViaRam}})
	var invalid *kmstypes.InvalidMarkerException
	if !errors.As(err, &invalid) {
		t.Errorf("a SELF marker with OTHER_ACCOUNTS_VIA_RAM: %v, want InvalidMarkerException", err)
	}

	// The outside account's share allows Decrypt only: DescribeKey is refused.
	foreign := w.Scenario.ForeignSharedKeyARN
	_, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(foreign)})
	var denied smithy.APIError
	if !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" {
		t.Errorf("DescribeKey of the decrypt-only shared key: %v, want AccessDeniedException", err)
	}
	for _, arn := range shared {
		if arn == foreign {
			continue
		}
		out, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
		if err != nil || aws.ToString(out.KeyMetadata.Arn) != arn {
			t.Errorf("DescribeKey of %s, shared with kms:DescribeKey: %v", arn, err)
		}
	}
}

// TestGetKeyLastUsage follows GetKeyLastUsage: the legacy key is unused since its tracking
// start (an empty KeyLastUsage), the application key was used in the last day, and the tracking
// start is the later of the key's creation and the start of tracking.
func TestGetKeyLastUsage(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ctx := context.Background()
	client := kms.NewFromConfig(noRetries(clientConfig(url, mgmtAccount, "us-east-1")))
	for _, k := range w.Region(mgmtAccount, "us-east-1").Keys {
		out, err := client.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: aws.String(k.ARN())})
		if err != nil {
			t.Fatalf("%s: %v", k.Kind, err)
		}
		if out.KeyLastUsage == nil || out.TrackingStartDate == nil || out.TrackingStartDate.Before(*k.Metadata.CreationDate) {
			t.Errorf("%s: %+v: want a KeyLastUsage object and a tracking start not before creation", k.Kind, out)
			continue
		}
		switch k.Kind {
		case "symmetric-static", "disabled", "pending-deletion":
			if out.KeyLastUsage.Timestamp != nil || out.KeyLastUsage.CloudTrailEventId != nil {
				t.Errorf("%s: last used %v, want unused since tracking began", k.Kind, out.KeyLastUsage.Timestamp)
			}
		case "symmetric-rotating":
			if ts := out.KeyLastUsage.Timestamp; ts == nil || w.Now.Sub(*ts).Hours() > 24 || out.KeyLastUsage.CloudTrailEventId == nil || out.KeyLastUsage.Operation == "" {
				t.Errorf("%s: %+v, want a use within the day before %v with operation and event id", k.Kind, out.KeyLastUsage, w.Now)
			}
		}
	}
	_, err := client.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: aws.String("alias/app-data")})
	var notFound *kmstypes.NotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("GetKeyLastUsage by alias: %v, want NotFoundException (alias names are not supported)", err)
	}
}
