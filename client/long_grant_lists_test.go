package client

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"testing"

	"github.com/rs/zerolog"
)

// A sync hands the state backend the keys whose grants took three pages or more, with their
// pages; the next sync reads them back, and unreadable pages are ignored.
func TestLongGrantListsAreKeptForTheNextSync(t *testing.T) {
	state := memState{}
	first := &Client{State: state, grantLists: newGrantLists(), logger: zerolog.Nop()}
	first.NoteGrantPages("arn:aws:kms:us-east-1:111122223333:key/one-page", 1)
	first.NoteGrantPages("arn:aws:kms:us-east-1:111122223333:key/two-pages", 2)
	first.NoteGrantPages("arn:aws:kms:us-east-1:111122223333:key/three-pages", 3)
	first.NoteGrantPages("arn:aws:kms:eu-west-1:444455556666:key/hot", 500)
	if err := first.SaveLongGrantLists(context.Background()); err != nil {
		t.Fatal(err)
	}
	var saved map[string]int
	if err := json.Unmarshal([]byte(state[longGrantListsKey]), &saved); err != nil {
		t.Fatalf("saved %q: %v", state[longGrantListsKey], err)
	}
	want := map[string]int{"arn:aws:kms:us-east-1:111122223333:key/three-pages": 3, "arn:aws:kms:eu-west-1:444455556666:key/hot": 500}
	if !maps.Equal(saved, want) {
		t.Errorf("saved %v, want %v", saved, want)
	}

	next := &Client{State: state, grantLists: newGrantLists(), logger: zerolog.Nop()}
	next.LoadLongGrantLists(context.Background())
	for arn, pages := range map[string]int{
		"arn:aws:kms:eu-west-1:444455556666:key/hot":          500,
		"arn:aws:kms:us-east-1:111122223333:key/three-pages":  3,
		"arn:aws:kms:us-east-1:111122223333:key/two-pages":    0,
		"arn:aws:kms:us-east-1:111122223333:key/never-synced": 0,
	} {
		if got := next.LastGrantPages(arn); got != pages {
			t.Errorf("LastGrantPages(%s) = %d, want %d", arn, got, pages)
		}
	}

	for _, raw := range []string{"", "not json"} {
		c := &Client{State: memState{longGrantListsKey: raw}, grantLists: newGrantLists(), logger: zerolog.Nop()}
		c.LoadLongGrantLists(context.Background())
		if got := c.LastGrantPages("arn:aws:kms:eu-west-1:444455556666:key/hot"); got != 0 {
			t.Errorf("state %q: LastGrantPages = %d, want 0", raw, got)
		}
	}
}

// At most longGrantListsKept keys are kept, the longest lists.
func TestSavedLongGrantListsAreTheLongest(t *testing.T) {
	state := memState{}
	c := &Client{State: state, grantLists: newGrantLists()}
	for i := range 300 {
		c.NoteGrantPages(fmt.Sprintf("arn:aws:kms:us-east-1:111122223333:key/%03d", i), 3+i)
	}
	if err := c.SaveLongGrantLists(context.Background()); err != nil {
		t.Fatal(err)
	}
	var saved map[string]int
	if err := json.Unmarshal([]byte(state[longGrantListsKey]), &saved); err != nil {
		t.Fatal(err)
	}
	if len(saved) != 256 {
		t.Fatalf("%d keys saved, want 256", len(saved))
	}
	// Keys 044 to 299 took 47 to 302 pages; 000 to 043 fewer.
	if _, ok := saved["arn:aws:kms:us-east-1:111122223333:key/043"]; ok {
		t.Error("key 043 (46 pages) saved, but 256 keys took more")
	}
	if saved["arn:aws:kms:us-east-1:111122223333:key/044"] != 47 || saved["arn:aws:kms:us-east-1:111122223333:key/299"] != 302 {
		t.Errorf("keys 044 and 299 saved with %d and %d pages, want 47 and 302",
			saved["arn:aws:kms:us-east-1:111122223333:key/044"], saved["arn:aws:kms:us-east-1:111122223333:key/299"])
	}
}
