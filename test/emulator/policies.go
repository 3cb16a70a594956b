package emulator

import (
	"bytes"
	"encoding/json"
)

// Key policy documents. Each one exercises a different corner of the policy
// grammar, so policy analysis has real material: the default policy (IAM
// policies enabled), the seed document's policy (IAM not enabled, a key
// administrator), CreateGrant with and without kms:GrantIsForAWSResource,
// single-string and list values, Principal "*" with conditions, NotPrincipal
// and NotAction.

type policyDocument struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid          string         `json:"Sid,omitempty"`
	Effect       string         `json:"Effect"`
	Principal    any            `json:"Principal,omitempty"`
	NotPrincipal any            `json:"NotPrincipal,omitempty"`
	Action       any            `json:"Action,omitempty"`
	NotAction    any            `json:"NotAction,omitempty"`
	Resource     any            `json:"Resource"`
	Condition    map[string]any `json:"Condition,omitempty"`
}

// Policy names a catalogue of documents; keys record which one they got in Kind.
const (
	PolicyDefault           = "default"
	PolicySeedNoIAM         = "seed-no-iam"
	PolicyAWSManaged        = "aws-managed"
	PolicyGrantForResources = "grant-for-aws-resources"
	PolicyGuarded           = "guarded"
)

func awsPrincipal(arns ...string) map[string]any {
	if len(arns) == 1 {
		return map[string]any{"AWS": arns[0]}
	}
	return map[string]any{"AWS": arns}
}

