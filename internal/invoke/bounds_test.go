package invoke

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/runlog"
)

// Every output to the model stays within the action's max_tokens, errors
// included: invalid arguments, render errors and upstream error results.
// The run record keeps the message once, in Output.
func TestErrorOutputsStayWithinMaxTokens(t *testing.T) {
	const budget = 40
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(strings.Repeat("the server failed in a long and winding way; ", 5000)))
	}))
	defer up.Close()
	as, _ := decode(t, `
kind: Action
name: tight
description: A lookup with a small budget.
method: POST
confirm: never
url: `+up.URL+`/things/{{id}}
body:
  type: json
  content: {obj: "{{obj}}"}
params:
  id: {type: string, required: true, description: The thing's id, pattern: "^[0-9]+$"}
  obj: {type: object, description: Free-form details}
response:
  max_tokens: `+strconv.Itoa(budget)+`
`)
	e := newTestEngine(t, nil)
	many := map[string]any{"id": "1"}
	for i := range 500 {
		many["unknown_argument_"+strconv.Itoa(i)] = i
	}
	// A value no JSON can carry, below 30 long keys: the render error names
	// its path.
	var bad any = math.Inf(1)
	for i := range 30 {
		bad = map[string]any{"a_rather_long_key_name_" + strconv.Itoa(i): bad}
	}
	cases := []struct {
		name string
		args map[string]any
		want string
	}{
		{"invalid arguments", many, `"type":"invalid_arguments"`},
		{"render error", map[string]any{"id": "1", "obj": bad}, `The request could not be built: argument obj.a_rather_long_key_name_29`},
		{"upstream error result", map[string]any{"id": "1"}, `"status":500`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := e.Invoke(context.Background(), &Call{Action: as["tight"], Args: c.args}).Run
			if run.Outcome != runlog.OutcomeError || !strings.Contains(run.Output, c.want) {
				t.Fatalf("outcome %s, output %s; want an error containing %s", run.Outcome, run.Output, c.want)
			}
			if n := e.Tokenizer().Count(run.Output); n > budget || run.OutputTokens != n {
				t.Fatalf("output of %d tokens (recorded %d), want at most %d: %s", n, run.OutputTokens, budget, run.Output)
			}
			if len(run.Error) > 100 {
				t.Fatalf("the run's error repeats the output: %q", run.Error)
			}
		})
	}
}
