package kms

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The keys whose grants took most pages in the last sync are described first, most pages
// first; the others keep ListKeys' order.
func TestLongGrantListsFirst(t *testing.T) {
	arn := func(id string) string { return "arn:aws:kms:us-east-1:111122223333:key/" + id }
	var entries []types.KeyListEntry
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		entries = append(entries, types.KeyListEntry{KeyId: aws.String(id), KeyArn: aws.String(arn(id))})
	}
	last := map[string]int{arn("e"): 500, arn("c"): 3, arn("z"): 900}
	got := longGrantListsFirst(entries, func(keyARN string) int { return last[keyARN] })
	var order []string
	for _, e := range got {
		order = append(order, aws.ToString(e.KeyId))
	}
	if want := []string{"e", "c", "a", "b", "d", "f"}; !slices.Equal(order, want) {
		t.Errorf("keys described in the order %v, want %v", order, want)
	}
	// ListKeys' page itself is not reordered.
	if aws.ToString(entries[0].KeyId) != "a" || aws.ToString(entries[4].KeyId) != "e" {
		t.Error("the ListKeys page was reordered in place")
	}
	none := longGrantListsFirst(entries, func(string) int { return 0 })
	if &none[0] != &entries[0] {
		t.Error("without remembered keys the page is copied, want it as it is")
	}
}
