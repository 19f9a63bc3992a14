package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/runtime"
	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// themePage is one console page the theme test opens: name names its
// screenshots, path is where it is.
type themePage struct {
	name, path string
}

// themeWidths are the viewport widths every page is checked at.
var themeWidths = []struct {
	name          string
	width, height int64
}{{"wide", 1280, 900}, {"390", 390, 844}}

// themeSchemes are the colour schemes every page is checked in.
var themeSchemes = []string{"light", "dark"}

// themeConsole is a console with something on every page: actions (one
// behind a credential with a stored secret), an agent with a model
// provider, runs (one stopped at confirmation), a contact and a
// conversation, workflows and a finished workflow run, an import read,
// and a chat started. It returns the env and the pages to open (the
// import's operations page is added by the caller, since an import
// belongs to the browser's session).
func themeConsole(t *testing.T) (*env, []themePage) {
	t.Helper()
	e := newEnvWith(t, func(g *gateway.Gateway) Options { return Options{Runtime: runtime.New(g, runtime.Options{})} })
	s := newShop(t)
	e.putShopWorkflows(s)
	e.startEngine()
	upstream := httptest.NewServer(httpbin.New())
	t.Cleanup(upstream.Close)
	ctx := context.Background()
	if _, err := e.g.SetSecret(ctx, "shop_token", []byte("s3cr3t-shop-value")); err != nil {
		t.Fatal(err)
	}
	e.putYAML(`kind: Credential
name: shop
type: bearer
hosts: [127.0.0.1]
token: {secret: shop_token}
---
kind: Action
name: lookup_order
title: Look up an order
description: Use when the customer asks where their order is.
method: GET
url: ` + upstream.URL + `/anything/orders/{{order_id}}
query: {lang: "{{contact.lang}}"}
auth: shop
params:
  order_id: {type: string, required: true, description: The order number}
---
kind: Action
name: cancel_order
description: Cancel an order.
method: POST
url: ` + upstream.URL + `/anything/orders/{{order_id}}/cancel
body: {type: json, content: {reason: "{{reason}}", by: "{{contact.email}}"}}
params:
  order_id: {type: string, required: true}
  reason: {type: string}
---
kind: Provider
name: scripted
type: openai
base_url: http://127.0.0.1:9/v1
---
kind: Agent
name: support
description: Customer support
instructions: Help {{contact.name}} with orders.
actions: [lookup_order, cancel_order]
model: {provider: scripted, name: scripted-1}
`)
	read, err := e.g.CallTool(ctx, runlog.CallerTools, "support", "lookup_order", map[string]any{"order_id": "SO-1042"}, gateway.CallContext{Contact: map[string]any{"lang": "en"}})
	if err != nil || read.Status != gateway.StatusOK || read.RunID == "" {
		t.Fatalf("lookup_order: %+v, %v", read, err)
	}
	write, err := e.g.CallTool(ctx, runlog.CallerTools, "support", "cancel_order", map[string]any{"order_id": "SO-1042", "reason": "late"}, gateway.CallContext{Contact: map[string]any{"email": "ana@example.com"}})
	if err != nil || write.Status != gateway.StatusConfirmationRequired || write.RunID == "" {
		t.Fatalf("cancel_order: %+v, %v", write, err)
	}
	ct, err := e.g.CreateContact(ctx, adminPrincipal(t, e), &gateway.Contact{Name: "Ana Lopez", Email: "ana@example.com", ExternalID: "crm-7"})
	if err != nil {
		t.Fatal(err)
	}
	args := json.RawMessage(`{"order_id":"SO-1042"}`)
	conv := storeConversation(t, e, "support", ct.ID, gateway.ConversationActive, []gateway.Message{
		{Turn: 1, Role: gateway.RoleUser, Content: "Where is my order?"},
		{Turn: 1, Role: gateway.RoleAssistant, ToolCalls: []gateway.MessageToolCall{{ID: "call_1", Name: "lookup_order", Arguments: args}}, Usage: &gateway.Usage{InputTokens: 310, OutputTokens: 21}},
		{Turn: 1, Role: gateway.RoleTool, ToolCallID: "call_1", Name: "lookup_order", Arguments: args, Status: "ok", RunID: read.RunID, RawTokens: 1234, OutputTokens: 56, Content: `{"status":"shipped"}`},
		{Turn: 1, Role: gateway.RoleAssistant, Content: "It shipped yesterday.", Usage: &gateway.Usage{InputTokens: 400, OutputTokens: 9}},
	})

	b := e.browser()
	b.signIn(e.admin)
	b.get("/workflows/order_check")
	started := b.post("/workflows/order_check/runs", url.Values{"input": {`{"order_id": "SO-1042", "channel": "sms"}`}})
	if started.status != http.StatusSeeOther {
		t.Fatalf("starting a workflow run: %d\n%s", started.status, started.body)
	}
	if run := e.waitRun(strings.TrimPrefix(started.location, "/workflow-runs/")); run.Status != gateway.RunCompleted {
		t.Fatalf("the workflow run is %s: %s", run.Status, run.Error)
	}
	b.get("/agents/support/chat")
	chat := b.post("/agents/support/chat", url.Values{"contact_id": {ct.ID}})
	if chat.status != http.StatusSeeOther || !strings.HasPrefix(chat.location, "/agents/support/chat/") {
		t.Fatalf("starting a chat: %d %q\n%s", chat.status, chat.location, chat.body)
	}
	for _, id := range []string{read.RunID, write.RunID} {
		deadline := time.Now().Add(10 * time.Second)
		for b.get("/runs/"+id).status != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatalf("the run %s never shows", id)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return e, []themePage{
		{"actions", "/actions"},
		{"actions-search", "/actions?q=order"},
		{"action-new", "/actions/new"},
		{"action", "/actions/lookup_order"},
		{"import", "/import"},
		{"agents", "/agents"},
		{"agent", "/agents/support"},
		{"agent-mcp", "/agents/support?format=mcp"},
		{"agent-settings", "/agents/support?tab=settings"},
		{"chat", "/agents/support/chat"},
		{"chat-conversation", chat.location},
		{"workflows", "/workflows"},
		{"workflow", "/workflows/order_check"},
		{"workflow-run", started.location},
		{"providers", "/providers"},
		{"provider-new", "/providers/new"},
		{"provider", "/providers/scripted"},
		{"contacts", "/contacts"},
		{"contact-new", "/contacts/new"},
		{"contact", "/contacts/" + ct.ID},
		{"conversations", "/conversations"},
		{"conversation", "/conversations/" + conv.ID},
		{"credentials", "/credentials"},
		{"credential-new", "/credentials/new"},
		{"credential", "/credentials/shop"},
		{"secrets", "/secrets"},
		{"runs", "/runs"},
		{"run", "/runs/" + read.RunID},
		{"run-confirmation", "/runs/" + write.RunID},
		{"confirmations", "/confirmations"},
		{"confirmation", "/confirmations/" + write.ConfirmationID},
		{"connect", "/agents/support/connect"},
		{"demo", "/demo"},
	}
}

// TestEveryPageInBothThemes opens every console page in the light and the
// dark colour scheme, 1280 and 390 pixels wide: the dark scheme is dark,
// nothing scrolls sideways at 390, the navigation is a working Menu there
// and a row of links on wide screens, and every visible text has the
// WCAG AA contrast against what is behind it. ACTIONGATE_SCREENSHOTS=1
// writes each as docs/screenshots/<page>-<light|dark>-<wide|390>.png.
func TestEveryPageInBothThemes(t *testing.T) {
	e, pages := themeConsole(t)
	u := newUI(t, e.srv.URL)

	// Signed out: the sign-in page.
	themeCheckAll(t, u, []themePage{{"sign-in", "/sign-in"}}, false)

	u.open("/sign-in")
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
	u.open("/import")
	u.do("paste a source", chromedp.SetValue(chromedp.ID("f-source"), shopDoc))
	u.submit("read the operations", `#import-source button[type=submit]`)
	u.waitFor("the operations", `!!document.querySelector("#import-ops")`)
	pages = append(pages, themePage{"import-operations", eval[string](u, `location.pathname`)})

	themeCheckAll(t, u, pages, true)
}

// themeCheckAll checks pages in every scheme at every width; nav says
// whether they carry the main navigation.
func themeCheckAll(t *testing.T, u *ui, pages []themePage, nav bool) {
	t.Helper()
	for _, scheme := range themeSchemes {
		themeScheme(u, scheme)
		for _, w := range themeWidths {
			u.do("viewport", chromedp.EmulateViewport(w.width, w.height))
			for _, p := range pages {
				themeCheckPage(t, u, p, scheme, w.name, nav)
			}
		}
	}
	themeScheme(u, "")
	u.do("viewport", chromedp.EmulateViewport(1280, 900))
}

// themeScheme emulates prefers-color-scheme (the browser's own for "").
func themeScheme(u *ui, scheme string) {
	u.t.Helper()
	var features []*emulation.MediaFeature
	if scheme != "" {
		features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features}); err != nil {
		u.t.Fatalf("emulating prefers-color-scheme %q: %v", scheme, err)
	}
}

