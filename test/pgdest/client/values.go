package client

import (
	"fmt"
	"math/big"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgValue converts row i of arr into a value pgx encodes as the column type pgType(arr.DataType()).
// SQL NULL is returned as an untyped nil.
func pgValue(arr arrow.Array, i int) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Int8:
		return int64(a.Value(i)), nil
	case *array.Int16:
		return int64(a.Value(i)), nil
	case *array.Int32:
		return int64(a.Value(i)), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Uint8:
		return int64(a.Value(i)), nil
	case *array.Uint16:
		return int64(a.Value(i)), nil
	case *array.Uint32:
		return int64(a.Value(i)), nil
	case *array.Uint64:
		return pgtype.Numeric{Int: new(big.Int).SetUint64(a.Value(i)), Valid: true}, nil
	case *array.Float16:
		return a.Value(i).Float32(), nil
	case *array.Float32:
		return a.Value(i), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.String:
		return a.Value(i), nil
	case *array.LargeString:
		return a.Value(i), nil
	case *array.Binary:
		return nonNilBytes(a.Value(i)), nil
	case *array.LargeBinary:
		return nonNilBytes(a.Value(i)), nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		// timestamp without time zone holds the UTC wall clock.
		return a.Value(i).ToTime(unit).UTC(), nil
	case *types.UUIDArray:
		return [16]byte(a.Value(i)), nil
	case *types.JSONArray:
		// pgx sends a string to jsonb verbatim.
		return a.ValueStr(i), nil
	case array.ListLike:
		if isStringList(a.DataType()) {
			return textArray(a, i)
		}
		// Lists, structs and maps print as JSON.
		return a.ValueStr(i), nil
	default:
		// inet, macaddr and the text fallback: PostgreSQL parses the Arrow string form.
		return arr.ValueStr(i), nil
	}
}

// nonNilBytes keeps an empty binary value from being encoded as NULL, which pgx does for a nil slice.
func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// textArray converts one list-of-strings value into a text[] value, keeping NULL elements.
func textArray(list array.ListLike, i int) ([]pgtype.Text, error) {
	start, end := list.ValueOffsets(i)
	values := list.ListValues()
	out := make([]pgtype.Text, 0, end-start)
	for j := int(start); j < int(end); j++ {
		if values.IsNull(j) {
			out = append(out, pgtype.Text{})
			continue
		}
		switch v := values.(type) {
		case *array.String:
			out = append(out, pgtype.Text{String: v.Value(j), Valid: true})
		case *array.LargeString:
			out = append(out, pgtype.Text{String: v.Value(j), Valid: true})
		default:
			return nil, fmt.Errorf("text[] column holds %s elements", values.DataType())
		}
	}
	return out, nil
}
