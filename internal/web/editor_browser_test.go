package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/chromedp/chromedp"
)

// editorUI signs a browser in to a fresh console and returns both.
func editorUI(t *testing.T) (*env, *ui) {
	t.Helper()
	e := newEnv(t)
	u := newUI(t, e.srv.URL)
	u.open("/actions")
	u.waitFor("the sign-in page", `location.pathname === "/sign-in"`)
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
	if h := u.text("h1"); h != "Actions" {
		t.Fatalf("after sign-in the page heading is %q", h)
	}
	return e, u
}

// TestEditorErrorSummaryInBrowser saves an action with problems in two
// fields far apart: the page opens with a summary at the top that has the
// focus and links to each field in error, and following a link moves to
// that field's input.
func TestEditorErrorSummaryInBrowser(t *testing.T) {
	_, u := editorUI(t)
	u.open("/actions/new")
	u.do("fill the action with problems",
		chromedp.SetValue(chromedp.ID("f-name"), "get_order"),
		chromedp.SetValue(chromedp.ID("f-url"), "ftp://shop.example/orders"),
		chromedp.SetValue(chromedp.ID("f-timeout"), "ten seconds"),
	)
	u.submit("save", `#action-form .sticky-actions .btn-primary`)
	u.waitFor("the error summary", `!!document.querySelector("#error-summary")`)
	if got := eval[string](u, `document.activeElement.id`); got != "error-summary" {
		t.Fatalf("after a failed save the focus is on %q, want the error summary", got)
	}
	if top := eval[float64](u, `document.querySelector("#error-summary").getBoundingClientRect().top`); top > 400 {
		t.Errorf("the error summary starts %.0fpx down the page, want it at the top", top)
	}
	links := eval[[]string](u, `Array.from(document.querySelectorAll("#error-summary a")).map(a => a.getAttribute("href"))`)
	if strings.Join(links, " ") != "#f-url #f-timeout" {
		t.Fatalf("the summary links to %q, want the URL and the timeout inputs in form order", links)
	}
	for _, l := range links {
		if !eval[bool](u, `!!document.querySelector('`+l+`[aria-invalid="true"]')`) {
			t.Errorf("the summary links to %s, which is not an input marked invalid", l)
		}
	}
	if text := u.text("#error-summary"); !strings.Contains(text, "URL") || !strings.Contains(text, "Timeout") {
		t.Errorf("the summary does not name the fields:\n%s", text)
	}
	u.do("follow the timeout link", chromedp.Click(chromedp.CSS(`#error-summary a[href="#f-timeout"]`)))
	u.waitFor("the focused timeout input", `document.activeElement.id === "f-timeout"`)
	u.shot("action-error-summary")
}

// TestEditorHeaderErrorsInBrowser saves headers with an empty name and an
// undeclared placeholder in a value: the empty name is reported once, on
// the name input, and the placeholder on the value input, not the name.
func TestEditorHeaderErrorsInBrowser(t *testing.T) {
	_, u := editorUI(t)
	u.open("/actions/new")
	u.do("fill the action",
		chromedp.SetValue(chromedp.ID("f-name"), "get_order"),
		chromedp.SetValue(chromedp.ID("f-url"), "https://shop.example/orders"),
		chromedp.Click(chromedp.CSS(`[data-add-row="headers"]`)),
		chromedp.Click(chromedp.CSS(`[data-add-row="headers"]`)),
		chromedp.SetValue(chromedp.CSS(`[name="headers.500.value"]`), "no name"),
		chromedp.SetValue(chromedp.CSS(`[name="headers.501.key"]`), "X-Trace"),
		chromedp.SetValue(chromedp.CSS(`[name="headers.501.value"]`), "{{trace_id}}"),
	)
	u.submit("save", `#action-form .sticky-actions .btn-primary`)
	u.waitFor("the errors", `!!document.querySelector(".kv-row .field-error")`)
	// Saved rows are numbered from 0 in the order posted.
	if got := u.text(`#err-headers\.0\.key`); strings.Count(got, "empty") != 1 {
		t.Errorf("the empty header name is reported as %q, want once", got)
	}
	if n := eval[int](u, `document.querySelectorAll(".kv-row .field-error").length`); n != 2 {
		t.Errorf("the header rows show %d errors, want 2", n)
	}
	if eval[bool](u, `document.querySelector('[name="headers.1.key"]').getAttribute("aria-invalid") === "true"`) {
		t.Error("the undeclared placeholder is flagged on the header name")
	}
	if !eval[bool](u, `document.querySelector('[name="headers.1.value"]').getAttribute("aria-invalid") === "true"`) {
		t.Fatal("the undeclared placeholder is not flagged on the header value")
	}
	msg := u.text(`#err-headers\.1\.value`)
	if !strings.Contains(msg, "trace_id") || strings.Contains(msg, "under params") {
		t.Errorf("the header value's error says %q", msg)
	}
	u.shot("action-header-errors")
}

