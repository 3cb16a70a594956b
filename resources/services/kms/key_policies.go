package kms

import (
	"cmp"
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	sdktypes "github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/kmsaudit/cq-source-awskms/analysis"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// KeyPolicy is one named policy document of a key with the audit facts read from it. A key has
// at most two (ListKeyPolicies reference): "default", which the key's owner manages, and
// "AWS_RAM", which AWS RAM writes for a key shared through it; both are parsed and analysed.
type KeyPolicy struct {
	Name   string
	Policy string
	analysis.PolicyFacts
	parsed *analysis.Policy
}

// newKeyPolicy parses the document; one that cannot be parsed keeps its raw text and no facts.
func newKeyPolicy(c *client.Client, keyARN, name, doc string) *KeyPolicy {
	p := &KeyPolicy{Name: name, Policy: doc}
	a := analysePolicy(c.AccountID, doc)
	if a.err != nil {
		if report := c.RecordFailure("aws_kms_key_policies", "ParsePolicy", keyARN, a.err); report != nil {
			c.Logger().Warn().Err(report).Msg("key policy not analysed")
		}
		return p
	}
	p.parsed = a.parsed
	p.PolicyFacts = a.facts
	return p
}

func KeyPolicies() *schema.Table {
	return &schema.Table{
		Name:        "aws_kms_key_policies",
		Description: "Key policies (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html), one row per policy name: `default`, and `AWS_RAM` for a key shared through AWS RAM (managed by RAM), with audit facts: whether the policy enables IAM policies, who may call kms:CreateGrant and kms:PutKeyPolicy, whether CreateGrant requires kms:GrantIsForAWSResource, wildcard principals.",
		Resolver:    fetchKeyPolicies,
		Transform:   client.TransformWithStruct(&analysis.PolicyFacts{}),
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			keyARNColumn("arn"),
			{
				Name:                "name",
				Type:                arrow.BinaryTypes.String,
				Resolver:            client.PathResolver("Name"),
				PrimaryKeyComponent: true,
			},
			{
				Name:     "policy",
				Type:     sdktypes.ExtensionTypes.JSON,
				Resolver: client.PathResolver("Policy"),
			},
		},
		Relations: []*schema.Table{KeyPolicyStatements()},
	}
}

func fetchKeyPolicies(ctx context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	return keyPolicies(ctx, c, c.Services().KMS, parent.Item.(*types.KeyMetadata), res)
}

// keyPolicyAPI is what reading a key's policies takes.
type keyPolicyAPI interface {
	kms.ListKeyPoliciesAPIClient
	GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, opts ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
}

// keyPolicies sends every named policy of the key, parsed and analysed.
func keyPolicies(ctx context.Context, c *client.Client, api keyPolicyAPI, key *types.KeyMetadata, res chan<- any) error {
	var report error // the first failure to report, once the other policies are written
	failed := false
	p := kms.NewListKeyPoliciesPaginator(api, &kms.ListKeyPoliciesInput{KeyId: key.Arn, Limit: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if client.IsNotFound(err) || client.IsInvalidState(err) {
				return nil
			}
			return c.RecordFailure("aws_kms_key_policies", "ListKeyPolicies", aws.ToString(key.Arn), err)
		}
		for _, name := range page.PolicyNames {
			out, err := api.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: key.Arn, PolicyName: aws.String(name)})
			if err != nil {
				if client.IsNotFound(err) || client.IsInvalidState(err) {
					// The key, or its AWS_RAM policy (the key was unshared since ListKeyPolicies), is
					// gone: GetKeyPolicy answers NotFoundException. The other policy still counts.
					c.Logger().Debug().Str("key", aws.ToString(key.Arn)).Str("policy", name).Str("code", client.ErrorCode(err)).Msg("key policy gone since ListKeyPolicies")
					continue
				}
				if !failed { // a failure counts once per key, however many of its policies it strikes
					failed = true
					report = cmp.Or(report, c.RecordFailure("aws_kms_key_policies", "GetKeyPolicy", aws.ToString(key.Arn), err))
				}
				continue
			}
			res <- newKeyPolicy(c, aws.ToString(key.Arn), name, aws.ToString(out.Policy))
		}
	}
	return report
}