// themeLowContrast is a text whose contrast is below AA.
type themeLowContrast struct {
	Element string
	Text    string
	Ratio   float64
	Need    float64
	FG, BG  string
}

// themeCheckPage opens one page in the current scheme and width and checks it.
func themeCheckPage(t *testing.T, u *ui, p themePage, scheme, width string, nav bool) {
	t.Helper()
	where := fmt.Sprintf("%s (%s, %s, %s)", p.name, p.path, scheme, width)
	u.open(p.path)
	if h := eval[string](u, `(document.querySelector("h1") || {}).textContent || ""`); h == "" {
		t.Errorf("%s: the page has no heading", where)
	}
	bg := eval[float64](u, themeLuminance+`themeLuminance(getComputedStyle(document.body).backgroundColor)`)
	if scheme == "dark" && bg > 0.05 {
		t.Errorf("%s: the page background has luminance %.3f, not dark", where, bg)
	}
	if scheme == "light" && bg < 0.8 {
		t.Errorf("%s: the page background has luminance %.3f, not light", where, bg)
	}
	if width == "wide" {
		// A list table shows every column without scrolling in its box.
		if over := eval[int](u, `Math.max(0, ...[...document.querySelectorAll("table.list")].map(t => t.scrollWidth - t.parentElement.clientWidth))`); over > 0 {
			t.Errorf("%s: a table is %dpx wider than its box shows", where, over)
		}
	}
	if width == "390" {
		if sw, iw := eval[int](u, `document.documentElement.scrollWidth`), eval[int](u, `window.innerWidth`); sw > iw {
			t.Errorf("%s: the page is %dpx wide in a %dpx window, it scrolls sideways", where, sw, iw)
		}
	}
	if nav {
		themeCheckNav(t, u, where, width == "390")
	}
	lows := eval[[]themeLowContrast](u, themeContrast)
	for _, l := range lows {
		t.Errorf("%s: %s %q has contrast %.2f:1, below %.1f:1 (text %s on %s)", where, l.Element, l.Text, l.Ratio, l.Need, l.FG, l.BG)
	}
	u.shot(p.name + "-" + scheme + "-" + width)
}

