// Package queries holds the KMS grant audit as SQL: one file per finding,
// each starting with a comment header (title line, then "What it finds:",
// "Why it matters:" and "What to do:") that cmd/kmsaudit prints with the
// results. The files are embedded so the runner works without a checkout.
package queries

import "embed"

// FS holds every *.sql file of this directory.
//
//go:embed *.sql
var FS embed.FS
