package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
)

// shop is a loopback upstream for workflow steps: GET /orders/{id} answers
// an order whose tracking number holds markup, POST /notes counts the
// notes it receives, and GET /broken always fails.
type shop struct {
	srv   *httptest.Server
	notes atomic.Int64
}

func newShop(t *testing.T) *shop {
	t.Helper()
	s := &shop{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "shipment": map[string]any{"tracking_number": `1Z<script>alert("out")</script>`}})
	})
	mux.HandleFunc("POST /notes", func(w http.ResponseWriter, r *http.Request) {
		s.notes.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"down"}`, http.StatusBadRequest)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// putShopWorkflows stores the shop's actions and workflows: order_check
// (manual, an if with both branches, a switch with a default, a write),
// order_shipped (a webhook), nightly (a schedule), greet (an event),
// parent (starting order_check) and flaky (an action that fails).
func (e *env) putShopWorkflows(s *shop) {
	e.t.Helper()
	if _, err := e.g.SetSecret(context.Background(), "SHOP_HOOK", []byte("whsec_c2hvcC1ob29rLXNlY3JldC0xMjM0NTY3ODkw")); err != nil {
		e.t.Fatal(err)
	}
	e.putYAML(`kind: Action
name: get_order
description: Get an order.
method: GET
url: ` + s.srv.URL + `/orders/{{order_id}}
params:
  order_id: {type: string, required: true}
---
kind: Action
name: create_crm_note
description: Write a note.
method: POST
url: ` + s.srv.URL + `/notes
confirm: never
body: {type: json, content: {text: "{{text}}"}}
params:
  text: {type: string, required: true}
---
kind: Action
name: broken
description: Always fails.
method: GET
url: ` + s.srv.URL + `/broken
---
kind: Agent
name: triage
---
kind: Workflow
name: order_check
description: 'Checks an order <script>alert("wf")</script> & notes it.'
trigger:
  manual:
    params:
      order_id: {type: string, required: true}
      channel: {type: string, enum: [email, sms]}
      count: {type: integer, default: 2}
steps:
  - id: order
    action: get_order
    with: {order_id: "{{trigger.order_id}}"}
    extract: {tracking: ".shipment.tracking_number", id: ".id"}
  - id: shipped
    if: 'steps.order.status == "completed" && steps.order.extract.tracking != nil'
    then:
      - id: remember
        set: {vars.tracking: "{{steps.order.extract.tracking}}"}
      - id: note
        action: create_crm_note
        with: {text: "Shipped {{trigger.order_id}}"}
    else:
      - id: not_yet
        set: {vars.tracking: "none"}
  - id: route
    switch:
      - when: 'trigger.channel == "sms"'
        steps:
          - id: by_sms
            set: {vars.channel: "sms"}
      - steps:
          - id: by_default
            set: {vars.channel: "email"}
    on_error: continue
---
kind: Workflow
name: order_shipped
trigger:
  webhook:
    secret: {secret: SHOP_HOOK}
    params:
      order_id: {type: string, required: true}
steps:
  - id: later
    wait: 10m
---
kind: Workflow
name: nightly
trigger:
  schedule: {cron: "0 3 * * *", timezone: Europe/Berlin, input: {report: daily}}
steps:
  - id: pause
    wait: 1s
---
kind: Workflow
name: greet
trigger:
  event: {type: contact.created, agent: triage}
steps:
  - id: pause
    wait: 1s
---
kind: Workflow
name: parent
trigger:
  manual: {}
steps:
  - id: child
    workflow: order_check
    with: {order_id: "SO-7"}
---
kind: Workflow
name: flaky
trigger:
  manual: {}
steps:
  - id: call
    action: broken
    on_error: {goto: call_again}
  - id: call_again
    action: broken
`)
}

// adminPrincipal authenticates the env's admin token.
func (e *env) adminPrincipal() *gateway.Principal {
	e.t.Helper()
	p, err := e.g.Authenticate(context.Background(), e.admin)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// workflowRuns lists the runs of a workflow, newest first.
func (e *env) workflowRuns(name string) []gateway.WorkflowRun {
	e.t.Helper()
	runs, _, err := e.g.ListWorkflowRuns(context.Background(), e.adminPrincipal(), gateway.WorkflowRunFilter{Workflow: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return runs
}

// section returns the part of body from the first match of start to the
// next occurrence of end after it, "" when start is missing.
func section(body, start, end string) string {
	i := strings.Index(body, start)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest[len(start):], end); j >= 0 {
		return rest[:len(start)+j]
	}
	return rest
}

// TestWorkflowPagesShowTriggersAndSteps opens the workflows list and a
// workflow's page: each trigger with its detail, step counts, the steps
// drawn with both branches of the if and every case of the switch, the
// action links and extract names, on_error, a sample input built from the
// params, and a hostile description shown as text.
func TestWorkflowPagesShowTriggersAndSteps(t *testing.T) {
	e := newEnv(t)
	e.putShopWorkflows(newShop(t))
	b := e.browser()
	b.signIn(e.admin)

	list := b.get("/workflows")
	if list.status != http.StatusOK {
		t.Fatalf("workflows list: %d\n%s", list.status, list.body)
	}
	if !strings.Contains(list.body, `<a href="/workflows" aria-current="page">Workflows</a>`) {
		t.Error("the nav does not mark Workflows as the current section")
	}
	for name, want := range map[string][]string{
		"order_check":   {"manual", "started from the console, the API or the CLI", `<td class="num">8</td>`, "none yet"},
		"order_shipped": {"webhook", "POST /hooks/order_shipped", `<td class="num">1</td>`},
		"nightly":       {"schedule", "0 3 * * * (Europe/Berlin)"},
		"greet":         {"event", "contact.created", `of the agent <a href="/agents/triage">triage</a>`},
	} {
		row := section(list.body, `<tr data-workflow="`+name+`">`, "</tr>")
		if row == "" {
			t.Errorf("the list lacks %s", name)
			continue
		}
		for _, w := range want {
			if !strings.Contains(row, w) {
				t.Errorf("the row of %s lacks %q:\n%s", name, w, row)
			}
		}
	}
	if strings.Contains(list.body, `<script>alert("wf")`) || !strings.Contains(list.body, `Checks an order &lt;script&gt;alert(&#34;wf&#34;)&lt;/script&gt; &amp; notes it.`) {
		t.Error("the list does not show the hostile description as text")
	}

	p := b.get("/workflows/order_check")
	if p.status != http.StatusOK {
		t.Fatalf("workflow page: %d\n%s", p.status, p.body)
	}
	if strings.Contains(p.body, `<script>alert("wf")`) || strings.Contains(p.body, "<no value>") || strings.Contains(p.body, "ZgotmplZ") {
		t.Error("the workflow page renders the description as markup or leaves a template placeholder")
	}
	diagram := section(p.body, `id="diagram"`, `id="run"`)
	for _, w := range []string{
		`data-step="order" data-type="action"`, `calls <a class="mono" href="/actions/get_order">get_order</a>`,
		`title=".shipment.tracking_number">tracking</span>`, `title=".id">id</span>`,
		`data-step="shipped" data-type="if"`, `steps.order.status == &#34;completed&#34; &amp;&amp; steps.order.extract.tracking != nil`,
		`data-branch="then"`, `data-branch="else"`, `data-step="remember" data-type="set"`, `data-step="not_yet" data-type="set"`,
		`calls <a class="mono" href="/actions/create_crm_note">create_crm_note</a>`,
		`data-step="route" data-type="switch"`, `data-branch="case-1"`, `data-branch="default"`, `>default</span>`,
		`data-step="by_sms"`, `data-step="by_default"`, `on error: continue`,
	} {
		if !strings.Contains(diagram, w) {
			t.Errorf("the diagram lacks %q", w)
		}
	}
	then := section(diagram, `data-branch="then"`, `data-branch="else"`)
	if !strings.Contains(then, `data-step="note"`) || strings.Contains(then, `data-step="not_yet"`) {
		t.Errorf("the then branch holds the wrong steps:\n%s", then)
	}
	form := section(p.body, `id="run-form"`, "</form>")
	m := regexp.MustCompile(`(?s)<textarea id="f-input" name="input"[^>]*>(.*?)</textarea>`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("the run form has no input:\n%s", form)
	}
	var sample map[string]any
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &sample); err != nil {
		t.Fatalf("the sample input is not JSON: %v\n%s", err, m[1])
	}
	if sample["order_id"] != "example" || sample["channel"] != "email" || sample["count"] != float64(2) {
		t.Errorf("sample input %v", sample)
	}

	flaky := b.get("/workflows/flaky")
	if !strings.Contains(flaky.body, `on error: go to <a class="mono" href="#step-call_again">call_again</a>`) || !strings.Contains(flaky.body, `id="step-call_again"`) {
		t.Error("the goto of on_error does not link the step it goes to")
	}
	if sched := b.get("/workflows/nightly"); !strings.Contains(sched.body, "&#34;report&#34;: &#34;daily&#34;") {
		t.Error("a schedule's sample input is not its fixed input")
	}
	if p := b.get("/workflows/order_check?cursor=garbage"); p.status != http.StatusOK || !strings.Contains(p.body, "That page link is no longer valid") {
		t.Errorf("a bad page link: %d", p.status)
	}
	for _, path := range []string{"/workflows/nope", "/workflow-runs/nope"} {
		if p := b.get(path); p.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.status)
		}
	}
	anon := e.browser()
	if p := anon.get("/workflows"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/sign-in") {
		t.Errorf("without a session /workflows answers %d %s", p.status, p.location)
	}
}

