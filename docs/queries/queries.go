// Package queries holds the KMS grant audit as SQL: one file per finding,
// each starting with a comment header (title line, then "What it finds:",
// "Why it matters:" and "What to do:") that cmd/kmsaudit prints with the
// results, and under views/ the views the findings build on (such as the
// grants' lineage from the accumulated CloudTrail events), which kmsaudit
// creates first. The files are embedded so the runner works without a
// checkout.
//
// access/ holds the access audit, which reads aws_kms_key_access: kmsaudit computes that table
// from the synced tables before it runs them (see docs/access.md).
package queries

import "embed"

// FS holds every *.sql file of this directory and of access/.
//
//go:embed *.sql access/*.sql
var FS embed.FS

// Views holds views/*.sql: statements that create views (and their indexes)
// over the synced tables, run in name order before the queries.
//
//go:embed views/*.sql
var Views embed.FS
