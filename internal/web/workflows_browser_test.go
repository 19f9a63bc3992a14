package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// box is an element's bounding box in CSS pixels.
type box struct {
	Left, Top, Right, Bottom float64
}

// TestWorkflowInBrowser opens a workflow as a person would: the two
// branches of its if are drawn side by side, the sample input is there to
// run, and submitting it lands on the run's page, which reloads itself
// until the run has finished and then shows every step.
func TestWorkflowInBrowser(t *testing.T) {
	e := newEnv(t)
	s := newShop(t)
	e.putShopWorkflows(s)
	e.startEngine()
	u := newUI(t, e.srv.URL)
	u.open("/sign-in")
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)

	u.open("/workflows")
	u.shot("workflows")
	u.submit("open the workflow", `#workflows-table a[href="/workflows/order_check"]`)
	u.waitFor("the workflow page", `location.pathname === "/workflows/order_check"`)
	branch := func(name string) box {
		return eval[box](u, `(() => { const r = document.querySelector('[data-step="shipped"] > .wf-branches > [data-branch="`+name+`"]').getBoundingClientRect(); return {Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom}; })()`)
	}
	then, els := branch("then"), branch("else")
	if then.Right > els.Left || then.Top != els.Top || then.Right-then.Left < 100 || els.Right-els.Left < 100 {
		t.Fatalf("the branches are not side by side: then %+v, else %+v", then, els)
	}
	cond := eval[box](u, `(() => { const r = document.getElementById("step-shipped").getBoundingClientRect(); return {Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom}; })()`)
	if cond.Bottom > then.Top || (cond.Left+cond.Right)/2 < then.Left || (cond.Left+cond.Right)/2 > els.Right {
		t.Errorf("the condition %+v is not above its branches %+v %+v", cond, then, els)
	}
	for _, c := range []string{"case-1", "default"} {
		if n := eval[int](u, `document.querySelectorAll('[data-step="route"] > .wf-branches > [data-branch="`+c+`"]').length`); n != 1 {
			t.Errorf("the switch draws %d columns for %s", n, c)
		}
	}
	if wide := eval[bool](u, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Error("the workflow page scrolls sideways")
	}
	u.shot("workflow")
	u.shotOf("workflow-diagram", "#diagram")

	sample := eval[string](u, `document.getElementById("f-input").value`)
	if !strings.Contains(sample, `"order_id": "example"`) {
		t.Fatalf("the sample input is %s", sample)
	}
	u.do("pick sms", chromedp.SetValue(chromedp.ID("f-input"), strings.Replace(sample, `"email"`, `"sms"`, 1)))
	u.submit("start the run", `#run-form button[type=submit]`)
	u.waitFor("the run page", `location.pathname.startsWith("/workflow-runs/")`)

	// The page reloads itself while the run goes on, so each check reads
	// a fresh document until the run has finished.
	deadline := time.Now().Add(20 * time.Second)
	var status string
	for {
		ctx, cancel := context.WithTimeout(u.ctx, 2*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("run-status") || {}).textContent || ""`))
		cancel()
		if err == nil {
			status = v
		}
		if status == "completed" || status == "failed" || status == "cancelled" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run page still shows %q", status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if status != "completed" {
		t.Fatalf("the run %s: %s", status, u.text("main"))
	}
	steps := eval[[]string](u, `Array.from(document.querySelectorAll("#timeline > li")).map(li => li.dataset.step + ":" + li.dataset.status)`)
	joined := strings.Join(steps, " ")
	for _, want := range []string{"order:completed", "shipped:completed", "note:completed", "by_sms:completed"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the timeline shows %s, want %s among them", joined, want)
		}
	}
	if n := eval[int](u, `document.querySelectorAll('#timeline a.wf-runlink[href^="/runs/"]').length`); n != 2 {
		t.Errorf("%d steps link their action runs, want 2", n)
	}
	if refresh := eval[bool](u, `!!document.querySelector('meta[http-equiv="refresh"]')`); refresh {
		t.Error("the finished run's page still reloads itself")
	}
	u.shot("workflow-run")
	if n := s.notes.Load(); n != 1 {
		t.Errorf("the shop received %d notes, want 1", n)
	}
}
