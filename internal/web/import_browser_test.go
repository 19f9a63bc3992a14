package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestImportInBrowser pastes an OpenAPI document, searches its operations
// (the count and the empty state follow as it is typed), ticks one tag's
// operations with the tag buttons, previews them, creates them and finds
// them on the actions page.
func TestImportInBrowser(t *testing.T) {
	e := newEnv(t)
	u := newUI(t, e.srv.URL)
	u.open("/import")
	u.waitFor("the sign-in page", `location.pathname === "/sign-in"`)
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
	u.open("/import")
	u.do("paste the document", chromedp.SetValue(chromedp.ID("f-source"), shopDoc))
	u.shot("import-source")
	u.submit("read the operations", `#import-source button[type=submit]`)
	u.waitFor("the operations", `location.pathname.startsWith("/import/") && !!document.querySelector("#import-ops")`)

	count := func() string { return strings.TrimSpace(u.text("#ops-count")) }
	if got := count(); got != "6 of 6 operations" {
		t.Fatalf("the count reads %q", got)
	}
	u.do("search", chromedp.SendKeys(chromedp.ID("op-q"), "custom"))
	u.waitFor("one match", `document.querySelector("#ops-count").textContent === "1 of 6 operations"`)
	if hidden := eval[bool](u, `document.querySelector("#ops-empty").hidden`); !hidden {
		t.Error("the empty state shows beside a match")
	}
	u.do("search for nothing", chromedp.SendKeys(chromedp.ID("op-q"), "zzz"))
	u.waitFor("no match", `document.querySelector("#ops-count").textContent === "0 of 6 operations" && !document.querySelector("#ops-empty").hidden`)
	eval[string](u, `(() => { const q = document.getElementById("op-q"); q.value = ""; q.dispatchEvent(new Event("input")); return ""; })()`)
	u.waitFor("every row", `document.querySelector("#ops-count").textContent === "6 of 6 operations"`)

	u.do("tick only the orders tag",
		chromedp.Click(chromedp.CSS(`[data-tag-select=""][data-on="0"]`)),
		chromedp.Click(chromedp.CSS(`[data-tag-select="orders"][data-on="1"]`)),
	)
	checked := `Array.from(document.querySelectorAll('#import-ops input[name="op"]:checked')).map(b => b.value).join(",")`
	if got := eval[string](u, checked); got != "GET /orders,POST /orders,GET /orders/{id},HEAD /orders/{id}" {
		t.Fatalf("after the tag buttons, ticked: %s", got)
	}
	u.do("untick HEAD", chromedp.Click(chromedp.CSS(`#import-ops input[value="HEAD /orders/{id}"]`)))
	u.shot("import-operations")

	u.submit("preview", `#import-ops-form button[value="preview"]`)
	u.waitFor("the preview", `!!document.querySelector("#preview-actions")`)
	if got := eval[string](u, `Array.from(document.querySelectorAll("#preview-actions tbody td.mono.strong")).map(td => td.textContent).join(",")`); got != "list_orders,create_order,get_order" {
		t.Fatalf("the preview lists %s", got)
	}
	if got := eval[string](u, checked); got != "GET /orders,POST /orders,GET /orders/{id}" {
		t.Errorf("after the preview, ticked: %s", got)
	}
	if !strings.Contains(u.text(".import-credentials"), "not set") {
		t.Error("the preview does not say the credential's secret is not set")
	}
	u.shot("import-preview")

	u.submit("create", `#import-ops-form button[value="create"]`)
	u.waitFor("the created actions", `!!document.querySelector("#applied")`)
	u.shot("import-created")
	u.submit("see the actions", `a[href="/actions"].btn-primary`)
	rows := u.text("#actions-table tbody")
	for _, name := range []string{"list_orders", "create_order", "get_order"} {
		if !strings.Contains(rows, name) {
			t.Errorf("the actions page lacks %s:\n%s", name, rows)
		}
	}
	if strings.Contains(rows, "list_customers") {
		t.Error("an unticked operation became an action")
	}

	// Narrow screens: the source form and the operations do not scroll
	// sideways (the table scrolls in its own box).
	u.do("narrow viewport", chromedp.EmulateViewport(400, 860))
	u.open("/import")
	u.do("paste again", chromedp.SetValue(chromedp.ID("f-source"), shopDoc))
	if wide := eval[bool](u, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Error("the import page scrolls sideways at 400px")
	}
	u.submit("read the operations", `#import-source button[type=submit]`)
	u.waitFor("the operations", `!!document.querySelector("#import-ops")`)
	if wide := eval[bool](u, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Error("the operations page scrolls sideways at 400px")
	}
	u.shot("import-narrow")
}