// TestEditorDeleteInUseInBrowser deletes an action two agents use: the
// page names and links the agents instead of a bare refusal, and its
// button deactivates the action for both and deletes it.
func TestEditorDeleteInUseInBrowser(t *testing.T) {
	e, u := editorUI(t)
	e.putYAML("kind: Action\nname: get_order\nmethod: GET\nurl: https://shop.example/orders\n---\n" +
		"kind: Agent\nname: support\nactions: [get_order]\n---\nkind: Agent\nname: sales\nactions: [get_order]\n")
	u.open("/actions/get_order")
	u.submit("delete", `form[action="/actions/get_order/delete"] button[type=submit]`)
	u.waitFor("the in-use notice", `!!document.querySelector("#delete-blocked")`)
	notice := u.text("#delete-blocked")
	if strings.Contains(notice, "Agent/") || strings.Contains(notice, "Deactivate it there first") {
		t.Errorf("the notice uses internal wording:\n%s", notice)
	}
	links := eval[[]string](u, `Array.from(document.querySelectorAll('#delete-blocked a[href^="/agents/"]')).map(a => a.getAttribute("href"))`)
	if strings.Join(links, " ") != "/agents/sales /agents/support" {
		t.Fatalf("the notice links to %q, want both agents", links)
	}
	if got := eval[string](u, `document.activeElement.closest("#delete-blocked") ? "notice" : document.activeElement.tagName`); got != "notice" {
		t.Errorf("the focus is on %s, want the notice", got)
	}
	u.shot("action-delete-in-use")
	u.submit("deactivate and delete", `#delete-blocked button[type=submit]`)
	u.waitFor("the actions list", `location.pathname === "/actions"`)
	snap, err := e.g.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Actions["get_order"] != nil {
		t.Fatal("the action is still stored")
	}
	for _, ag := range []string{"support", "sales"} {
		if a := snap.Agents[ag]; a == nil || len(a.Actions) != 0 {
			t.Errorf("agent %s after the delete: %+v", ag, a)
		}
	}
}

// editorStored returns a stored action, failing the test when it is
// missing.
func editorStored(t *testing.T, e *env, name string) *action.Action {
	t.Helper()
	snap, err := e.g.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := snap.Actions[name]
	if a == nil {
		t.Fatalf("no stored action %s", name)
	}
	return a
}

