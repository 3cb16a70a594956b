package plugin

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/caser"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// row is one table row with every value normalised to what encoding/json would decode, so
// synced rows and rows expected from the emulator's data compare with reflect.DeepEqual.
type row map[string]any

// syncedRows turns the records the plugin sent for a table into rows.
func syncedRows(t *testing.T, msgs message.SyncMessages, table *schema.Table) []row {
	t.Helper()
	var out []row
	for _, rec := range msgs.GetInserts().GetRecordsForTable(table) {
		for i := 0; i < int(rec.NumRows()); i++ {
			r := row{}
			for j, field := range rec.Schema().Fields() {
				r[field.Name] = normaliseArrow(t, rec.Column(j), i)
			}
			out = append(out, r)
		}
	}
	return out
}

type marshaler interface{ GetOneForMarshal(int) any }

func normaliseArrow(t *testing.T, arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	v := arr.(marshaler).GetOneForMarshal(i)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if raw, ok := v.(json.RawMessage); ok {
		b = raw
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

var snake = caser.New()

// expectFields builds the expected columns of an SDK struct the way CloudQuery names them,
// independently of the plugin's transformers: snake_case field names (or json tags), times as
// microsecond UTC timestamps, lists of strings as lists, anything else as its JSON.
func expectFields(v any, skip ...string) row {
	out := row{}
	rv := reflect.Indirect(reflect.ValueOf(v))
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		if !f.IsExported() || contains(skip, f.Name) {
			continue
		}
		if f.Anonymous {
			for k, v := range expectFields(rv.Field(i).Interface(), skip...) {
				out[k] = v
			}
			continue
		}
		name := snake.ToSnake(f.Name)
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
			continue
		} else if tag != "" {
			name = tag
		}
		out[name] = normaliseGo(rv.Field(i))
	}
	return out
}

func normaliseGo(v reflect.Value) any {
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice || v.Kind() == reflect.Map || v.Kind() == reflect.Interface) && v.IsNil() {
		return nil
	}
	// An SDK enum (a named string type) is "" when the response did not carry it: absent, NULL.
	if v.Kind() == reflect.String && v.Type() != reflect.TypeOf("") && v.Len() == 0 {
		return nil
	}
	if t, ok := v.Interface().(time.Time); ok {
		return t.UTC().Truncate(time.Microsecond).Format("2006-01-02 15:04:05.999999999")
	}
	if t, ok := v.Interface().(*time.Time); ok {
		return normaliseGo(reflect.ValueOf(*t))
	}
	if raw, ok := v.Interface().(json.RawMessage); ok {
		return decodeJSON(raw)
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		panic(err)
	}
	return decodeJSON(b)
}

func decodeJSON(b []byte) any {
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("%s: %v", b, err))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compareRows matches rows by key and reports every difference, column by column.
func compareRows(t *testing.T, table string, got, want []row, key func(row) string) {
	t.Helper()
	index := map[string]row{}
	for _, r := range got {
		k := key(r)
		if _, dup := index[k]; dup {
			t.Errorf("%s: row %s synced twice", table, k)
		}
		index[k] = r
	}
	if len(got) != len(want) {
		t.Errorf("%s: synced %d rows, the emulator holds %d", table, len(got), len(want))
	}
	mismatches := 0
	for _, w := range want {
		k := key(w)
		g, ok := index[k]
		if !ok {
			t.Errorf("%s: row %s missing", table, k)
			continue
		}
		for _, col := range sortedColumns(g) {
			if _, compared := w[col]; !compared && !strings.HasPrefix(col, "_cq_") {
				mismatches++
				if mismatches <= 20 {
					t.Errorf("%s row %s: column %s is synced but not compared", table, k, col)
				}
			}
		}
		for _, col := range sortedColumns(w) {
			if !reflect.DeepEqual(g[col], w[col]) {
				mismatches++
				if mismatches <= 20 {
					t.Errorf("%s row %s column %s:\n  got  %#v\n  want %#v", table, k, col, g[col], w[col])
				}
			}
		}
	}
	if mismatches > 20 {
		t.Errorf("%s: %d mismatching values in all", table, mismatches)
	}
}

func sortedColumns(r row) []string {
	out := make([]string, 0, len(r))
	for k := range r {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keyOf(cols ...string) func(row) string {
	return func(r row) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = fmt.Sprint(r[c])
		}
		return strings.Join(parts, "|")
	}
}

// tagObject is a tag list as the tags column stores it.
func tagObject[T any](tags []T) any {
	out := map[string]any{}
	for _, tag := range tags {
		r := expectFields(tag)
		out[r["key"].(string)] = r["value"]
	}
	return out
}
