package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/jackc/pgx/v5"
	"github.com/kmsaudit/cq-source-awskms/analysis"
)

// accessTableDDL is aws_kms_key_access: the columns of analysis.AccessRow, plus when it was
// computed. kmsaudit owns this table; it replaces every row on each run.
const accessTableDDL = `CREATE TABLE IF NOT EXISTS aws_kms_key_access (
    key_arn text NOT NULL,
    key_account_id text,
    principal text NOT NULL,
    principal_account_id text,
    path text NOT NULL,
    source text NOT NULL,
    key_policy_source text,
    operations text[],
    denied_operations text[],
    allows_create_grant boolean,
    allows_retire_grant boolean,
    allows_revoke_grant boolean,
    allows_decrypt boolean,
    allows_encrypt boolean,
    allows_generate_data_key boolean,
    allows_re_encrypt boolean,
    allows_sign boolean,
    allows_verify boolean,
    allows_mac boolean,
    allows_describe_key boolean,
    allows_derive_shared_secret boolean,
    allows_get_public_key boolean,
    allows_put_key_policy boolean,
    allows_schedule_key_deletion boolean,
    allows_disable_key boolean,
    conditions jsonb,
    is_conditional boolean,
    is_cross_account boolean,
    is_outside_organization boolean,
    requires_caller_iam boolean,
    denied_by text,
    possibly_denied_by text[],
    computed_at timestamptz
)`

// accessColumns are the inserted columns, in the order accessValues gives them.
var accessColumns = []string{
	"key_arn", "key_account_id", "principal", "principal_account_id", "path", "source", "key_policy_source",
	"operations", "denied_operations",
	"allows_create_grant", "allows_retire_grant", "allows_revoke_grant", "allows_decrypt", "allows_encrypt",
	"allows_generate_data_key", "allows_re_encrypt", "allows_sign", "allows_verify", "allows_mac",
	"allows_describe_key", "allows_derive_shared_secret", "allows_get_public_key", "allows_put_key_policy",
	"allows_schedule_key_deletion", "allows_disable_key",
	"conditions", "is_conditional", "is_cross_account", "is_outside_organization", "requires_caller_iam",
	"denied_by", "possibly_denied_by", "computed_at",
}

