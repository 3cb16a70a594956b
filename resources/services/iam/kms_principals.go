package iam

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// KMSPrincipals is the IAM side of aws_kms_key_access: per account, the users and roles whose
// identity policies (their own, their groups', and their permissions boundary) can reach a KMS
// key action, with just those statements. One GetAccountAuthorizationDetails read per account.
func KMSPrincipals() *schema.Table {
	return &schema.Table{
		Name: "aws_iam_kms_principals",
		Description: "IAM users and roles with identity-policy statements that can reach KMS key actions, " +
			"from https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html " +
			"(inline, attached managed and group policies; the permissions boundary's statements apart). " +
			"kmsaudit reads it to build aws_kms_key_access.",
		Resolver:  fetchKMSPrincipals,
		Multiplex: client.AccountMultiplex,
		Transform: client.TransformWithStruct(&analysis.KMSPrincipal{}, transformers.WithPrimaryKeyComponents("ARN")),
		Columns:   []schema.Column{client.AccountIDColumn},
	}
}

func fetchKMSPrincipals(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	var details analysis.AuthorizationDetails
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c.IAM(), &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{
			iamtypes.EntityTypeUser, iamtypes.EntityTypeRole, iamtypes.EntityTypeGroup,
			iamtypes.EntityTypeLocalManagedPolicy, iamtypes.EntityTypeAWSManagedPolicy,
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		details.Users = append(details.Users, page.UserDetailList...)
		details.Groups = append(details.Groups, page.GroupDetailList...)
		details.Roles = append(details.Roles, page.RoleDetailList...)
		details.Policies = append(details.Policies, page.Policies...)
	}
	principals, err := analysis.KMSPrincipals(details)
	if err != nil {
		c.Logger().Warn().Err(err).Msg("some IAM policy documents could not be read; the other principals are kept")
	}
	res <- principals
	return nil
}
