package store

import (
	"encoding/json"
	"fmt"

	"github.com/actiongate/actiongate/internal/action"
)

// encodeSpec returns the canonical JSON of r's typed resource: struct fields
// in declaration order and map keys sorted, so equal specs give equal bytes.
func encodeSpec(r action.Resource) ([]byte, error) {
	var v any
	switch r.Kind {
	case action.KindAction:
		if r.Action != nil {
			v = r.Action
		}
	case action.KindCredential:
		if r.Credential != nil {
			v = r.Credential
		}
	case action.KindAgent:
		if r.Agent != nil {
			v = r.Agent
		}
	default:
		return nil, fmt.Errorf("unknown resource kind %q", r.Kind)
	}
	if v == nil {
		return nil, fmt.Errorf("%s resource without a body", r.Kind)
	}
	if r.Name() == "" {
		return nil, fmt.Errorf("%s resource without a name", r.Kind)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", r.Key(), err)
	}
	return b, nil
}

// decodeSpec rebuilds a resource from its stored kind and spec.
func decodeSpec(kind action.Kind, spec []byte) (action.Resource, error) {
	r := action.Resource{Kind: kind}
	var err error
	switch kind {
	case action.KindAction:
		r.Action = &action.Action{}
		err = json.Unmarshal(spec, r.Action)
	case action.KindCredential:
		r.Credential = &action.Credential{}
		err = json.Unmarshal(spec, r.Credential)
	case action.KindAgent:
		r.Agent = &action.Agent{}
		err = json.Unmarshal(spec, r.Agent)
	default:
		return r, fmt.Errorf("unknown stored resource kind %q", kind)
	}
	if err != nil {
		return r, fmt.Errorf("decoding stored %s: %w", kind, err)
	}
	return r, nil
}
