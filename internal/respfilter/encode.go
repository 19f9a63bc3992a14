package respfilter

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/redact"
)

// unlimited stands for "no cap" in a shape.
const unlimited = int(^uint(0) >> 1)

// truncatedKey is the field that says, inside the output, what was cut.
const truncatedKey = "_truncated"

// shape is one setting of the knobs the token budget turns.
type shape struct {
	list   int // items of the main list kept
	rich   int // how much of every record the reduction keeps (see fit)
	items  int // elements kept per other array
	str    int // characters kept per string
	depth  int // containers deeper than this become a one-line summary
	fields int // fields kept per object
}

// paging locates the main array, the one a continuation pages through.
type paging struct {
	on     bool
	path   []string
	offset int    // items shown on earlier pages
	total  int    // items of the main array on all pages
	hint   string // appended to the main note when items remain
	table  bool   // write the main array, when it holds objects, as a table
	// reduced says what the reduction took from every record; it joins the
	// main note, or the root object's note when there is no main list.
	reduced string

	// from is the continuation this page was read from, nil on a first page.
	from *continuation
	// exact says the page shows what was asked for by name: it is cut to
	// the budget, never reduced.
	exact bool
}

// stats records what one encoding cut.
type stats struct {
	mainShown   int // main array items written; -1 when no main array
	mainLen     int // main array items available on this page
	arraysCut   int // other arrays cut
	stringsCut  int
	branchesCut int
	objectsCut  int // objects that lost fields
}

func (s stats) truncated() bool {
	return s.mainShown < s.mainLen || s.arraysCut+s.stringsCut+s.branchesCut+s.objectsCut > 0
}

// encoder writes a tree as compact JSON under a shape, saying inside the
// output what it cut. Keys come out sorted, with _truncated last.
type encoder struct {
	buf []byte
	sh  shape
	pg  paging
	st  stats
	tab tableCache
	// limit, when above 0, stops an encoding once it is longer: the budget
	// search only needs to know that it is.
	limit int
	// ends are the lengths of the output after each item of the main list,
	// for the budget search to see how many items a length holds.
	ends []int
}

// over reports whether the encoding passed its limit, and may stop.
func (e *encoder) over() bool {
	return e.limit > 0 && len(e.buf) > e.limit
}

// encode writes t under sh and returns the bytes (valid until the next
// call) and what was cut.
func (e *encoder) encode(root any, sh shape, pg paging) ([]byte, stats) {
	e.buf = e.buf[:0]
	return e.encodeAppend(root, sh, pg)
}

// encodeAppend is encode after what the buffer already holds.
func (e *encoder) encodeAppend(root any, sh shape, pg paging) ([]byte, stats) {
	e.sh, e.pg = sh, pg
	e.st = stats{mainShown: -1, mainLen: -1}
	e.ends = e.ends[:0]
	e.value(root, 0, pg.on, true)
	return e.buf, e.st
}

// value writes v at depth. onPath says v lies on the path to the main
// array; standalone says no object field holds v, so a cut array must be
// wrapped to carry its note.
func (e *encoder) value(v any, depth int, onPath, standalone bool) string {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case *leaf:
		if x.number {
			e.buf = append(e.buf, x.text...)
		} else {
			e.str(x.text, x.plain)
		}
	case []any:
		if depth > e.sh.depth && !onPath {
			e.st.branchesCut++
			e.buf = appendString(e.buf, "["+strconv.Itoa(len(x))+" items omitted]")
			return ""
		}
		return e.array(x, depth, onPath && depth == len(e.pg.path), standalone)
	case *object:
		if depth > e.sh.depth && !onPath {
			e.st.branchesCut++
			e.buf = appendString(e.buf, "{"+strconv.Itoa(len(x.keys))+" fields omitted}")
			return ""
		}
		e.object(x, depth, onPath)
	}
	return ""
}

