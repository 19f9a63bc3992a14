package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/actiongate/actiongate/internal/action"
)

// paramorderNames is the order the params are typed in: not sorted, not
// reverse sorted, so a sort anywhere shows.
var paramorderNames = []string{"zeta", "alpha", "mid"}

// paramorderInOrder reports whether text holds each of the quoted names,
// after the first occurrence of from, in paramorderNames' order.
func paramorderInOrder(text, from string) bool {
	_, rest, ok := strings.Cut(text, from)
	if !ok {
		return false
	}
	last := -1
	for _, n := range paramorderNames {
		i := strings.Index(rest, `"`+n+`"`)
		if i <= last {
			return false
		}
		last = i
	}
	return true
}

// TestParamOrderInBrowser creates an action in the console with params
// typed as zeta, alpha, mid. A failed save re-renders them in that order;
// once saved, the editor after a reload, the test panel, the YAML export
// (what `actiongate export` writes) and the agent page's tool definitions
// (OpenAI and MCP) all list them in that order.
func TestParamOrderInBrowser(t *testing.T) {
	e := newEnv(t)
	u := newUI(t, e.srv.URL)
	u.open("/actions/new")
	u.waitFor("the sign-in page", `location.pathname === "/sign-in"`)
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
	u.open("/actions/new")

	u.do("fill the action",
		chromedp.SetValue(chromedp.ID("f-name"), "find item"), // invalid: the first save fails
		chromedp.SetValue(chromedp.ID("f-method"), "GET"),
		chromedp.SendKeys(chromedp.ID("f-url"), "https://api.example.com/find/{{zeta}}/{{alpha}}/{{mid}}"),
	)
	for i, n := range paramorderNames {
		p := `[name="params.50` + string(rune('0'+i)) + `.`
		u.do("add the param "+n,
			chromedp.Click(chromedp.CSS(`[data-add-row="params"]`)),
			chromedp.SetValue(chromedp.CSS(p+`name"]`), n),
			chromedp.SetValue(chromedp.CSS(p+`description"]`), "The "+n+" part."),
			chromedp.Click(chromedp.CSS(p+`required"]`)),
		)
	}
	rows := `[...document.querySelectorAll('[data-rows="params"] input[name$=".name"]')].map(i => i.value).join(",")`
	want := strings.Join(paramorderNames, ",")

	u.submit("save with a bad name", `#action-form .sticky-actions .btn-primary`)
	if !strings.Contains(eval[string](u, `document.body.textContent`), "must be 1 to 64") {
		t.Fatalf("the first save did not fail on the name:\n%s", u.text("main"))
	}
	if got := eval[string](u, rows); got != want {
		t.Fatalf("after a failed save the editor shows the params %s, want %s", got, want)
	}

	u.do("fix the name", chromedp.SetValue(chromedp.ID("f-name"), "find_item"))
	u.submit("save", `#action-form .sticky-actions .btn-primary`)
	u.waitFor("the saved action", `location.pathname === "/actions/find_item"`)
	u.open("/actions/find_item")
	u.do("the editor", chromedp.WaitVisible(chromedp.ID("test-form")))
	if got := eval[string](u, rows); got != want {
		t.Errorf("after a reload the editor shows the params %s, want %s", got, want)
	}
	fields := `[...document.querySelectorAll('#test-form [name^="arg."]')].map(i => i.name.slice(4)).join(",")`
	if got := eval[string](u, fields); got != want {
		t.Errorf("the test panel asks for %s, want %s", got, want)
	}

	rs, err := e.g.Resources(context.Background(), action.KindAction)
	if err != nil {
		t.Fatal(err)
	}
	export, err := action.EncodeYAML(rs)
	if err != nil {
		t.Fatal(err)
	}
	yamlOrder := strings.NewReplacer("\n  zeta:", "\n  \"zeta\"", "\n  alpha:", "\n  \"alpha\"", "\n  mid:", "\n  \"mid\"").Replace(string(export))
	if !paramorderInOrder(yamlOrder, "\nparams:") {
		t.Errorf("the YAML export does not list the params %s in order:\n%s", want, export)
	}

	u.open("/agents")
	u.do("fill the agent", chromedp.SetValue(chromedp.ID("f-name"), "support"))
	u.submit("create the agent", `form[action="/agents"] button[type=submit]`)
	u.waitFor("the agent page", `location.pathname === "/agents/support"`)
	u.submit("activate the action", `#action-find_item button.switch`)
	tools := u.text("#tool-definitions")
	if !paramorderInOrder(tools, `"properties"`) || !paramorderInOrder(tools, `"required"`) {
		t.Errorf("the OpenAI tool definition does not list the params %s in order:\n%s", want, tools)
	}
	u.submit("the MCP tab", `a[href$="format=mcp#h-tools"]`)
	tools = u.text("#tool-definitions")
	if !strings.Contains(tools, `"inputSchema"`) || !paramorderInOrder(tools, `"properties"`) || !paramorderInOrder(tools, `"required"`) {
		t.Errorf("the MCP tool definition does not list the params %s in order:\n%s", want, tools)
	}
}
