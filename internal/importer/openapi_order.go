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

// maxJSONDepth bounds the nesting of a JSON document, as encoding/json
// bounds it when it decodes into values.
const maxJSONDepth = 10_000

// orderedJSON decodes a JSON object into plain values, as encoding/json
// with UseNumber does (a repeated key keeps its last value), recording the
// order of every object's keys as it goes: one pass over the document.
func orderedJSON(data []byte) (map[string]any, keyOrders, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	orders := keyOrders{}
	v, err := jsonValue(dec, orders, 0)
	if err != nil {
		return nil, nil, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("the document is not an object")
	}
	return root, orders, nil
}

// jsonValue decodes the value dec is at, depth levels down.
func jsonValue(dec *json.Decoder, orders keyOrders, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		var keys []string
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := jsonValue(dec, orders, depth+1)
			if err != nil {
				return nil, err
			}
			if _, again := m[k]; !again {
				keys = append(keys, k)
			}
			m[k] = v
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		orders[reflect.ValueOf(m).Pointer()] = keys
		return m, nil
	case json.Delim('['):
		list := []any{}
		for dec.More() {
			v, err := jsonValue(dec, orders, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return list, nil
	}
	return tok, nil
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
