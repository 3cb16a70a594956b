package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go/middleware"
)

// encodeAWSJSON writes an aws-sdk-go-v2 value the way the AWS JSON protocols
// (awsJson1.1, restJson1 bodies) put it on the wire:
//   - struct field names are the wire member names (true for every shape this
//     emulator serves; checked against the SDK schemas);
//   - time.Time is epoch seconds, with milliseconds when there are any;
//   - nil pointers, nil slices and maps, false, 0 and "" are left out, as the
//     SDK's own serializers do; non-nil empty slices and maps are written as
//     [] and {} so "empty" and "absent" stay distinguishable;
//   - enum types are strings; unexported fields and ResultMetadata are skipped.
func encodeAWSJSON(v any) ([]byte, error) { return jsonEncoder{}.encode(v) }

// encodeCamelJSON is encodeAWSJSON for services whose wire member names are the SDK field names
// with a lower-case first letter (AWS RAM: "resourceShareArn", checked against its schemas).
func encodeCamelJSON(v any) ([]byte, error) { return jsonEncoder{lowerFirst: true}.encode(v) }

type jsonEncoder struct{ lowerFirst bool }

func (e jsonEncoder) encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := e.encodeValue(&buf, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	metadataType = reflect.TypeFor[middleware.Metadata]()
)

func (e jsonEncoder) encodeValue(buf *bytes.Buffer, v reflect.Value) error {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return e.encodeValue(buf, v.Elem())
	}
	if v.Type() == timeType {
		buf.WriteString(epochSeconds(v.Interface().(time.Time)))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		return writeJSONString(buf, v.String())
	case reflect.Bool:
		buf.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		buf.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		buf.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		buf.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Slice, reflect.Array:
		return e.encodeList(buf, v)
	case reflect.Map:
		return e.encodeMap(buf, v)
	case reflect.Struct:
		return e.encodeStruct(buf, v)
	default:
		return fmt.Errorf("awsjson: cannot encode %s", v.Type())
	}
	return nil
}

func (e jsonEncoder) encodeList(buf *bytes.Buffer, v reflect.Value) error {
	if v.Type().Elem().Kind() == reflect.Uint8 {
		// Blobs are base64 strings on the wire; encoding/json does exactly that.
		b, err := json.Marshal(v.Bytes())
		buf.Write(b)
		return err
	}
	buf.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := e.encodeValue(buf, v.Index(i)); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

func (e jsonEncoder) encodeMap(buf *bytes.Buffer, v reflect.Value) error {
	if v.Type().Key().Kind() != reflect.String {
		return fmt.Errorf("awsjson: map key %s is not a string", v.Type().Key())
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeJSONString(buf, k.String()); err != nil {
			return err
		}
		buf.WriteByte(':')
		if err := e.encodeValue(buf, v.MapIndex(k)); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

func (e jsonEncoder) encodeStruct(buf *bytes.Buffer, v reflect.Value) error {
	buf.WriteByte('{')
	first := true
	for _, f := range e.wireFields(v.Type()) {
		fv := v.Field(f.index)
		if omitOnWire(fv) {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.WriteString(f.name)
		if err := e.encodeValue(buf, fv); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// wireField is a struct field that goes on the wire: its index and its member name, already
// written as a JSON string and a colon.
type wireField struct {
	index int
	name  string
}

// wireFieldCache holds each struct type's wire fields, per member-name style: looking them up
// through reflect for every value was a tenth of the emulator's CPU.
var wireFieldCache [2]sync.Map // [lowerFirst] reflect.Type -> []wireField

func (e jsonEncoder) wireFields(t reflect.Type) []wireField {
	style := 0
	if e.lowerFirst {
		style = 1
	}
	if fields, ok := wireFieldCache[style].Load(t); ok {
		return fields.([]wireField)
	}
	var fields []wireField
	for i := range t.NumField() {
		field := t.Field(i)
		if !field.IsExported() || field.Type == metadataType {
			continue
		}
		name := field.Name
		if e.lowerFirst {
			name = strings.ToLower(name[:1]) + name[1:]
		}
		var b bytes.Buffer
		_ = writeJSONString(&b, name)
		b.WriteByte(':')
		fields = append(fields, wireField{index: i, name: b.String()})
	}
	wireFieldCache[style].Store(t, fields)
	return fields
}

// omitOnWire mirrors the SDK serializers: unset members are not written.
func omitOnWire(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.Struct:
		return v.Type() == timeType && v.Interface().(time.Time).IsZero()
	default:
		return v.IsZero()
	}
}

// epochSeconds formats a timestamp as the SDK parses it: seconds with up to
// millisecond precision.
func epochSeconds(t time.Time) string {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return strconv.FormatInt(ms/1000, 10)
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

func writeJSONString(buf *bytes.Buffer, s string) error {
	if plainJSONString(s) {
		buf.WriteByte('"')
		buf.WriteString(s)
		buf.WriteByte('"')
		return nil
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode appends a newline
	return nil
}

// plainJSONString reports whether s is printable ASCII without a quote or backslash: the
// strings encoding/json writes unchanged between quotes (with HTML escaping off).
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
