package respfilter

import (
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
func parseTree(body string, exclude []string, compact bool) (tree, error) {
	p := &parser{s: body, n: &normalizer{exclude: exclude, compact: compact}, a: newArena(body)}
	p.n.t.size = len(body)
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
	// fields and items hold the members of the containers being parsed,
	// innermost last, so a container's members are gathered without a
	// slice of their own.
	fields []field
	items  []any
	a      arena
}

// arena hands out the leaves and the member slices of a tree from chunks,
// so a document costs a few allocations instead of several per value. The
// tree lives as long as the filtering of one body, and so do the chunks.
type arena struct {
	leaves []leaf
	keys   []string
	vals   []any
	objs   []object
	// first and firstObjs are the sizes of the first chunks of leaves,
	// keys and values, and of objects, guessed from the body.
	first, firstObjs int
}

// Bounds of the arena's chunks: each chunk is twice as large as the one
// before, up to lastChunk.
const (
	firstChunk = 16
	lastChunk  = 4096
)

// newArena returns an arena for body. A document holds about a value per
// comma and an object per opening brace (fewer when strings hold them), so
// counting them, which is fast, sizes the first chunks.
func newArena(body string) arena {
	return arena{
		first:     min(strings.Count(body, ",")+firstChunk, lastChunk),
		firstObjs: min(strings.Count(body, "{")+1, lastChunk),
	}
}

// grow returns the capacity of the chunk after one of capacity c, starting
// at first, fit to hold at least n.
func grow(c, first, n int) int {
	if c == 0 {
		return max(n, first)
	}
	return max(n, min(2*c, lastChunk))
}

// leaf returns a new leaf holding l.
func (a *arena) leaf(l leaf) *leaf {
	if len(a.leaves) == cap(a.leaves) {
		a.leaves = make([]leaf, 0, grow(cap(a.leaves), a.first, 1))
	}
	a.leaves = append(a.leaves, l)
	return &a.leaves[len(a.leaves)-1]
}

// object returns a new object with room for n keys and values.
func (a *arena) object(n int) *object {
	if len(a.objs) == cap(a.objs) {
		a.objs = make([]object, 0, grow(cap(a.objs), a.firstObjs, 1))
	}
	if len(a.keys)+n > cap(a.keys) {
		a.keys = make([]string, 0, grow(cap(a.keys), a.first, n))
	}
	a.objs = append(a.objs, object{keys: a.keys[len(a.keys) : len(a.keys) : len(a.keys)+n], vals: a.values(n)[:0]})
	a.keys = a.keys[:len(a.keys)+n]
	return &a.objs[len(a.objs)-1]
}

// values returns a slice of n values, which cannot grow into the next.
func (a *arena) values(n int) []any {
	if len(a.vals)+n > cap(a.vals) {
		a.vals = make([]any, 0, grow(cap(a.vals), a.first, n))
	}
	v := a.vals[len(a.vals) : len(a.vals)+n : len(a.vals)+n]
	a.vals = a.vals[:len(a.vals)+n]
	return v
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
		s, plain, err := p.str()
		if err != nil {
			return nil, false, err
		}
		return p.a.leaf(leaf{text: s, plain: plain}), !compact || s != "", nil
	case c == 't':
		return true, true, p.literal("true")
	case c == 'f':
		return false, true, p.literal("false")
	case c == 'n':
		return nil, !compact, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		num, err := p.number()
		if err != nil {
			return nil, false, err
		}
		return p.a.leaf(leaf{text: num, number: true}), true, nil
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
func (p *parser) number() (string, error) {
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
	return p.s[start:p.i], nil
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
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return &object{}, nil
	}
	base := len(p.fields)
	defer func() { p.fields = p.fields[:base] }()
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.fail("expected field name")
		}
		k, _, err := p.str()
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
			p.fields = append(p.fields, field{k, v, keep})
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
	return p.members(p.fields[base:]), nil
}

// members builds an object of parsed fields. They are sorted by key; of
// duplicate keys the last one wins, as in encoding/json, and only then does
// compaction drop it.
func (p *parser) members(fields []field) *object {
	if !slices.IsSortedFunc(fields, compareFields) {
		slices.SortStableFunc(fields, compareFields)
	}
	n := 0
	for i, f := range fields {
		if (i+1 < len(fields) && fields[i+1].key == f.key) || !f.keep {
			continue
		}
		n++
	}
	o := p.a.object(n)
	for i, f := range fields {
		if (i+1 < len(fields) && fields[i+1].key == f.key) || !f.keep {
			continue
		}
		o.keys = append(o.keys, f.key)
		o.vals = append(o.vals, f.val)
	}
	p.n.t.fields = max(p.n.t.fields, len(o.keys))
	return o
}

// compareFields orders fields by key.
func compareFields(a, b field) int { return strings.Compare(a.key, b.key) }

func (p *parser) array(depth int) ([]any, error) {
	if depth >= maxNesting {
		return nil, p.fail("nesting too deep")
	}
	p.n.t.depth = max(p.n.t.depth, depth+1)
	p.i++ // [
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return []any{}, nil
	}
	base := len(p.items)
	defer func() { p.items = p.items[:base] }()
	for {
		p.space()
		v, _, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, p.fail("unexpected end")
		}
		if p.s[p.i] == ']' {
			p.i++
			a := p.a.values(len(p.items) - base)
			copy(a, p.items[base:])
			return a, nil
		}
		if p.s[p.i] != ',' {
			return nil, p.fail("expected ',' or ']'")
		}
		p.i++
	}
}

// plainByte marks the bytes a JSON string holds as they are: ASCII other
// than control characters, the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// str reads a JSON string. Without escapes or invalid UTF-8 it is a
// substring of the body, and plain: the encoder may write it as it is;
// otherwise it is decoded, with invalid UTF-8 and lone surrogates becoming
// U+FFFD.
func (p *parser) str() (s string, plain bool, err error) {
	p.i++ // "
	start := p.i
	for p.i < len(p.s) {
		for p.i < len(p.s) && plainByte[p.s[p.i]] {
			p.i++
		}
		if p.i == len(p.s) {
			break
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return p.s[start : p.i-1], true, nil
		case c == '\\':
			s, err := p.slowStr(start)
			return s, false, err
		case c < 0x20:
			return "", false, p.fail("control character in string")
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				s, err := p.slowStr(start)
				return s, false, err
			}
			p.i += size
		}
	}
	return "", false, p.fail("unterminated string")
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
