package respfilter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/actiongate/actiongate/internal/jsonlimit"
)

// MaxExtractValue bounds one extracted value, encoded as JSON.
const MaxExtractValue = 16 << 10

// Extract runs each jq expression of exprs (name -> expression) over the
// JSON body and returns the value each yields, under its name: one
// output as it is, several as an array, none as null. Each expression has
// timeout to finish. A body that is not JSON, an expression that fails
// and a value over MaxExtractValue are errors naming the expression.
func (f *Filter) Extract(ctx context.Context, body []byte, exprs map[string]string, timeout time.Duration) (map[string]any, error) {
	if len(exprs) == 0 {
		return nil, nil
	}
	var de *jsonlimit.DepthError
	if err := jsonlimit.CheckDepth(body, jsonlimit.MaxDepth); errors.As(err, &de) {
		return nil, fmt.Errorf("respfilter: extract: the response nests deeper than %d levels", de.Limit)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, errors.New("respfilter: extract: the response is not JSON")
	}
	out := make(map[string]any, len(exprs))
	for _, name := range slices.Sorted(maps.Keys(exprs)) {
		val, err := f.selectValues(ctx, exprs[name], v, timeout)
		if err != nil {
			return nil, fmt.Errorf("respfilter: extract %s: %w", name, err)
		}
		if arr, ok := val.([]any); ok && len(arr) == 0 {
			val = nil
		}
		b, err := json.Marshal(val)
		if err != nil {
			return nil, fmt.Errorf("respfilter: extract %s: the value is not JSON: %w", name, err)
		}
		if len(b) > MaxExtractValue {
			return nil, fmt.Errorf("respfilter: extract %s: the value is %d bytes as JSON; at most %d", name, len(b), MaxExtractValue)
		}
		out[name] = val
	}
	return out, nil
}
