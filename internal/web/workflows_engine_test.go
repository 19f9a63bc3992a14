package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/workflow"
)

// startEngine runs the workflow engine over the env's gateway until the
// test ends.
func (e *env) startEngine() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	eng := workflow.New(e.g, runtime.New(e.g, runtime.Options{}), workflow.Options{})
	if err := eng.Start(ctx); err != nil {
		cancel()
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		defer cancel()
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		if err := eng.Stop(stop); err != nil {
			e.t.Errorf("stopping the workflow engine: %v", err)
		}
	})
}

// waitRun waits until the run has finished and returns it.
func (e *env) waitRun(id string) *gateway.WorkflowRun {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		run, err := e.g.WorkflowRun(context.Background(), e.adminPrincipal(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		if gateway.TerminalRun(run.Status) {
			return run
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the run %s is still %s", id, run.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRunPageShowsTheStepTimeline runs workflows through the engine and
// reads their pages: the steps in the order they ran with status, HTTP
// status, extract values and output shown as text (the upstream's markup
// escaped), links to the action runs; a failed run shows its error and
// offers a retry, which starts it again from the failed step.
func TestRunPageShowsTheStepTimeline(t *testing.T) {
	e := newEnv(t)
	s := newShop(t)
	e.putShopWorkflows(s)
	e.startEngine()
	b := e.browser()
	b.signIn(e.admin)
	b.get("/workflows/order_check")

	start := b.post("/workflows/order_check/runs", url.Values{"input": {`{"order_id": "SO-1042", "channel": "sms"}`}})
	if start.status != http.StatusSeeOther {
		t.Fatalf("start: %d\n%s", start.status, start.body)
	}
	id := strings.TrimPrefix(start.location, "/workflow-runs/")
	run := e.waitRun(id)
	if run.Status != gateway.RunCompleted {
		t.Fatalf("the run %s: %s", run.Status, run.Error)
	}
	p := b.get(start.location)
	if p.status != http.StatusOK || strings.Contains(p.body, `http-equiv="refresh"`) || strings.Contains(p.body, "/cancel") || strings.Contains(p.body, "/retry") {
		t.Fatalf("the finished run's page:\n%s", p.body)
	}
	timeline := section(p.body, `id="timeline"`, "</section>")
	last := -1
	for _, step := range []string{"order", "shipped", "remember", "note", "route", "by_sms"} {
		i := strings.Index(timeline, `data-step="`+step+`"`)
		if i < 0 || i < last {
			t.Errorf("the timeline shows %s at %d, after %d", step, i, last)
		}
		last = i
	}
	order := section(timeline, `data-step="order"`, "</li>")
	if !strings.Contains(order, "HTTP 200") || !strings.Contains(order, `>completed</span>`) {
		t.Errorf("the order step:\n%s", order)
	}
	if strings.Contains(p.body, `<script>alert("out")`) || !strings.Contains(order, `1Z&lt;script&gt;alert(\&#34;out\&#34;)&lt;/script&gt;`) && !strings.Contains(order, `1Z&lt;script&gt;alert(&#34;out&#34;)&lt;/script&gt;`) {
		t.Errorf("the upstream's markup is not shown as text:\n%s", order)
	}
	if !strings.Contains(order, `<span class="mono">tracking</span>`) || !strings.Contains(order, `&#34;SO-1042&#34;`) {
		t.Errorf("the order step lacks its extract values:\n%s", order)
	}
	link := regexp.MustCompile(`href="(/runs/[^"]+)">action run</a>`)
	for _, step := range []string{"order", "note"} {
		m := link.FindStringSubmatch(section(timeline, `data-step="`+step+`"`, "</li>"))
		if m == nil {
			t.Errorf("the %s step links no action run", step)
			continue
		}
		if r := b.get(m[1]); r.status != http.StatusOK {
			t.Errorf("the %s step's action run %s: %d", step, m[1], r.status)
		}
	}
	if n := s.notes.Load(); n != 1 {
		t.Errorf("the shop received %d notes, want 1", n)
	}

	start = b.post("/workflows/parent/runs", url.Values{"input": {`{}`}})
	parent := strings.TrimPrefix(start.location, "/workflow-runs/")
	e.waitRun(parent)
	m := regexp.MustCompile(`href="/workflow-runs/([^"]+)">workflow run</a>`).FindStringSubmatch(b.get(start.location).body)
	if m == nil {
		t.Fatal("the parent's workflow step links no run")
	}
	e.waitRun(m[1])
	if child := b.get("/workflow-runs/" + m[1]); !strings.Contains(child.body, `<dt>Started by</dt><dd><a class="mono" href="/workflow-runs/`+parent+`">`) || !strings.Contains(child.body, "SO-7") {
		t.Errorf("the child run's page does not link its parent:\n%s", section(child.body, `id="run-facts"`, "</dl>"))
	}

	start = b.post("/workflows/flaky/runs", url.Values{"input": {``}})
	id = strings.TrimPrefix(start.location, "/workflow-runs/")
	if run := e.waitRun(id); run.Status != gateway.RunFailed {
		t.Fatalf("the flaky run: %s", run.Status)
	}
	p = b.get(start.location)
	if !strings.Contains(p.body, `id="run-error"`) || !strings.Contains(p.body, `action="/workflow-runs/`+id+`/retry"`) || strings.Contains(p.body, "/cancel") {
		t.Fatalf("the failed run's page:\n%s", p.body)
	}
	failed := section(section(p.body, `id="timeline"`, "</section>"), `data-step="call"`, "</li>")
	if !strings.Contains(failed, `>failed</span>`) || !strings.Contains(failed, "HTTP 400") || !strings.Contains(failed, `class="error-box wf-record-error"`) {
		t.Errorf("the failed step:\n%s", failed)
	}
	before := len(e.waitRun(id).Steps)
	retry := b.post("/workflow-runs/"+id+"/retry", url.Values{})
	if retry.status != http.StatusSeeOther || retry.location != "/workflow-runs/"+id+"?done=run-retried" {
		t.Fatalf("retry: %d to %q", retry.status, retry.location)
	}
	if again := e.waitRun(id); again.Status != gateway.RunFailed || len(again.Steps) <= before {
		t.Errorf("after the retry the run is %s with %d step records, had %d", again.Status, len(again.Steps), before)
	}
}
