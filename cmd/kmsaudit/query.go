package main

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Query is one audit query file: its SQL and the header comment that says
// what it finds, why that matters and what to do about it.
type Query struct {
	// Name is the file name without .sql, e.g. "02_delegating_grants".
	Name   string
	Header Header
	SQL    string
}

// Header is the leading "--" comment block of a query file. The first
// non-blank line is the title; "What it finds:", "Why it matters:" and
// "What to do:" start sections that run until the next section or the end
// of the block.
type Header struct {
	Title string
	Finds string
	Why   string
	Do    string
}

// headerSections maps each section label to the Header field it fills.
var headerSections = []struct {
	label string
	field func(*Header) *string
}{
	{"What it finds:", func(h *Header) *string { return &h.Finds }},
	{"Why it matters:", func(h *Header) *string { return &h.Why }},
	{"What to do:", func(h *Header) *string { return &h.Do }},
}

// LoadQueries reads every *.sql file at the root of fsys, in name order.
func LoadQueries(fsys fs.FS) ([]Query, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no .sql files found")
	}
	sort.Strings(names)
	queries := make([]Query, 0, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		header, err := ParseHeader(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		queries = append(queries, Query{Name: strings.TrimSuffix(path.Base(name), ".sql"), Header: header, SQL: string(b)})
	}
	return queries, nil
}

// ParseHeader reads the header comment at the top of a query file. It
// fails when there is no title, so every report section has one.
func ParseHeader(sql string) (Header, error) {
	var h Header
	var current *string
	for _, line := range strings.Split(sql, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue // blank lines before or inside the header block
		}
		text, isComment := strings.CutPrefix(line, "--")
		if !isComment {
			break
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if h.Title == "" {
			h.Title = text
			continue
		}
		if field, rest, ok := sectionStart(&h, text); ok {
			current = field
			text = rest
		}
		if current != nil {
			*current = strings.TrimSpace(*current + " " + text)
		}
	}
	if h.Title == "" {
		return h, fmt.Errorf("missing header: the file must start with a -- comment whose first line is the title")
	}
	return h, nil
}

func sectionStart(h *Header, text string) (*string, string, bool) {
	for _, s := range headerSections {
		if rest, ok := strings.CutPrefix(text, s.label); ok {
			return s.field(h), strings.TrimSpace(rest), true
		}
	}
	return nil, "", false
}
