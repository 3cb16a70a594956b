package client

import (
	"bytes"
	"encoding/json"

	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// ParseSpec decodes, defaults and validates the spec. Every wrong field gets its own line naming
// the field and the fix, so a user can correct them all in one go.
func ParseSpec(raw []byte) (*Spec, error) {
	var spec Spec
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		raw = []byte("{}")
	}
	var problems []string
	decodeStrict(json.RawMessage(raw), reflect.ValueOf(&spec).Elem(), "spec", &problems)
	// Values are checked even when some keys were wrong, so that one run reports everything;
	// a field that failed to decode keeps its default and raises no second complaint.
	spec.setDefaults()
	problems = append(problems, spec.validate()...)
	if len(problems) > 0 {
		return nil, &SpecError{Problems: problems}
	}
	return &spec, nil
}

// SpecError lists every problem found in a spec.
type SpecError struct{ Problems []string }

func (e *SpecError) Error() string {
	noun := "problem"
	if len(e.Problems) > 1 {
		noun = "problems"
	}
	return fmt.Sprintf("invalid awskms spec (%d %s):\n  - %s", len(e.Problems), noun, strings.Join(e.Problems, "\n  - "))
}

// decodeStrict decodes raw into v, reporting unknown keys and type mismatches with their path
// instead of stopping at the first one as encoding/json does.
func decodeStrict(raw json.RawMessage, v reflect.Value, path string, problems *[]string) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return
	}
	switch {
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		decodeStrict(raw, v.Elem(), path, problems)
	case v.Kind() == reflect.Struct:
		decodeObject(raw, v, path, problems)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			*problems = append(*problems, fmt.Sprintf("%s: expected a list, got %s", path, jsonKind(raw)))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), len(items), len(items)))
		for i, item := range items {
			decodeStrict(item, v.Index(i), fmt.Sprintf("%s[%d]", path, i), problems)
		}
	default:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			*problems = append(*problems, fmt.Sprintf("%s: expected %s, got %s", path, describeType(v.Type()), jsonKind(raw)))
		}
	}
}

func decodeObject(raw json.RawMessage, v reflect.Value, path string, problems *[]string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		*problems = append(*problems, fmt.Sprintf("%s: expected an object (key: value), got %s", path, jsonKind(raw)))
		return
	}
	known := map[string]int{}
	for i := 0; i < v.NumField(); i++ {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			known[name] = i
		}
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		i, ok := known[key]
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s.%s: unknown field; %s", path, keyInPath(key), suggestField(key, known)))
			continue
		}
		decodeStrict(fields[key], v.Field(i), path+"."+key, problems)
	}
}

// keyInPath writes a key from the user's spec into a field path, quoted when it holds characters
// that need escaping (a newline would split the problem's line).
func keyInPath(key string) string {
	if quoted := strconv.Quote(key); quoted[1:len(quoted)-1] != key {
		return quoted
	}
	return key
}

func suggestField(key string, known map[string]int) string {
	names := make([]string, 0, len(known))
	for name := range known {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if editDistance(normalizeKey(name), normalizeKey(key)) <= 2 {
			return fmt.Sprintf("did you mean %q?", name)
		}
	}
	return "remove it or use one of: " + strings.Join(names, ", ")
}

func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(describeType(t.Elem()), "a "), "an ") + "s"
	case reflect.Map:
		return "an object of " + strings.TrimPrefix(describeType(t.Elem()), "a ") + "s"
	}
	return t.String()
}

func jsonKind(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "malformed JSON"
	}
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case float64:
		return fmt.Sprintf("the number %v", x)
	case bool:
		return fmt.Sprintf("%v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "null"
}

func normalizeKey(k string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
}

// editDistance is the Levenshtein distance, to suggest the key a typo meant.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
