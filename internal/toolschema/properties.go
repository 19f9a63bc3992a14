package toolschema

import "github.com/actiongate/actiongate/internal/action"

// Property is one property of an input schema: a param's name and schema.
type Property struct {
	Name   string
	Schema map[string]any
}

// Properties are the properties of an input schema in the order of the
// action's params. In JSON they are an object keyed by name, members in
// that order, so that a model and a person reading the tool definition see
// the params as the action lists them.
type Properties []Property

// MarshalJSON writes the properties as an object keyed by name, in order.
func (ps Properties) MarshalJSON() ([]byte, error) {
	return action.ObjectJSON(func(yield func(string, map[string]any) bool) {
		for _, p := range ps {
			if !yield(p.Name, p.Schema) {
				return
			}
		}
	})
}