// TestRunFormStartsARun posts the run form: without the CSRF token
// nothing starts; input the trigger refuses comes back beside the form
// with its field path and as typed; good input starts a manual run and
// lands on its page, which offers to cancel it and reloads itself until
// it finishes; cancelling twice says the second time changed nothing.
func TestRunFormStartsARun(t *testing.T) {
	e := newEnv(t)
	e.putShopWorkflows(newShop(t))
	b := e.browser()
	b.signIn(e.admin)
	b.get("/workflows/order_check")

	forged := b.post("/workflows/order_check/runs", url.Values{"csrf": {"forged"}, "input": {`{"order_id": "SO-1"}`}})
	if forged.status != http.StatusForbidden {
		t.Fatalf("a forged token: %d", forged.status)
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/workflows/order_check/runs", strings.NewReader(url.Values{"csrf": {b.csrf}, "input": {`{"order_id": "SO-1"}`}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := b.do(req); p.status != http.StatusForbidden {
		t.Fatalf("a cross-site post: %d", p.status)
	}
	if runs := e.workflowRuns("order_check"); len(runs) != 0 {
		t.Fatalf("refused posts started %d runs", len(runs))
	}

	typed := `{"channel": "fax <b>now</b>"}`
	bad := b.post("/workflows/order_check/runs", url.Values{"input": {typed}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("input failing the params: %d\n%s", bad.status, bad.body)
	}
	errs := section(bad.body, `<p class="field-error" id="err-input">`, "</p>")
	if !strings.Contains(errs, "input.order_id") || !strings.Contains(errs, "input.channel") {
		t.Errorf("the errors beside the input do not name the fields:\n%s", errs)
	}
	if !strings.Contains(bad.body, `{&#34;channel&#34;: &#34;fax &lt;b&gt;now&lt;/b&gt;&#34;}</textarea>`) || !strings.Contains(bad.body, `name="input" rows="7" class="mono" spellcheck="false" aria-invalid="true"`) {
		t.Errorf("the input is not kept as typed and marked invalid:\n%s", section(bad.body, `id="run-form"`, "</form>"))
	}
	for in, want := range map[string]string{`[1]`: "must be a JSON object", `{"order_id":`: "not valid JSON"} {
		p := b.post("/workflows/order_check/runs", url.Values{"input": {in}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(section(p.body, `id="err-input"`, "</p>"), want) {
			t.Errorf("input %s: %d, want the message %q", in, p.status, want)
		}
	}
	nobody := b.post("/workflows/order_check/runs", url.Values{"input": {`{"order_id": "SO-1"}`}, "contact_id": {"no-such-contact"}})
	if nobody.status != http.StatusUnprocessableEntity || !strings.Contains(nobody.body, `id="err-contact_id"`) || !strings.Contains(nobody.body, `value="no-such-contact"`) {
		t.Errorf("an unknown contact: %d\n%s", nobody.status, section(nobody.body, `id="run-form"`, "</form>"))
	}
	if runs := e.workflowRuns("order_check"); len(runs) != 0 {
		t.Fatalf("refused input started %d runs", len(runs))
	}
	if p := b.post("/workflows/nope/runs", url.Values{"input": {`{}`}}); p.status != http.StatusNotFound {
		t.Errorf("an unknown workflow: %d", p.status)
	}

	ok := b.post("/workflows/order_check/runs", url.Values{"input": {`{"order_id": "SO-1042"}`}})
	runs := e.workflowRuns("order_check")
	if ok.status != http.StatusSeeOther || len(runs) != 1 || ok.location != "/workflow-runs/"+runs[0].ID {
		t.Fatalf("a good start: %d to %q, %d runs", ok.status, ok.location, len(runs))
	}
	if runs[0].Trigger != gateway.TriggerManual || runs[0].Input["order_id"] != "SO-1042" {
		t.Errorf("the run started as %s with %v", runs[0].Trigger, runs[0].Input)
	}
	page := b.get(ok.location)
	if page.status != http.StatusOK || !strings.Contains(page.body, `<meta http-equiv="refresh" content="2">`) || !strings.Contains(page.body, `action="/workflow-runs/`+runs[0].ID+`/cancel"`) ||
		strings.Contains(page.body, "/retry") || !strings.Contains(page.body, `&#34;order_id&#34;: &#34;SO-1042&#34;`) {
		t.Fatalf("the page of an unfinished run:\n%s", page.body)
	}
	if wf := b.get("/workflows/order_check"); !strings.Contains(section(wf.body, `id="h-runs"`, "</section>"), `href="/workflow-runs/`+runs[0].ID+`"`) {
		t.Error("the workflow page does not list the run")
	}
	if list := b.get("/workflows"); !strings.Contains(section(list.body, `<tr data-workflow="order_check">`, "</tr>"), `href="/workflow-runs/`+runs[0].ID+`"`) {
		t.Error("the workflows list does not link the run")
	}

	cancel := "/workflow-runs/" + runs[0].ID + "/cancel"
	if p := b.post(cancel, url.Values{"csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Errorf("cancel with a forged token: %d", p.status)
	}
	c := b.post(cancel, url.Values{})
	if c.status != http.StatusSeeOther || c.location != "/workflow-runs/"+runs[0].ID+"?done=run-cancelled" {
		t.Fatalf("cancel: %d to %q", c.status, c.location)
	}
	done := b.get(c.location)
	if !strings.Contains(done.body, `<p class="flash" role="status">Cancelled: no further step will run.</p>`) || strings.Contains(done.body, `http-equiv="refresh"`) ||
		strings.Contains(done.body, cancel) || !strings.Contains(done.body, `id="run-status">cancelled</span>`) {
		t.Errorf("the cancelled run's page:\n%s", done.body)
	}
	again := b.post(cancel, url.Values{})
	if again.location != "/workflow-runs/"+runs[0].ID+"?done=cancel-refused" {
		t.Fatalf("cancelling a cancelled run: %d to %q", again.status, again.location)
	}
	if p := b.get(again.location); !strings.Contains(p.body, `<p class="flash warn" role="status">This run has already finished`) {
		t.Errorf("cancelling twice shows no warning:\n%s", p.body)
	}
	if r := b.post("/workflow-runs/"+runs[0].ID+"/retry", url.Values{}); r.location != "/workflow-runs/"+runs[0].ID+"?done=retry-refused" {
		t.Errorf("retrying a cancelled run: %d to %q", r.status, r.location)
	}
	if p := b.post("/workflow-runs/nope/cancel", url.Values{}); p.status != http.StatusNotFound {
		t.Errorf("cancelling an unknown run: %d", p.status)
	}
}

// TestWorkflowPagePagesItsRuns shows a workflow's newest runs a page at a
// time, with a link to the older ones.
func TestWorkflowPagePagesItsRuns(t *testing.T) {
	e := newEnv(t)
	e.putShopWorkflows(newShop(t))
	p := e.adminPrincipal()
	for i := range gateway.DefaultWorkflowRunLimit + 1 {
		if _, _, err := e.g.StartRun(context.Background(), p, gateway.StartRequest{Workflow: "order_check", Trigger: gateway.TriggerManual,
			Input: map[string]any{"order_id": "SO-" + itoa(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	b.signIn(e.admin)
	first := b.get("/workflows/order_check")
	rows := strings.Count(first.body, "<tr data-run=")
	next := regexp.MustCompile(`href="(/workflows/order_check\?cursor=[^"#]+)#h-runs" rel="next"`).FindStringSubmatch(first.body)
	if rows != gateway.DefaultWorkflowRunLimit || next == nil {
		t.Fatalf("the first page has %d runs and next link %v", rows, next)
	}
	older := b.get(html.UnescapeString(next[1]))
	if n := strings.Count(older.body, "<tr data-run="); n != 1 || strings.Contains(older.body, `rel="next"`) {
		t.Errorf("the older page has %d runs", n)
	}
	if list := b.get("/workflows"); strings.Count(section(list.body, `<tr data-workflow="order_check">`, "</tr>"), `href="/workflow-runs/`) != lastRuns ||
		!strings.Contains(list.body, `data-status="queued">51 queued</span>`) {
		t.Errorf("the list row of order_check:\n%s", section(list.body, `<tr data-workflow="order_check">`, "</tr>"))
	}
}
