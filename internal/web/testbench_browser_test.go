package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/chromedp/chromedp"
)

// benchUpstream answers /orders with a list of two orders and /missing
// with a JSON 404, counting the requests it serves.
func benchUpstream(t *testing.T) (*httptest.Server, *int) {
	t.Helper()
	calls := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*calls++
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Bench", "upstream-header")
		switch r.URL.Path {
		case "/orders":
			_, _ = w.Write([]byte(`{"items":[{"id":1,"status":"open","note":"first order"},{"id":2,"status":"shipped","note":"second order"}]}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Not Found"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

// benchSignIn signs the browser in and opens path.
func benchSignIn(u *ui, e *env, path string) {
	u.t.Helper()
	u.open(path)
	u.waitFor("the sign-in page", `location.pathname === "/sign-in"`)
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
	u.open(path)
}

// benchLastRun returns the newest run of the named action.
func benchLastRun(t *testing.T, e *env, name string) runlog.Run {
	t.Helper()
	runs, _, err := e.g.ListRuns(context.Background(), gateway.RunFilter{Action: name, Limit: 1})
	if err != nil || len(runs) == 0 {
		t.Fatalf("runs of %s: %v (%d)", name, err, len(runs))
	}
	return runs[0]
}

// benchSend clicks Send and waits until the result of a new run shows,
// then gives a re-filter the page might start time to land.
func benchSend(u *ui) {
	u.t.Helper()
	eval[bool](u, `(function(){ var r = document.querySelector("#test-result"); if (r) { r.dataset.before = "1"; } return true; })()`)
	u.do("send", chromedp.Click(chromedp.CSS(`#test-form button[value="send"]`)))
	u.waitFor("the result", `!!document.querySelector("#test-result .result") && !document.querySelector("#test-result").hasAttribute("aria-busy")`)
	u.do("let the page settle", chromedp.Sleep(800*time.Millisecond))
}

// TestTestPanelShowsWhatTheModelRead sends calls whose output the filter
// did not make (a failure before the upstream, an upstream 404) and a
// filtered success: the panel shows the run's output and token counts as
// recorded, with no warning and no "re-filtered" note, until the filter is
// edited, and then it says so.
func TestTestPanelShowsWhatTheModelRead(t *testing.T) {
	srv, _ := benchUpstream(t)
	e := newEnv(t)
	e.putYAML(`kind: Action
name: by_var
method: GET
url: ` + srv.URL + `/orders/{{vars.x}}
---
kind: Action
name: missing
method: GET
url: ` + srv.URL + `/missing
response: {select: ".items[] | .id"}
---
kind: Action
name: orders
method: GET
url: ` + srv.URL + `/orders
response: {select: "[.items[] | {id, status}]"}
`)
	u := newUI(t, e.srv.URL)

	shown := func(name string) {
		t.Helper()
		run := benchLastRun(t, e, name)
		if got := u.text("#filtered-output"); got != run.Output {
			t.Errorf("%s: the panel shows %q as what the model reads; the run recorded %q", name, got, run.Output)
		}
		if got := tokens(t, u.text("#tokens-out")); got != run.OutputTokens {
			t.Errorf("%s: the panel shows %d output tokens; the run recorded %d", name, got, run.OutputTokens)
		}
		if got := tokens(t, u.text("#tokens-raw")); got != run.RawTokens {
			t.Errorf("%s: the panel shows %d raw tokens; the run recorded %d", name, got, run.RawTokens)
		}
		if st := u.text("#filter-status"); strings.Contains(st, "Filter not applied") || strings.Contains(st, "Re-filtered") {
			t.Errorf("%s: the untouched filter's status says %q", name, st)
		}
	}

	// Defect 1: a call that fails before the upstream.
	benchSignIn(u, e, "/actions/by_var")
	benchSend(u)
	if run := benchLastRun(t, e, "by_var"); run.Outcome != runlog.OutcomeError || !strings.Contains(run.Output, "vars.x") {
		t.Fatalf("the unset variable gave %s %q", run.Outcome, run.Output)
	}
	shown("by_var")

	// Defect 2: an upstream error response is not filtered, so no filter
	// warning.
	u.open("/actions/missing")
	benchSend(u)
	shown("missing")

	// Defect 3: a filtered success with the filter untouched.
	u.open("/actions/orders")
	benchSend(u)
	shown("orders")

	// Editing the filter re-filters and says so; editing it back shows
	// the run's own output again.
	sel := `document.querySelector('[name="response.select"]')`
	eval[bool](u, sel+`.value = "[.items[] | .id]"; `+sel+`.dispatchEvent(new Event("input", {bubbles: true})); true`)
	u.waitFor("the re-filtered output", `document.querySelector("#filtered-output").textContent === "[1,2]"`)
	if st := u.text("#filter-status"); !strings.Contains(st, "edited filter") {
		t.Fatalf("after editing the filter, the status says %q", st)
	}
	eval[bool](u, sel+`.value = "[.items[] | {id, status}]"; `+sel+`.dispatchEvent(new Event("input", {bubbles: true})); true`)
	u.waitFor("the run's output again", `document.querySelector("#filtered-output").textContent === `+strconv.Quote(benchLastRun(t, e, "orders").Output))
	if st := u.text("#filter-status"); strings.Contains(st, "Re-filtered") || strings.Contains(st, "edited filter") {
		t.Fatalf("with the filter back as it ran, the status says %q", st)
	}
}

// TestSelectProblemBesideTheField edits the select after a send: a broken
// expression and one that fails on the response are each worded for
// people beside the Select field, and a good select clears it.
func TestSelectProblemBesideTheField(t *testing.T) {
	srv, _ := benchUpstream(t)
	e := newEnv(t)
	e.putYAML("kind: Action\nname: orders\nmethod: GET\nurl: " + srv.URL + "/orders\n")
	u := newUI(t, e.srv.URL)
	benchSignIn(u, e, "/actions/orders")
	benchSend(u)
	sel := `document.querySelector('[name="response.select"]')`
	typeSelect := func(v string) {
		t.Helper()
		eval[bool](u, sel+`.value = `+strconv.Quote(v)+`; `+sel+`.dispatchEvent(new Event("input", {bubbles: true})); true`)
	}
	beside := sel + `.closest(".field").querySelector("#select-problem")`
	for _, c := range []struct{ sel, want string }{
		{"[.items[] | {id", "ends too early"},
		{".orders[] | .id", "does not have"},
		{"nosuch(1)", "nosuch"},
	} {
		typeSelect(c.sel)
		u.waitFor("the problem of "+c.sel, `!!`+beside+` && `+beside+`.textContent.indexOf(`+strconv.Quote(c.want)+`) >= 0`)
		if got := eval[string](u, beside+`.textContent`); strings.Contains(got, "respfilter") || strings.Contains(got, "`") {
			t.Errorf("the problem of %s reads %q", c.sel, got)
		}
		if eval[string](u, sel+`.getAttribute("aria-invalid")`) != "true" {
			t.Errorf("the Select field is not marked invalid for %s", c.sel)
		}
	}
	typeSelect("[.items[] | .id]")
	u.waitFor("the cleared problem", `!`+beside+` && document.querySelector("#filtered-output").textContent === "[1,2]"`)
}
