package invoke

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A run's raw token count is exact for a body up to 16 KiB and marked as
// an estimate above, for a filtered answer and an upstream error alike; the
// output tokens are exact either way.
func TestRawTokensEstimatedAboveTheExactLimit(t *testing.T) {
	big := `{"items":[` + strings.Repeat(`{"note":"the quick brown fox jumps over the lazy dog"},`, 400) + `{}]}`
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		status := http.StatusOK
		if strings.HasPrefix(r.URL.Path, "/fail") {
			status = http.StatusInternalServerError
		}
		w.WriteHeader(status)
		if strings.HasSuffix(r.URL.Path, "/big") {
			_, _ = w.Write([]byte(big))
			return
		}
		_, _ = w.Write([]byte(`{"note":"small"}`))
	}))
	defer up.Close()
	as, _ := decode(t, `
kind: Action
name: fetch
description: Fetches a thing.
method: GET
url: `+up.URL+`/{{path}}
params:
  path: {type: string, required: true, description: Where}
`)
	e := newTestEngine(t, nil)
	for _, c := range []struct {
		path      string
		estimated bool
	}{{"ok/small", false}, {"ok/big", true}, {"fail/small", false}, {"fail/big", true}} {
		run := e.Invoke(context.Background(), &Call{Action: as["fetch"], Args: map[string]any{"path": c.path}}).Run
		if run.RawTokensEstimated != c.estimated || run.RawTokens <= 0 {
			t.Errorf("%s (%d bytes, outcome %s): raw tokens %d, estimated %v; want estimated %v",
				c.path, run.RawBytes, run.Outcome, run.RawTokens, run.RawTokensEstimated, c.estimated)
		}
		if n := e.Tokenizer().Count(run.Output); run.OutputTokens != n {
			t.Errorf("%s: output tokens %d, counting the output gives %d", c.path, run.OutputTokens, n)
		}
	}
}
