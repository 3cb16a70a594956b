package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// AccessEdge is one row of aws_kms_key_access as the graph draws it.
type AccessEdge struct {
	Principal, Path, Source string
	// Families are the allows_* flags that are true, without the prefix ("decrypt").
	Families          []string
	Denied            bool // every operation of the path is denied
	DeniedBy          string
	RequiresCallerIAM bool
	Conditional       bool
}

// Delegation is a grant made by the grantee of another grant (parent_grant_id).
type Delegation struct {
	ParentGrantee, ParentGrantID, ChildGrantee, ChildGrantID string
}

// WriteAccessGraph writes one key's access and delegation graph as a Mermaid flowchart in
// Markdown (GitHub and most Markdown viewers draw it). Each principal points at the key with one
// arrow per path: solid when the path works on its own, dotted when it needs the caller's IAM
// policy or is conditional, crossed out (--x) when a Deny cancels it. A thick arrow goes from a
// grant's grantee to the grantee of each grant it created (aws_kms_grant_lineage).
func WriteAccessGraph(w io.Writer, keyARN string, edges []AccessEdge, delegations []Delegation) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n```mermaid\nflowchart LR\n", keyARN)
	fmt.Fprintf(&b, "  key[(%s)]\n", mermaidText(shortName(keyARN)))
	ids := map[string]string{}
	node := func(principal string) string {
		if id, ok := ids[principal]; ok {
			return id
		}
		id := fmt.Sprintf("p%d", len(ids)+1)
		ids[principal] = id
		fmt.Fprintf(&b, "  %s[%s]\n", id, mermaidText(principal))
		return id
	}
	for _, e := range edges {
		from := node(e.Principal)
		label := e.Path + ": " + e.Source
		if len(e.Families) > 0 {
			label += "<br/>" + strings.Join(e.Families, ", ")
		}
		arrow := "-->"
		switch {
		case e.Denied:
			arrow, label = "--x", label+"<br/>denied by "+e.DeniedBy
		case e.RequiresCallerIAM:
			arrow, label = "-.->", label+"<br/>needs the caller's IAM policy"
		case e.Conditional:
			arrow, label = "-.->", label+"<br/>conditional"
		}
		fmt.Fprintf(&b, "  %s %s|%s| key\n", from, arrow, mermaidText(label))
	}
	for _, d := range delegations {
		fmt.Fprintf(&b, "  %s ==>|%s| %s\n", node(d.ParentGrantee), mermaidText("grant "+d.ParentGrantID+" created grant "+d.ChildGrantID), node(d.ChildGrantee))
	}
	b.WriteString("```\n\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidText quotes a label; quotes inside become Mermaid's #quot; entity.
func mermaidText(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}

// shortName keeps the resource part of an ARN ("key/1234…").
func shortName(arn string) string {
	if i := strings.LastIndex(arn, ":"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// familyColumns are the allows_* columns of aws_kms_key_access, in the order the graph lists them.
var familyColumns = []string{
	"decrypt", "encrypt", "generate_data_key", "re_encrypt", "sign", "verify", "mac", "derive_shared_secret",
	"get_public_key", "describe_key", "create_grant", "retire_grant", "revoke_grant", "put_key_policy",
	"schedule_key_deletion", "disable_key",
}

// WriteAccessGraphs writes the graph of every key in aws_kms_key_access (or only of onlyKey).
func WriteAccessGraphs(ctx context.Context, conn *pgx.Conn, w io.Writer, onlyKey string) error {
	flags := make([]string, len(familyColumns))
	for i, f := range familyColumns {
		flags[i] = "allows_" + f
	}
	rows, err := conn.Query(ctx, `SELECT key_arn, principal, path, source, `+strings.Join(flags, ", ")+`,
		cardinality(ARRAY(SELECT unnest(operations) EXCEPT SELECT unnest(denied_operations))) = 0,
		coalesce(denied_by, ''), requires_caller_iam, is_conditional
		FROM aws_kms_key_access WHERE $1 = '' OR key_arn = $1 ORDER BY key_arn, path, principal, source`, onlyKey)
	if err != nil {
		return fmt.Errorf("reading aws_kms_key_access: %w", err)
	}
	edges := map[string][]AccessEdge{}
	for rows.Next() {
		var key string
		var e AccessEdge
		allows := make([]bool, len(familyColumns))
		dest := []any{&key, &e.Principal, &e.Path, &e.Source}
		for i := range allows {
			dest = append(dest, &allows[i])
		}
		dest = append(dest, &e.Denied, &e.DeniedBy, &e.RequiresCallerIAM, &e.Conditional)
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return err
		}
		for i, ok := range allows {
			if ok {
				e.Families = append(e.Families, strings.ReplaceAll(familyColumns[i], "_", " "))
			}
		}
		edges[key] = append(edges[key], e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	delegations, err := readDelegations(ctx, conn, onlyKey)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(edges))
	for k := range edges {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if _, err := fmt.Fprintf(w, "# Access to %s\n\n", plural(len(keys), "KMS key", "KMS keys")); err != nil {
		return err
	}
	for _, k := range keys {
		if err := WriteAccessGraph(w, k, edges[k], delegations[k]); err != nil {
			return err
		}
	}
	return nil
}

// readDelegations pairs each grant that has a parent grant with that parent: from the
// aws_kms_grant_lineage view kmsaudit creates (or, on an older schema, the parent_grant_id
// column of aws_kms_key_grants). No lineage, no delegation arrows.
func readDelegations(ctx context.Context, conn *pgx.Conn, onlyKey string) (map[string][]Delegation, error) {
	var view, column bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('aws_kms_grant_lineage') IS NOT NULL,
		EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'aws_kms_key_grants' AND column_name = 'parent_grant_id')`).Scan(&view, &column); err != nil {
		return nil, err
	}
	lineage := "aws_kms_grant_lineage"
	switch {
	case view:
	case column:
		lineage = "aws_kms_key_grants"
	default:
		return nil, nil
	}
	rows, err := conn.Query(ctx, `SELECT c.key_arn, coalesce(p.grantee_principal, p.grantee_service_principal, ''), p.grant_id,
		coalesce(c.grantee_principal, c.grantee_service_principal, ''), c.grant_id
		FROM `+lineage+` l
		JOIN aws_kms_key_grants c ON c.key_arn = l.key_arn AND c.grant_id = l.grant_id
		JOIN aws_kms_key_grants p ON p.key_arn = l.key_arn AND p.grant_id = l.parent_grant_id
		WHERE $1 = '' OR c.key_arn = $1 ORDER BY c.key_arn, p.grant_id, c.grant_id`, onlyKey)
	if err != nil {
		return nil, fmt.Errorf("reading grant delegations: %w", err)
	}
	defer rows.Close()
	out := map[string][]Delegation{}
	for rows.Next() {
		var key string
		var d Delegation
		if err := rows.Scan(&key, &d.ParentGrantee, &d.ParentGrantID, &d.ChildGrantee, &d.ChildGrantID); err != nil {
			return nil, err
		}
		out[key] = append(out[key], d)
	}
	return out, rows.Err()
}
