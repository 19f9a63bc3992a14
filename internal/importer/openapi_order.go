package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/goccy/go-yaml"
)

// maxOrderedValues bounds the values keyOrders walks, so that a YAML
// alias repeated many times over cannot make it slow; mappings past the
// bound keep no order and their keys are taken sorted.
const maxOrderedValues = 100_000

// keyOrders holds, for the mappings of a parsed document, their keys in
// the order the document writes them, by the identity of the map they
// were parsed into.
type keyOrders map[uintptr][]string

// orderedJSON decodes a JSON object into plain values with encoding/json
// (numbers kept as json.Number), then walks the text once beside the
// values to record the order of every object's keys.
func orderedJSON(data []byte) (map[string]any, keyOrders, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return nil, nil, err
	}
	w := &jsonOrderScan{data: data, orders: keyOrders{}}
	w.value(root)
	return root, w.orders, nil
}

// jsonOrderScan walks JSON text that encoding/json has already accepted,
// beside the values it decoded, reading object keys and skipping the rest.
// Text that does not match (a value past the end) ends the walk: what it
// has not reached keeps no order.
type jsonOrderScan struct {
	data   []byte
	i      int
	orders keyOrders
}

// space moves the cursor past white space.
func (w *jsonOrderScan) space() {
	for w.i < len(w.data) && isJSONSpace(w.data[w.i]) {
		w.i++
	}
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isJSONStop reports whether c ends a number or a literal.
func isJSONStop(c byte) bool { return c == ',' || c == ']' || c == '}' || isJSONSpace(c) }

// value walks the value at the cursor, whose decoded twin is v.
func (w *jsonOrderScan) value(v any) {
	w.space()
	if w.i >= len(w.data) {
		return
	}
	switch w.data[w.i] {
	case '{':
		w.i++
		m, _ := v.(map[string]any)
		// A key written twice is kept twice here; keys drops the repeat.
		keys := make([]string, 0, len(m))
		for w.space(); w.i < len(w.data) && w.data[w.i] != '}'; w.space() {
			k := w.key()
			keys = append(keys, k)
			w.space()
			w.i++ // the colon
			w.value(m[k])
			if w.space(); w.i < len(w.data) && w.data[w.i] == ',' {
				w.i++
			}
		}
		w.i++
		if m != nil {
			w.orders[reflect.ValueOf(m).Pointer()] = keys
		}
	case '[':
		w.i++
		l, _ := v.([]any)
		for n := 0; ; n++ {
			if w.space(); w.i >= len(w.data) || w.data[w.i] == ']' {
				break
			}
			var item any
			if n < len(l) {
				item = l[n]
			}
			w.value(item)
			if w.space(); w.i < len(w.data) && w.data[w.i] == ',' {
				w.i++
			}
		}
		w.i++
	case '"':
		w.str()
	default:
		for w.i < len(w.data) && !isJSONStop(w.data[w.i]) {
			w.i++
		}
	}
}

// str skips the string at the cursor and returns its text as written,
// quotes left out, and whether it holds an escape.
func (w *jsonOrderScan) str() ([]byte, bool) {
	w.i++
	start, escaped := w.i, false
	for w.i < len(w.data) && w.data[w.i] != '"' {
		if w.data[w.i] == '\\' {
			escaped = true
			w.i++
		}
		w.i++
	}
	end := min(w.i, len(w.data))
	w.i++
	return w.data[start:end], escaped
}

// key reads the object key at the cursor.
func (w *jsonOrderScan) key() string {
	start := w.i
	raw, escaped := w.str()
	if !escaped {
		return string(raw)
	}
	var k string
	if err := json.Unmarshal(w.data[start:min(w.i, len(w.data))], &k); err != nil {
		return string(raw)
	}
	return k
}

// documentKeyOrders reads a YAML document again keeping mapping order and matches
// its mappings to those of root, data parsed as plain values. A document
// that does not parse so gives no orders.
func documentKeyOrders(data []byte, root map[string]any) keyOrders {
	var ordered any
	// Tabs are JSON whitespace but not YAML indentation; only keys are
	// read here, and a key holding a tab merely falls back to sorting.
	if err := yaml.UnmarshalWithOptions(bytes.ReplaceAll(data, []byte("\t"), []byte(" ")), &ordered, yaml.UseOrderedMap()); err != nil {
		return nil
	}
	w := &orderWalk{orders: keyOrders{}, seenLists: map[[2]uintptr]bool{}, left: maxOrderedValues}
	w.walk(root, ordered)
	return w.orders
}

// orderWalk matches plain values to their ordered twins.
type orderWalk struct {
	orders    keyOrders
	seenLists map[[2]uintptr]bool
	left      int
}

func (w *orderWalk) walk(plain, ordered any) {
	if w.left--; w.left < 0 {
		return
	}
	switch p := plain.(type) {
	case map[string]any:
		o, ok := ordered.(yaml.MapSlice)
		id := reflect.ValueOf(p).Pointer()
		if _, seen := w.orders[id]; !ok || seen {
			return
		}
		keys := make([]string, 0, len(o))
		for _, item := range o {
			keys = append(keys, fmt.Sprint(item.Key))
		}
		w.orders[id] = keys
		for i, item := range o {
			if v, ok := p[keys[i]]; ok {
				w.walk(v, item.Value)
			}
		}
	case []any:
		o, ok := ordered.([]any)
		if !ok || len(o) != len(p) || len(p) == 0 {
			return
		}
		id := [2]uintptr{reflect.ValueOf(p).Pointer(), uintptr(len(p))}
		if w.seenLists[id] {
			return
		}
		w.seenLists[id] = true
		for i := range p {
			w.walk(p[i], o[i])
		}
	}
}

// keys returns the keys of m in the document's order; keys whose order
// is not known follow, sorted.
func (d *oaDoc) keys(m map[string]any) []string {
	order := d.orders[reflect.ValueOf(m).Pointer()]
	out := make([]string, 0, len(m))
	seen := make(map[string]bool, len(m))
	for _, k := range order {
		if _, ok := m[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}
