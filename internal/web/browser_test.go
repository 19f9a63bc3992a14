package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/browsertest"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// screenshotDir is where ACTIONGATE_SCREENSHOTS=1 writes page images.
const screenshotDir = "../../docs/screenshots"

// ui drives one Chromium tab against the console.
type ui struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots bool
}

// newUI starts Chromium from ACTIONGATE_TEST_CHROMIUM, or skips the test.
func newUI(t *testing.T, base string) *ui {
	t.Helper()
	ctx := browsertest.Start(t, chromedp.EmulateViewport(1280, 900),
		chromedp.Flag("hide-scrollbars", true), chromedp.WindowSize(1280, 900))
	// Accept every confirm() dialog, as a person confirming a write would.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return &ui{t: t, ctx: ctx, base: base, shots: os.Getenv("ACTIONGATE_SCREENSHOTS") == "1"}
}

// do runs steps with a time limit, failing the test on error.
func (u *ui) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 15*time.Second)
	defer cancel()
	for i, st := range steps {
		if err := chromedp.Do(ctx, st); err != nil {
			u.t.Fatalf("%s (step %d): %v", what, i+1, err)
		}
	}
}

// submit clicks a control that navigates and waits for the new page.
func (u *ui) submit(what string, sel string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		u.t.Fatalf("%s: %v", what, err)
	}
}

func (u *ui) open(path string) { u.t.Helper(); u.do("open "+path, chromedp.Navigate(u.base+path)) }

// text returns an element's text.
func (u *ui) text(sel string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		u.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript expression.
func eval[T any](u *ui, expr string) T {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		u.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFor waits until a JavaScript predicate holds.
func (u *ui) waitFor(what, predicate string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate)); err != nil {
		u.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// shot saves a full-page PNG when screenshots are asked for.
func (u *ui) shot(name string) {
	u.t.Helper()
	if !u.shots {
		return
	}
	ctx, cancel := context.WithTimeout(u.ctx, 15*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		u.t.Fatalf("screenshot %s: %v", name, err)
	}
	u.save(name, b)
}

// shotOf saves a PNG of one element when screenshots are asked for.
func (u *ui) shotOf(name, sel string) {
	u.t.Helper()
	if !u.shots {
		return
	}
	ctx, cancel := context.WithTimeout(u.ctx, 15*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		u.t.Fatalf("screenshot %s: %v", name, err)
	}
	u.save(name, b)
}

// save writes one screenshot file.
func (u *ui) save(name string, b []byte) {
	u.t.Helper()
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		u.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), b, 0o644); err != nil {
		u.t.Fatal(err)
	}
}

// tokens reads a grouped token count such as "1,234".
func tokens(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), ",", ""))
	if err != nil {
		t.Fatalf("token count %q: %v", s, err)
	}
	return n
}

