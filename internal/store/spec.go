package store

import (
	"fmt"

	"github.com/actiongate/actiongate/internal/action"
)

// encodeSpec returns the canonical JSON of r's spec (action.SpecJSON), so
// equal specs give equal bytes and Apply can tell unchanged resources.
func encodeSpec(r action.Resource) ([]byte, error) {
	b, err := action.SpecJSON(r)
	if err != nil {
		return nil, err
	}
	if r.Name() == "" {
		return nil, fmt.Errorf("%s resource without a name", r.Kind)
	}
	return b, nil
}

// decodeSpec rebuilds a resource from its stored kind and spec.
func decodeSpec(kind action.Kind, spec []byte) (action.Resource, error) {
	r, errs := action.FromSpecJSON(kind, spec)
	if err := errs.Err(); err != nil {
		return r, fmt.Errorf("decoding stored %s: %w", kind, err)
	}
	return r, nil
}
