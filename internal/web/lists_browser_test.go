package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/chromedp/chromedp"
)

// listsSignIn opens Chromium on e's console and signs in with the admin
// token.
func listsSignIn(t *testing.T, e *env) *ui {
	t.Helper()
	u := newUI(t, e.srv.URL)
	u.open("/sign-in")
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
	return u
}

// listsAgentTokens counts the agent's tokens that are not revoked.
func listsAgentTokens(t *testing.T, e *env, agent string) int {
	t.Helper()
	list, err := e.g.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tok := range list {
		if tok.Agent == agent && tok.RevokedAt == nil {
			n++
		}
	}
	return n
}

// TestListsAgentTokenShownOnce creates an agent token through the form:
// the token is shown once, a reload neither shows it again nor creates
// another, and a name in use is reported beside the name field.
func TestListsAgentTokenShownOnce(t *testing.T) {
	e := newEnv(t)
	e.putYAML("kind: Agent\nname: support\n")
	u := listsSignIn(t, e)
	u.open("/agents/support")
	u.do("name the token", chromedp.SetValue(chromedp.ID("token_name"), "laptop"))
	u.submit("create the token", `form[action="/agents/support/tokens"] button[type=submit]`)
	tok := eval[string](u, `(document.getElementById("new-token") || {}).value || ""`)
	if p, err := e.g.Authenticate(context.Background(), tok); err != nil || p.Agent != "support" {
		t.Fatalf("the token shown (%q) authenticates as %+v, %v", tok, p, err)
	}
	if !strings.Contains(u.text("#mcp-snippet"), tok) {
		t.Fatal("the client configuration lacks the new token")
	}

	u.do("reload", chromedp.Reload())
	if h := u.text("h1"); h != "support" {
		t.Fatalf("after a reload the page heading is %q", h)
	}
	if html := eval[string](u, `document.documentElement.outerHTML`); strings.Contains(html, tok) {
		t.Fatal("a reload shows the token again")
	}
	if n := listsAgentTokens(t, e, "support"); n != 1 {
		t.Fatalf("after a reload the agent has %d tokens, want 1", n)
	}

	u.do("name another token the same", chromedp.SetValue(chromedp.ID("token_name"), "laptop"))
	u.submit("create it", `form[action="/agents/support/tokens"] button[type=submit]`)
	if h := u.text("h1"); h != "support" {
		t.Fatalf("a name in use leads to a page headed %q", h)
	}
	if msg := u.text("#err-token_name"); !strings.Contains(msg, "in use") {
		t.Fatalf("the error beside the name says %q", msg)
	}
	if got := eval[string](u, `document.getElementById("token_name").getAttribute("aria-invalid") + " " + document.getElementById("token_name").value`); got != "true laptop" {
		t.Fatalf("the name field is %q, want it marked invalid and keeping the name", got)
	}
	if n := listsAgentTokens(t, e, "support"); n != 1 {
		t.Fatalf("after the refused name the agent has %d tokens, want 1", n)
	}
}

// TestListsActionsLiveSearch types in the actions search: the count
// follows the rows, no match shows the empty state, and an agent's name
// finds the actions activated for it, with and without script.
func TestListsActionsLiveSearch(t *testing.T) {
	e := newEnv(t)
	e.putYAML(`kind: Action
name: get_order
method: GET
url: https://shop.example.com/orders
---
kind: Action
name: list_users
method: GET
url: https://crm.example.com/users
---
kind: Agent
name: billing-bot
actions: [get_order]
`)
	u := listsSignIn(t, e)
	u.open("/actions")
	visible := `Array.from(document.querySelectorAll("#actions-table tbody tr")).filter(tr => !tr.hidden).map(tr => tr.querySelector("a").textContent).join(",")`

	u.do("search for nothing there", chromedp.SendKeys(chromedp.ID("q"), "zzz"))
	u.waitFor("no row", visible+` === ""`)
	if c := u.text("#actions-count"); c != "0 of 2 actions" {
		t.Fatalf("with no match the count says %q", c)
	}
	if hidden := eval[bool](u, `document.getElementById("actions-empty").hidden`); hidden {
		t.Fatal("with no match there is no empty state")
	}

	eval[string](u, `document.getElementById("q").value = ""`)
	u.do("search for the agent", chromedp.SendKeys(chromedp.ID("q"), "billing"))
	u.waitFor("the agent's action", visible+` === "get_order"`)
	if c := u.text("#actions-count"); c != "1 of 2 actions" {
		t.Fatalf("searching the agent the count says %q", c)
	}
	if hidden := eval[bool](u, `document.getElementById("actions-empty").hidden`); !hidden {
		t.Fatal("with a match the empty state shows")
	}

	u.open("/actions?q=billing-bot")
	if rows := eval[string](u, visible); rows != "get_order" {
		t.Fatalf("the search without script finds %q for the agent", rows)
	}
}

