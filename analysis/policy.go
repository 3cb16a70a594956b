package analysis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Policy is a parsed IAM policy document (a KMS key policy).
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Effect is a statement's effect: "Allow" or "Deny".
type Effect string

const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// Statement is one policy statement. The json tags are the column names of
// aws_kms_key_policy_statements. String-or-list elements are always lists
// here; the raw JSON fields keep the element exactly as written (compacted)
// for output, and are nil when the element is absent.
type Statement struct {
	Index         int             `json:"statement_index"`
	Sid           string          `json:"sid"`
	Effect        Effect          `json:"effect"`
	Principals    json.RawMessage `json:"principals"`
	PrincipalList []string        `json:"principal_list"`
	NotPrincipals json.RawMessage `json:"not_principals"`
	Actions       []string        `json:"actions"`
	NotActions    []string        `json:"not_actions"`
	Resources     []string        `json:"resources"`
	NotResources  []string        `json:"not_resources"`
	Conditions    json.RawMessage `json:"conditions"`

	// Principal and NotPrincipal are the parsed principal elements; nil
	// when absent.
	Principal    *Principal `json:"-"`
	NotPrincipal *Principal `json:"-"`
	// ConditionList is the Condition element flattened to one entry per
	// operator and key, sorted by operator then key.
	ConditionList []Condition `json:"-"`

	// hasNotAction distinguishes an empty NotAction list (every action)
	// from an absent one.
	hasNotAction bool
}

