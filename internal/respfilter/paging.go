package respfilter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// maxMainDepth bounds how deep under the root object the main array is
// looked for.
const maxMainDepth = 4

// Kinds of continuation.
const (
	restJSON = "json"
	restText = "text"
)

// wholeVersion marks a JSON continuation that holds the whole tree, so an
// item already shown can still be drilled into. A continuation without a
// version was stored before: its data holds only the items not yet shown,
// the first of them at its offset.
const wholeVersion = 2

// continuation is the decoded form of Result.Rest: what remains to be
// shown and where it sits.
type continuation struct {
	// Version is wholeVersion, or 0 for a JSON continuation stored before
	// it (and for text).
	Version int    `json:"version,omitempty"`
	Kind    string `json:"kind"`
	// NoList says the JSON data has no main list: it is one record.
	NoList bool `json:"no_list,omitempty"`
	// Exact says the data is what a model asked for by name (a drill-down's
	// fields): its pages are cut, never reduced.
	Exact bool `json:"exact,omitempty"`
	// Path is the field path from the root to the main array (JSON).
	Path []string `json:"path,omitempty"`
	// Base is the position in the whole list, counted from 0, of the first
	// item of Data's main array: 0 when Data holds the whole tree.
	Base int `json:"base"`
	// Offset counts the items (JSON) or lines (text) already shown.
	Offset int `json:"offset"`
	// Total counts all items or lines.
	Total int `json:"total"`
	// Data is the root, its main array holding the items from Base on.
	Data json.RawMessage `json:"data,omitempty"`
	// Text is the remaining text.
	Text string `json:"text,omitempty"`
}

// readContinuation decodes rest; a JSON continuation stored before
// wholeVersion has its Base set to where its data starts.
func readContinuation(rest json.RawMessage) (*continuation, error) {
	var c continuation
	if err := json.Unmarshal(rest, &c); err != nil {
		return nil, fmt.Errorf("respfilter: reading continuation: %w", err)
	}
	if c.Kind != restJSON && c.Kind != restText {
		return nil, fmt.Errorf("respfilter: reading continuation: unknown kind %q", c.Kind)
	}
	if c.Kind == restJSON && c.Version < wholeVersion {
		c.Base = c.Offset
	}
	return &c, nil
}

// tree parses a JSON continuation's data and returns it with its main
// list (nil when it has none).
func (c *continuation) tree() (tree, []any, error) {
	t, err := parseTree(string(c.Data), nil, false)
	if err != nil {
		return tree{}, nil, fmt.Errorf("respfilter: reading continuation: %w", err)
	}
	if c.NoList {
		return t, nil, nil
	}
	if _, ok := t.root.([]any); len(c.Path) == 0 && !ok {
		return tree{}, nil, errors.New("respfilter: reading continuation: no list at its path")
	}
	items := mainArray(t.root, c.Path)
	if len(c.Path) > 0 && items == nil {
		return tree{}, nil, errors.New("respfilter: reading continuation: no list at its path")
	}
	return t, items, nil
}

// Pending returns how many items (or lines) of the main list a Result's
// Rest has not shown yet: 0 when every one was shown and only parts of
// them were cut. It reads the continuation's fields before its data only,
// so it costs little on a large one; a continuation it cannot read counts
// as having nothing pending.
func Pending(rest json.RawMessage) int {
	dec := json.NewDecoder(bytes.NewReader(rest))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0
	}
	var offset, total int
	noList := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return 0
		}
		switch key {
		case "data", "text":
			if noList {
				return 0
			}
			return max(total-offset, 0)
		case "offset":
			err = dec.Decode(&offset)
		case "total":
			err = dec.Decode(&total)
		case "no_list":
			err = dec.Decode(&noList)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return 0
		}
	}
	return 0
}

// findMain returns the path of the array a continuation pages through: the
// root when it is an array, otherwise the longest non-empty array reached
// through object fields alone (the shallower, then the first in key order,
// on ties).
func findMain(root any) ([]string, bool) {
	if _, ok := root.([]any); ok {
		return nil, true
	}
	o, ok := root.(*object)
	if !ok {
		return nil, false
	}
	var best []string
	bestLen := 0
	var walk func(o *object, prefix []string)
	walk = func(o *object, prefix []string) {
		if len(prefix) >= maxMainDepth {
			return
		}
		for i, k := range o.keys {
			switch v := o.vals[i].(type) {
			case []any:
				if len(v) > bestLen || (len(v) == bestLen && len(prefix)+1 < len(best)) {
					best, bestLen = append(append([]string{}, prefix...), k), len(v)
				}
			case *object:
				walk(v, append(append([]string{}, prefix...), k))
			}
		}
	}
	walk(o, nil)
	return best, best != nil
}