// TestConsoleInBrowser walks through the console as a person would: sign
// in, create an action through the form, preview and send it against a
// loopback upstream, tune the filter while the token count drops, activate
// it for an agent, see its tool definition, and find the run.
func TestConsoleInBrowser(t *testing.T) {
	e := newEnv(t, api.RegisterAdmin, registerTools)
	u := newUI(t, e.srv.URL)
	upstream := httptest.NewServer(httpbin.New())
	t.Cleanup(upstream.Close)
	start := time.Now()

	// Sign in.
	u.open("/actions")
	u.waitFor("the sign-in page", `location.pathname === "/sign-in"`)
	u.shot("sign-in")
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
	if h := u.text("h1"); h != "Actions" {
		t.Fatalf("after sign-in the page heading is %q", h)
	}

	// A credential with a write-only stored secret.
	u.open("/credentials/new")
	u.do("fill the credential",
		chromedp.SetValue(chromedp.ID("f-name"), "shop"),
		chromedp.SetValue(chromedp.ID("f-hosts"), "127.0.0.1"),
		chromedp.SetValue(chromedp.CSS(`[name="token.name"]`), "shop_token"),
		chromedp.SetValue(chromedp.CSS(`[name="token.value"]`), "s3cr3t-shop-value"),
	)
	u.submit("create the credential", `.cred-form .sticky-actions .btn-primary`)
	u.waitFor("the saved credential", `location.pathname === "/credentials/shop"`)
	if html := eval[string](u, `document.documentElement.outerHTML`); strings.Contains(html, "s3cr3t-shop-value") {
		t.Fatal("the credential page shows the secret value")
	}
	if got := u.text(`[data-cred-section="bearer"] legend .badge`); got != "set" {
		t.Fatalf("the token shows %q, want set", got)
	}
	u.shot("credential")

	// Create an action through the form.
	u.open("/actions/new")
	u.do("fill the action",
		chromedp.SetValue(chromedp.ID("f-name"), "lookup_order"),
		chromedp.SetValue(chromedp.ID("f-title"), "Look up an order"),
		chromedp.SetValue(chromedp.ID("f-description"), "Use when the customer asks where their order is. Needs the order number."),
		chromedp.SetValue(chromedp.ID("f-method"), "POST"),
		chromedp.SendKeys(chromedp.ID("f-url"), upstream.URL+"/anything/orders/{{order_id}}"),
		chromedp.Click(chromedp.CSS(`[data-add-row="headers"]`)),
		chromedp.SetValue(chromedp.CSS(`[name="headers.500.key"]`), "Accept"),
		chromedp.SetValue(chromedp.CSS(`[name="headers.500.value"]`), "application/json"),
		chromedp.SetValue(chromedp.ID("f-auth"), "shop"),
		chromedp.SetValue(chromedp.ID("f-body_type"), "json"),
		chromedp.SendKeys(chromedp.ID("f-body_content"), `{"note": "{{note}}", "customer": "{{contact.email}}"}`),
		chromedp.Click(chromedp.CSS(`[data-add-row="params"]`)),
		chromedp.Click(chromedp.CSS(`[data-add-row="params"]`)),
		chromedp.SetValue(chromedp.CSS(`[name="params.501.name"]`), "order_id"),
		chromedp.SetValue(chromedp.CSS(`[name="params.501.description"]`), "The order number, e.g. SO-1042"),
		chromedp.Click(chromedp.CSS(`[name="params.501.required"]`)),
		chromedp.SetValue(chromedp.CSS(`[name="params.502.name"]`), "note"),
		chromedp.SetValue(chromedp.CSS(`[name="params.502.description"]`), "A delivery note"),
	)
	if n := eval[int](u, `document.querySelectorAll("#preview-body mark.ph").length`); n != 2 {
		t.Errorf("the body preview highlights %d placeholders, want 2", n)
	}
	u.shot("action-new")
	u.submit("create the action", `#action-form .sticky-actions .btn-primary`)
	u.waitFor("the saved action", `location.pathname === "/actions/lookup_order"`)
	u.do("the test panel", chromedp.WaitVisible(chromedp.ID("test-form")))

	// Preview: rendered, nothing sent, secrets masked.
	u.do("fill the test form",
		chromedp.SetValue(chromedp.CSS(`[name="arg.order_id"]`), "SO-1042"),
		chromedp.SetValue(chromedp.CSS(`[name="arg.note"]`), "Leave it at the door"),
		chromedp.SetValue(chromedp.CSS(`[name="contact.email"]`), "ana@example.com"),
		chromedp.Click(chromedp.CSS(`#test-form button[value="preview"]`)),
	)
	u.waitFor("the preview", `((document.querySelector("#test-result .result") || {}).textContent || "").includes("(not sent)")`)
	req := u.text("#test-result .request")
	if !strings.Contains(req, "/anything/orders/SO-1042") || strings.Contains(req, "s3cr3t-shop-value") {
		t.Fatalf("preview request:\n%s", req)
	}

	// Send: a write, confirmed in the dialog.
	u.do("send", chromedp.Click(chromedp.CSS(`#test-form button[value="send"]`)))
	u.waitFor("the response", `!!document.querySelector("#tokens-out")`)
	if out := u.text("#filtered-output"); !strings.Contains(out, "SO-1042") {
		t.Fatalf("filtered output lacks the order: %s", out)
	}
	before := tokens(t, u.text("#tokens-out"))

	// Tune the filter: the count drops without another call upstream.
	u.do("type a select expression", chromedp.SendKeys(chromedp.CSS(`[name="response.select"]`), ".json"))
	u.waitFor("the re-filtered output", `document.querySelector("#filtered-output").textContent.includes("Leave it at the door") && !document.querySelector("#filtered-output").textContent.includes("headers")`)
	after := tokens(t, u.text("#tokens-out"))
	if after >= before {
		t.Fatalf("tokens went from %d to %d, want fewer", before, after)
	}
	t.Logf("tokens to the model: %d before the filter, %d after", before, after)
	u.shot("action-test")
	u.shotOf("test-panel", "#test")
	u.submit("save the filter", `#action-form .sticky-actions .btn-primary`)
	snap, err := e.g.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a := snap.Actions["lookup_order"]; a == nil || a.Response == nil || a.Response.Select != ".json" {
		t.Fatalf("saved action: %+v", a)
	}

	// Actions list.
	u.open("/actions")
	if row := u.text("#actions-table tbody tr"); !strings.Contains(row, "lookup_order") || !strings.Contains(row, "ok") {
		t.Fatalf("actions list row: %q", row)
	}
	u.shot("actions")

	// An agent: create it, switch the action on, read its tools.
	u.open("/agents")
	u.do("fill the agent", chromedp.SetValue(chromedp.ID("f-name"), "support"), chromedp.SetValue(chromedp.ID("f-description"), "Customer support agent"))
	u.submit("create the agent", `form[action="/agents"] button[type=submit]`)
	u.waitFor("the agent page", `location.pathname === "/agents/support"`)
	u.submit("activate the action", `#action-lookup_order button.switch`)
	if got := eval[string](u, `document.querySelector("#action-lookup_order button.switch").getAttribute("aria-checked")`); got != "true" {
		t.Fatalf("switch is %q after activating", got)
	}
	if tools := u.text("#tool-definitions"); !strings.Contains(tools, `"name": "lookup_order"`) || !strings.Contains(tools, `"parameters"`) {
		t.Fatalf("OpenAI tool definitions:\n%s", tools)
	}
	u.submit("the MCP tab", `a[href$="format=mcp#h-tools"]`)
	if tools := u.text("#tool-definitions"); !strings.Contains(tools, `"inputSchema"`) || !strings.Contains(tools, "lookup_order") {
		t.Fatalf("MCP tool definitions:\n%s", tools)
	}
	if got := eval[string](u, `document.getElementById("mcp-url").value`); got != e.srv.URL+"/mcp/support" {
		t.Fatalf("MCP URL %q", got)
	}
	u.shot("agent")
	u.submit("create an agent token", `form[action="/agents/support/tokens"] button[type=submit]`)
	tok := eval[string](u, `document.getElementById("new-token").value`)
	p, err := e.g.Authenticate(context.Background(), tok)
	if err != nil || p.Agent != "support" || p.Admin {
		t.Fatalf("the new token authenticates as %+v, %v", p, err)
	}
	if !strings.Contains(u.text("#mcp-snippet"), tok) {
		t.Fatal("the config snippet lacks the new token")
	}
	// The agent-facing tools API agrees with what the console showed.
	toolsReq, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/agents/support/tools?format=openai", nil)
	toolsReq.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(toolsReq)
	if err != nil {
		t.Fatal(err)
	}
	defs, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(defs), `"lookup_order"`) {
		t.Fatalf("tools API with the new token: %d %s", res.StatusCode, defs)
	}
	u.open("/agents")
	u.shot("agents")

	// Runs: the preview and the send, filterable, with details.
	u.open("/runs")
	if rows := eval[int](u, `document.querySelectorAll("#runs-table tbody tr").length`); rows != 2 {
		t.Fatalf("runs table has %d rows, want 2", rows)
	}
	u.shot("runs")
	u.open("/runs?outcome=ok")
	if rows := u.text("#runs-table tbody"); !strings.Contains(rows, "lookup_order") || strings.Contains(rows, "preview") {
		t.Fatalf("runs filtered by ok: %s", rows)
	}
	u.submit("open the run", `#runs-table tbody tr a`)
	if body := u.text("main"); !strings.Contains(body, "What the model read") || !strings.Contains(body, "SO-1042") || strings.Contains(body, "s3cr3t-shop-value") {
		t.Fatalf("run detail:\n%s", body)
	}
	u.shot("run")

	// A run of a list says how many of its records the model received,
	// beside the token counts, on the list and on its page.
	listed := &runlog.Run{Action: "list_orders", Caller: runlog.CallerTools, Outcome: runlog.OutcomeOK, Status: 200,
		StartedAt: time.Now().UTC(), RawTokens: 63_738, OutputTokens: 987, RecordsKept: 22, RecordsTotal: 30, Output: "[]"}
	e.storeRuns(listed)
	u.open("/runs")
	if row := u.text("#runs-table tbody tr"); !strings.Contains(row, "records kept: 22 of 30") || !strings.Contains(row, "987") {
		t.Fatalf("the runs page shows the run of a list as %q", row)
	}
	u.open("/runs/" + listed.ID)
	if tokens := u.text(".facts"); !strings.Contains(tokens, "987 to the model records kept: 22 of 30") {
		t.Fatalf("the run page of a list shows:\n%s", tokens)
	}

	u.open("/secrets")
	u.shot("secrets")
	u.open("/credentials")
	u.shot("credentials")

	// Narrow screens: no sideways scrolling.
	u.do("narrow viewport", chromedp.EmulateViewport(400, 860))
	u.open("/actions/lookup_order")
	if wide := eval[bool](u, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Error("the editor scrolls sideways at 400px")
	}
	u.shot("action-narrow")
	t.Logf("browser walk-through took %s", time.Since(start).Round(time.Millisecond))
}