// TestEditorSecretReferencesInBrowser puts a stored secret into a header
// value from the picker and names a secret that is not stored in another:
// the save succeeds, the editor warns about the missing secret only, and
// its link opens the secret form with the name filled in.
func TestEditorSecretReferencesInBrowser(t *testing.T) {
	e, u := editorUI(t)
	if _, err := e.g.SetSecret(context.Background(), "shop_key", []byte("s3cr3t-shop-key")); err != nil {
		t.Fatal(err)
	}
	u.open("/actions/new")
	if names := u.text("#secret-picker"); !strings.Contains(names, "shop_key") {
		t.Fatalf("the secret picker offers:\n%s", names)
	}
	u.do("fill the action",
		chromedp.SetValue(chromedp.ID("f-name"), "get_order"),
		chromedp.SetValue(chromedp.ID("f-url"), "https://shop.example/orders"),
		chromedp.Click(chromedp.CSS(`[data-add-row="headers"]`)),
		chromedp.SetValue(chromedp.CSS(`[name="headers.500.key"]`), "Authorization"),
		chromedp.SendKeys(chromedp.CSS(`[name="headers.500.value"]`), "Bearer "),
		chromedp.SetValue(chromedp.ID("secret-insert"), "shop_key"),
		chromedp.Click(chromedp.CSS(`[data-secret-insert]`)),
	)
	if got := eval[string](u, `document.querySelector('[name="headers.500.value"]').value`); got != "Bearer {{secret.shop_key}}" {
		t.Fatalf("after inserting the secret the header value is %q", got)
	}
	u.do("name a secret that is not stored",
		chromedp.Click(chromedp.CSS(`[data-add-row="headers"]`)),
		chromedp.SetValue(chromedp.CSS(`[name="headers.501.key"]`), "X-Partner"),
		chromedp.SetValue(chromedp.CSS(`[name="headers.501.value"]`), "{{secret.partner_key}}"),
	)
	u.submit("save", `#action-form .sticky-actions .btn-primary`)
	u.waitFor("the saved action", `location.pathname === "/actions/get_order"`)
	if a := editorStored(t, e, "get_order"); a.Headers["Authorization"] != "Bearer {{secret.shop_key}}" {
		t.Fatalf("stored headers: %v", a.Headers)
	}
	warning := u.text("#secret-warning")
	if !strings.Contains(warning, "partner_key") || strings.Contains(warning, "shop_key") {
		t.Fatalf("the warning says:\n%s", warning)
	}
	u.shot("action-secret-warning")
	u.submit("set the secret", `#secret-warning a[href="/secrets?name=partner_key"]`)
	if got := eval[string](u, `document.getElementById("f-name").value`); got != "partner_key" {
		t.Fatalf("the secret form's name is %q", got)
	}
}

// TestEditorDuplicateInBrowser duplicates an action: the copy is offered
// as "<name>_copy", opens in the editor with the same request and params,
// is activated for no agent, and a name in use is refused beside the field.
func TestEditorDuplicateInBrowser(t *testing.T) {
	e, u := editorUI(t)
	e.putYAML("kind: Action\nname: get_order\nmethod: GET\nurl: https://shop.example/orders/{{id}}\n" +
		"params:\n  id: {type: string, required: true, description: The order number}\n---\n" +
		"kind: Agent\nname: support\nactions: [get_order]\n")
	u.open("/actions/get_order")
	if got := eval[string](u, `document.getElementById("f-copy_name").value`); got != "get_order_copy" {
		t.Fatalf("the copy's name is offered as %q", got)
	}
	u.submit("duplicate", `#duplicate button[type=submit]`)
	u.waitFor("the copy", `location.pathname === "/actions/get_order_copy"`)
	cp := editorStored(t, e, "get_order_copy")
	if cp.URL != "https://shop.example/orders/{{id}}" || cp.Params.Get("id") == nil || !cp.Params.Get("id").Required {
		t.Fatalf("the copy: %+v", cp)
	}
	if got := u.text("h1"); got != "get_order_copy" {
		t.Errorf("the copy's editor is headed %q", got)
	}
	snap, err := e.g.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.ActivatedFor("get_order_copy"); len(got) != 0 {
		t.Errorf("the copy is activated for %v", got)
	}

	u.open("/actions/get_order")
	if got := eval[string](u, `document.getElementById("f-copy_name").value`); got != "get_order_copy2" {
		t.Fatalf("the second copy's name is offered as %q", got)
	}
	u.do("name the copy like an existing action", chromedp.SetValue(chromedp.ID("f-copy_name"), "get_order_copy"))
	u.submit("duplicate", `#duplicate button[type=submit]`)
	u.waitFor("the refusal", `!!document.querySelector("#err-copy_name")`)
	if msg := u.text("#err-copy_name"); !strings.Contains(msg, "exists already") {
		t.Errorf("the refusal says %q", msg)
	}
	if got := eval[string](u, `document.getElementById("f-copy_name").getAttribute("aria-invalid")`); got != "true" {
		t.Errorf("the copy's name field is not marked invalid")
	}
}

// editorLeaveBlocked reports whether leaving the page now would ask
// first: the page cancels a beforeunload event.
const editorLeaveBlocked = `(() => { const ev = new Event("beforeunload", {cancelable: true}); window.dispatchEvent(ev); return ev.defaultPrevented; })()`

