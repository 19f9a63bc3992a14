package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	demoshop "github.com/actiongate/actiongate/internal/demo/shop"
)

func TestDemoLoadFromTheEmptyActionsList(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	p := b.get("/actions")
	if !strings.Contains(p.body, `action="/demo"`) || !strings.Contains(p.body, "Load the demo") {
		t.Fatalf("the empty actions list offers no demo:\n%s", p.body)
	}
	if p := b.post("/demo", url.Values{"csrf": {"wrong"}}); p.status != http.StatusForbidden {
		t.Fatalf("a load without the CSRF token: %d", p.status)
	}
	if _, err := e.stored(action.KindAgent, "demo-support"); err == nil {
		t.Fatal("a refused load stored the agent")
	}
	p = b.post("/demo", url.Values{})
	if p.status != http.StatusSeeOther || p.location != "/demo?loaded=1" {
		t.Fatalf("loading: %d %q", p.status, p.location)
	}
	p = b.get(p.location)
	if !strings.Contains(p.body, "The demo is stored.") || !strings.Contains(p.body, `href="/actions/demo_search_orders"`) || strings.Contains(p.body, `action="/demo"`) {
		t.Fatalf("the demo page after loading:\n%s", p.body)
	}
	if strings.Contains(p.body, demoshop.Key) {
		t.Fatal("the demo page shows the demo key")
	}
	if p := b.get("/actions"); strings.Contains(p.body, "Load the demo") || !strings.Contains(p.body, "demo_refund_order") {
		t.Fatal("the actions list after loading still offers the demo or lacks its actions")
	}
}

func TestDemoLoadKeepsAndRefusesWhatExists(t *testing.T) {
	e := newEnv(t)
	e.putYAML("kind: Action\nname: demo_get_order\nmethod: GET\nurl: https://api.example.com/x\n")
	b := e.browser()
	b.signIn(e.admin)
	p := b.post("/demo", url.Values{})
	if p.location != "/demo?kept=Action%2Fdemo_get_order&loaded=1" {
		t.Fatalf("loading beside an action of a demo name: %d %q", p.status, p.location)
	}
	p = b.get(p.location)
	if !strings.Contains(p.body, `you already had something of that name:
  <span class="mono">demo_get_order</span>.`) {
		t.Fatalf("the page does not say what it kept:\n%s", p.body)
	}
	if r, _ := e.stored(action.KindAction, "demo_get_order"); r == nil || r.Action.URL != "https://api.example.com/x" {
		t.Fatal("the person's own action was replaced")
	}
	if p := b.get("/demo?loaded=1&kept=" + url.QueryEscape("<b>x</b>,Action/nope")); strings.Contains(p.body, "<b>x</b>") || strings.Contains(p.body, "nope") {
		t.Fatal("the page shows names taken from its URL")
	}

	e2 := newEnv(t)
	e2.putYAML("kind: Credential\nname: demo_shop\ntype: bearer\nhosts: [api.example.com]\ntoken: {secret: MINE}\n")
	b2 := e2.browser()
	b2.signIn(e2.admin)
	p = b2.post("/demo", url.Values{})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "Nothing was stored.") || !strings.Contains(p.body, "may not be sent to demo.actiongate.invalid") {
		t.Fatalf("loading beside a conflicting credential: %d\n%s", p.status, p.body)
	}
	if _, err := e2.stored(action.KindAction, "demo_search_orders"); err == nil {
		t.Fatal("a refused load stored an action")
	}
}
