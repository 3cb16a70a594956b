package emulator

import "strconv"

// decodeFlatKMSInput reads the compact, flat bodies the SDK sends for KMS
// ({"KeyId":"…","Limit":100}) without reflection, and reports whether it could: any other body
// (whitespace, escapes, non-ASCII, null, a list, an unknown or repeated member) is left to
// encoding/json, so what is read is what json.Unmarshal would read.
func decodeFlatKMSInput(b []byte, in *kmsInput) bool {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	i, end := 1, len(b)-1
	if i == end {
		return true // {}
	}
	for {
		name, next, ok := plainJSONStringAt(b, i, end)
		if !ok || next >= end || b[next] != ':' {
			return false
		}
		i = next + 1
		if name == "Limit" {
			j := i
			for j < end && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			digits := string(b[i:j])
			if in.Limit != nil || digits == "" || len(digits) > 18 || (digits[0] == '0' && len(digits) > 1) {
				return false
			}
			n, err := strconv.ParseInt(digits, 10, 64)
			if err != nil {
				return false
			}
			in.Limit, i = &n, j
		} else {
			var field **string
			switch name {
			case "KeyId":
				field = &in.KeyId
			case "Marker":
				field = &in.Marker
			case "GrantId":
				field = &in.GrantId
			case "GranteePrincipal":
				field = &in.GranteePrincipal
			case "PolicyName":
				field = &in.PolicyName
			case "IncludeKeyMaterial":
				field = &in.IncludeKeyMaterial
			default:
				return false
			}
			value, next, ok := plainJSONStringAt(b, i, end)
			if !ok || *field != nil {
				return false
			}
			*field, i = &value, next
		}
		if i == end {
			return true
		}
		if b[i] != ',' {
			return false
		}
		i++
	}
}

// plainJSONStringAt reads the JSON string starting at b[i] when it holds printable ASCII only,
// with no escapes; it returns the string and the index after its closing quote.
func plainJSONStringAt(b []byte, i, end int) (string, int, bool) {
	if i >= end || b[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < end; j++ {
		switch c := b[j]; {
		case c == '"':
			return string(b[i+1 : j]), j + 1, true
		case c < 0x20 || c >= 0x7f || c == '\\':
			return "", 0, false
		}
	}
	return "", 0, false
}
