package action

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// kindOrder is the order EncodeYAML writes kinds in: credentials before the
// actions that use them, providers and actions before the agents that name
// them, workflows (which name actions, agents and other workflows) last.
func kindOrder(k Kind) int {
	switch k {
	case KindCredential:
		return 0
	case KindProvider:
		return 1
	case KindAction:
		return 2
	case KindAgent:
		return 3
	case KindWorkflow:
		return 4
	}
	return 5
}

// spec returns the typed body of r, or an error when it does not match r.Kind.
func spec(r *Resource) (any, error) {
	switch {
	case r.Kind == KindAction && r.Action != nil:
		return r.Action, nil
	case r.Kind == KindCredential && r.Credential != nil:
		return r.Credential, nil
	case r.Kind == KindAgent && r.Agent != nil:
		return r.Agent, nil
	case r.Kind == KindProvider && r.Provider != nil:
		return r.Provider, nil
	case r.Kind == KindWorkflow && r.Workflow != nil:
		return r.Workflow, nil
	}
	return nil, fmt.Errorf("action: encoding %s: no %s spec", r.Key(), r.Kind)
}

// EncodeYAML writes resources as a multi-document YAML file: credentials,
// then providers, then actions, then agents, then workflows, each group by name; in every document `kind`
// comes first, then `name`. Decode reads it back to equal resources.
func EncodeYAML(resources []Resource) ([]byte, error) {
	sorted := slices.Clone(resources)
	slices.SortStableFunc(sorted, func(a, b Resource) int {
		if c := cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)); c != 0 {
			return c
		}
		return cmp.Compare(a.Name(), b.Name())
	})
	var buf bytes.Buffer
	for i := range sorted {
		spec, err := SpecJSON(sorted[i])
		if err != nil {
			return nil, err
		}
		tree, err := orderedJSON(spec)
		if err != nil {
			return nil, fmt.Errorf("action: encoding %s: %w", sorted[i].Key(), err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		fmt.Fprintf(&buf, "kind: %s\n", sorted[i].Kind)
		writeYAMLMapping(&buf, tree.(orderedMap), 0, "")
	}
	return buf.Bytes(), nil
}

// SpecJSON returns the canonical JSON of a resource's spec (without its
// kind): fields in declaration order, params in their own order, other
// map keys sorted, so that equal specs give equal bytes.
func SpecJSON(r Resource) ([]byte, error) {
	v, err := spec(&r)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("action: encoding %s: %w", r.Key(), err)
	}
	return b, nil
}
