package kms

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// KeyLastUsage is one customer managed key's last cryptographic use, as GetKeyLastUsage reports
// it. Rows exist only when the spec's key_last_usage is on: the operation's quota is 5 calls a
// second per account and region.
func KeyLastUsage() *schema.Table {
	return &schema.Table{
		Name: "aws_kms_key_last_usage",
		Description: "The last successful cryptographic use of each customer managed key " +
			"(https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html), read only with the spec's " +
			"`key_last_usage: true`. last_used_at NULL means no use since tracking_start_date; when the key was created " +
			"before that date it may have been used earlier (CloudTrail is the record).",
		Resolver: fetchKeyLastUsage,
		Columns: []schema.Column{
			client.AccountIDColumn,
			client.RegionColumn,
			keyARNColumn("arn"),
			{
				Name:        "tracking_start_date",
				Type:        arrow.FixedWidthTypes.Timestamp_us,
				Description: "From when KMS records the key's use: the start of tracking or the key's creation, whichever is later.",
				Resolver:    client.NilAsNullResolver("TrackingStartDate"),
			},
			{
				Name:        "last_used_at",
				Type:        arrow.FixedWidthTypes.Timestamp_us,
				Description: "When the key was last used for a successful cryptographic operation; NULL when not since tracking_start_date.",
				Resolver:    client.NilAsNullResolver("KeyLastUsage.Timestamp"),
			},
			{
				Name:        "operation",
				Type:        arrow.BinaryTypes.String,
				Description: "That operation (Decrypt, Encrypt, GenerateDataKey, Sign, ...).",
				Resolver:    client.NilAsNullResolver("KeyLastUsage.Operation"),
			},
			{
				Name:        "cloudtrail_event_id",
				Type:        arrow.BinaryTypes.String,
				Description: "The CloudTrail eventId of that operation, in the key owner's trail.",
				Resolver:    client.NilAsNullResolver("KeyLastUsage.CloudTrailEventId"),
			},
			{
				Name:     "kms_request_id",
				Type:     arrow.BinaryTypes.String,
				Resolver: client.NilAsNullResolver("KeyLastUsage.KmsRequestId"),
			},
		},
	}
}

// fetchKeyLastUsage asks GetKeyLastUsage for a described customer managed key when the spec
// asks for last use. A key deleted meanwhile or refused in its state has no row.
func fetchKeyLastUsage(ctx context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	key := parent.Item.(*types.KeyMetadata)
	if !c.Spec.KeyLastUsage || !described(key) || key.KeyManager != types.KeyManagerTypeCustomer {
		return nil
	}
	out, err := c.Services().KMS.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: key.Arn})
	switch {
	case err == nil:
		res <- out
		return nil
	case client.IsNotFound(err) || client.IsInvalidState(err):
		return nil
	}
	return c.RecordFailure("aws_kms_key_last_usage", "GetKeyLastUsage", aws.ToString(key.Arn), err)
}
