package plugin

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/docs"
)

// TestTableDocsAreCurrent fails when docs/tables no longer match the code; `make gen-docs`
// regenerates them.
func TestTableDocsAreCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := docs.NewGenerator(Name, Tables()).Generate(dir, docs.FormatMarkdown); err != nil {
		t.Fatal(err)
	}
	generated, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	committed, _ := filepath.Glob("../../docs/tables/*.md")
	if len(committed) != len(generated) {
		t.Errorf("docs/tables has %d files, the code generates %d: run `make gen-docs`", len(committed), len(generated))
	}
	for _, path := range generated {
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(filepath.Join("../../docs/tables", filepath.Base(path)))
		if err != nil || string(got) != string(want) {
			t.Errorf("docs/tables/%s is stale: run `make gen-docs`", filepath.Base(path))
		}
	}
}
