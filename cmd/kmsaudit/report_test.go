package main

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func text(s string) *string { return &s }

func render(t *testing.T, results []Result, opts ReportOptions) string {
	t.Helper()
	var b strings.Builder
	if err := WriteReport(&b, results, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func query(name, title, do string) Query {
	return Query{Name: name, Header: Header{Title: title, Do: do}}
}

func TestWriteReportSections(t *testing.T) {
	results := []Result{
		{Query: query("01_found", "Found things", "Fix them."), Columns: []string{"a"}, Rows: [][]*string{{text("x")}}},
		{Query: query("02_clean", "Clean check", "Never shown."), Columns: []string{"a"}},
		{Query: query("03_broken", "Broken check", "Never shown."), Err: errors.New("ERROR: relation \"t\"\ndoes not exist")},
	}
	out := render(t, results, ReportOptions{})
	for _, want := range []string{
		"KMS grant audit: 3 queries, 1 with findings, 1 failed\n",
		"\n[01_found] Found things\n  1 row\n  What to do: Fix them.\n",
		"\n[02_clean] Clean check\n  no findings\n",
		"\n[03_broken] Broken check\n  ERROR: ERROR: relation \"t\" does not exist\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Never shown.") {
		t.Errorf("advice printed for a query without findings:\n%s", out)
	}
}

func TestWriteReportTable(t *testing.T) {
	long := strings.Repeat("é", 30) + "TAIL"
	r := Result{
		Query:   query("q", "T", ""),
		Columns: []string{"id", "value", "note"},
		Rows: [][]*string{
			{text("1"), nil, text("a\nb\tc")},
			{text("22"), text(long), text("n")},
			{text("333"), text("v"), text("n")},
			{text("4444"), text("hidden"), text("n")},
			{text("55555"), text("hidden"), text("n")},
		},
	}
	out := render(t, []Result{r}, ReportOptions{MaxRows: 3, MaxWidth: 10})
	lines := strings.Split(out, "\n")

	var table []string
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "id ") {
			table = lines[i : i+5] // header, rule, 3 rows
			break
		}
	}
	if table == nil {
		t.Fatalf("no table header in:\n%s", out)
	}
	if strings.Contains(out, "hidden") || !strings.Contains(out, "… and 2 rows not shown (-max-rows 0 shows all)") {
		t.Errorf("MaxRows 3 must print 3 rows and count the 2 others:\n%s", out)
	}
	if !strings.Contains(table[2], "NULL") {
		t.Errorf("NULL not shown in %q", table[2])
	}
	if !strings.Contains(table[2], "a b c") {
		t.Errorf("line breaks not folded in %q", table[2])
	}
	cut := strings.Repeat("é", 9) + "…"
	if !strings.Contains(table[3], cut) || strings.Contains(out, "TAIL") {
		t.Errorf("long value not cut to 10 characters (%q) in %q", cut, table[3])
	}

	// Columns line up: each column starts at the same character offset on
	// every line of the table.
	headerStarts := columnStarts(table[0], r.Columns)
	for _, row := range table[2:] {
		for i, start := range headerStarts {
			runes := []rune(row)
			if start >= len(runes) || (start > 0 && runes[start-1] != ' ') || runes[start] == ' ' {
				t.Errorf("column %d does not start at offset %d in %q (header %q)", i, start, row, table[0])
			}
		}
	}
}

// columnStarts returns the rune offset of each column name in the header.
func columnStarts(header string, columns []string) []int {
	var starts []int
	from := 0
	runes := []rune(header)
	for _, c := range columns {
		idx := strings.Index(string(runes[from:]), c)
		start := from + utf8.RuneCountInString(string(runes[from:])[:idx])
		starts = append(starts, start)
		from = start + utf8.RuneCountInString(c)
	}
	return starts
}

func TestCellText(t *testing.T) {
	tests := []struct {
		in   *string
		max  int
		want string
	}{
		{nil, 10, "NULL"},
		{text("short"), 10, "short"},
		{text("exactly10!"), 10, "exactly10!"},
		{text("eleven char"), 10, "eleven ch…"},
		{text("abc"), 1, "…"},
		{text("no limit at all"), 0, "no limit at all"},
		{text("  a \n\t b  "), 0, "a b"},
	}
	for _, tt := range tests {
		if got := cellText(tt.in, tt.max); got != tt.want {
			t.Errorf("cellText(%v, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestWriteReportSingular(t *testing.T) {
	out := render(t, []Result{{Query: query("q", "T", ""), Columns: []string{"a"}, Rows: [][]*string{{text("x")}}}}, ReportOptions{})
	if !strings.HasPrefix(out, "KMS grant audit: 1 query, 1 with findings, 0 failed\n") || !strings.Contains(out, "\n  1 row\n") {
		t.Errorf("singular forms wrong:\n%s", out)
	}
}
