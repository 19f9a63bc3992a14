package web

import (
	"slices"

	"github.com/actiongate/actiongate/internal/action"
)

// paramSpec is one param of an editor's spec: its name and its fields as
// the spec's JSON has them.
type paramSpec struct {
	name string
	spec map[string]any
}

// paramSpecs is the params object of an editor's spec in the order of the
// form's rows, so that saving keeps the order the params were typed in.
type paramSpecs []paramSpec

// has reports whether a param is called name.
func (ps paramSpecs) has(name string) bool {
	return slices.ContainsFunc(ps, func(p paramSpec) bool { return p.name == name })
}

// set returns ps with spec as the param called name: in the place of the
// one so called (the later row wins, as in a JSON object), or last.
func (ps paramSpecs) set(name string, spec map[string]any) paramSpecs {
	if i := slices.IndexFunc(ps, func(p paramSpec) bool { return p.name == name }); i >= 0 {
		ps[i].spec = spec
		return ps
	}
	return append(ps, paramSpec{name: name, spec: spec})
}

// MarshalJSON writes the params as an object keyed by name, in row order.
func (ps paramSpecs) MarshalJSON() ([]byte, error) {
	return action.ObjectJSON(func(yield func(string, map[string]any) bool) {
		for _, p := range ps {
			if !yield(p.name, p.spec) {
				return
			}
		}
	})
}
