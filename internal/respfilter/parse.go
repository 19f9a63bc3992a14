package respfilter

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxNesting bounds how deeply a parsed document may nest.
const maxNesting = 10_000

// errSyntax is wrapped by every parse failure.
var errSyntax = errors.New("invalid JSON")

// parseTree parses one or more JSON values (several, as in NDJSON, become
// one array) straight into a tree, dropping excluded fields and, when
// compact, empty values as it goes. Strings without escapes share the
// body's memory; numbers keep their exact text.
func parseTree(body []byte, exclude []string, compact bool) (tree, error) {
	p := &parser{s: string(body), n: &normalizer{exclude: exclude, compact: compact, excluded: map[string]bool{}}}
	var vals []any
	for {
		p.space()
		if p.i == len(p.s) {
			break
		}
		v, _, err := p.value(0)
		if err != nil {
			return tree{}, fmt.Errorf("respfilter: parsing JSON: %w", err)
		}
		vals = append(vals, v)
	}
	switch len(vals) {
	case 0:
		return tree{}, fmt.Errorf("respfilter: parsing JSON: %w: empty body", errSyntax)
	case 1:
		p.n.t.root = vals[0]
	default:
		// The values move one level down under the new root array.
		p.n.t.root, p.n.t.depth = vals, p.n.t.depth+1
	}
	return p.n.t, nil
}

// parser reads JSON from s.
type parser struct {
	s string
	i int
	n *normalizer
}

func (p *parser) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", errSyntax, what, p.i)
}

// space skips JSON whitespace.
func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value parses the value at p.i, found at depth; keep is false when
// compaction drops it from an object.
func (p *parser) value(depth int) (v any, keep bool, err error) {
	if p.i >= len(p.s) {
		return nil, false, p.fail("unexpected end")
	}
	compact := p.n.compact
	switch c := p.s[p.i]; {
	case c == '{':
		o, err := p.object(depth)
		if err != nil {
			return nil, false, err
		}
		return o, !compact || len(o.keys) > 0, nil
	case c == '[':
		a, err := p.array(depth)
		if err != nil {
			return nil, false, err
		}
		return a, !compact || len(a) > 0, nil
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, false, err
		}
		return s, !compact || s != "", nil
	case c == 't':
		return true, true, p.literal("true")
	case c == 'f':
		return false, true, p.literal("false")
	case c == 'n':
		return nil, !compact, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		num, err := p.number()
		return num, true, err
	}
	return nil, false, p.fail("unexpected character")
}

func (p *parser) literal(word string) error {
	if !strings.HasPrefix(p.s[p.i:], word) {
		return p.fail("invalid literal")
	}
	p.i += len(word)
	return nil
}

// number reads a JSON number and returns its text.
func (p *parser) number() (json.Number, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case digits() == 0:
		return "", p.fail("invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return "", p.fail("invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return "", p.fail("invalid number")
		}
	}
	return json.Number(p.s[start:p.i]), nil
}

// field is one parsed object member.
type field struct {
	key  string
	val  any
	keep bool
}

func (p *parser) object(depth int) (*object, error) {
	if depth >= maxNesting {
		return nil, p.fail("nesting too deep")
	}
	p.n.t.depth = max(p.n.t.depth, depth+1)
	p.i++ // {
	var fields []field
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return &object{}, nil
	}
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.fail("expected field name")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.i++
		p.space()
		v, keep, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if !p.n.isExcluded(k) {
			fields = append(fields, field{k, v, keep})
		}
		p.space()
		if p.i >= len(p.s) {
			return nil, p.fail("unexpected end")
		}
		if p.s[p.i] == '}' {
			p.i++
			break
		}
		if p.s[p.i] != ',' {
			return nil, p.fail("expected ',' or '}'")
		}
		p.i++
	}
	// Sort by key; of duplicate keys the last one wins, as in encoding/json,
	// and only then does compaction drop it.
	slices.SortStableFunc(fields, func(a, b field) int { return strings.Compare(a.key, b.key) })
	o := &object{keys: make([]string, 0, len(fields)), vals: make([]any, 0, len(fields))}
	for i, f := range fields {
		if (i+1 < len(fields) && fields[i+1].key == f.key) || !f.keep {
			continue
		}
		o.keys = append(o.keys, f.key)
		o.vals = append(o.vals, f.val)
	}
	p.n.t.fields = max(p.n.t.fields, len(o.keys))
	return o, nil
}

func (p *parser) array(depth int) ([]any, error) {
	if depth >= maxNesting {
		return nil, p.fail("nesting too deep")
	}
	p.n.t.depth = max(p.n.t.depth, depth+1)
	p.i++ // [
	a := []any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		p.space()
		v, _, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, p.fail("unexpected end")
		}
		if p.s[p.i] == ']' {
			p.i++
			return a, nil
		}
		if p.s[p.i] != ',' {
			return nil, p.fail("expected ',' or ']'")
		}
		p.i++
	}
}

// str reads a JSON string. Without escapes or invalid UTF-8 it is a
// substring of the body; otherwise it is decoded, with invalid UTF-8 and
// lone surrogates becoming U+FFFD.
func (p *parser) str() (string, error) {
	p.i++ // "
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return p.s[start : p.i-1], nil
		case c == '\\':
			return p.slowStr(start)
		case c < 0x20:
			return "", p.fail("control character in string")
		case c < utf8.RuneSelf:
			p.i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return p.slowStr(start)
			}
			p.i += size
		}
	}
	return "", p.fail("unterminated string")
}

// slowStr decodes a string with escapes from start, resuming at p.i.
func (p *parser) slowStr(start int) (string, error) {
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", p.fail("unterminated string")
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					r2 := utf8.RuneError
					if strings.HasPrefix(p.s[p.i:], `\u`) {
						save := p.i
						p.i += 2
						lo, err := p.hex4()
						if err != nil {
							return "", err
						}
						if r2 = utf16.DecodeRune(r, lo); r2 == utf8.RuneError {
							p.i = save
						}
					}
					r = r2
				}
				b.WriteRune(r)
			default:
				return "", p.fail("invalid escape")
			}
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			p.i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteRune(r)
			p.i += size
		}
	}
	return "", p.fail("unterminated string")
}

// hex4 reads the four hex digits of a \u escape.
func (p *parser) hex4() (rune, error) {
	if p.i+4 > len(p.s) {
		return 0, p.fail("invalid \\u escape")
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, p.fail("invalid \\u escape")
	}
	p.i += 4
	return rune(v), nil
}
