package respfilter

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFailureFitsTheMessageIntoMaxTokens(t *testing.T) {
	f := newFilter(t)
	long := strings.Repeat("unknown argument k; expected one of order_id. ", 20_000)
	for _, budget := range []int{40, 200, 1000} {
		r := f.Failure("invalid_arguments", long, Options{MaxTokens: budget})
		if r.OutputTokens > budget || f.tok.Count(r.Output) != r.OutputTokens {
			t.Fatalf("budget %d: %d tokens (counted %d)", budget, r.OutputTokens, f.tok.Count(r.Output))
		}
		var out struct {
			Error struct{ Message, Type string }
		}
		if err := json.Unmarshal([]byte(r.Output), &out); err != nil || out.Error.Type != "invalid_arguments" ||
			!strings.HasPrefix(out.Error.Message, "unknown argument k") || !strings.HasSuffix(out.Error.Message, failureCut) || !r.Truncated {
			t.Fatalf("budget %d: output %q is not the cut error shape (%v)", budget, r.Output, err)
		}
		if budget >= 200 && r.OutputTokens < budget*3/4 {
			t.Fatalf("budget %d: only %d tokens used; the cut keeps too little", budget, r.OutputTokens)
		}
	}
	short := f.Failure("timeout", "The API did not answer within 5s.", Options{})
	if short.Truncated || short.Output != `{"error":{"message":"The API did not answer within 5s.","type":"timeout"}}` {
		t.Fatalf("a short message changed: %+v", short)
	}
}
