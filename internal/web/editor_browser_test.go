package web

import (
	"strings"
	"testing"

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
	if !strings.Contains(msg, "trace_id") {
		t.Errorf("the header value's error says %q", msg)
	}
	u.shot("action-header-errors")
}
