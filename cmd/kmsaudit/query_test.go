package main

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kmsaudit/cq-source-awskms/docs/queries"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want Header
	}{
		{
			name: "all sections, wrapped lines joined",
			sql: `-- Delegating grants
--
-- What it finds: grants that
-- include CreateGrant.
-- Why it matters: they delegate.
-- What to do: remove
--   CreateGrant.
SELECT 1; -- What to do: not part of the header
`,
			want: Header{Title: "Delegating grants", Finds: "grants that include CreateGrant.", Why: "they delegate.", Do: "remove CreateGrant."},
		},
		{
			name: "blank lines before the header and sections in another order",
			sql:  "\n\n  --   Title with spaces  \n-- What to do: act\n-- What it finds: things\nSELECT 1",
			want: Header{Title: "Title with spaces", Finds: "things", Do: "act"},
		},
		{
			name: "title only",
			sql:  "--Only a title\nSELECT 1",
			want: Header{Title: "Only a title"},
		},
		{
			name: "free text before the first section is not attached to one",
			sql:  "-- T\n-- some prose\n-- Why it matters: because\nSELECT 1",
			want: Header{Title: "T", Why: "because"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHeader(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseHeader =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseHeaderRequiresTitle(t *testing.T) {
	for _, sql := range []string{"SELECT 1", "", "--\n--   \nSELECT 1", "SELECT 1\n-- late comment"} {
		if _, err := ParseHeader(sql); err == nil {
			t.Errorf("ParseHeader(%q) accepted a file without a title", sql)
		}
	}
}

func TestLoadQueries(t *testing.T) {
	fsys := fstest.MapFS{
		"02_b.sql":   {Data: []byte("-- Second\nSELECT 2")},
		"01_a.sql":   {Data: []byte("-- First\nSELECT 1")},
		"README.md":  {Data: []byte("not a query")},
		"sub/03.sql": {Data: []byte("-- nested files are not run\nSELECT 3")},
	}
	qs, err := LoadQueries(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0].Name != "01_a" || qs[1].Name != "02_b" || qs[0].Header.Title != "First" || qs[1].SQL != "-- Second\nSELECT 2" {
		t.Errorf("LoadQueries = %+v", qs)
	}

	if _, err := LoadQueries(fstest.MapFS{"x.sql": {Data: []byte("SELECT 1")}}); err == nil || !strings.Contains(err.Error(), "x.sql") {
		t.Errorf("a file without header: err = %v, want one naming x.sql", err)
	}
	if _, err := LoadQueries(fstest.MapFS{}); err == nil {
		t.Error("an empty directory must be an error, not an empty report")
	}
}

// Every shipped query must carry the full header the report relies on.
func TestEmbeddedQueriesHaveFullHeaders(t *testing.T) {
	qs, err := LoadQueries(queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 13 {
		t.Errorf("%d embedded queries, want one per recommendation (9) and 4 on RAM shares and key use", len(qs))
	}
	for _, q := range qs {
		h := q.Header
		if h.Finds == "" || h.Why == "" || h.Do == "" {
			t.Errorf("%s: header lacks a section: %+v", q.Name, h)
		}
		if !strings.Contains(q.SQL, "ORDER BY") {
			t.Errorf("%s: no ORDER BY, so its rows have no stable order", q.Name)
		}
	}
}
