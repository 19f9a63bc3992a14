package respfilter

import (
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

// continuation is the decoded form of Result.Rest: what remains to be
// shown and where it sits.
type continuation struct {
	Kind string `json:"kind"`
	// Path is the field path from the root to the main array (JSON).
	Path []string `json:"path,omitempty"`
	// Offset counts the items (JSON) or lines (text) already shown.
	Offset int `json:"offset"`
	// Total counts all items or lines.
	Total int `json:"total"`
	// Data is the root with the main array holding only the remaining items.
	Data json.RawMessage `json:"data,omitempty"`
	// Text is the remaining text.
	Text string `json:"text,omitempty"`
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

// jsonRest encodes the continuation holding the items of the main array
// after the first shown ones, or returns nil when nothing remains.
func jsonRest(t tree, pg paging, shown int) (json.RawMessage, error) {
	items := mainArray(t.root, pg.path)
	if shown < 0 || shown >= len(items) {
		return nil, nil
	}
	rest, err := withMain(t.root, pg.path, items[shown:])
	if err != nil {
		return nil, fmt.Errorf("respfilter: building continuation: %w", err)
	}
	path, err := json.Marshal(pg.path)
	if err != nil {
		return nil, fmt.Errorf("respfilter: encoding continuation: %w", err)
	}
	// The data comes last, so it is encoded in place after the fields; the
	// rest of a body is rarely longer than the body.
	e := encoder{buf: make([]byte, 0, t.size+len(path)+80)}
	e.buf = append(e.buf, `{"kind":"`+restJSON+`","path":`...)
	e.buf = append(e.buf, path...)
	e.buf = append(e.buf, `,"offset":`+strconv.Itoa(pg.offset+shown)+`,"total":`+strconv.Itoa(pg.total)+`,"data":`...)
	out, _ := e.encodeAppend(rest, shape{list: unlimited, items: unlimited, str: unlimited, depth: unlimited, fields: unlimited}, paging{})
	return append(out, '}'), nil
}