// TestListsSecretFormReportsEveryError submits a secret with a bad name
// and no value: both problems show at once, each beside its field.
func TestListsSecretFormReportsEveryError(t *testing.T) {
	e := newEnv(t)
	u := listsSignIn(t, e)
	u.open("/secrets")
	eval[bool](u, `document.querySelectorAll('form[action="/secrets"] [required]').forEach(el => el.removeAttribute("required")), true`)
	u.do("type a bad name", chromedp.SetValue(chromedp.ID("f-name"), "not a name!"))
	u.submit("store", `form[action="/secrets"] button[type=submit]`)
	name, value := eval[string](u, `(document.getElementById("err-name") || {}).textContent || ""`), eval[string](u, `(document.getElementById("err-value") || {}).textContent || ""`)
	if !strings.Contains(name, "letters, digits") || !strings.Contains(value, "required") {
		t.Fatalf("the errors beside the fields are name %q and value %q, want both", name, value)
	}
	if got := eval[string](u, `document.getElementById("f-name").value`); got != "not a name!" {
		t.Fatalf("the name field holds %q after the error", got)
	}
}

// listsWriteEnv is a console with a write action add_note to a loopback
// upstream that counts the requests it receives, activated for the agent
// support.
func listsWriteEnv(t *testing.T) (*env, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"saved":"note-` + strconv.Itoa(int(calls.Load())) + `"}`))
	}))
	t.Cleanup(up.Close)
	e := newEnv(t)
	e.putYAML(`kind: Action
name: add_note
description: Add a note.
method: POST
url: ` + up.URL + `/notes
headers: {X-Key: "{{secret.note_key}}"}
body: {type: json, content: {text: "{{text}}"}}
params:
  text: {type: string, required: true}