// withMain returns a copy of root in which the array at path is replaced
// by items; the containers on the path are copied, nothing else is.
func withMain(root any, path []string, items []any) (any, error) {
	if len(path) == 0 {
		if _, ok := root.([]any); !ok {
			return nil, errors.New("no array at the continuation path")
		}
		return items, nil
	}
	o, ok := root.(*object)
	if !ok {
		return nil, errors.New("no object on the continuation path")
	}
	for i, k := range o.keys {
		if k != path[0] {
			continue
		}
		child, err := withMain(o.vals[i], path[1:], items)
		if err != nil {
			return nil, err
		}
		cp := &object{keys: o.keys, vals: append([]any{}, o.vals...)}
		cp.vals[i] = child
		return cp, nil
	}
	return nil, fmt.Errorf("no field %q on the continuation path", path[0])
}

// mainArray returns the array at path.
func mainArray(root any, path []string) []any {
	for _, k := range path {
		o, ok := root.(*object)
		if !ok {
			return nil
		}
		root = nil
		for i, key := range o.keys {
			if key == k {
				root = o.vals[i]
				break
			}
		}
	}
	a, _ := root.([]any)
	return a
}

// jsonRest encodes the continuation of a page: the whole tree, with the
// items shown so far counted in its offset, so that the next page and any
// item already shown can be read from it. It returns nil when nothing was
// left out: every item of the main list shown by this page or an earlier
// one, and nothing cut (cut false). t is the page's tree; on a page read
// from a continuation (pg.from) the whole tree is that continuation's
// data, written again as it is.
func jsonRest(t tree, pg paging, shown int, cut bool) (json.RawMessage, error) {
	offset := pg.offset + max(shown, 0)
	if !cut && (!pg.on || offset >= pg.total) {
		return nil, nil
	}
	path, err := json.Marshal(pg.path)
	if err != nil {
		return nil, fmt.Errorf("respfilter: encoding continuation: %w", err)
	}
	base, size := 0, t.size
	if pg.from != nil {
		base, size = pg.from.Base, len(pg.from.Data)
	}
	// The data comes last, so it is encoded in place after the fields.
	e := encoder{buf: make([]byte, 0, size+len(path)+120)}
	e.buf = append(e.buf, `{"version":`+strconv.Itoa(wholeVersion)+`,"kind":"`+restJSON+`"`...)
	if !pg.on {
		e.buf = append(e.buf, `,"no_list":true`...)
	}
	if pg.exact {
		e.buf = append(e.buf, `,"exact":true`...)
	}
	e.buf = append(e.buf, `,"path":`...)
	e.buf = append(e.buf, path...)
	e.buf = append(e.buf, `,"base":`+strconv.Itoa(base)+`,"offset":`+strconv.Itoa(offset)+`,"total":`+strconv.Itoa(pg.total)+`,"data":`...)
	if pg.from != nil {
		e.buf = append(e.buf, pg.from.Data...)
		return append(e.buf, '}'), nil
	}
	out, _ := e.encodeAppend(t.root, shape{list: unlimited, items: unlimited, str: unlimited, depth: unlimited, fields: unlimited}, paging{})
	return append(out, '}'), nil
}

// allShown is the answer to a continuation whose items were all shown
// already: only parts of them were cut, which Drill reads.
func (f *Filter) allShown(c *continuation) *Result {
	var s string
	if c.NoList {
		s = "The whole result was shown already, with parts cut to fit. Ask for \"fields\" (dotted names such as \"body\" or \"user.login\") to read them in full."
	} else {
		s = "All " + strconv.Itoa(c.Total) + " items were shown already, with parts cut to fit. Ask for one item in full (\"item\": its id or position) or for some fields of every item (\"fields\": names such as \"body\" or \"user.login\")."
	}
	res := f.plain(s)
	res.RecordsTotal = c.Total
	return res
}
