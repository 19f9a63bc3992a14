package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDemoInBrowser is a new user's first minute: the empty console
// offers the demo, one click stores it, the first action answers from the
// built-in shop with the filtered rows and the token counts, and the
// demo agent has the action switched on.
func TestDemoInBrowser(t *testing.T) {
	e := newEnv(t)
	u := newUI(t, e.srv.URL)
	u.open("/actions")
	u.waitFor("the sign-in page", `location.pathname === "/sign-in"`)
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
	u.waitFor("the empty actions list", `!!document.querySelector(".empty form[action='/demo'] button")`)
	u.shot("demo-offer")

	u.submit("load the demo", `.empty form[action="/demo"] button[type=submit]`)
	u.waitFor("the demo page", `location.pathname === "/demo"`)
	if got := u.text(".demo-loaded"); !strings.Contains(got, "The demo is stored.") {
		t.Fatalf("after loading the page says %q", got)
	}
	if n := eval[int](u, `document.querySelectorAll("#demo-parts .badge").length`); n != 7 {
		t.Fatalf("%d parts of the demo are marked stored, want 7", n)
	}
	u.shot("demo")

	u.submit("open the first action", `.demo-steps a[href="/actions/demo_search_orders"]`)
	u.waitFor("the action page", `location.pathname === "/actions/demo_search_orders"`)
	u.do("send", chromedp.WaitVisible(chromedp.ID("test-form")), chromedp.Click(chromedp.CSS(`#test-form button[value="send"]`)))
	u.waitFor("the filtered output", `!!document.querySelector("#filtered-output") && document.querySelector("#filtered-output").textContent.includes('"fields"')`)
	out := u.text("#filtered-output")
	if !strings.Contains(out, `"customer"`) || strings.Contains(out, "fraud_score") || strings.Contains(out, "demo-shop-key") {
		t.Fatalf("the model reads %s", out)
	}
	raw, filtered := tokens(t, u.text("#tokens-raw")), tokens(t, u.text("#tokens-out"))
	if raw < 10_000 || filtered > 600 {
		t.Fatalf("the filter took %d tokens to %d", raw, filtered)
	}
	t.Logf("demo_search_orders: %d tokens raw, %d to the model", raw, filtered)
	u.shotOf("demo-test", "#test")

	u.open("/agents/demo-support")
	if got := eval[string](u, `document.querySelector('#action-demo_search_orders button[role=switch]').getAttribute("aria-checked")`); got != "true" {
		t.Fatalf("demo_search_orders is switched %q for demo-support", got)
	}

	// The agent's Connect page: every code block has its copy button.
	u.submit("open Connect", `a[href="/agents/demo-support/connect"]`)
	u.waitFor("the Connect page", `location.pathname === "/agents/demo-support/connect"`)
	blocks := eval[int](u, `document.querySelectorAll(".connect-block pre").length`)
	buttons := eval[int](u, `[...document.querySelectorAll(".connect-block pre")].filter(p => { const b = p.parentElement.querySelector("button[data-copy]"); return b && !b.hidden && b.getAttribute("data-copy") === "#" + p.id }).length`)
	if blocks < 8 || buttons != blocks {
		t.Fatalf("%d of %d code blocks have a copy button", buttons, blocks)
	}
	u.shot("connect")
}