---
kind: Agent
name: support
actions: [add_note]
`)
	if _, err := e.g.SetSecret(context.Background(), "note_key", []byte("k3y-v4lue-hidden")); err != nil {
		t.Fatal(err)
	}
	return e, &calls
}

// listsAsk makes the agent call add_note, which waits for confirmation.
func listsAsk(t *testing.T, e *env, text string, cc gateway.CallContext) *gateway.ToolResult {
	t.Helper()
	tr, err := e.g.CallTool(context.Background(), runlog.CallerTools, "support", "add_note", map[string]any{"text": text}, cc)
	if err != nil || tr.Status != gateway.StatusConfirmationRequired {
		t.Fatalf("add_note: %+v, %v", tr, err)
	}
	return tr
}

// TestListsRunPageConfirmation opens the run that stopped at a
// confirmation: its id stays inside its card and links to the inbox entry.
func TestListsRunPageConfirmation(t *testing.T) {
	e, _ := listsWriteEnv(t)
	tr := listsAsk(t, e, "hello", gateway.CallContext{})
	u := listsSignIn(t, e)
	u.open("/runs/" + tr.RunID)
	sel := `document.querySelector('.facts a[href="/confirmations/` + tr.ConfirmationID + `"]')`
	if ok := eval[bool](u, `!!`+sel); !ok {
		t.Fatal("the run page does not link to its confirmation")
	}
	inside := eval[bool](u, `(() => { const el = `+sel+`, card = el.closest(".card"), r = el.getBoundingClientRect(), c = card.getBoundingClientRect(), dd = el.closest("dd");
		return r.right <= c.right && dd.scrollWidth <= dd.clientWidth; })()`)
	if !inside {
		t.Fatal("the confirmation id overflows its card")
	}
	u.do("narrow viewport", chromedp.EmulateViewport(400, 860))
	u.open("/runs/" + tr.RunID)
	if wide := eval[bool](u, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Fatalf("the run page scrolls sideways at 400px: %s", eval[string](u, `Array.from(document.querySelectorAll("body *")).filter(el => el.getBoundingClientRect().right > window.innerWidth).map(el => el.tagName + "." + el.className).slice(0, 8).join(" ")`))
	}
}

// listsBadge reads the pending count on the Confirmations link ("" when
// there is none).
func listsBadge(u *ui) string {
	return eval[string](u, `((document.querySelector('nav a[href="/confirmations"] .nav-count') || {}).textContent || "").trim()`)
}

// TestListsConfirmationsInbox approves one pending write from the inbox
// and sees the upstream receive it exactly once and the result shown, and
// rejects another and sees nothing sent, with the nav count following.
func TestListsConfirmationsInbox(t *testing.T) {
	e, calls := listsWriteEnv(t)
	ctx := context.Background()
	admin, err := e.g.Authenticate(ctx, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := e.g.CreateContact(ctx, admin, &gateway.Contact{Name: "Ana Lima", Email: "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	conv := &gateway.Conversation{Agent: "support", ContactID: ct.ID, Channel: "api"}
	if err := e.g.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	approve := listsAsk(t, e, "approve me", gateway.CallContext{ConversationID: conv.ID, CallID: "call-1"})
	reject := listsAsk(t, e, "reject me", gateway.CallContext{})

	u := listsSignIn(t, e)
	u.open("/actions")
	if b := listsBadge(u); b != "2" {
		t.Fatalf("the nav count is %q with two pending, want 2", b)
	}
	u.open("/confirmations")
	card := u.text("#c-" + approve.ConfirmationID)
	for _, want := range []string{"add_note", "support", "Ana Lima", conv.ID, "approve me", "expires in", "X-Key: ••••"} {
		if !strings.Contains(card, want) {
			t.Fatalf("the inbox entry lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(eval[string](u, `document.documentElement.outerHTML`), "k3y-v4lue-hidden") {
		t.Fatal("the inbox shows a secret")
	}
	for _, href := range []string{"/agents/support", "/contacts/" + ct.ID, "/conversations/" + conv.ID} {
		if !eval[bool](u, `!!document.querySelector('#c-`+approve.ConfirmationID+` a[href="`+href+`"]')`) {
			t.Fatalf("the inbox entry does not link to %s", href)
		}
	}

	u.submit("approve", `#c-`+approve.ConfirmationID+` button[value="approve"]`)
	if n := calls.Load(); n != 1 {
		t.Fatalf("after approving, the upstream received %d requests, want 1", n)
	}
	result := u.text("#confirmation-result")
	if !strings.Contains(result, "ok") || !strings.Contains(result, "note-1") {
		t.Fatalf("the approval's result shows:\n%s", result)
	}
	if !eval[bool](u, `!!document.querySelector('#confirmation-result a[href^="/runs/"]')`) {
		t.Fatal("the result does not link to its run")
	}
	if b := listsBadge(u); b != "1" {
		t.Fatalf("the nav count is %q with one pending, want 1", b)
	}
	u.do("reload the result", chromedp.Reload())
	if n := calls.Load(); n != 1 {
		t.Fatalf("after reloading the result, the upstream received %d requests, want 1", n)
	}

	u.open("/runs")
	if !eval[bool](u, `!!document.querySelector('#run-`+reject.RunID+` a[href="/confirmations/`+reject.ConfirmationID+`"]')`) {
		t.Fatal("the runs row of a call waiting for confirmation does not link to it")
	}
	u.open("/confirmations")
	u.submit("reject", `#c-`+reject.ConfirmationID+` button[value="reject"]`)
	if n := calls.Load(); n != 1 {
		t.Fatalf("after rejecting, the upstream received %d requests, want 1", n)
	}
	if c, err := e.g.Confirmation(ctx, reject.ConfirmationID); err != nil || c.State != gateway.ConfirmationRejected {
		t.Fatalf("the rejected confirmation is %+v, %v", c, err)
	}
	if b := listsBadge(u); b != "" {
		t.Fatalf("the nav count is %q with nothing pending, want none", b)
	}
	if !strings.Contains(u.text("main"), "Nothing is waiting") {
		t.Fatalf("the inbox after both decisions:\n%s", u.text("main"))
	}
}

