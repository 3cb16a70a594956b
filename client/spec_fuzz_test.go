package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzParseSpec feeds ParseSpec arbitrary bytes (seeds in testdata/fuzz/FuzzParseSpec: the
// documented examples and one spec per kind of mistake). It must never panic; a rejected spec
// must come back as a SpecError whose every problem is one line naming a spec field; an accepted
// spec must survive JSON and a second ParseSpec unchanged, so defaults and validation agree with
// what they produce.
func FuzzParseSpec(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		spec, err := ParseSpec(raw)
		if err != nil {
			var specErr *SpecError
			if !errors.As(err, &specErr) || len(specErr.Problems) == 0 {
				t.Fatalf("ParseSpec(%q) failed without problems: %v", raw, err)
			}
			for _, p := range specErr.Problems {
				if !strings.HasPrefix(p, "spec") || !strings.Contains(p, ": ") || strings.ContainsAny(p, "\r\n") {
					t.Errorf("ParseSpec(%q): problem %q is not one line naming a field", raw, p)
				}
			}
			return
		}
		first, err := json.Marshal(spec)
		if err != nil {
			t.Fatalf("accepted spec does not marshal: %v", err)
		}
		again, err := ParseSpec(first)
		if err != nil {
			t.Fatalf("ParseSpec(%q) accepted, but its own JSON %s is rejected: %v", raw, first, err)
		}
		second, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("ParseSpec(%q) does not round-trip:\n  first  %s\n  second %s", raw, first, second)
		}
	})
}
