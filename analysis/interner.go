package analysis

// principalRef stands for an interned principal; noPrincipal for "".
type principalRef uint32

const noPrincipal principalRef = 0

// interner stores each distinct string once and hands out small references to it.
type interner struct {
	refs  map[string]principalRef
	names []string
}

func (in *interner) ref(s string) principalRef {
	if s == "" {
		return noPrincipal
	}
	if r, ok := in.refs[s]; ok {
		return r
	}
	if in.refs == nil {
		in.refs = map[string]principalRef{}
		in.names = []string{""}
	}
	r := principalRef(len(in.names))
	in.names = append(in.names, s)
	in.refs[s] = r
	return r
}

func (in *interner) name(r principalRef) string {
	if r == noPrincipal {
		return ""
	}
	return in.names[r]
}
