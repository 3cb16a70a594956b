package client

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	sdktypes "github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/thoas/go-funk"
)

// TransformWithStruct is the SDK's struct transformer with the plugin's conventions: an absent
// (nil) map, list or JSON document is stored as NULL rather than {} or [], so "no constraint"
// and "empty constraint" stay apart; an absent enum (a named string type left "", which is how
// aws-sdk-go-v2 decodes a member the response did not carry) is NULL too; json.RawMessage fields
// become JSON columns.
func TransformWithStruct(st any, opts ...transformers.StructTransformerOption) schema.Transform {
	return transformers.TransformWithStruct(st, append([]transformers.StructTransformerOption{
		transformers.WithTypeTransformer(typeTransformer),
		transformers.WithResolverTransformer(resolverTransformer),
	}, opts...)...)
}

var rawJSONType = reflect.TypeOf(json.RawMessage{})

func typeTransformer(field reflect.StructField) (arrow.DataType, error) {
	if field.Type == rawJSONType {
		return sdktypes.ExtensionTypes.JSON, nil
	}
	return transformers.DefaultTypeTransformer(field)
}

func resolverTransformer(_ reflect.StructField, path string) schema.ColumnResolver {
	return NilAsNullResolver(path)
}

// NilAsNullResolver resolves the value at path (dotted field names) in the row's item, leaving
// the column NULL when any step of the path is nil or the value is an absent enum.
func NilAsNullResolver(path string) schema.ColumnResolver {
	fields := strings.Split(path, ".")
	steps := make([]fieldStep, len(fields))
	var (
		column columnHint
		value  plainValue
	)
	return func(_ context.Context, _ schema.ClientMeta, r *schema.Resource, c schema.Column) error {
		v := reflect.ValueOf(r.Item)
		for i, name := range fields {
			for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
				if v.IsNil() {
					return nil
				}
				v = v.Elem()
			}
			if v = steps[i].field(v, name); !v.IsValid() {
				return nil
			}
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			if v.IsNil() {
				return nil
			}
		case reflect.String:
			if absentEnum(v) {
				return nil
			}
			if c.Type.ID() == arrow.STRING && value.plain(v.Type()) {
				return column.set(r, c.Name, v.String())
			}
		case reflect.Bool:
			if c.Type.ID() == arrow.BOOL && value.plain(v.Type()) {
				return column.set(r, c.Name, v.Bool())
			}
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String && v.Len() > 0 && stringList(c.Type) && value.plain(v.Type().Elem()) {
			// A list of enums (operations, algorithms): the list scalar would convert each.
			plain := make([]string, v.Len())
			for i := range plain {
				plain[i] = v.Index(i).String()
			}
			return column.set(r, c.Name, plain)
		}
		if raw, ok := v.Interface().(json.RawMessage); ok {
			return column.set(r, c.Name, []byte(raw))
		}
		return column.set(r, c.Name, v.Interface())
	}
}

// PathResolver is schema.PathResolver (the value at path as funk.Get finds it, zero values
// included) without reflection's look-up per row: a path of struct fields through non-nil
// pointers is walked with cached field indexes, and anything else (a nil pointer or a map on
// the way, a struct embedding a pointer) is left to funk.Get, so the value is the same.
func PathResolver(path string) schema.ColumnResolver {
	fields := strings.Split(path, ".")
	steps := make([]fieldStep, len(fields))
	plain := !strings.Contains(path, `"`)
	var column columnHint
	return func(_ context.Context, _ schema.ClientMeta, r *schema.Resource, c schema.Column) error {
		if plain {
			if v, ok := plainPath(r.Item, fields, steps); ok {
				if v.Kind() == reflect.Pointer && v.IsNil() {
					return column.set(r, c.Name, nil)
				}
				return column.set(r, c.Name, v.Interface())
			}
		}
		return column.set(r, c.Name, funk.Get(r.Item, path, funk.WithAllowZero()))
	}
}

// plainPath walks fields through item's structs; ok is false where funk.Get's walk could differ
// from reflect's (a nil pointer, a non-struct, an embedded pointer, an unexported field).
func plainPath(item any, fields []string, steps []fieldStep) (v reflect.Value, ok bool) {
	v = reflect.ValueOf(item)
	for i, name := range fields {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct || embedsPointer(v.Type()) {
			return reflect.Value{}, false
		}
		if v = steps[i].field(v, name); !v.IsValid() {
			return reflect.Value{}, false
		}
	}
	return v, v.CanInterface()
}