func renderPolicy(doc policyDocument) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		panic(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// enableIAMStatement is AWS's default statement: the account root may do
// everything, which lets IAM policies grant access to the key.
func enableIAMStatement(partition, account string) policyStatement {
	return policyStatement{
		Sid:       "Enable IAM User Permissions",
		Effect:    "Allow",
		Principal: awsPrincipal(rootARN(partition, account)),
		Action:    "kms:*",
		Resource:  "*",
	}
}

// defaultKeyPolicy is the policy KMS attaches when none is given.
func defaultKeyPolicy(partition, account string) string {
	return renderPolicy(policyDocument{
		Version:   "2012-10-17",
		ID:        "key-default-1",
		Statement: []policyStatement{enableIAMStatement(partition, account)},
	})
}

// seedKeyPolicyStatements are the three statements of the seed document: root
// only as the account itself (IAM policies NOT enabled), a key administrator
// role, and read access to key metadata for the account.
func seedKeyPolicyStatements(partition, account string) []policyStatement {
	root := rootARN(partition, account)
	return []policyStatement{
		{
			Sid:       "AllowRootAccountAccess",
			Effect:    "Allow",
			Principal: awsPrincipal(root),
			Action:    "kms:*",
			Resource:  "*",
			Condition: map[string]any{"StringEquals": map[string]any{"aws:PrincipalType": "Account"}},
		},
		{
			Sid:       "AllowKeyAdministrator",
			Effect:    "Allow",
			Principal: awsPrincipal(roleARN(partition, account, KeyAdminRoleName)),
			Action:    "kms:*",
			Resource:  "*",
		},
		{
			Sid:       "Allow access to key metadata to the account",
			Effect:    "Allow",
			Principal: awsPrincipal(root),
			Action:    []string{"kms:Describe*", "kms:Get*", "kms:List*"},
			Resource:  "*",
		},
	}
}

func seedKeyPolicy(partition, account string) string {
	return renderPolicy(policyDocument{
		Version:   "2012-10-17",
		ID:        "key-consolepolicy-3",
		Statement: seedKeyPolicyStatements(partition, account),
	})
}

// awsManagedKeyPolicy is the policy of an AWS managed key such as aws/ebs:
// any principal of the account, through the service only.
func awsManagedKeyPolicy(partition, account, region, service string) string {
	return renderPolicy(policyDocument{
		Version: "2012-10-17",
		ID:      "auto-" + service + "-2",
		Statement: []policyStatement{
			{
				Sid:       "Allow access through " + service + " for all principals in the account that are authorized to use " + service,
				Effect:    "Allow",
				Principal: awsPrincipal("*"),
				Action:    []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"},
				Resource:  "*",
				Condition: map[string]any{"StringEquals": map[string]any{
					"kms:CallerAccount": account,
					"kms:ViaService":    servicePrincipal(service, region),
				}},
			},
			{
				Sid:       "Allow direct access to key metadata to the account",
				Effect:    "Allow",
				Principal: awsPrincipal(rootARN(partition, account)),
				Action:    []string{"kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"},
				Resource:  "*",
			},
		},
	})
}

// grantForAWSResourcesPolicy lets the Auto Scaling service-linked role create
// grants only for AWS resources, and the application role create any grant.
func grantForAWSResourcesPolicy(partition, account string) string {
	slr := roleARN(partition, account, AutoScalingRolePath)
	return renderPolicy(policyDocument{
		Version: "2012-10-17",
		ID:      "key-grant-policy",
		Statement: []policyStatement{
			enableIAMStatement(partition, account),
			{
				Sid:       "Allow service-linked role use of the customer managed key",
				Effect:    "Allow",
				Principal: map[string]any{"AWS": []string{slr}},
				Action:    []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
				Resource:  "*",
			},
			{
				Sid:       "Allow attachment of persistent resources",
				Effect:    "Allow",
				Principal: map[string]any{"AWS": []string{slr}},
				Action:    []string{"kms:CreateGrant"},
				Resource:  "*",
				Condition: map[string]any{"Bool": map[string]any{"kms:GrantIsForAWSResource": true}},
			},
			{
				Sid:       "Allow the application to delegate",
				Effect:    "Allow",
				Principal: awsPrincipal(roleARN(partition, account, AppRoleName)),
				Action:    "kms:CreateGrant",
				Resource:  "*",
			},
		},
	})
}

// guardedKeyPolicy mixes the rarer grammar: Principal "*" limited by a
// condition, NotAction, and a Deny with NotPrincipal.
func guardedKeyPolicy(partition, account, orgID string) string {
	root := rootARN(partition, account)
	admin := roleARN(partition, account, KeyAdminRoleName)
	return renderPolicy(policyDocument{
		Version: "2012-10-17",
		ID:      "key-guarded",
		Statement: []policyStatement{
			enableIAMStatement(partition, account),
			{
				Sid:       "AllowDecryptFromTheOrganization",
				Effect:    "Allow",
				Principal: "*",
				Action:    "kms:Decrypt",
				Resource:  "*",
				Condition: map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": orgID}},
			},
			{
				Sid:       "AllowDeployRoleEverythingButDestruction",
				Effect:    "Allow",
				Principal: awsPrincipal(roleARN(partition, account, DeployRoleName)),
				NotAction: []string{"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"},
				Resource:  "*",
			},
			{
				Sid:          "DenyDestructionExceptAdmins",
				Effect:       "Deny",
				NotPrincipal: awsPrincipal(root, admin),
				Action:       []string{"kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"},
				Resource:     "*",
			},
		},
	})
}

// scenarioKeyPolicy is the seed document's policy plus the statement that lets
// the data account create grants on the key (its cross-account grant).
func scenarioKeyPolicy(partition, account, dataAccount string) string {
	statements := seedKeyPolicyStatements(partition, account)
	if dataAccount != "" {
		statements = append(statements, policyStatement{
			Sid:       "AllowDataAccountToCreateGrants",
			Effect:    "Allow",
			Principal: awsPrincipal(rootARN(partition, dataAccount)),
			Action:    []string{"kms:CreateGrant", "kms:DescribeKey"},
			Resource:  "*",
		})
	}
	return renderPolicy(policyDocument{Version: "2012-10-17", ID: "key-consolepolicy-3", Statement: statements})
}

// ramKeyPolicy is the AWS_RAM key policy of a key shared through AWS RAM with
// another account. RAM writes and manages it from the share's managed
// permission ("Sharing KMS keys with RAM", KMS developer guide; GetKeyPolicy:
// "you can't change it with PutKeyPolicy"); AWS does not publish its text, so
// this one states what the default KMS permission grants: the consumer
// account may use the key for encryption and describe it.
func ramKeyPolicy(partition, keyARN, consumer string) string {
	return renderPolicy(policyDocument{
		Version: "2012-10-17",
		ID:      "AWS_RAM",
		Statement: []policyStatement{{
			Sid:       "RAMManagedPermission",
			Effect:    "Allow",
			Principal: awsPrincipal(rootARN(partition, consumer)),
			Action:    []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
			Resource:  keyARN,
		}},
	})
}
