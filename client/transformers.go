package client

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	sdktypes "github.com/cloudquery/plugin-sdk/v4/types"
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
	return func(_ context.Context, _ schema.ClientMeta, r *schema.Resource, c schema.Column) error {
		v := reflect.ValueOf(r.Item)
		for _, name := range fields {
			for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
				if v.IsNil() {
					return nil
				}
				v = v.Elem()
			}
			if v = fieldByName(v, name); !v.IsValid() {
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
		}
		if raw, ok := v.Interface().(json.RawMessage); ok {
			return r.Set(c.Name, []byte(raw))
		}
		return r.Set(c.Name, v.Interface())
	}
}

var stringType = reflect.TypeOf("")

// fieldIndexes caches reflect's look-up of a field by name (a breadth-first search through the
// embedded structs, once per struct type and field instead of once per row and column).
var fieldIndexes sync.Map // fieldKey -> []int, nil when the type has no such field

type fieldKey struct {
	t    reflect.Type
	name string
}

// fieldByName is v.FieldByName(name) for a struct v, the zero Value when there is no such field
// or an embedded pointer on the way is nil.
func fieldByName(v reflect.Value, name string) reflect.Value {
	key := fieldKey{v.Type(), name}
	cached, ok := fieldIndexes.Load(key)
	if !ok {
		var index []int
		if f, found := v.Type().FieldByName(name); found {
			index = f.Index
		}
		cached, _ = fieldIndexes.LoadOrStore(key, index)
	}
	index := cached.([]int)
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