// embeddedPointers caches, per struct type, whether it embeds a pointer (reflect.Type -> bool).
var embeddedPointers sync.Map

func embedsPointer(t reflect.Type) bool {
	if cached, ok := embeddedPointers.Load(t); ok {
		return cached.(bool)
	}
	embeds := false
	for i := range t.NumField() {
		if f := t.Field(i); f.Anonymous && f.Type.Kind() == reflect.Pointer {
			embeds = true
		}
	}
	embeddedPointers.Store(t, embeds)
	return embeds
}

// stringList tells a list of strings column.
func stringList(t arrow.DataType) bool {
	list, ok := t.(*arrow.ListType)
	return ok && list.Elem().ID() == arrow.STRING
}

// plainValue tells whether a string or bool type's values go into a column as its underlying
// string or bool: the scalar converts a named type (an enum) to its underlying value, unless it
// is a fmt.Stringer, and the plain value spares that conversion's reflection and allocations.
type plainValue struct{ last atomic.Pointer[plainType] }

type plainType struct {
	t     reflect.Type
	plain bool
}

var stringerType = reflect.TypeOf((*fmt.Stringer)(nil)).Elem()

func (p *plainValue) plain(t reflect.Type) bool {
	last := p.last.Load()
	if last == nil || last.t != t {
		last = &plainType{t, !t.Implements(stringerType)}
		p.last.Store(last)
	}
	return last.plain
}

// columnHint finds a resolver's column in the row by the index it had last time, checked by
// name (a resolver serves one column, at the same place in every copy of its table), instead
// of Resource.Set's search through the columns on every row.
type columnHint struct{ index atomic.Int32 }

// set is r.Set(name, v).
func (h *columnHint) set(r *schema.Resource, name string, v any) error {
	columns := r.Table.Columns
	i := int(h.index.Load())
	if i >= len(columns) || columns[i].Name != name {
		if i = columns.Index(name); i == -1 {
			return r.Set(name, v) // panics, naming the column
		}
		h.index.Store(int32(i))
	}
	if err := r.GetValues()[i].Set(v); err != nil {
		panic(fmt.Errorf("failed to set column %s: %w", name, err))
	}
	return nil
}

var stringType = reflect.TypeOf("")

// fieldIndexes caches reflect's look-up of a field by name (a breadth-first search through the
// embedded structs, once per struct type and field instead of once per row and column).
var fieldIndexes sync.Map // fieldKey -> []int, nil when the type has no such field

type fieldKey struct {
	t    reflect.Type
	name string
}

// fieldStep is one step of a resolver's path: the index of the field in the struct type the
// step last met, so that a row of the same type finds it without a map look-up.
type fieldStep struct{ last atomic.Pointer[fieldIndex] }

type fieldIndex struct {
	t     reflect.Type
	index []int
}

// field is fieldByName(v, name), v a struct.
func (s *fieldStep) field(v reflect.Value, name string) reflect.Value {
	t := v.Type()
	last := s.last.Load()
	if last == nil || last.t != t {
		last = &fieldIndex{t, fieldIndexOf(t, name)}
		s.last.Store(last)
	}
	return fieldByIndex(v, last.index)
}

// fieldIndexOf is the index of t's field name, nil when t has none.
func fieldIndexOf(t reflect.Type, name string) []int {
	key := fieldKey{t, name}
	cached, ok := fieldIndexes.Load(key)
	if !ok {
		var index []int
		if f, found := t.FieldByName(name); found {
			index = f.Index
		}
		cached, _ = fieldIndexes.LoadOrStore(key, index)
	}
	return cached.([]int)
}

// fieldByIndex is v.FieldByIndex(index), the zero Value when index is nil or an embedded
// pointer on the way is nil.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	if index == nil {
		return reflect.Value{}
	}
	for i, x := range index {
		for i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// absentEnum tells an enum member the response did not carry: aws-sdk-go-v2 declares enums as
// named string types (types.KeyUsageType, types.ExpirationModelType...) and leaves them "" when
// absent, where an ordinary string member would be a nil *string. A plain string "" is a value.
func absentEnum(v reflect.Value) bool {
	return v.Kind() == reflect.String && v.Type() != stringType && v.Len() == 0
}