// themeCheckNav checks the main navigation: on a narrow screen hidden
// behind a Menu toggle that opens and closes it without script help, on
// a wide one every link in view on one row.
func themeCheckNav(t *testing.T, u *ui, where string, narrow bool) {
	t.Helper()
	const linksInView = `(() => { const as = [...document.querySelectorAll("header nav a")]; return as.length > 8 && as.every(a => { const r = a.getBoundingClientRect(); return a.checkVisibility() && r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; }); })()`
	const toggleShown = `(() => { const l = document.querySelector("label[for=nav-toggle]"); return !!l && l.checkVisibility(); })()`
	const linksHidden = `[...document.querySelectorAll("header nav a")].every(a => !a.checkVisibility())`
	if !narrow {
		if !eval[bool](u, linksInView) {
			t.Errorf("%s: not every navigation link is in view", where)
		}
		if eval[bool](u, toggleShown) {
			t.Errorf("%s: the Menu toggle shows on a wide screen", where)
		}
		if h := eval[int](u, `Math.round(document.querySelector("header").getBoundingClientRect().height)`); h > 64 {
			t.Errorf("%s: the header wraps, %dpx tall", where, h)
		}
		return
	}
	if !eval[bool](u, toggleShown) || !eval[bool](u, linksHidden) {
		t.Errorf("%s: the navigation is not folded behind a Menu toggle", where)
		return
	}
	u.do("open the menu", chromedp.Click(chromedp.CSS("label[for=nav-toggle]")))
	if !eval[bool](u, linksInView) {
		t.Errorf("%s: the opened menu does not show every link in view", where)
	}
	u.do("close the menu", chromedp.Click(chromedp.CSS("label[for=nav-toggle]")))
	if !eval[bool](u, linksHidden) {
		t.Errorf("%s: the menu does not close", where)
	}
}

