package action

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"reflect"
	"slices"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// NamedParam is one entry of Params: a param and the name the model
// fills it by.
type NamedParam struct {
	Name  string
	Param *Param
}

// Params are the params of an action or a trigger in the order they were
// written: the order the console shows them in, the order files and stored
// specs keep, and the order of the tool schema's properties. In JSON and
// YAML they are an object keyed by param name, members in that order.
// Names are unique: Set replaces an entry of the same name in place, and
// decoding refuses a name written twice.
type Params []NamedParam

// Len returns the number of params.
func (ps Params) Len() int { return len(ps) }

// index returns the position of the param called name, or -1.
func (ps Params) index(name string) int {
	return slices.IndexFunc(ps, func(np NamedParam) bool { return np.Name == name })
}

// Has reports whether a param is called name.
func (ps Params) Has(name string) bool { return ps.index(name) >= 0 }

// Get returns the param called name, or nil when there is none.
func (ps Params) Get(name string) *Param {
	if i := ps.index(name); i >= 0 {
		return ps[i].Param
	}
	return nil
}

// Names returns the param names in order.
func (ps Params) Names() []string {
	names := make([]string, len(ps))
	for i, np := range ps {
		names[i] = np.Name
	}
	return names
}

// All yields each name and param in order.
func (ps Params) All() iter.Seq2[string, *Param] {
	return func(yield func(string, *Param) bool) {
		for _, np := range ps {
			if !yield(np.Name, np.Param) {
				return
			}
		}
	}
}

// Set makes p the param called name: in the place of the one so called,
// or after the others when there is none.
func (ps *Params) Set(name string, p *Param) {
	if i := ps.index(name); i >= 0 {
		(*ps)[i].Param = p
		return
	}
	*ps = append(*ps, NamedParam{Name: name, Param: p})
}

// Delete removes the param called name, keeping the others' order.
func (ps *Params) Delete(name string) {
	if i := ps.index(name); i >= 0 {
		*ps = slices.Delete(*ps, i, i+1)
	}
}

// MarshalJSON writes the params as an object keyed by name, in order.
func (ps Params) MarshalJSON() ([]byte, error) {
	if ps == nil {
		return []byte("null"), nil
	}
	return ObjectJSON(ps.All())
}

// ObjectJSON writes members as one JSON object, in the order they come:
// the encoding of an ordered mapping such as Params. Like any
// json.Marshaler's output, it is HTML-escaped (or not) by the encoder
// that calls it, as the rest of the document is.
func ObjectJSON[V any](members iter.Seq2[string, V]) ([]byte, error) {
	var out, one bytes.Buffer
	enc := json.NewEncoder(&one)
	enc.SetEscapeHTML(false)
	out.WriteByte('{')
	for name, value := range members {
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		one.Reset()
		if err := enc.Encode(name); err != nil {
			return nil, fmt.Errorf("member %q: %w", name, err)
		}
		out.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
		out.WriteByte(':')
		one.Reset()
		if err := enc.Encode(value); err != nil {
			return nil, fmt.Errorf("member %q: %w", name, err)
		}
		out.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// UnmarshalJSON reads an object keyed by param name, keeping its member
// order. A name written twice is an error naming it.
func (ps *Params) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if tok == nil {
		*ps = nil
		return nil
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("params: must be an object keyed by param name, not %v", tok)
	}
	out := Params{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("params: %w", err)
		}
		name := tok.(string) // object keys are strings
		if out.Has(name) {
			return fmt.Errorf("params.%s: duplicate param %q", name, name)
		}
		var p *Param
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("params.%s: %w", name, err)
		}
		out = append(out, NamedParam{Name: name, Param: p})
	}
	*ps = out
	return nil
}

// MarshalYAML writes the params as a mapping keyed by name, in order.
func (ps Params) MarshalYAML() (any, error) {
	m := make(yaml.MapSlice, len(ps))
	for i, np := range ps {
		m[i] = yaml.MapItem{Key: np.Name, Value: np.Param}
	}
	return m, nil
}

// UnmarshalYAML reads a mapping keyed by param name, keeping its order,
// with the checks resource files get: a name written twice, an unknown
// field or a wrong type is an error located by line and column.
func (ps *Params) UnmarshalYAML(node ast.Node) error {
	d := newNodeDecoder(node, true)
	var out Params
	d.decode(node, Pos{}, reflect.ValueOf(&out).Elem(), nil)
	if err := d.located("", "params").Err(); err != nil {
		return err
	}
	*ps = out
	return nil
}
