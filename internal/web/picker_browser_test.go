package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFieldPickerInBrowser builds a select by ticking fields of a real
// response: the select holds the projection, the output keeps only the
// ticked fields and its token count drops; unticking updates both;
// exclude everywhere adds the pattern; a hand-written select the picker
// cannot represent disables the boxes with a note, and a projection typed
// by hand re-ticks them.
func TestFieldPickerInBrowser(t *testing.T) {
	srv := reposServer(t)
	e := newEnv(t)
	e.putYAML("kind: Action\nname: list_repos\nmethod: GET\nurl: " + srv.URL + "/repos\n")
	u := newUI(t, e.srv.URL)
	u.open("/actions/list_repos")
	u.waitFor("the sign-in page", `location.pathname === "/sign-in"`)
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
	u.open("/actions/list_repos")
	u.do("send", chromedp.WaitVisible(chromedp.ID("test-form")), chromedp.Click(chromedp.CSS(`#test-form button[value="send"]`)))
	u.waitFor("the field picker", `!!document.querySelector("#field-picker [data-pick-path]")`)
	before := tokens(t, u.text("#tokens-out"))

	box := func(path string) string { return `#field-picker [data-pick-path='` + path + `']` }
	u.do("tick id and name", chromedp.Click(chromedp.CSS(box(`["[]","id"]`))), chromedp.Click(chromedp.CSS(box(`["[]","name"]`))))
	u.waitFor("the projection", `document.querySelector('[name="response.select"]').value === "[.[] | {id, name}]"`)
	u.waitFor("the re-filtered output", `document.querySelector("#filtered-output").textContent === '[{"id":1,"name":"a"},{"id":2,"name":"b"}]'`)
	picked := tokens(t, u.text("#tokens-out"))
	if picked >= before {
		t.Fatalf("tokens went from %d to %d after picking two fields, want fewer", before, picked)
	}

	u.do("untick name", chromedp.Click(chromedp.CSS(box(`["[]","name"]`))))
	u.waitFor("the updated output", `document.querySelector("#filtered-output").textContent === '[{"id":1},{"id":2}]'`)
	if got := eval[string](u, `document.querySelector('[name="response.select"]').value`); got != "[.[] | {id}]" {
		t.Fatalf("after unticking, the select is %q", got)
	}
	if n := tokens(t, u.text("#tokens-out")); n >= picked {
		t.Fatalf("tokens went from %d to %d after unticking, want fewer", picked, n)
	}

	u.do("exclude html_url", chromedp.Click(chromedp.CSS(`#field-picker [data-pick-exclude="html_url"]`)))
	if got := eval[string](u, `document.querySelector('[name="response.exclude"]').value`); !strings.Contains(got, "html_url") {
		t.Fatalf("exclude everywhere left the exclude field %q", got)
	}

	clearSelect := `document.querySelector('[name="response.select"]').value = ""`
	eval[string](u, clearSelect)
	u.do("hand-write a select", chromedp.SendKeys(chromedp.CSS(`[name="response.select"]`), "[.[] | select(.id > 1) | .name]"))
	u.waitFor("the disabled picker", `document.querySelector("#field-picker [data-pick-path]").disabled && document.querySelector("#picker-note").textContent === "`+handWritten+`"`)

	eval[string](u, clearSelect)
	u.do("hand-write a projection", chromedp.SendKeys(chromedp.CSS(`[name="response.select"]`), "[.[] | {name}]"))
	u.waitFor("the re-ticked picker", `!document.querySelector(`+"`"+box(`["[]","name"]`)+"`"+`).disabled && document.querySelector(`+"`"+box(`["[]","name"]`)+"`"+`).checked && !document.querySelector(`+"`"+box(`["[]","id"]`)+"`"+`).checked`)
	u.shotOf("field-picker", "#test")
}