// themeLuminance defines themeLuminance(css colour): the WCAG relative
// luminance of an opaque rgb() colour.
const themeLuminance = `
function themeLuminance(c) {
  const p = c.match(/[\d.]+/g).map(Number);
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(p[0]) + 0.7152 * f(p[1]) + 0.0722 * f(p[2]);
}
`

// themeContrast lists every visible text (and filled form field) whose
// colour, blended over its effective background (the backgrounds of its
// ancestors composited until an opaque one), is below WCAG AA: 4.5:1, or
// 3:1 for large text; and every form field whose boundary (its border or
// its own background) is below 3:1 against what surrounds it. Disabled
// controls are exempt, as WCAG allows.
const themeContrast = themeLuminance + `
(() => {
  const parse = c => {
    let m = c.match(/^rgba?\(([^)]*)\)$/);
    if (m) {
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
      return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
    }
    m = c.match(/^color\(srgb ([^)]*)\)$/);
    if (m) {
      const p = m[1].split(/[\s\/]+/).filter(Boolean).map(Number);
      return {r: p[0] * 255, g: p[1] * 255, b: p[2] * 255, a: p.length > 3 ? p[3] : 1};
    }
    return null;
  };
  const over = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const css = c => "rgb(" + Math.round(c.r) + ", " + Math.round(c.g) + ", " + Math.round(c.b) + ")";
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  const canvas = dark ? {r: 18, g: 18, b: 18, a: 1} : {r: 255, g: 255, b: 255, a: 1};
  const background = el => {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) { break; } }
    }
    let bg = canvas;
    for (let i = layers.length - 1; i >= 0; i--) { bg = over(layers[i], bg); }
    return bg;
  };
  const opacity = el => { let o = 1; for (let n = el; n && n.nodeType === 1; n = n.parentElement) { o *= Number(getComputedStyle(n).opacity); } return o; };
  const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + [...el.classList].map(c => "." + c).join("");
  const fields = "input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=file]):not([type=range]):not([type=color]), textarea, select";
  const out = [];
  const ratioOf = (a, b) => { const l1 = themeLuminance(css(a)), l2 = themeLuminance(css(b)); return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05); };
  for (const el of document.body.querySelectorAll(fields)) {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true}) || el.matches(":disabled")) { continue; }
    const st = getComputedStyle(el), border = parse(st.borderTopColor), own = parse(st.backgroundColor);
    if (!border || !own || parseFloat(st.borderTopWidth) === 0) { continue; }
    const outside = background(el.parentElement);
    const ratio = Math.max(ratioOf(over(border, outside), outside), ratioOf(over(own, outside), outside));
    if (ratio < 3) { out.push({Element: describe(el) + " (its boundary)", Text: el.name || el.id, Ratio: Math.round(ratio * 100) / 100, Need: 3, FG: css(over(border, outside)), BG: css(outside)}); }
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "OPTION", "OPTGROUP"].includes(el.tagName)) { continue; }
    const field = el.matches(fields);
    const text = field ? (el.value || "") : [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join("").trim();
    if (!text.trim()) { continue; }
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true})) { continue; }
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) { continue; }
    if (el.closest("[disabled], [aria-disabled=true], [inert]") || el.matches(":disabled")) { continue; }
    const st = getComputedStyle(el);
    const fgRaw = parse(st.color);
    if (!fgRaw) { out.push({Element: describe(el), Text: text.slice(0, 40), Ratio: 0, Need: 4.5, FG: st.color, BG: "?"}); continue; }
    const bg = background(el);
    const fg = over({r: fgRaw.r, g: fgRaw.g, b: fgRaw.b, a: fgRaw.a * opacity(el)}, bg);
    const l1 = themeLuminance(css(fg)), l2 = themeLuminance(css(bg));
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(st.fontSize), weight = Number(st.fontWeight) || 400;
    const need = (size >= 24 || (size >= 18.66 && weight >= 700)) ? 3 : 4.5;
    if (ratio < need) { out.push({Element: describe(el), Text: text.slice(0, 40), Ratio: Math.round(ratio * 100) / 100, Need: need, FG: css(fg), BG: css(bg)}); }
  }
  return out;
})()
`

