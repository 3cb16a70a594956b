package emulator

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Page tokens are opaque to clients, as AWS's are. Two kinds:
//   - an offset, for lists that never change while served (organization,
//     regions, tags, policies, rotations, CloudHSM);
//   - a position key ("after this item"), for lists mutations can shrink or
//     grow (keys, aliases, grants, events): removing an item never makes the
//     next page skip another one.

const tokenVersion = "emu1:"

func encodeToken(payload string) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte(tokenVersion + payload))
	return &s
}

func decodeToken(token string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || !strings.HasPrefix(string(raw), tokenVersion) {
		return "", false
	}
	return strings.TrimPrefix(string(raw), tokenVersion), true
}

func offsetToken(offset int) *string { return encodeToken("offset:" + strconv.Itoa(offset)) }

// decodeOffset reads an offset token; nil means the first page.
func decodeOffset(token *string) (int, bool) {
	if token == nil || *token == "" {
		return 0, true
	}
	payload, ok := decodeToken(*token)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(payload, "offset:"))
	return n, err == nil && n >= 0 && strings.HasPrefix(payload, "offset:")
}

// positionKey orders items by time then id as plain string comparison does.
func positionKey(t time.Time, id string) string {
	return fmt.Sprintf("%020d/%s", t.Unix(), id)
}

func positionToken(key string) *string { return encodeToken("after:" + key) }

// decodePosition reads a position token; "" means the first page.
func decodePosition(token *string) (string, bool) {
	if token == nil || *token == "" {
		return "", true
	}
	payload, ok := decodeToken(*token)
	if !ok || !strings.HasPrefix(payload, "after:") {
		return "", false
	}
	return strings.TrimPrefix(payload, "after:"), true
}

// pageEnd returns where a page of limit items starting at start ends, and
// whether items remain after it.
func pageEnd(total, start, limit int) (end int, more bool) {
	end = min(total, start+limit)
	return end, end < total
}

// limitParam validates an optional page-size member against AWS's range.
func limitParam(value *int64, member string, lo, hi, def int) (int, *apiError) {
	if value == nil {
		return def, nil
	}
	if *value < int64(lo) {
		return 0, validationError(member, *value, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	}
	if *value > int64(hi) {
		return 0, validationError(member, *value, fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
	return int(*value), nil
}
