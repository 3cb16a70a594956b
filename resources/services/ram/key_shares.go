package ram

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// keyResourceType is the AWS RAM resource type of KMS keys.
const keyResourceType = "kms:Key"

// KeyShare is one AWS RAM resource share that includes KMS keys of the account: the share, whom
// it reaches, and what its managed permission for KMS keys allows.
type KeyShare struct {
	ResourceShareArn        string
	Name                    *string
	Status                  ramtypes.ResourceShareStatus
	StatusMessage           *string
	AllowExternalPrincipals *bool
	FeatureSet              ramtypes.ResourceShareFeatureSet
	CreationTime            *time.Time
	LastUpdatedTime         *time.Time
	// Principals are ListPrincipals' answer for the share.
	Principals []SharePrincipal
	// KeyArns are the share's KMS keys (ListResources, resource type kms:Key).
	KeyArns []string
	// PermissionArn, PermissionVersion and PermissionName name the share's managed permission
	// for KMS keys (ListResourceSharePermissions); Actions are the actions its document allows
	// (GetPermission).
	PermissionArn     *string
	PermissionVersion *string
	PermissionName    *string
	Actions           []string
	// PermissionNotReadReason says why the permission or its actions are NULL.
	PermissionNotReadReason *string
}

// SharePrincipal is one principal a share reaches.
type SharePrincipal struct {
	ID string `json:"id"`
	// Type is account, organization, organizational_unit, iam_role, iam_user or service_principal.
	Type string `json:"type"`
	// External is RAM's own flag: the principal is outside the owner's organization.
	External *bool `json:"external"`
}

func KeyShares() *schema.Table {
	return &schema.Table{
		Name: "aws_ram_kms_key_shares",
		Description: "AWS RAM resource shares of the account's KMS keys, one row per share " +
			"(https://docs.aws.amazon.com/ram/latest/APIReference/API_GetResourceShares.html, resourceOwner SELF; " +
			"keys from ListResources with resourceType kms:Key; principals from ListPrincipals; the KMS permission from " +
			"ListResourceSharePermissions and GetPermission). A share lets the principals' accounts use the keys as the " +
			"actions say, wherever their own IAM policies allow it; the key's AWS_RAM policy (aws_kms_key_policies) is where KMS enforces it.",
		Resolver:  fetchKeyShares,
		Multiplex: client.AccountRegionMultiplex,
		Transform: client.TransformWithStruct(&KeyShare{}, transformers.WithPrimaryKeyComponents("ResourceShareArn")),
		Columns:   []schema.Column{client.AccountIDColumn, client.RegionColumn},
	}
}