// themeSignIn signs the browser in with the env's admin token.
func themeSignIn(u *ui, e *env) {
	u.t.Helper()
	u.open("/sign-in")
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)
}

// themePath is the path of the page named name.
func themePath(t *testing.T, pages []themePage, name string) string {
	t.Helper()
	for _, p := range pages {
		if p.name == name {
			return p.path
		}
	}
	t.Fatalf("no page named %s", name)
	return ""
}

// TestCopyButtonsOnCodeBlocks finds a Copy button beside every code
// block (tool definitions, client configuration, requests, responses,
// run records) and uses one from the keyboard: the clipboard then holds
// the block's text and a status line says "Copied". The older buttons
// that copy a field (the MCP URL) still work.
func TestCopyButtonsOnCodeBlocks(t *testing.T) {
	e, pages := themeConsole(t)
	u := newUI(t, e.srv.URL)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted, Origin: e.srv.URL})
		cancel()
		if err != nil {
			t.Fatalf("granting %s: %v", name, err)
		}
	}
	themeSignIn(u, e)
	for _, name := range []string{"agent", "run", "run-confirmation", "workflow-run", "conversation"} {
		u.open(themePath(t, pages, name))
		eval[bool](u, `(() => { document.querySelectorAll("details").forEach(d => { d.open = true; }); return true; })()`)
		blocks := eval[int](u, `document.querySelectorAll("pre.code").length`)
		buttons := eval[int](u, `[...document.querySelectorAll("pre.code")].filter(p => { const b = p.parentElement.querySelector(":scope > button.code-copy"); return b && b.checkVisibility() && b.tabIndex === 0; }).length`)
		covered := eval[int](u, `[...document.querySelectorAll("pre.code")].filter(p => p.id && document.querySelector('[data-copy="#' + p.id + '"]')).length`)
		if blocks == 0 || buttons+covered != blocks {
			t.Errorf("%s: %d code blocks, %d with a Copy button, %d copied by a button of their own", name, blocks, buttons, covered)
		}
	}

	u.open(themePath(t, pages, "agent"))
	want := eval[string](u, `document.getElementById("tool-definitions").textContent`)
	u.do("copy the tool definitions from the keyboard",
		chromedp.Focus(chromedp.CSS(`#tool-definitions + button.code-copy`)),
		chromedp.KeyEvent("\r"))
	u.waitFor("the announcement", `[...document.querySelectorAll("[role=status]")].some(s => s.textContent === "Copied")`)
	if got := u.text(`#tool-definitions + button.code-copy`); got != "Copied" {
		t.Errorf("the button says %q after copying", got)
	}
	if got := themeClipboard(u); got != want || !strings.Contains(got, "lookup_order") {
		t.Errorf("the clipboard holds %q, want the tool definitions %q", got, want)
	}
	u.do("copy the MCP URL", chromedp.Click(chromedp.CSS(`[data-copy="#mcp-url"]`)))
	if got := themeClipboard(u); got != e.srv.URL+"/mcp/support" {
		t.Errorf("the clipboard holds %q, want the MCP URL", got)
	}
}