// str writes s, cut to the string cap on a rune boundary; plain says s
// needs no escaping.
func (e *encoder) str(s string, plain bool) {
	if len(s) <= e.sh.str {
		if plain {
			e.buf = append(append(append(e.buf, '"'), s...), '"')
			return
		}
		e.buf = appendString(e.buf, s)
		return
	}
	n := utf8.RuneCountInString(s)
	if n <= e.sh.str {
		e.buf = appendString(e.buf, s)
		return
	}
	e.st.stringsCut++
	cut := 0
	for i := 0; i < e.sh.str; i++ {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	cut = redact.Cut(s, cut)
	e.buf = appendString(e.buf, s[:cut]+"…["+strconv.Itoa(n-utf8.RuneCountInString(s[:cut]))+" more chars]")
}

// array writes a, cut to the item cap, and returns the note saying what was
// cut, or writes it inside a wrapper object when standalone.
func (e *encoder) array(a []any, depth int, main, standalone bool) string {
	if main && e.pg.table && objectList(a) {
		return e.table(a, depth, standalone)
	}
	keep := min(len(a), e.sh.items)
	note := ""
	if main {
		keep = min(len(a), e.sh.list)
		e.st.mainShown, e.st.mainLen = keep, len(a)
		note = e.mainNote(keep, len(a))
	} else if keep < len(a) {
		e.st.arraysCut++
		note = "showing " + strconv.Itoa(keep) + " of " + strconv.Itoa(len(a)) + " items"
	}
	wrap := standalone && note != ""
	if wrap {
		e.buf = append(e.buf, `{"items":`...)
	}
	e.buf = append(e.buf, '[')
	for i, v := range a[:keep] {
		if e.over() {
			break
		}
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.value(v, depth+1, false, true)
		if main {
			e.ends = append(e.ends, len(e.buf))
		}
	}
	e.buf = append(e.buf, ']')
	if wrap {
		e.buf = append(e.buf, `,"`+truncatedKey+`":`...)
		e.buf = appendString(e.buf, note)
		e.buf = append(e.buf, '}')
		return ""
	}
	return note
}

// mainNote says which part of the main array this page shows; it is empty
// on a first page that shows everything.
func (e *encoder) mainNote(keep, n int) string {
	total := max(e.pg.total, e.pg.offset+n)
	var b strings.Builder
	switch {
	case e.pg.offset > 0:
		b.WriteString("showing items " + strconv.Itoa(e.pg.offset+1) + "-" + strconv.Itoa(e.pg.offset+keep) + " of " + strconv.Itoa(total))
	case keep < n:
		b.WriteString("showing " + strconv.Itoa(keep) + " of " + strconv.Itoa(total) + " items")
	case e.pg.reduced != "":
		b.WriteString("all " + strconv.Itoa(total) + " items")
	}
	if keep < n && e.pg.hint != "" {
		b.WriteString("; " + e.pg.hint)
	}
	if e.pg.reduced != "" {
		b.WriteString("; " + e.pg.reduced)
	}
	return b.String()
}

// object writes o, cut to the field cap (the field on the main path is
// always kept), with the notes of its cut children in a _truncated field.
func (e *encoder) object(o *object, depth int, onPath bool) {
	var notes []string
	pathKey := ""
	if onPath && depth < len(e.pg.path) {
		pathKey = e.pg.path[depth]
	}
	e.buf = append(e.buf, '{')
	written := 0
	for i, k := range o.keys {
		if e.over() {
			break
		}
		onChildPath := pathKey != "" && k == pathKey
		if written >= e.sh.fields && !onChildPath {
			continue
		}
		if written > 0 {
			e.buf = append(e.buf, ',')
		}
		written++
		e.buf = appendString(e.buf, k)
		e.buf = append(e.buf, ':')
		if note := e.value(o.vals[i], depth+1, onChildPath, false); note != "" {
			notes = append(notes, k+": "+note)
		}
	}
	if depth == 0 && !e.pg.on && e.pg.reduced != "" {
		notes = append(notes, e.pg.reduced)
	}
	if written < len(o.keys) {
		e.st.objectsCut++
		notes = append(notes, "showing "+strconv.Itoa(written)+" of "+strconv.Itoa(len(o.keys))+" fields")
	}
	if len(notes) > 0 {
		if written > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = append(e.buf, `"`+truncatedKey+`":`...)
		e.buf = appendString(e.buf, strings.Join(notes, "; "))
	}
	e.buf = append(e.buf, '}')
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// HTML characters are not escaped.
func appendString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && plainByte[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
