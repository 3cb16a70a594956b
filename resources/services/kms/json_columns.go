package kms

import (
	"encoding/json"
	"reflect"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	sdktypes "github.com/cloudquery/plugin-sdk/v4/types"
)

// rawJSONAsJSON stores json.RawMessage fields as JSON columns (the SDK would make them binary).
func rawJSONAsJSON(field reflect.StructField) (arrow.DataType, error) {
	if field.Type == reflect.TypeOf(json.RawMessage{}) {
		return sdktypes.ExtensionTypes.JSON, nil
	}
	return transformers.DefaultTypeTransformer(field)
}