// themeClipboard reads the clipboard's text once it has been written.
func themeClipboard(u *ui) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	var got string
	for ctx.Err() == nil {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
		if err != nil {
			u.t.Fatalf("reading the clipboard: %v", err)
		}
		if s != "" && s != got {
			return s
		}
		got = s
		time.Sleep(50 * time.Millisecond)
	}
	return got
}

// TestNarrowTablesAndMenuWithoutScript reads the console 1024 pixels wide,
// where the navigation is a Menu in a one-row header, and 390 wide:
// a table's rows are cards whose cells are labelled with their column's
// name; with script turned off (no labels) the table keeps its header row
// and scrolls in its own box, the page does not scroll sideways, and the
// Menu still opens the navigation, by pointer and by keyboard.
func TestNarrowTablesAndMenuWithoutScript(t *testing.T) {
	e, pages := themeConsole(t)
	u := newUI(t, e.srv.URL)
	themeSignIn(u, e)
	// Below the width the links fit on one line (a tablet), the header
	// stays one row high with a Menu instead of wrapping into three.
	u.do("tablet viewport", chromedp.EmulateViewport(1024, 768))
	u.open(themePath(t, pages, "runs"))
	if h := eval[int](u, `Math.round(document.querySelector("header").getBoundingClientRect().height)`); h > 64 {
		t.Errorf("at 1024px the header is %dpx tall", h)
	}
	themeCheckNav(t, u, "runs at 1024px", true)

	u.do("narrow viewport", chromedp.EmulateViewport(390, 844))
	for _, name := range []string{"runs", "actions", "contacts", "workflows", "secrets"} {
		u.open(themePath(t, pages, name))
		labels := eval[[]string](u, `(() => { const table = document.querySelector("main table.list"); const heads = [...table.querySelectorAll("thead th")].map(th => th.textContent.trim()); const row = table.querySelector("tbody tr"); return [...row.children].map((td, i) => { const label = getComputedStyle(td, "::before").content; return heads[i] + "=" + (label === "none" ? "" : JSON.parse(label)); }); })()`)
		for _, l := range labels {
			head, label, _ := strings.Cut(l, "=")
			if name == "secrets" && head == "Delete" {
				if label != "" {
					t.Errorf("%s: the delete button's cell is labelled %q", name, label)
				}
				continue
			}
			if label != head {
				t.Errorf("%s: the cell of column %q is labelled %q", name, head, label)
			}
		}
		if stacked := eval[bool](u, `[...document.querySelectorAll("main table.list tbody td")].every(td => (td.matches(":empty") ? getComputedStyle(td).display === "none" : getComputedStyle(td).display !== "table-cell"))`); !stacked {
			t.Errorf("%s: the table's cells do not stack at 390px", name)
		}
	}

	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("turning script off: %v", err)
	}
	u.open(themePath(t, pages, "runs"))
	if js := eval[bool](u, `document.documentElement.classList.contains("js")`); js {
		t.Fatal("the console's script still ran")
	}
	if sw, iw := eval[int](u, `document.documentElement.scrollWidth`), eval[int](u, `window.innerWidth`); sw > iw {
		t.Errorf("without script the runs page is %dpx wide in a %dpx window", sw, iw)
	}
	if header := eval[bool](u, `document.querySelector("main table.list thead th").checkVisibility() && getComputedStyle(document.querySelector("main .table-wrap")).overflowX === "auto"`); !header {
		t.Error("without script the runs table lacks its header row or its own scrolling box")
	}
	themeCheckNav(t, u, "runs without script", true)

	// The Menu opens from the keyboard too: Tab reaches its checkbox and
	// Space ticks it.
	u.do("open the menu with the keyboard", chromedp.Focus(chromedp.ID("nav-toggle")), chromedp.KeyEvent(" "))
	if open := eval[bool](u, `[...document.querySelectorAll("header nav a")].every(a => a.checkVisibility())`); !open {
		t.Error("Space on the focused Menu toggle does not open the navigation")
	}
	if ring := eval[string](u, `getComputedStyle(document.querySelector("label[for=nav-toggle]")).outlineStyle`); ring == "none" {
		t.Error("the focused Menu toggle shows no focus ring")
	}
	u.shot("nav-open-390")
}

