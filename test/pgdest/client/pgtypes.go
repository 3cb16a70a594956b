package client

import (
	"github.com/apache/arrow/go/v15/arrow"
	"github.com/cloudquery/plugin-sdk/v4/types"
)

// pgType is the PostgreSQL column type for an Arrow type, spelled as format_type() prints it so
// that migrations can compare it with the catalog. It follows CloudQuery's PostgreSQL destination
// except that lists of anything but strings are stored as jsonb.
func pgType(dt arrow.DataType) string {
	switch dt := dt.(type) {
	case *types.UUIDType:
		return "uuid"
	case *types.JSONType:
		return "jsonb"
	case *types.InetType:
		return "inet"
	case *types.MACType:
		return "macaddr"
	case *arrow.BooleanType:
		return "boolean"
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Uint8Type:
		return "smallint"
	case *arrow.Int32Type, *arrow.Uint16Type:
		return "integer"
	case *arrow.Int64Type, *arrow.Uint32Type:
		return "bigint"
	case *arrow.Uint64Type:
		// bigint tops out at 2^63-1.
		return "numeric(20,0)"
	case *arrow.Float16Type, *arrow.Float32Type:
		return "real"
	case *arrow.Float64Type:
		return "double precision"
	case *arrow.StringType, *arrow.LargeStringType:
		return "text"
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		return "bytea"
	case *arrow.TimestampType:
		return "timestamp without time zone"
	case *arrow.ListType, *arrow.LargeListType, *arrow.FixedSizeListType:
		if isStringList(dt) {
			return "text[]"
		}
		return "jsonb"
	case *arrow.StructType, *arrow.MapType:
		return "jsonb"
	default:
		// Stored as the Arrow value's string form (ValueStr), read back with AppendValueFromString.
		return "text"
	}
}

// isStringList reports whether dt is a list whose elements are strings (stored as text[]).
func isStringList(dt arrow.DataType) bool {
	list, ok := dt.(arrow.ListLikeType)
	if !ok || dt.ID() == arrow.MAP {
		return false
	}
	switch list.Elem().(type) {
	case *arrow.StringType, *arrow.LargeStringType:
		return true
	}
	return false
}