// TestListsRunsRows lists runs whose rows carry the arguments (masked) and
// the conversation, filters them by a time range and tells a refused call
// (invalid arguments) from an upstream error.
func TestListsRunsRows(t *testing.T) {
	e := newEnv(t)
	base := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	refused := &runlog.Run{Action: "add_note", Agent: "support", Caller: runlog.CallerTools, Outcome: runlog.OutcomeError,
		Error: "invalid_arguments", StartedAt: base, Arguments: map[string]any{"txt": 5}, ConversationID: "conv-abc"}
	upstream := &runlog.Run{Action: "add_note", Agent: "support", Caller: runlog.CallerTools, Outcome: runlog.OutcomeError,
		Error: "request_failed", Status: 502, StartedAt: base.Add(2 * time.Hour), Arguments: map[string]any{"text": "hi", "api_key": "****"}}
	old := &runlog.Run{Action: "add_note", Agent: "support", Caller: runlog.CallerTools, Outcome: runlog.OutcomeOK, Status: 200,
		StartedAt: base.Add(-48 * time.Hour), Arguments: map[string]any{"text": "old"}}
	e.storeRuns(old, refused, upstream)
	u := listsSignIn(t, e)
	u.open("/runs")
	row := func(id string) string { return u.text(`#run-` + id) }
	if r := row(refused.ID); !strings.Contains(r, "invalid arguments") || !strings.Contains(r, `"txt":5`) {
		t.Fatalf("the refused call's row: %q", r)
	}
	if !eval[bool](u, `!!document.querySelector('#run-`+refused.ID+` a[href="/conversations/conv-abc"]')`) {
		t.Fatal("the row does not link to its conversation")
	}
	if r := row(upstream.ID); strings.Contains(r, "invalid arguments") || !strings.Contains(r, "error") || !strings.Contains(r, `"api_key":"****"`) {
		t.Fatalf("the upstream error's row: %q", r)
	}
	if zone := u.text("#r-zone"); !strings.Contains(zone, time.Now().Format("MST")) {
		t.Fatalf("the filter names the time zone as %q", zone)
	}
	ids := `Array.from(document.querySelectorAll("#runs-table tbody tr")).map(tr => tr.id).join(",")`

	u.do("filter invalid arguments", chromedp.SetValue(chromedp.ID("r-outcome"), "invalid_arguments"))
	u.submit("filter", `form.filters button[type=submit]`)
	if got := eval[string](u, ids); got != "run-"+refused.ID {
		t.Fatalf("filtered by invalid arguments the rows are %q", got)
	}
	u.do("filter errors", chromedp.SetValue(chromedp.ID("r-outcome"), "error"))
	u.submit("filter", `form.filters button[type=submit]`)
	if got := eval[string](u, ids); got != "run-"+upstream.ID {
		t.Fatalf("filtered by upstream errors the rows are %q", got)
	}

	local := func(t time.Time) string { return t.Local().Format("2006-01-02T15:04") }
	u.do("filter a time range",
		chromedp.SetValue(chromedp.ID("r-outcome"), ""),
		chromedp.SetValue(chromedp.ID("r-from"), local(base.Add(-time.Hour))),
		chromedp.SetValue(chromedp.ID("r-to"), local(base.Add(time.Hour))))
	u.submit("filter", `form.filters button[type=submit]`)
	if got := eval[string](u, ids); got != "run-"+refused.ID {
		t.Fatalf("filtered by a time range the rows are %q", got)
	}
}

// TestListsApprovalShowsTheError approves a write the upstream refuses:
// the confirmation's page shows the error and what the model read.
func TestListsApprovalShowsTheError(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"note store is full"}`, http.StatusInsufficientStorage)
	}))
	t.Cleanup(up.Close)
	e := newEnv(t)
	e.putYAML("kind: Action\nname: add_note\nmethod: POST\nurl: " + up.URL + "/notes\n---\nkind: Agent\nname: support\nactions: [add_note]\n")
	tr, err := e.g.CallTool(context.Background(), runlog.CallerTools, "support", "add_note", map[string]any{}, gateway.CallContext{})
	if err != nil || tr.Status != gateway.StatusConfirmationRequired {
		t.Fatalf("add_note: %+v, %v", tr, err)
	}
	b := e.browser()
	b.signIn(e.admin)
	p := b.post("/confirmations/"+tr.ConfirmationID, url.Values{"do": {"approve"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("approving: %d\n%s", p.status, p.body)
	}
	page := b.get(p.location)
	i := strings.Index(page.body, `id="confirmation-result"`)
	if i < 0 {
		t.Fatalf("the confirmation's page has no result:\n%s", page.body)
	}
	result := page.body[i:]
	for _, want := range []string{"507", "note store is full", `class="badge bad">error`} {
		if !strings.Contains(result, want) {
			t.Errorf("the result lacks %q:\n%s", want, result)
		}
	}
}
