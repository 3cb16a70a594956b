package client

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	sdktypes "github.com/cloudquery/plugin-sdk/v4/types"
)

// TransformWithStruct is the SDK's struct transformer with the plugin's conventions: an absent
// (nil) map, list or JSON document is stored as NULL rather than {} or [], so "no constraint"
// and "empty constraint" stay apart; json.RawMessage fields become JSON columns.
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
// the column NULL when any step of the path is nil.
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
			if v = v.FieldByName(name); !v.IsValid() {
				return nil
			}
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			if v.IsNil() {
				return nil
			}
		}
		if raw, ok := v.Interface().(json.RawMessage); ok {
			return r.Set(c.Name, []byte(raw))
		}
		return r.Set(c.Name, v.Interface())
	}
}