func accessValues(keyAccount string, r analysis.AccessRow, at time.Time) []any {
	f := r.AccessFamilies
	var conditions any
	if r.Conditions != nil {
		conditions = string(r.Conditions)
	}
	return []any{
		r.KeyARN, keyAccount, r.Principal, r.PrincipalAccountID, string(r.Path), r.Source, r.KeyPolicySource,
		nonNil(r.Operations), nonNil(r.DeniedOperations),
		f.AllowsCreateGrant, f.AllowsRetireGrant, f.AllowsRevokeGrant, f.AllowsDecrypt, f.AllowsEncrypt,
		f.AllowsGenerateDataKey, f.AllowsReEncrypt, f.AllowsSign, f.AllowsVerify, f.AllowsMac,
		f.AllowsDescribeKey, f.AllowsDeriveSharedSecret, f.AllowsGetPublicKey, f.AllowsPutKeyPolicy,
		f.AllowsScheduleKeyDeletion, f.AllowsDisableKey,
		conditions, r.IsConditional, r.IsCrossAccount, r.IsOutsideOrganization, r.RequiresCallerIAM,
		r.DeniedBy, nonNil(r.PossiblyDeniedBy), at,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// AccessStats says what a materialisation read and wrote.
type AccessStats struct {
	Keys, Principals, Rows int
	// IAMKnown, OrgKnown and SharesKnown say whether the IAM, Organizations and RAM share tables
	// were there.
	IAMKnown, OrgKnown, SharesKnown bool
	// Skipped lists keys whose inputs could not be read, with the reason; their rows are missing.
	Skipped []string
}

// MaterializeAccess reads the synced tables, evaluates every key's access with
// analysis.EvaluateKeyAccess and replaces the rows of aws_kms_key_access, in one transaction.
// aws_kms_keys, aws_kms_key_policies and aws_kms_key_grants are required;
// aws_iam_kms_principals, aws_organizations_account_policies and aws_ram_kms_key_shares are used
// when present (without them there are no iam_policy rows, no SCP or RCP in denied_by, and
// ram_share rows name the AWS_RAM policy instead of the share). A key whose policy does not parse
// keeps its grant rows and is listed in Skipped.
func MaterializeAccess(ctx context.Context, conn *pgx.Conn, now time.Time) (AccessStats, error) {
	var st AccessStats
	for _, table := range []string{"aws_kms_keys", "aws_kms_key_policies", "aws_kms_key_grants"} {
		if ok, err := tableExists(ctx, conn, table); err != nil {
			return st, err
		} else if !ok {
			return st, fmt.Errorf("table %s is missing: sync the plugin's KMS tables into this database first", table)
		}
	}
	keys, err := readKeys(ctx, conn)
	if err != nil {
		return st, err
	}
	if err := readPolicies(ctx, conn, keys, &st); err != nil {
		return st, err
	}
	if err := readGrants(ctx, conn, keys); err != nil {
		return st, err
	}
	if st.SharesKnown, err = tableExists(ctx, conn, "aws_ram_kms_key_shares"); err != nil {
		return st, err
	} else if st.SharesKnown {
		if err := readShares(ctx, conn, keys); err != nil {
			return st, err
		}
	}
	var principals []analysis.IAMPrincipal
	if st.IAMKnown, err = tableExists(ctx, conn, "aws_iam_kms_principals"); err != nil {
		return st, err
	} else if st.IAMKnown {
		if principals, err = readPrincipals(ctx, conn); err != nil {
			return st, err
		}
	}
	var org *analysis.Organization
	if st.OrgKnown, err = tableExists(ctx, conn, "aws_organizations_account_policies"); err != nil {
		return st, err
	} else if st.OrgKnown {
		if org, err = readOrganization(ctx, conn); err != nil {
			return st, err
		}
	}
	st.Keys, st.Principals = len(keys), len(principals)

	tx, err := conn.Begin(ctx)
	if err != nil {
		return st, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, accessTableDDL); err != nil {
		return st, fmt.Errorf("creating aws_kms_key_access: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM aws_kms_key_access"); err != nil {
		return st, fmt.Errorf("clearing aws_kms_key_access: %w", err)
	}
	var rows [][]any
	cache := analysis.NewActionCache() // the principals' statements are the same for every key
	for _, arn := range sortedKeys(keys) {
		k := keys[arn]
		for _, r := range analysis.EvaluateKeyAccess(analysis.AccessInput{Key: k.AccessKey, Principals: principals, Org: org, Cache: cache}) {
			rows = append(rows, accessValues(k.AccountID, r, now))
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"aws_kms_key_access"}, accessColumns, pgx.CopyFromRows(rows)); err != nil {
		return st, fmt.Errorf("writing aws_kms_key_access: %w", err)
	}
	st.Rows = len(rows)
	return st, tx.Commit(ctx)
}

type keyInput struct {
	analysis.AccessKey
}

func tableExists(ctx context.Context, conn *pgx.Conn, table string) (bool, error) {
	var ok bool
	err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok)
	return ok, err
}

func readKeys(ctx context.Context, conn *pgx.Conn) (map[string]*keyInput, error) {
	rows, err := conn.Query(ctx, "SELECT arn, account_id, coalesce(key_manager, '') FROM aws_kms_keys WHERE arn IS NOT NULL")
	if err != nil {
		return nil, fmt.Errorf("reading aws_kms_keys: %w", err)
	}
	keys := map[string]*keyInput{}
	for rows.Next() {
		var arn, account, manager string
		if err := rows.Scan(&arn, &account, &manager); err != nil {
			return nil, err
		}
		keys[arn] = &keyInput{analysis.AccessKey{ARN: arn, AccountID: account, AWSManaged: manager == string(kmstypes.KeyManagerTypeAws)}}
	}
	return keys, rows.Err()
}

// readPolicies attaches each key's policies: "default", and "AWS_RAM" for a key shared through AWS
// RAM (the two names ListKeyPolicies knows).
func readPolicies(ctx context.Context, conn *pgx.Conn, keys map[string]*keyInput, st *AccessStats) error {
	rows, err := conn.Query(ctx, "SELECT key_arn, name, policy::text FROM aws_kms_key_policies WHERE name IN ('default', 'AWS_RAM') AND policy IS NOT NULL")
	if err != nil {
		return fmt.Errorf("reading aws_kms_key_policies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var arn, name, doc string
		if err := rows.Scan(&arn, &name, &doc); err != nil {
			return err
		}
		k := keys[arn]
		if k == nil {
			continue
		}
		p, err := analysis.ParsePolicy(doc)
		if err != nil {
			st.Skipped = append(st.Skipped, fmt.Sprintf("%s: key policy %s not evaluated: %v", arn, name, err))
			continue
		}
		if name == analysis.RAMPolicyName {
			k.RAMPolicy = p
		} else {
			k.Policy = p
		}
	}
	return rows.Err()
}

// readShares attaches to each key the AWS RAM shares that include it (aws_ram_kms_key_shares).
func readShares(ctx context.Context, conn *pgx.Conn, keys map[string]*keyInput) error {
	rows, err := conn.Query(ctx, `SELECT resource_share_arn, coalesce(status, ''), coalesce(principals::text, '[]'), key_arns
		FROM aws_ram_kms_key_shares WHERE resource_share_arn IS NOT NULL ORDER BY resource_share_arn`)
	if err != nil {
		return fmt.Errorf("reading aws_ram_kms_key_shares: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var arn, status, principals string
		var keyARNs []string
		if err := rows.Scan(&arn, &status, &principals, &keyARNs); err != nil {
			return err
		}
		var list []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(principals), &list); err != nil {
			return fmt.Errorf("aws_ram_kms_key_shares %s: principals: %w", arn, err)
		}
		share := analysis.RAMShare{ARN: arn, Status: status}
		for _, p := range list {
			share.Principals = append(share.Principals, analysis.RAMSharePrincipal{ID: p.ID, Type: p.Type})
		}
		for _, keyARN := range keyARNs {
			if k := keys[keyARN]; k != nil {
				k.Shares = append(k.Shares, share)
			}
		}
	}
	return rows.Err()
}

func readGrants(ctx context.Context, conn *pgx.Conn, keys map[string]*keyInput) error {
	rows, err := conn.Query(ctx, `SELECT key_arn, grant_id, grantee_principal, grantee_service_principal, operations,
		encryption_context_equals::text, encryption_context_subset::text, source_arn_constraint
		FROM aws_kms_key_grants ORDER BY key_arn, grant_id`)
	if err != nil {
		return fmt.Errorf("reading aws_kms_key_grants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var arn, id string
		var grantee, service, equals, subset, sourceARN *string
		var ops []string
		if err := rows.Scan(&arn, &id, &grantee, &service, &ops, &equals, &subset, &sourceARN); err != nil {
			return err
		}
		k := keys[arn]
		if k == nil {
			continue
		}
		g := kmstypes.GrantListEntry{GrantId: aws.String(id), GranteePrincipal: grantee, GranteeServicePrincipal: service}
		for _, op := range ops {
			g.Operations = append(g.Operations, kmstypes.GrantOperation(op))
		}
		if equals != nil || subset != nil || sourceARN != nil {
			c := &kmstypes.GrantConstraints{SourceArn: sourceARN}
			for _, m := range []struct {
				raw *string
				dst *map[string]string
			}{{equals, &c.EncryptionContextEquals}, {subset, &c.EncryptionContextSubset}} {
				if m.raw != nil {
					if err := json.Unmarshal([]byte(*m.raw), m.dst); err != nil {
						return fmt.Errorf("grant %s: encryption context: %w", id, err)
					}
				}
			}
			g.Constraints = c
		}
		k.Grants = append(k.Grants, g)
	}
	return rows.Err()
}

func readPrincipals(ctx context.Context, conn *pgx.Conn) ([]analysis.IAMPrincipal, error) {
	rows, err := conn.Query(ctx, `SELECT account_id, arn, coalesce(statements::text, '[]'), permissions_boundary_arn,
		boundary_statements::text FROM aws_iam_kms_principals ORDER BY arn`)
	if err != nil {
		return nil, fmt.Errorf("reading aws_iam_kms_principals: %w", err)
	}
	defer rows.Close()
	var out []analysis.IAMPrincipal
	for rows.Next() {
		var account, arn, statements string
		var boundaryARN, boundary *string
		if err := rows.Scan(&account, &arn, &statements, &boundaryARN, &boundary); err != nil {
			return nil, err
		}
		p := analysis.IAMPrincipal{ARN: arn, AccountID: account, HasBoundary: boundaryARN != nil}
		var list []analysis.KMSStatement
		if err := json.Unmarshal([]byte(statements), &list); err != nil {
			return nil, fmt.Errorf("aws_iam_kms_principals %s: statements: %w", arn, err)
		}
		if p.Statements, err = analysis.SourcedStatements(list); err != nil {
			return nil, fmt.Errorf("aws_iam_kms_principals %s: %w", arn, err)
		}
		if boundary != nil {
			list = nil
			if err := json.Unmarshal([]byte(*boundary), &list); err != nil {
				return nil, fmt.Errorf("aws_iam_kms_principals %s: boundary_statements: %w", arn, err)
			}
			if p.Boundary, err = analysis.SourcedStatements(list); err != nil {
				return nil, fmt.Errorf("aws_iam_kms_principals %s: boundary: %w", arn, err)
			}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// readOrganization rebuilds each account's SCP and RCP levels. It returns nil when the table has
// no rows (a standalone account, or the management account was not synced).
func readOrganization(ctx context.Context, conn *pgx.Conn) (*analysis.Organization, error) {
	rows, err := conn.Query(ctx, `SELECT organization_id, account_id, target_account_id, policy_type, level, target_id,
		policy_id, content::text FROM aws_organizations_account_policies ORDER BY target_account_id, policy_type, level, policy_id`)
	if err != nil {
		return nil, fmt.Errorf("reading aws_organizations_account_policies: %w", err)
	}
	defer rows.Close()
	var org *analysis.Organization
	for rows.Next() {
		var orgID, mgmt, account, policyType, target, policyID, content string
		var level int64
		if err := rows.Scan(&orgID, &mgmt, &account, &policyType, &level, &target, &policyID, &content); err != nil {
			return nil, err
		}
		if org == nil {
			org = &analysis.Organization{ID: orgID, ManagementAccount: mgmt, Accounts: map[string]bool{mgmt: true},
				SCPs: map[string][]analysis.OrgLevel{}, RCPs: map[string][]analysis.OrgLevel{}}
		}
		org.Accounts[account] = true
		p, err := analysis.ParsePolicy(content)
		if err != nil {
			return nil, fmt.Errorf("organization policy %s: %w", policyID, err)
		}
		levels := org.SCPs
		prefix := "scp:"
		if policyType == "RESOURCE_CONTROL_POLICY" {
			levels, prefix = org.RCPs, "rcp:"
		}
		list := levels[account]
		if n := len(list); n == 0 || list[n-1].Target != target {
			list = append(list, analysis.OrgLevel{Target: target})
		}
		list[len(list)-1].Policies = append(list[len(list)-1].Policies, analysis.OrgPolicy{Source: prefix + policyID, Policy: p})
		levels[account] = list
	}
	return org, rows.Err()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
