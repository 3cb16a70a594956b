package analysis

import "strings"

// ActionMatches reports whether an IAM action pattern matches an action,
// the way IAM compares them: case-insensitively, with "*" matching any run
// of characters (including none) and "?" matching exactly one character.
// It runs in O(len(pattern)*len(action)) at worst, so hostile patterns
// cannot blow up.
func ActionMatches(pattern, action string) bool {
	if isASCII(pattern) && isASCII(action) {
		return asciiGlob(pattern, action)
	}
	return runeGlob(pattern, action)
}

func runeGlob(pattern, action string) bool {
	p := []rune(strings.ToLower(pattern))
	a := []rune(strings.ToLower(action))
	// Classic greedy glob with one backtrack point: the last "*" seen and
	// the action position it currently absorbs up to.
	pi, ai := 0, 0
	star, starAi := -1, 0
	for ai < len(a) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, starAi = pi, ai
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == a[ai]):
			pi++
			ai++
		case star >= 0:
			starAi++
			pi, ai = star+1, starAi
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// asciiGlob is ActionMatches for ASCII strings, without allocating: the access evaluation
// calls it for every action of every statement of every principal.
func asciiGlob(p, a string) bool {
	pi, ai := 0, 0
	star, starAi := -1, 0
	for ai < len(a) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, starAi = pi, ai
			pi++
		case pi < len(p) && (p[pi] == '?' || lowerASCII(p[pi]) == lowerASCII(a[ai])):
			pi++
			ai++
		case star >= 0:
			starAi++
			pi, ai = star+1, starAi
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// AllowsAction reports whether the statement's Action or NotAction element
// covers action, ignoring Effect, principals, resources and conditions. A
// NotAction statement covers every action none of its patterns matches.
func (s *Statement) AllowsAction(action string) bool {
	if s.hasNotAction {
		return !anyActionMatches(s.NotActions, action)
	}
	return anyActionMatches(s.Actions, action)
}

func anyActionMatches(patterns []string, action string) bool {
	for _, p := range patterns {
		if ActionMatches(p, action) {
			return true
		}
	}
	return false
}