// TestTestResultInBothThemes sends an action from its test panel and reads
// the result in the light and the dark scheme: the request, the responses
// and the field picker have AA contrast, and the picker's rows are one
// line each, with checkboxes of a checkbox's size.
func TestTestResultInBothThemes(t *testing.T) {
	upstream := httptest.NewServer(httpbin.New())
	t.Cleanup(upstream.Close)
	e := newEnv(t)
	e.putYAML("kind: Action\nname: echo\ndescription: Echo a request.\nmethod: GET\nurl: " + upstream.URL + "/anything\n")
	u := newUI(t, e.srv.URL)
	themeSignIn(u, e)
	for _, scheme := range themeSchemes {
		themeScheme(u, scheme)
		u.open("/actions/echo")
		u.do("send", chromedp.WaitVisible(chromedp.ID("test-form")), chromedp.Click(chromedp.CSS(`#test-form button[value="send"]`)))
		u.waitFor("the field picker", `!!document.querySelector("#field-picker [data-pick-path]")`)
		if wide := eval[int](u, `Math.max(...[...document.querySelectorAll("#field-picker input[type=checkbox]")].map(b => Math.round(b.getBoundingClientRect().width)))`); wide > 24 {
			t.Errorf("%s: a picker checkbox is %dpx wide", scheme, wide)
		}
		if tall := eval[int](u, `Math.max(...[...document.querySelectorAll("#field-picker .pick")].map(l => Math.round(l.getBoundingClientRect().height)))`); tall > 32 {
			t.Errorf("%s: a picker row's label is %dpx tall, more than one line", scheme, tall)
		}
		for _, l := range eval[[]themeLowContrast](u, themeContrast) {
			t.Errorf("the test result (%s): %s %q has contrast %.2f:1, below %.1f:1 (text %s on %s)", scheme, l.Element, l.Text, l.Ratio, l.Need, l.FG, l.BG)
		}
		u.shot("test-result-" + scheme + "-wide")
	}
}

// TestRunFactsWrapLongIDs opens a run page 480 pixels wide, where its
// facts stand in two columns: a long confirmation id wraps inside its
// column instead of pushing the page sideways.
func TestRunFactsWrapLongIDs(t *testing.T) {
	e := newEnv(t)
	e.storeRuns(&runlog.Run{Action: "cancel_order", Agent: "support", Caller: runlog.CallerTools,
		Outcome: runlog.OutcomeConfirmationRequired, StartedAt: time.Now().UTC(), Output: "{}",
		ConfirmationID: "cf_" + strings.Repeat("q7", 20), CallID: "call_" + strings.Repeat("x9", 20)})
	u := newUI(t, e.srv.URL)
	themeSignIn(u, e)
	u.do("viewport", chromedp.EmulateViewport(480, 860))
	u.open("/runs")
	u.submit("open the run", `#runs-table tbody tr a`)
	u.waitFor("the run page", `location.pathname.startsWith("/runs/")`)
	if sw, iw := eval[int](u, `document.documentElement.scrollWidth`), eval[int](u, `window.innerWidth`); sw > iw {
		t.Errorf("the run page is %dpx wide in a %dpx window", sw, iw)
	}
}
