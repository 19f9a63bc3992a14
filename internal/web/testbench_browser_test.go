package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/chromedp/chromedp"
)

// benchUpstream answers /orders with a list of two orders and /missing
// with a JSON 404, counting the requests it serves.
func benchUpstream(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	calls := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
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

// TestDraftIsTestedBeforeSaving builds a new action in the editor and
// tests it without saving: Preview sends nothing, Send calls the upstream
// and shows the response (headers, a pretty and a raw body) beside the
// request, with what the model reads made by the drafted filter; nothing
// is saved, and the run is recorded. Enter in a test field runs the
// button chosen last.
func TestDraftIsTestedBeforeSaving(t *testing.T) {
	srv, calls := benchUpstream(t)
	e := newEnv(t)
	u := newUI(t, e.srv.URL)
	benchSignIn(u, e, "/actions/new")
	u.do("draft the action",
		chromedp.SetValue(chromedp.ID("f-name"), "draft_orders"),
		chromedp.SendKeys(chromedp.ID("f-url"), srv.URL+"/{{path}}"),
		chromedp.Click(chromedp.CSS(`[data-add-row="params"]`)),
		chromedp.SetValue(chromedp.CSS(`[name="params.500.name"]`), "path"),
		chromedp.SetValue(chromedp.CSS(`[name="params.500.description"]`), "Where to look"),
		chromedp.SetValue(chromedp.CSS(`[name="response.select"]`), "[.items[] | .id]"),
	)
	// A draft that would not save is not tested: its problems link to
	// the editor's fields.
	u.do("preview", chromedp.Click(chromedp.CSS(`#test-form button[value="preview"]`)))
	u.waitFor("the draft's problems", `!!document.querySelector("#test-result .test-problems")`)
	link := eval[string](u, `(document.querySelector('#test-result .test-problems a') || {}).hash || ""`)
	if !strings.Contains(u.text("#test-result .test-problems"), "must be required") || link == "" || !eval[bool](u, `!!document.getElementById(`+strconv.Quote(strings.TrimPrefix(link, "#"))+`)`) {
		t.Fatalf("the draft's problems read %q, linking to %q", u.text("#test-result .test-problems"), link)
	}
	u.do("make the param required", chromedp.Click(chromedp.CSS(`[name="params.500.required"]`)))
	// The panel has no input for the new param until the draft is read.
	u.do("preview", chromedp.Click(chromedp.CSS(`#test-form button[value="preview"]`)))
	u.waitFor("the preview", `((document.querySelector("#test-result .result") || {}).textContent || "").includes("(not sent)")`)
	if n := int(calls.Load()); n != 0 {
		t.Fatalf("a preview sent %d requests", n)
	}
	u.waitFor("the draft's param input", `!!document.querySelector('#test-form [name="arg.path"]')`)

	// Enter in the test field runs the button chosen last: Preview.
	u.do("type a path and press Enter", chromedp.SendKeys(chromedp.CSS(`[name="arg.path"]`), "orders\r"))
	u.waitFor("the previewed path", `((document.querySelector("#test-result .request") || {}).textContent || "").includes("/orders")`)
	if n := int(calls.Load()); n != 0 {
		t.Fatalf("Enter after a preview sent %d requests", n)
	}
	if p := eval[string](u, `location.pathname`); p != "/actions/new" {
		t.Fatalf("Enter in a test field left the editor for %s", p)
	}

	benchSend(u)
	if n := int(calls.Load()); n != 1 {
		t.Fatalf("Send sent %d requests, want 1", n)
	}
	if got := u.text("#filtered-output"); got != "[1,2]" {
		t.Fatalf("what the model reads: %q, want the drafted select's output", got)
	}
	run := benchLastRun(t, e, "draft_orders")
	if run.Caller != runlog.CallerConsole || run.Output != "[1,2]" || run.ResponseHeaders["X-Bench"][0] != "upstream-header" {
		t.Fatalf("the draft's run record: %+v", run)
	}
	if _, err := e.stored(action.KindAction, "draft_orders"); err == nil {
		t.Fatal("testing the draft saved it")
	}
	if got := u.text("#test-result .response-headers"); !strings.Contains(got, "X-Bench: upstream-header") {
		t.Fatalf("the response headers read %q", got)
	}
	visible := func(sel string) bool {
		return eval[bool](u, `getComputedStyle(document.querySelector(`+strconv.Quote(sel)+`)).display !== "none"`)
	}
	if !visible("#test-result .body-pretty") || visible("#test-result .body-raw") || !strings.Contains(u.text("#test-result .body-pretty"), "\n") {
		t.Fatal("the body does not open pretty-printed")
	}
	u.do("show the raw body", chromedp.Click(chromedp.CSS(`#test-result .view-raw`)))
	if visible("#test-result .body-pretty") || !visible("#test-result .body-raw") || strings.Contains(u.text("#test-result .body-raw"), "\n") {
		t.Fatal("the raw view does not show the body as received")
	}
	benchLayout(t, u)

	// Enter now runs Send, the button chosen last.
	u.do("press Enter in the test field", chromedp.SendKeys(chromedp.CSS(`[name="arg.path"]`), "\r"))
	u.waitFor("the second send", `!!document.querySelector("#test-result .result") && !document.querySelector("#test-result").hasAttribute("aria-busy")`)
	u.waitFor("a second run", `true`)
	for i := 0; i < 50 && int(calls.Load()) < 2; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if n := int(calls.Load()); n != 2 {
		t.Fatalf("Enter after a send sent %d requests in all, want 2", n)
	}
}

// benchLayout checks the workbench at three widths: on a wide screen the
// editor and the test panel sit side by side, the panel in view while the
// editor scrolls, with the request left of the response; at 1280 px the
// editor and panel still share the row; on a phone everything stacks.
func benchLayout(t *testing.T, u *ui) {
	t.Helper()
	rect := func(sel, side string) float64 {
		return eval[float64](u, `document.querySelector(`+strconv.Quote(sel)+`).getBoundingClientRect().`+side)
	}
	u.do("a wide screen", chromedp.EmulateViewport(1920, 1080))
	if rect("#action-form", "right") > rect("#test", "left") {
		t.Errorf("at 1920 px the test panel (left %.0f) is not beside the editor (right %.0f)", rect("#test", "left"), rect("#action-form", "right"))
	}
	if rect(".bench-request", "right") > rect(".bench-response", "left") {
		t.Errorf("at 1920 px the request (right %.0f) is not left of the response (left %.0f)", rect(".bench-request", "right"), rect(".bench-response", "left"))
	}
	eval[bool](u, `document.querySelector("#filter").scrollIntoView(); true`)
	if top, bottom := rect("#test", "top"), rect("#test", "bottom"); top < 0 || top > 1080 || bottom < 0 {
		t.Errorf("with the editor scrolled to the filter, the test panel is out of view (top %.0f, bottom %.0f)", top, bottom)
	}
	u.do("a laptop screen", chromedp.EmulateViewport(1280, 900))
	if rect("#action-form", "right") > rect("#test", "left") {
		t.Errorf("at 1280 px the test panel is not beside the editor")
	}
	u.do("a phone", chromedp.EmulateViewport(390, 800))
	if rect("#test", "top") < rect("#action-form", "bottom") || rect(".bench-response", "top") < rect(".bench-request", "bottom") {
		t.Errorf("at 390 px the editor, the request and the response do not stack")
	}
	if w := eval[float64](u, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("at 390 px the page is %.0f px wide", w)
	}
	u.do("back to the laptop", chromedp.EmulateViewport(1280, 900))
}

// TestLastTestSurvivesReloadAndSave sends a test of a saved action, then
// reloads the editor and saves it: each time the panel shows that run (its
// output, what the model read) with its inputs filled in.
func TestLastTestSurvivesReloadAndSave(t *testing.T) {
	srv, _ := benchUpstream(t)
	e := newEnv(t)
	e.putYAML("kind: Action\nname: orders\nmethod: GET\nurl: " + srv.URL + "/orders\nquery: {q: \"{{q}}\"}\nparams: {q: {type: string}}\nresponse: {select: \"[.items[] | .note]\"}\n")
	u := newUI(t, e.srv.URL)
	benchSignIn(u, e, "/actions/orders")
	u.do("fill the test input", chromedp.SendKeys(chromedp.CSS(`[name="arg.q"]`), "late parcels"))
	benchSend(u)
	run := benchLastRun(t, e, "orders")
	check := func(when string) {
		t.Helper()
		if got := u.text("#filtered-output"); got != run.Output {
			t.Errorf("after %s the panel shows %q, the run recorded %q", when, got, run.Output)
		}
		if got := eval[string](u, `document.querySelector('[name="arg.q"]').value`); got != "late parcels" {
			t.Errorf("after %s the test input holds %q", when, got)
		}
		if got := eval[string](u, `(document.querySelector('#test-result a[href^="/runs/"]') || {pathname: ""}).pathname`); got != "/runs/"+run.ID {
			t.Errorf("after %s the panel links the run %q, want /runs/%s", when, got, run.ID)
		}
	}
	u.open("/actions/orders")
	u.waitFor("the editor", `!!document.querySelector("#test-form")`)
	if !strings.Contains(u.text("#test-result .result-head"), "Last test") {
		t.Errorf("the reloaded panel does not say it shows the last test: %q", u.text("#test-result .result-head"))
	}
	check("a reload")
	u.submit("save", `#action-form .sticky-actions .btn-primary`)
	u.waitFor("the saved editor", `location.pathname === "/actions/orders" && !!document.querySelector("#test-form")`)
	check("a save")
}
