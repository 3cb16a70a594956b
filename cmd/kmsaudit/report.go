package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Result is what one query returned, as display text. A nil cell is SQL
// NULL. Err is set when the query failed.
type Result struct {
	Query   Query
	Columns []string
	Rows    [][]*string
	Err     error
}

// ReportOptions bound the size of the printed tables.
type ReportOptions struct {
	// MaxRows is the number of rows printed per query; 0 prints all.
	MaxRows int
	// MaxWidth is the widest a cell is printed, in characters; longer
	// values are cut with "…". 0 means no limit.
	MaxWidth int
}

const nullText = "NULL"

// WriteReport prints a findings report: a summary line, then for each
// query its title, its row count (or its error), what to do when it found
// something, and a compact table of its rows.
func WriteReport(w io.Writer, results []Result, opts ReportOptions) error {
	rw := &reportWriter{w: w}
	withFindings, failed := 0, 0
	for _, r := range results {
		switch {
		case r.Err != nil:
			failed++
		case len(r.Rows) > 0:
			withFindings++
		}
	}
	rw.printf("KMS grant audit: %s, %d with findings, %d failed\n", plural(len(results), "query", "queries"), withFindings, failed)
	for _, r := range results {
		rw.printf("\n[%s] %s\n", r.Query.Name, r.Query.Header.Title)
		switch {
		case r.Err != nil:
			rw.printf("  ERROR: %s\n", oneLine(r.Err.Error()))
			continue
		case len(r.Rows) == 0:
			rw.printf("  no findings\n")
			continue
		}
		rw.printf("  %s\n", plural(len(r.Rows), "row", "rows"))
		if r.Query.Header.Do != "" {
			rw.printf("  What to do: %s\n", r.Query.Header.Do)
		}
		rw.table(r, opts)
	}
	return rw.err
}

// reportWriter keeps the first write error so the formatting code stays
// linear.
type reportWriter struct {
	w   io.Writer
	err error
}

func (rw *reportWriter) printf(format string, args ...any) {
	if rw.err == nil {
		_, rw.err = fmt.Fprintf(rw.w, format, args...)
	}
}

func (rw *reportWriter) table(r Result, opts ReportOptions) {
	shown := r.Rows
	if opts.MaxRows > 0 && len(shown) > opts.MaxRows {
		shown = shown[:opts.MaxRows]
	}
	cells := make([][]string, 0, len(shown)+1)
	cells = append(cells, r.Columns)
	for _, row := range shown {
		line := make([]string, len(r.Columns))
		for i := range line {
			if i < len(row) {
				line[i] = cellText(row[i], opts.MaxWidth)
			}
		}
		cells = append(cells, line)
	}

	widths := make([]int, len(r.Columns))
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	rw.printRow(cells[0], widths)
	rw.printRow(rule, widths)
	for _, line := range cells[1:] {
		rw.printRow(line, widths)
	}
	if hidden := len(r.Rows) - len(shown); hidden > 0 {
		rw.printf("  … and %s not shown (-max-rows 0 shows all)\n", plural(hidden, "row", "rows"))
	}
}

func (rw *reportWriter) printRow(cells []string, widths []int) {
	var b strings.Builder
	b.WriteString(" ")
	for i, c := range cells {
		b.WriteString(" ")
		b.WriteString(c)
		if i < len(cells)-1 {
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+1))
		}
	}
	rw.printf("%s\n", b.String())
}

// cellText renders one value on one line, cut to maxWidth characters.
func cellText(v *string, maxWidth int) string {
	if v == nil {
		return nullText
	}
	s := oneLine(*v)
	if maxWidth > 0 && utf8.RuneCountInString(s) > maxWidth {
		runes := []rune(s)
		if maxWidth == 1 {
			return "…"
		}
		s = string(runes[:maxWidth-1]) + "…"
	}
	return s
}

// oneLine folds line breaks and tabs into spaces so a value cannot break
// the table's layout.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
