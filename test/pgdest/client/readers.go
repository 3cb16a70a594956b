package client

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// fieldReader scans one column of a result row and appends it to an Arrow builder of the column's type.
type fieldReader struct {
	// asText selects the column as text, for types read back from their string form.
	asText bool
	// dest is the pgx scan target.
	dest any
	// appendTo appends the value last scanned into dest.
	appendTo func(b array.Builder) error
}

// selectExpr is the select-list expression for the quoted column.
func (r fieldReader) selectExpr(quoted string) string {
	if r.asText {
		// For inet this prints the mask even for /32 hosts, unlike the type's output function.
		return "text(" + quoted + ")"
	}
	return quoted
}

// newFieldReader returns the reader for a column stored as pgType(dt).
func newFieldReader(dt arrow.DataType) fieldReader {
	switch dt.(type) {
	case *arrow.BooleanType:
		var v pgtype.Bool
		return fieldReader{dest: &v, appendTo: func(b array.Builder) error {
			if !v.Valid {
				b.AppendNull()
				return nil
			}
			b.(*array.BooleanBuilder).Append(v.Bool)
			return nil
		}}
	case *arrow.Int8Type:
		return intReader(func(b array.Builder, v int64) { b.(*array.Int8Builder).Append(int8(v)) })
	case *arrow.Int16Type:
		return intReader(func(b array.Builder, v int64) { b.(*array.Int16Builder).Append(int16(v)) })
	case *arrow.Int32Type:
		return intReader(func(b array.Builder, v int64) { b.(*array.Int32Builder).Append(int32(v)) })
	case *arrow.Int64Type:
		return intReader(func(b array.Builder, v int64) { b.(*array.Int64Builder).Append(v) })
	case *arrow.Uint8Type:
		return intReader(func(b array.Builder, v int64) { b.(*array.Uint8Builder).Append(uint8(v)) })
	case *arrow.Uint16Type:
		return intReader(func(b array.Builder, v int64) { b.(*array.Uint16Builder).Append(uint16(v)) })
	case *arrow.Uint32Type:
		return intReader(func(b array.Builder, v int64) { b.(*array.Uint32Builder).Append(uint32(v)) })
	case *arrow.Uint64Type:
		return textReader(func(b array.Builder, s string) error {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return err
			}
			b.(*array.Uint64Builder).Append(v)
			return nil
		})
	case *arrow.Float32Type:
		var v pgtype.Float4
		return fieldReader{dest: &v, appendTo: func(b array.Builder) error {
			if !v.Valid {
				b.AppendNull()
				return nil
			}
			b.(*array.Float32Builder).Append(v.Float32)
			return nil
		}}
	case *arrow.Float64Type:
		var v pgtype.Float8
		return fieldReader{dest: &v, appendTo: func(b array.Builder) error {
			if !v.Valid {
				b.AppendNull()
				return nil
			}
			b.(*array.Float64Builder).Append(v.Float64)
			return nil
		}}
	case *arrow.StringType, *arrow.LargeStringType:
		var v pgtype.Text
		return fieldReader{dest: &v, appendTo: func(b array.Builder) error {
			if !v.Valid {
				b.AppendNull()
				return nil
			}
			b.(interface{ Append(string) }).Append(v.String)
			return nil
		}}
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		var v []byte
		return fieldReader{dest: &v, appendTo: func(b array.Builder) error {
			if v == nil {
				b.AppendNull()
				return nil
			}
			b.(*array.BinaryBuilder).Append(v)
			return nil
		}}
	case *arrow.TimestampType:
		var v pgtype.Timestamp
		return fieldReader{dest: &v, appendTo: func(b array.Builder) error {
			if !v.Valid {
				b.AppendNull()
				return nil
			}
			if v.InfinityModifier != pgtype.Finite {
				return fmt.Errorf("timestamp %s has no Arrow representation", v.InfinityModifier)
			}
			b.(*array.TimestampBuilder).AppendTime(v.Time)
			return nil
		}}
	case *types.UUIDType:
		var v pgtype.UUID
		return fieldReader{dest: &v, appendTo: func(b array.Builder) error {
			if !v.Valid {
				b.AppendNull()
				return nil
			}
			b.(*types.UUIDBuilder).Append(uuid.UUID(v.Bytes))
			return nil
		}}
	}
	if isStringList(dt) {
		var v pgtype.Array[pgtype.Text]
		return fieldReader{dest: &v, appendTo: func(b array.Builder) error {
			if !v.Valid {
				b.AppendNull()
				return nil
			}
			lb := b.(array.ListLikeBuilder)
			lb.Append(true)
			elems := lb.ValueBuilder()
			for _, e := range v.Elements {
				if !e.Valid {
					elems.AppendNull()
					continue
				}
				elems.(interface{ Append(string) }).Append(e.String)
			}
			return nil
		}}
	}
	// jsonb, inet, macaddr and the text fallback come back in a form AppendValueFromString parses.
	return textReader(func(b array.Builder, s string) error { return b.AppendValueFromString(s) })
}

func intReader(appendInt func(b array.Builder, v int64)) fieldReader {
	var v pgtype.Int8
	return fieldReader{dest: &v, appendTo: func(b array.Builder) error {
		if !v.Valid {
			b.AppendNull()
			return nil
		}
		appendInt(b, v.Int64)
		return nil
	}}
}

func textReader(appendText func(b array.Builder, s string) error) fieldReader {
	var v pgtype.Text
	return fieldReader{asText: true, dest: &v, appendTo: func(b array.Builder) error {
		if !v.Valid {
			b.AppendNull()
			return nil
		}
		return appendText(b, v.String)
	}}
}
