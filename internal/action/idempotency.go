package action

import (
	"encoding/json"
	"errors"
)

// UnmarshalJSON accepts the file spellings of idempotency: true (the
// default header), false or null (none) and a header name.
func (i *Idempotency) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch t := v.(type) {
	case nil:
		*i = ""
	case bool:
		*i = ""
		if t {
			*i = DefaultIdempotencyHeader
		}
	case string:
		*i = Idempotency(t)
	default:
		return errors.New("action: decoding idempotency: must be true, false or a header name")
	}
	return nil
}
