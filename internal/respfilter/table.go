package respfilter

import (
	"strconv"

	"github.com/actiongate/actiongate/internal/action"
)

// table reports whether o asks for the main list in table format.
func (o Options) table() bool { return o.Format == action.FormatTable }

// objectList reports whether a can be written as a table: at least one
// element, and every element an object or null.
func objectList(a []any) bool {
	seen := false
	for _, v := range a {
		switch v.(type) {
		case *object:
			seen = true
		case nil:
		default:
			return false
		}
	}
	return seen
}

// tableFields returns the columns of a table of items: every key of the
// objects among them, once, in the order they first appear walking the
// items (each object's keys in sorted order).
func tableFields(items []any) []string {
	var fields []string
	var seen map[string]bool
	for _, v := range items {
		o, ok := v.(*object)
		if !ok {
			continue
		}
		if seen == nil {
			// The first object gives the columns of a uniform list at once.
			fields = append(make([]string, 0, 2*len(o.keys)), o.keys...)
			seen = make(map[string]bool, 2*len(o.keys))
			for _, k := range o.keys {
				seen[k] = true
			}
			continue
		}
		for _, k := range o.keys {
			if !seen[k] {
				seen[k] = true
				fields = append(fields, k)
			}
		}
	}
	return fields
}

// tableCache holds the columns of the list the encoder last wrote as a
// table, so the fit loop, encoding the same list many times with more or
// fewer rows, computes them once.
type tableCache struct {
	first  *any // the list's first element and length identify it
	n      int
	fields []string // tableFields of the whole list
	from   []int    // from[i] is the index of the first item holding fields[i]
	cols   []string // the columns of the rows last written
}

// columns returns the columns of the first keep items of a: the fields of
// the whole list that those items hold, in the same order.
func (e *encoder) columns(a []any, keep int) []string {
	c := &e.tab
	if len(a) != c.n || &a[0] != c.first {
		c.first, c.n = &a[0], len(a)
		c.fields = tableFields(a)
		c.from = firstHolders(a, c.fields)
		c.cols = make([]string, 0, len(c.fields))
	}
	c.cols = c.cols[:0]
	for i, k := range c.fields {
		if c.from[i] < keep {
			c.cols = append(c.cols, k)
		}
	}
	return c.cols
}

// firstHolders returns, for each of fields, the index of the first item
// of a holding it.
func firstHolders(a []any, fields []string) []int {
	pos := make(map[string]int, len(fields))
	from := make([]int, len(fields))
	for i, k := range fields {
		pos[k] = i
		from[i] = len(a)
	}
	for i, v := range a {
		o, ok := v.(*object)
		if !ok {
			continue
		}
		for _, k := range o.keys {
			if p, ok := pos[k]; ok && from[p] > i {
				from[p] = i
			}
		}
	}
	return from
}

// table writes the main list a, whose elements are objects or null, as
// {"fields":[...],"rows":[[...],...]}: the columns once, then one array of
// values per item, null where an item lacks a field (a null item is a null
// row). It caps rows like array items and columns like object fields, and
// returns the note saying what was cut, or writes it as the table's
// _truncated field when standalone.
func (e *encoder) table(a []any, depth int, standalone bool) string {
	keep := min(len(a), e.sh.list)
	e.st.mainShown, e.st.mainLen = keep, len(a)
	note := e.mainNote(keep, len(a))
	fields := e.columns(a, keep)
	cols := min(len(fields), e.sh.fields)
	e.buf = append(e.buf, `{"fields":[`...)
	for i, k := range fields[:cols] {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, k)
	}
	e.buf = append(e.buf, `],"rows":[`...)
	for i, v := range a[:keep] {
		if e.over() {
			break
		}
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		o, ok := v.(*object)
		if !ok {
			e.buf = append(e.buf, "null"...)
			continue
		}
		e.buf = append(e.buf, '[')
		found := 0
		for j, k := range fields[:cols] {
			if j > 0 {
				e.buf = append(e.buf, ',')
			}
			// A reduced record lists its fields in rank order, not sorted.
			v, ok := o.lookup(k)
			if !ok {
				e.buf = append(e.buf, "null"...)
				continue
			}
			found++
			// A cell is standalone: a cut array in it carries its own note.
			e.value(v, depth+2, false, true)
		}
		e.buf = append(e.buf, ']')
		e.ends = append(e.ends, len(e.buf))
		if found < len(o.keys) {
			e.st.objectsCut++
		}
	}
	e.buf = append(e.buf, ']')
	if cols < len(fields) {
		note = joinNotes(note, "showing "+strconv.Itoa(cols)+" of "+strconv.Itoa(len(fields))+" fields")
	}
	if standalone && note != "" {
		e.buf = append(e.buf, `,"`+truncatedKey+`":`...)
		e.buf = appendString(e.buf, note)
		note = ""
	}
	e.buf = append(e.buf, '}')
	return note
}