// Principal is a Principal or NotPrincipal element.
type Principal struct {
	// Wildcard is true for the bare string "*" (everyone, anonymous
	// included).
	Wildcard      bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// List flattens the element to its principal strings in a stable order
// (AWS, Service, Federated, CanonicalUser; duplicates dropped). The bare
// wildcard is "*".
func (p *Principal) List() []string {
	if p == nil {
		return nil
	}
	if p.Wildcard {
		return []string{"*"}
	}
	var out []string
	seen := map[string]bool{}
	for _, group := range [][]string{p.AWS, p.Service, p.Federated, p.CanonicalUser} {
		for _, v := range group {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// IsWildcard reports whether the element names everyone: "*" or {"AWS": "*"}.
func (p *Principal) IsWildcard() bool {
	if p == nil {
		return false
	}
	if p.Wildcard {
		return true
	}
	for _, v := range p.AWS {
		if v == "*" {
			return true
		}
	}
	return false
}

// Condition is one operator/key pair of a Condition element, e.g.
// {"ForAnyValue:StringLike": {"kms:EncryptionContextKeys": ["a*", "b"]}}.
type Condition struct {
	// Operator is as written, qualifier and IfExists included.
	Operator string
	// Key is the condition key as written.
	Key string
	// Values are the values as strings: JSON true/false become "true" and
	// "false", numbers keep their literal text, a single value is a list of
	// one.
	Values []string
}

// Qualifier returns the set qualifier ("ForAnyValue", "ForAllValues") or "".
func (c Condition) Qualifier() string {
	if q, _, ok := strings.Cut(c.Operator, ":"); ok {
		return q
	}
	return ""
}

// BaseOperator returns the operator without qualifier and IfExists suffix,
// e.g. "StringLike" for "ForAnyValue:StringLikeIfExists".
func (c Condition) BaseOperator() string {
	op := c.Operator
	if _, rest, ok := strings.Cut(op, ":"); ok {
		op = rest
	}
	return strings.TrimSuffix(op, "IfExists")
}

// IfExists reports whether the operator ends in IfExists (the condition
// passes when the key is missing from the request).
func (c Condition) IfExists() bool {
	return strings.HasSuffix(c.Operator, "IfExists")
}

// PolicyError is returned by ParsePolicy for a document that is not a valid
// policy. Path locates the offending element, e.g. "Statement[2].Action".
type PolicyError struct {
	Path string
	Msg  string
}

func (e *PolicyError) Error() string {
	if e.Path == "" {
		return "policy: " + e.Msg
	}
	return "policy: " + e.Path + ": " + e.Msg
}

// ParsePolicy parses a policy document in the full IAM grammar: Statement as
// an object or a list; Principal/NotPrincipal as "*" or an object of AWS,
// Service, Federated and CanonicalUser values; Action, NotAction, Resource
// and NotResource as a string or a list; Condition with any operator and
// string, boolean, number or list values. Unknown top-level and statement
// elements are ignored. It returns a *PolicyError for malformed documents
// and never panics.
func ParsePolicy(doc string) (*Policy, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return nil, &PolicyError{Msg: "not a JSON object: " + err.Error()}
	}
	if top == nil {
		return nil, &PolicyError{Msg: "not a JSON object: null"}
	}
	p := &Policy{}
	var err error
	if p.Version, err = optionalString(top, "", "Version"); err != nil {
		return nil, err
	}
	if p.ID, err = optionalString(top, "", "Id"); err != nil {
		return nil, err
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, &PolicyError{Path: "Statement", Msg: "missing"}
	}
	objects, err := statementObjects(raw)
	if err != nil {
		return nil, err
	}
	for i, obj := range objects {
		s, err := parseStatement(i, obj)
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// statementObjects accepts a single statement object or a list of them.
func statementObjects(raw json.RawMessage) ([]map[string]json.RawMessage, error) {
	switch firstByte(raw) {
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, &PolicyError{Path: "Statement", Msg: err.Error()}
		}
		return []map[string]json.RawMessage{obj}, nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, &PolicyError{Path: "Statement", Msg: err.Error()}
		}
		objects := make([]map[string]json.RawMessage, 0, len(items))
		for i, item := range items {
			var obj map[string]json.RawMessage
			if firstByte(item) != '{' || json.Unmarshal(item, &obj) != nil {
				return nil, &PolicyError{Path: fmt.Sprintf("Statement[%d]", i), Msg: "expected an object, got " + jsonKind(item)}
			}
			objects = append(objects, obj)
		}
		return objects, nil
	}
	return nil, &PolicyError{Path: "Statement", Msg: "expected an object or a list, got " + jsonKind(raw)}
}

func parseStatement(index int, obj map[string]json.RawMessage) (Statement, error) {
	path := fmt.Sprintf("Statement[%d]", index)
	s := Statement{Index: index}
	var err error
	if s.Sid, err = optionalString(obj, path, "Sid"); err != nil {
		return s, err
	}

	effect, err := optionalString(obj, path, "Effect")
	if err != nil {
		return s, err
	}
	s.Effect = Effect(effect)
	if s.Effect != EffectAllow && s.Effect != EffectDeny {
		return s, &PolicyError{Path: path + ".Effect", Msg: fmt.Sprintf("must be %q or %q, got %q", EffectAllow, EffectDeny, effect)}
	}

	if err := exclusive(obj, path, "Principal", "NotPrincipal"); err != nil {
		return s, err
	}
	if s.Principal, s.Principals, err = principalElement(obj, path, "Principal"); err != nil {
		return s, err
	}
	s.PrincipalList = s.Principal.List()
	if s.NotPrincipal, s.NotPrincipals, err = principalElement(obj, path, "NotPrincipal"); err != nil {
		return s, err
	}

	if err := exclusive(obj, path, "Action", "NotAction"); err != nil {
		return s, err
	}
	_, hasAction := obj["Action"]
	_, s.hasNotAction = obj["NotAction"]
	if !hasAction && !s.hasNotAction {
		return s, &PolicyError{Path: path, Msg: "needs Action or NotAction"}
	}
	if s.Actions, err = stringOrList(obj, path, "Action"); err != nil {
		return s, err
	}
	if s.NotActions, err = stringOrList(obj, path, "NotAction"); err != nil {
		return s, err
	}

	if err := exclusive(obj, path, "Resource", "NotResource"); err != nil {
		return s, err
	}
	if s.Resources, err = stringOrList(obj, path, "Resource"); err != nil {
		return s, err
	}
	if s.NotResources, err = stringOrList(obj, path, "NotResource"); err != nil {
		return s, err
	}

	if raw, ok := obj["Condition"]; ok {
		if s.ConditionList, err = parseConditions(raw, path+".Condition"); err != nil {
			return s, err
		}
		s.Conditions = compact(raw)
	}
	return s, nil
}

// principalElement parses "*" or {"AWS": ..., "Service": ..., "Federated":
// ..., "CanonicalUser": ...}, returning the parsed element and its compacted
// JSON (both nil when absent).
func principalElement(obj map[string]json.RawMessage, parent, name string) (*Principal, json.RawMessage, error) {
	raw, ok := obj[name]
	if !ok {
		return nil, nil, nil
	}
	path := parent + "." + name
	switch firstByte(raw) {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || s != "*" {
			return nil, nil, &PolicyError{Path: path, Msg: fmt.Sprintf("a string principal must be \"*\", got %s", compact(raw))}
		}
		return &Principal{Wildcard: true}, compact(raw), nil
	case '{':
	default:
		return nil, nil, &PolicyError{Path: path, Msg: "expected \"*\" or an object, got " + jsonKind(raw)}
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, nil, &PolicyError{Path: path, Msg: err.Error()}
	}
	p := &Principal{}
	for _, kind := range sortedKeys(members) {
		values, err := stringOrList(members, path, kind)
		if err != nil {
			return nil, nil, err
		}
		switch kind {
		case "AWS":
			p.AWS = values
		case "Service":
			p.Service = values
		case "Federated":
			p.Federated = values
		case "CanonicalUser":
			p.CanonicalUser = values
		default:
			return nil, nil, &PolicyError{Path: path + "." + kind, Msg: "unknown principal type (want AWS, Service, Federated or CanonicalUser)"}
		}
	}
	return p, compact(raw), nil
}

// parseConditions flattens {"Operator": {"key": value, ...}, ...}.
func parseConditions(raw json.RawMessage, path string) ([]Condition, error) {
	var operators map[string]json.RawMessage
	if firstByte(raw) != '{' || json.Unmarshal(raw, &operators) != nil {
		return nil, &PolicyError{Path: path, Msg: "expected an object, got " + jsonKind(raw)}
	}
	var out []Condition
	for _, op := range sortedKeys(operators) {
		opPath := path + "." + op
		var keys map[string]json.RawMessage
		if firstByte(operators[op]) != '{' || json.Unmarshal(operators[op], &keys) != nil {
			return nil, &PolicyError{Path: opPath, Msg: "expected an object of condition keys, got " + jsonKind(operators[op])}
		}
		for _, key := range sortedKeys(keys) {
			values, err := conditionValues(keys[key], opPath+"."+key)
			if err != nil {
				return nil, err
			}
			out = append(out, Condition{Operator: op, Key: key, Values: values})
		}
	}
	return out, nil
}

// conditionValues accepts a scalar or a list of scalars.
func conditionValues(raw json.RawMessage, path string) ([]string, error) {
	if firstByte(raw) != '[' {
		v, err := conditionScalar(raw, path)
		if err != nil {
			return nil, err
		}
		return []string{v}, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, &PolicyError{Path: path, Msg: err.Error()}
	}
	values := make([]string, 0, len(items))
	for i, item := range items {
		v, err := conditionScalar(item, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		values = append(values, v)
	}
	return values, nil
}

func conditionScalar(raw json.RawMessage, path string) (string, error) {
	switch c := firstByte(raw); {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", &PolicyError{Path: path, Msg: err.Error()}
		}
		return s, nil
	case c == 't' || c == 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return "", &PolicyError{Path: path, Msg: err.Error()}
		}
		return fmt.Sprint(b), nil
	case c == '-' || c >= '0' && c <= '9':
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", &PolicyError{Path: path, Msg: err.Error()}
		}
		return n.String(), nil
	}
	return "", &PolicyError{Path: path, Msg: "expected a string, boolean or number, got " + jsonKind(raw)}
}

// stringOrList reads an optional element that is a string or a list of
// strings. An absent element is nil; a present one is never nil.
func stringOrList(obj map[string]json.RawMessage, parent, name string) ([]string, error) {
	raw, ok := obj[name]
	if !ok {
		return nil, nil
	}
	path := parent + "." + name
	var single string
	if firstByte(raw) == '"' && json.Unmarshal(raw, &single) == nil {
		return []string{single}, nil
	}
	list := []string{}
	if firstByte(raw) == '[' && json.Unmarshal(raw, &list) == nil {
		return list, nil
	}
	return nil, &PolicyError{Path: path, Msg: "expected a string or a list of strings, got " + jsonKind(raw)}
}

func optionalString(obj map[string]json.RawMessage, parent, name string) (string, error) {
	raw, ok := obj[name]
	if !ok {
		return "", nil
	}
	var s string
	if firstByte(raw) != '"' || json.Unmarshal(raw, &s) != nil {
		return "", &PolicyError{Path: joinPath(parent, name), Msg: "expected a string, got " + jsonKind(raw)}
	}
	return s, nil
}

// exclusive rejects a statement that has both an element and its Not form.
func exclusive(obj map[string]json.RawMessage, path, name, notName string) error {
	_, a := obj[name]
	_, b := obj[notName]
	if a && b {
		return &PolicyError{Path: path, Msg: fmt.Sprintf("has both %s and %s", name, notName)}
	}
	return nil
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// firstByte returns the first non-space byte of a JSON value, or 0.
func firstByte(raw json.RawMessage) byte {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 {
		return 0
	}
	return trimmed[0]
}

// jsonKind names a JSON value's kind for error messages.
func jsonKind(raw json.RawMessage) string {
	switch c := firstByte(raw); {
	case c == '{':
		return "an object"
	case c == '[':
		return "a list"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	}
	return "invalid JSON"
}

// compact returns raw without insignificant whitespace. raw comes from a
// successful json.Unmarshal, so Compact cannot fail; if it somehow did, raw
// is returned unchanged rather than dropped.
func compact(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}