// TestEditorSaveBarInBrowser edits a saved action: the save bar stays in
// view at the top of a long form and says there are unsaved changes,
// leaving asks first, Ctrl+S saves, and after the save leaving asks
// nothing.
func TestEditorSaveBarInBrowser(t *testing.T) {
	e, u := editorUI(t)
	e.putYAML("kind: Action\nname: get_order\nmethod: GET\nurl: https://shop.example/orders\n")
	u.open("/actions/get_order")
	u.do("the editor", chromedp.WaitVisible(chromedp.ID("f-title")))
	if eval[bool](u, editorLeaveBlocked) {
		t.Fatal("an untouched editor asks before leaving")
	}
	eval[bool](u, `window.scrollTo(0, 0), true`)
	inView := `(() => { const r = document.querySelector("#action-form .save-bar").getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight + 1; })()`
	if !eval[bool](u, `document.querySelector("#action-form").getBoundingClientRect().bottom > window.innerHeight`) {
		t.Fatal("the form fits the viewport; the test needs a longer form")
	}
	if !eval[bool](u, inView) {
		t.Error("at the top of the form the save bar is out of view")
	}
	u.do("change the title", chromedp.SendKeys(chromedp.ID("f-title"), "Get an order"))
	if got := u.text("#save-state"); got != "Unsaved changes" {
		t.Errorf("the save bar says %q after a change", got)
	}
	if !eval[bool](u, editorLeaveBlocked) {
		t.Fatal("leaving an edited form does not ask first")
	}
	u.shot("action-save-bar")
	ctx, cancel := context.WithTimeout(u.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
		t.Fatalf("press Ctrl+S: %v", err)
	}
	u.waitFor("the saved page", `location.search.includes("done=saved")`)
	if a := editorStored(t, e, "get_order"); a.Title != "Get an order" {
		t.Fatalf("after Ctrl+S the stored title is %q", a.Title)
	}
	u.do("the saved editor", chromedp.WaitVisible(chromedp.ID("f-title")))
	if eval[bool](u, editorLeaveBlocked) {
		t.Error("after a save, leaving still asks first")
	}
	if got := u.text("#save-state"); got != "" {
		t.Errorf("after a save the save bar says %q", got)
	}
}

// TestEditorPickersRefreshInBrowser follows the editor's "create new"
// links for a credential and a secret, which open in another tab, makes
// both there, and comes back: the authentication and secret pickers offer
// them, and what was typed in the form is still there.
func TestEditorPickersRefreshInBrowser(t *testing.T) {
	e, u := editorUI(t)
	u.open("/actions/new")
	u.do("type a name", chromedp.SetValue(chromedp.ID("f-name"), "get_order"))
	if n := eval[int](u, `document.querySelectorAll("#f-auth option").length`); n != 1 {
		t.Fatalf("a console without credentials offers %d authentication choices", n)
	}
	if got := eval[string](u, `document.querySelector('a[href="/credentials/new"][data-refresh-pickers]').target`); got != "_blank" {
		t.Fatalf("the new-credential link opens in %q, want another tab", got)
	}
	// The other tab is played by the gateway; this tab only sees the link
	// followed and its window coming back into focus.
	eval[bool](u, `document.addEventListener("click", e => { if (e.target.closest("[data-refresh-pickers]")) { e.preventDefault(); } }), true`)
	u.do("follow the new-credential link", chromedp.Click(chromedp.CSS(`a[href="/credentials/new"][data-refresh-pickers]`)))
	e.putYAML("kind: Credential\nname: shop\ntype: bearer\nhosts: [shop.example]\ntoken: {secret: shop_token}\n")
	if _, err := e.g.SetSecret(context.Background(), "shop_token", []byte("s3cr3t-shop-token")); err != nil {
		t.Fatal(err)
	}
	eval[bool](u, `window.dispatchEvent(new Event("focus")), true`)
	u.waitFor("the new credential in the picker", `!!document.querySelector('#f-auth option[value="shop"]')`)
	u.waitFor("the new secret in the picker", `!!document.querySelector('#secret-insert option') && document.querySelector('#secret-insert').value === "shop_token"`)
	if got := eval[string](u, `document.getElementById("f-name").value`); got != "get_order" {
		t.Errorf("after coming back the name reads %q", got)
	}
}