// fetchKeyShares reads the shares that hold KMS keys. It asks ListResources first, so an account
// without shared keys costs one call; the shares' other facts are read only for those shares.
func fetchKeyShares(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	api := c.Services().RAM()
	keysOf := map[string][]string{}
	p := ram.NewListResourcesPaginator(api, &ram.ListResourcesInput{ResourceOwner: ramtypes.ResourceOwnerSelf, ResourceType: aws.String(keyResourceType)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return recordRAMFailure(c, "ListResources", err)
		}
		for _, r := range page.Resources {
			arn := aws.ToString(r.ResourceShareArn)
			keysOf[arn] = append(keysOf[arn], aws.ToString(r.Arn))
		}
	}
	if len(keysOf) == 0 {
		return nil
	}
	permissions := map[string]*ramtypes.ResourceSharePermissionDetail{}
	sp := ram.NewGetResourceSharesPaginator(api, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			return recordRAMFailure(c, "GetResourceShares", err)
		}
		for _, sh := range page.ResourceShares {
			arn := aws.ToString(sh.ResourceShareArn)
			if keysOf[arn] == nil {
				continue
			}
			row := &KeyShare{
				ResourceShareArn: arn, Name: sh.Name, Status: sh.Status, StatusMessage: sh.StatusMessage,
				AllowExternalPrincipals: sh.AllowExternalPrincipals, FeatureSet: sh.FeatureSet,
				CreationTime: sh.CreationTime, LastUpdatedTime: sh.LastUpdatedTime, KeyArns: keysOf[arn],
			}
			if err := sharePrincipals(ctx, c, api, row); err != nil {
				return err
			}
			if err := sharePermission(ctx, c, api, row, permissions); err != nil {
				return err
			}
			select {
			case res <- row:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// recordRAMFailure counts a RAM list call that failed for the whole pair; a refusal (an SCP that
// denies RAM, a role without ram:*) holds in every region, so it is reported once per account.
func recordRAMFailure(c *client.Client, operation string, err error) error {
	if client.IsAccessDenied(err) {
		return c.RecordAccountFailure("aws_ram_kms_key_shares", operation, err)
	}
	return c.RecordFailure("aws_ram_kms_key_shares", operation, c.ID(), err)
}

func sharePrincipals(ctx context.Context, c *client.Client, api *ram.Client, row *KeyShare) error {
	row.Principals = []SharePrincipal{}
	p := ram.NewListPrincipalsPaginator(api, &ram.ListPrincipalsInput{ResourceOwner: ramtypes.ResourceOwnerSelf, ResourceShareArns: []string{row.ResourceShareArn}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if client.IsNotFound(err) || client.ErrorCode(err) == "UnknownResourceException" {
				return nil // the share was deleted meanwhile
			}
			row.Principals = nil
			return c.RecordFailure("aws_ram_kms_key_shares", "ListPrincipals", row.ResourceShareArn, err)
		}
		for _, pr := range page.Principals {
			id := aws.ToString(pr.Id)
			row.Principals = append(row.Principals, SharePrincipal{ID: id, Type: PrincipalType(id), External: pr.External})
		}
	}
	return nil
}

// sharePermission finds the share's managed permission for KMS keys and reads its actions,
// once per permission version and pair. A refusal is a state of the row, counted once.
func sharePermission(ctx context.Context, c *client.Client, api *ram.Client, row *KeyShare, cache map[string]*ramtypes.ResourceSharePermissionDetail) error {
	notRead := func(operation string, err error) error {
		row.PermissionNotReadReason = aws.String("error:" + client.ErrorCode(err))
		if client.ErrorCode(err) == "" {
			row.PermissionNotReadReason = aws.String("error")
		}
		return c.RecordFailure("aws_ram_kms_key_shares", operation, row.ResourceShareArn, err)
	}
	var summary *ramtypes.ResourceSharePermissionSummary
	p := ram.NewListResourceSharePermissionsPaginator(api, &ram.ListResourceSharePermissionsInput{ResourceShareArn: aws.String(row.ResourceShareArn)})
	for p.HasMorePages() && summary == nil {
		page, err := p.NextPage(ctx)
		if err != nil {
			return notRead("ListResourceSharePermissions", err)
		}
		for i, perm := range page.Permissions {
			if strings.EqualFold(aws.ToString(perm.ResourceType), keyResourceType) {
				summary = &page.Permissions[i]
				break
			}
		}
	}
	if summary == nil {
		row.PermissionNotReadReason = aws.String("no_kms_permission")
		return nil
	}
	row.PermissionArn, row.PermissionVersion, row.PermissionName = summary.Arn, summary.Version, summary.Name
	id := aws.ToString(summary.Arn) + "#" + aws.ToString(summary.Version)
	detail, ok := cache[id]
	if !ok {
		in := &ram.GetPermissionInput{PermissionArn: summary.Arn}
		if v, err := parseVersion(summary.Version); err == nil {
			in.PermissionVersion = v
		}
		out, err := api.GetPermission(ctx, in)
		if err != nil {
			return notRead("GetPermission", err)
		}
		detail = out.Permission
		cache[id] = detail
	}
	actions, err := PermissionActions(aws.ToString(detail.Permission))
	if err != nil {
		row.PermissionNotReadReason = aws.String("unparsable_permission")
		c.Logger().Warn().Err(err).Str("permission", aws.ToString(summary.Arn)).Msg("RAM permission document not understood; actions left NULL")
		return nil
	}
	row.Actions = actions
	return nil
}
