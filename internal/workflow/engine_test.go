package workflow_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/provider/providertest"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/workflow"
)

// tokenizer is loaded once for the test binary.
var tokenizer = sync.OnceValue(func() *respfilter.Tokenizer {
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		panic(err)
	}
	return tok
})

// shop is a loopback API that honours Idempotency-Key the way payment
// APIs do: a write repeated with a key it saw is answered again without
// a second effect.
//
//	GET  /orders/{id}   an order: shipped with a tracking number, except
//	                    "O-2", which is not shipped, and "O-404", unknown
//	POST /notes         stores a note: 201 {"note": N}; 500 while failing
type shop struct {
	srv *httptest.Server

	mu      sync.Mutex
	notes   []map[string]any // effects, in order
	keys    map[string]int   // Idempotency-Key -> note index
	writes  int              // POSTs received, repeats included
	lastKey string
	failing bool
	tokens  []string // Authorization headers seen on /notes
	// hold, when set, keeps each note's answer until it is closed;
	// arrived is signalled as each note arrives.
	hold    chan struct{}
	arrived chan struct{}
}

func newShop(t testing.TB) *shop {
	s := &shop{keys: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shop) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/orders/O-404":
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"no such order"}`)
	case r.Method == http.MethodGet && r.URL.Path == "/orders/O-2":
		io.WriteString(w, `{"id":"O-2","status":"packing","shipment":null,"customer":{"email":"bo@example.com"}}`)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/orders/"):
		id := strings.TrimPrefix(r.URL.Path, "/orders/")
		json.NewEncoder(w).Encode(map[string]any{"id": id, "status": "shipped",
			"shipment": map[string]any{"tracking_number": "TRK-" + id}, "customer": map[string]any{"email": "ada@example.com"}})
	case r.Method == http.MethodPost && r.URL.Path == "/notes":
		s.mu.Lock()
		hold, arrived := s.hold, s.arrived
		s.mu.Unlock()
		if hold != nil {
			arrived <- struct{}{}
			<-hold
		}
		var note map[string]any
		json.NewDecoder(r.Body).Decode(&note)
		key := r.Header.Get("Idempotency-Key")
		s.mu.Lock()
		defer s.mu.Unlock()
		s.writes++
		s.lastKey = key
		s.tokens = append(s.tokens, r.Header.Get("X-Api-Token"))
		if s.failing {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"message":"try later"}`)
			return
		}
		n, seen := s.keys[key]
		if !seen || key == "" {
			s.notes = append(s.notes, note)
			n = len(s.notes)
			if key != "" {
				s.keys[key] = n
			}
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"note":%d}`, n)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (s *shop) effects() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.notes...)
}

// resourcesYAML are the shop's actions; %[1]s is its base URL.
const resourcesYAML = `
kind: Action
name: get_order
description: Read an order.
method: GET
url: %[1]s/orders/{{order_id}}
params:
  order_id: {type: string, required: true}
---
kind: Action
name: create_crm_note
description: Write a note on the customer's CRM record.
method: POST
url: %[1]s/notes
headers:
  X-Api-Token: "{{token}}"
params:
  text: {type: string, required: true}
  token: {type: string}
body:
  type: json
  content: {text: "{{text}}"}
`

// fixture is a gateway with the shop's actions and a running engine.
type fixture struct {
	t    testing.TB
	cfg  *config.Config
	g    *gateway.Gateway
	shop *shop
	llm  *providertest.Server
	eng  *workflow.Engine
}

func newFixture(t testing.TB, extra string) *fixture {
	t.Helper()
	f := &fixture{t: t, shop: newShop(t), llm: providertest.NewOpenAI(t)}
	cfg := gatewaytest.Config(t)
	f.cfg = cfg
	f.g = gatewaytest.Open(t, cfg, gateway.Options{Tokenizer: tokenizer(), Getenv: func(k string) string {
		if k == "ACTIONGATE_SECRET_CRM_TOKEN" {
			return "crm-secret-value-123"
		}
		return ""
	}})
	f.apply(fmt.Sprintf(resourcesYAML, f.shop.srv.URL) + extra)
	f.eng = workflow.New(f.g, runtime.New(f.g, runtime.Options{}), workflow.Options{ReconcileEvery: 200 * time.Millisecond, StallAfter: time.Second})
	if err := f.eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.eng.Stop(context.Background()) })
	return f
}

func (f *fixture) apply(yaml string) {
	f.t.Helper()
	yaml = strings.ReplaceAll(yaml, "LLM_URL", f.llm.BaseURL())
	rs, errs := action.Decode("test.yaml", []byte(yaml))
	if err := errs.Err(); err != nil {
		f.t.Fatalf("decoding test resources: %v", err)
	}
	if _, err := f.g.Apply(context.Background(), rs); err != nil {
		f.t.Fatalf("applying test resources: %v", err)
	}
}

// start starts a manual run and returns its id.
func (f *fixture) start(workflow string, input map[string]any, contactID string) string {
	f.t.Helper()
	run, created, err := f.g.StartRun(context.Background(), gateway.Operator(), gateway.StartRequest{Workflow: workflow, Input: input, ContactID: contactID})
	if err != nil || !created {
		f.t.Fatalf("StartRun: %v (created %v)", err, created)
	}
	return run.ID
}

// wait polls run id until its status is one of want, failing after 15s.
func (f *fixture) wait(id string, want ...string) *gateway.WorkflowRun {
	f.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		run, err := f.g.WorkflowRun(context.Background(), gateway.Operator(), id)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, w := range want {
			if run.Status == w {
				return run
			}
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(run, "", "  ")
			f.t.Fatalf("run %s is %s, want %v:\n%s", id, run.Status, want, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// steps returns the run's records by step id (the last record of each).
func steps(run *gateway.WorkflowRun) map[string]gateway.StepRecord {
	out := map[string]gateway.StepRecord{}
	for _, r := range run.Steps {
		out[r.ID] = r
	}
	return out
}

const orderShipped = `
---
kind: Workflow
name: order_shipped
description: When an order shipped, note it on the customer's record.
trigger:
  manual:
    params:
      order_id: {type: string, required: true}
steps:
  - id: order
    action: get_order
    with: {order_id: "{{trigger.order_id}}"}
    extract: {tracking: ".shipment.tracking_number", email: ".customer.email"}
  - id: shipped
    if: 'steps.order.status == "completed" && steps.order.extract.tracking != nil'
    then:
      - id: remember
        set: {vars.tracking: "{{steps.order.extract.tracking}}", contact.last_order: "{{trigger.order_id}}"}
      - id: note
        action: create_crm_note
        with: {text: "Shipped, tracking {{vars.tracking}}", token: "{{secret.CRM_TOKEN}}"}
    else:
      - id: not_yet
        set: {vars.pending: true}
  - id: done
    set: {vars.done: "{{steps.note.status}}"}
`

// TestOrderShipped runs the workflow: the order is read, its
// tracking number extracted, the then branch taken (else skipped), the
// contact and vars set, and the note written once, with an idempotency
// key and the secret sent upstream but masked in every record.
func TestOrderShipped(t *testing.T) {
	f := newFixture(t, orderShipped)
	ctx := context.Background()
	c, err := f.g.CreateContact(ctx, gateway.Operator(), &gateway.Contact{Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	run := f.wait(f.start("order_shipped", map[string]any{"order_id": "O-1"}, c.ID), gateway.RunCompleted)
	got := steps(run)
	if got["order"].Extract["tracking"] != "TRK-O-1" || got["order"].Extract["email"] != "ada@example.com" {
		t.Errorf("order extract = %v", got["order"].Extract)
	}
	if got["order"].HTTPStatus != 200 || got["order"].RunID == "" {
		t.Errorf("order record = %+v", got["order"])
	}
	if got["shipped"].Output != "then" || got["not_yet"].Status != gateway.StepSkipped {
		t.Errorf("branch: shipped=%+v not_yet=%+v", got["shipped"], got["not_yet"])
	}
	if run.Vars["tracking"] != "TRK-O-1" || run.Vars["done"] != "completed" {
		t.Errorf("vars = %v", run.Vars)
	}
	notes := f.shop.effects()
	if len(notes) != 1 || notes[0]["text"] != "Shipped, tracking TRK-O-1" {
		t.Fatalf("notes = %v", notes)
	}
	if f.shop.lastKey == "" || f.shop.tokens[0] != "crm-secret-value-123" {
		t.Errorf("note sent with key %q and token %q", f.shop.lastKey, f.shop.tokens[0])
	}
	after, err := f.g.Contact(ctx, gateway.Operator(), c.ID)
	if err != nil || after.Attributes["last_order"] != "O-1" {
		t.Errorf("contact = %+v, %v", after, err)
	}
	b, _ := json.Marshal(run)
	if strings.Contains(string(b), "crm-secret-value-123") {
		t.Errorf("the run record holds the secret: %s", b)
	}
	rec, err := f.g.GetRun(ctx, got["note"].RunID)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := json.Marshal(rec)
	if strings.Contains(string(rb), "crm-secret-value-123") {
		t.Errorf("the action run record holds the secret: %s", rb)
	}
	if rec.Caller != gateway.CallerWorkflow {
		t.Errorf("action run caller = %q", rec.Caller)
	}
	metrics := gather(t, f.g)
	for _, want := range []string{
		`actiongate_workflow_runs_started_total{trigger="manual",workflow="order_shipped"} 1`,
		`actiongate_workflow_runs_total{outcome="completed",workflow="order_shipped"} 1`,
		`actiongate_workflow_step_duration_seconds_count{status="completed",type="action",workflow="order_shipped"} 2`,
		`actiongate_workflow_queue_depth 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// gather returns the gateway's metrics in the text format.
func gather(t *testing.T, g *gateway.Gateway) string {
	t.Helper()
	fams, err := g.Metrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range fams {
		for _, m := range mf.GetMetric() {
			labels := make([]string, 0, len(m.GetLabel()))
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			name := mf.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				fmt.Fprintf(&b, "%s %g\n", name, m.Counter.GetValue())
			case m.Gauge != nil:
				fmt.Fprintf(&b, "%s %g\n", name, m.Gauge.GetValue())
			case m.Histogram != nil:
				n := mf.GetName() + "_count"
				if len(labels) > 0 {
					n += "{" + strings.Join(labels, ",") + "}"
				}
				fmt.Fprintf(&b, "%s %d\n", n, m.Histogram.GetSampleCount())
			}
		}
	}
	return b.String()
}

// TestElseBranch takes the else branch for an order not shipped.
func TestElseBranch(t *testing.T) {
	f := newFixture(t, orderShipped)
	run := f.wait(f.start("order_shipped", map[string]any{"order_id": "O-2"}, ""), gateway.RunCompleted)
	got := steps(run)
	if got["shipped"].Output != "else" || got["remember"].Status != gateway.StepSkipped || got["note"].Status != gateway.StepSkipped {
		t.Errorf("records = %+v", run.Steps)
	}
	if run.Vars["pending"] != true || run.Vars["done"] != gateway.StepSkipped {
		t.Errorf("vars = %v", run.Vars)
	}
	if n := len(f.shop.effects()); n != 0 {
		t.Errorf("%d notes written", n)
	}
}

// TestRetryKeepsTheIdempotencyKey fails a write step, retries the run
// once the upstream is back, and checks the retry sent the same key.
func TestRetryKeepsTheIdempotencyKey(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: note_it
trigger: {manual: {}}
steps:
  - id: note
    action: create_crm_note
    with: {text: "hello {{trigger.who}}"}
    retries: 0
`)
	f.shop.mu.Lock()
	f.shop.failing = true
	f.shop.mu.Unlock()
	id := f.start("note_it", map[string]any{"who": "Ada"}, "")
	run := f.wait(id, gateway.RunFailed)
	if !strings.Contains(run.Error, "step note") || steps(run)["note"].HTTPStatus != 500 {
		t.Fatalf("failed run = %+v", run)
	}
	first := f.shop.lastKey
	f.shop.mu.Lock()
	f.shop.failing = false
	f.shop.mu.Unlock()
	if _, err := f.g.CancelRun(context.Background(), gateway.Operator(), id); err == nil {
		t.Error("cancelling a failed run worked")
	}
	if _, err := f.g.RetryRun(context.Background(), gateway.Operator(), id); err != nil {
		t.Fatal(err)
	}
	run = f.wait(id, gateway.RunCompleted)
	if f.shop.lastKey != first || first == "" {
		t.Errorf("retry sent key %q, first attempt %q", f.shop.lastKey, first)
	}
	if recs := run.Steps; len(recs) != 2 || recs[1].Attempts != 2 || recs[1].Status != gateway.RunCompleted {
		t.Errorf("records = %+v", recs)
	}
	if _, err := f.g.RetryRun(context.Background(), gateway.Operator(), id); err == nil {
		t.Error("retrying a completed run worked")
	}
}

// TestOnError continues past a failed step and bounds a goto loop.
func TestOnError(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: tolerant
trigger: {manual: {}}
steps:
  - id: missing
    action: get_order
    with: {order_id: O-404}
    on_error: continue
  - id: after
    set: {vars.seen: "{{steps.missing.status}} {{steps.missing.http_status}}"}
---
kind: Workflow
name: loops
trigger: {manual: {}}
on_error: {goto: again}
steps:
  - id: again
    action: get_order
    with: {order_id: O-404}
`)
	run := f.wait(f.start("tolerant", nil, ""), gateway.RunCompleted)
	if run.Vars["seen"] != "failed 404" {
		t.Errorf("vars = %v", run.Vars)
	}
	run = f.wait(f.start("loops", nil, ""), gateway.RunFailed)
	if !strings.Contains(run.Error, "entered 21 times") {
		t.Errorf("error = %q", run.Error)
	}
	if n := len(run.Steps); n != action.MaxStepVisits {
		t.Errorf("%d records, want %d", n, action.MaxStepVisits)
	}
}

// TestWaitAndCancel sleeps a run, wakes it, and cancels another asleep.
func TestWaitAndCancel(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: later
trigger: {manual: {}}
steps:
  - id: nap
    wait: "{{trigger.nap}}"
  - id: after
    set: {vars.woke: true}
`)
	start := time.Now()
	id := f.start("later", map[string]any{"nap": time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano)}, "")
	waiting := f.wait(id, gateway.RunWaiting, gateway.RunCompleted)
	if waiting.Status == gateway.RunWaiting && waiting.WakeAt == nil {
		t.Errorf("waiting run without wake_at: %+v", waiting)
	}
	run := f.wait(id, gateway.RunCompleted)
	if time.Since(start) < 900*time.Millisecond || run.Vars["woke"] != true {
		t.Errorf("woke after %s, vars %v", time.Since(start), run.Vars)
	}
	id = f.start("later", map[string]any{"nap": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, "")
	f.wait(id, gateway.RunWaiting)
	if _, err := f.g.CancelRun(context.Background(), gateway.Operator(), id); err != nil {
		t.Fatal(err)
	}
	run = f.wait(id, gateway.RunCancelled)
	if steps(run)["nap"].Status != gateway.RunCancelled {
		t.Errorf("records = %+v", run.Steps)
	}
}

// TestEventAndChildWorkflow starts a run on contact.created, which
// starts a child workflow once; the child's contact write starts no
// contact.updated run.
func TestEventAndChildWorkflow(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: welcome
trigger: {event: {type: contact.created}}
steps:
  - id: child
    workflow: tag
    with: {tag: "new"}
---
kind: Workflow
name: tag
trigger: {manual: {}}
steps:
  - id: mark
    set: {contact.tag: "{{trigger.tag}}"}
---
kind: Workflow
name: on_update
trigger: {event: {type: contact.updated}}
steps:
  - id: noop
    set: {vars.x: 1}
`)
	ctx := context.Background()
	c, err := f.g.CreateContact(ctx, gateway.Operator(), &gateway.Contact{Name: "Bo"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := f.g.Contact(ctx, gateway.Operator(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Attributes["tag"] == "new" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("contact never tagged: %+v", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	runs, _, err := f.g.ListWorkflowRuns(ctx, gateway.Operator(), gateway.WorkflowRunFilter{Workflow: "welcome"})
	if err != nil || len(runs) != 1 || runs[0].ContactID != c.ID || runs[0].Trigger != gateway.TriggerEvent {
		t.Fatalf("welcome runs = %+v, %v", runs, err)
	}
	child, _, _ := f.g.ListWorkflowRuns(ctx, gateway.Operator(), gateway.WorkflowRunFilter{Workflow: "tag"})
	if len(child) != 1 || child[0].ParentRunID != runs[0].ID {
		t.Errorf("child runs = %+v", child)
	}
	if upd, _, _ := f.g.ListWorkflowRuns(ctx, gateway.Operator(), gateway.WorkflowRunFilter{Workflow: "on_update"}); len(upd) != 0 {
		t.Errorf("a workflow's own contact write started %d contact.updated runs", len(upd))
	}
}

// TestAgentStep asks an agent for typed output and branches on it.
func TestAgentStep(t *testing.T) {
	f := newFixture(t, `
---
kind: Provider
name: llm
type: openai
base_url: LLM_URL
---
kind: Agent
name: triage
instructions: You sort support cases.
model: {provider: llm, name: test-model}
---
kind: Workflow
name: classify
trigger: {manual: {}}
steps:
  - id: ask
    agent: triage
    input: "Order {{trigger.order_id}} is late"
    output:
      category: {type: string, enum: [billing, shipping, other]}
      urgent: {type: boolean}
  - id: route
    switch:
      - when: 'steps.ask.extract.category == "shipping" && steps.ask.extract.urgent'
        steps:
          - id: escalate
            set: {vars.queue: urgent-shipping}
      - steps:
          - id: normal
            set: {vars.queue: normal}
`)
	f.llm.Push(providertest.Reply{Text: `{"category":"shipping","urgent":true}`})
	run := f.wait(f.start("classify", map[string]any{"order_id": "O-9"}, ""), gateway.RunCompleted)
	got := steps(run)
	if got["ask"].Extract["category"] != "shipping" || run.Vars["queue"] != "urgent-shipping" || got["normal"].Status != gateway.StepSkipped {
		t.Errorf("records = %+v vars = %v", run.Steps, run.Vars)
	}
	reqs := f.llm.Requests()
	if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), "Order O-9 is late") {
		t.Errorf("model requests = %d", len(reqs))
	}
}

// TestDedupAndInput starts a run once per dedup key and refuses input
// failing the trigger's params.
func TestDedupAndInput(t *testing.T) {
	f := newFixture(t, orderShipped)
	ctx := context.Background()
	req := gateway.StartRequest{Workflow: "order_shipped", Input: map[string]any{"order_id": "O-1"}, DedupKey: "k1"}
	a, created, err := f.g.StartRun(ctx, gateway.Operator(), req)
	if err != nil || !created {
		t.Fatal(created, err)
	}
	b, created, err := f.g.StartRun(ctx, gateway.Operator(), req)
	if err != nil || created || b.ID != a.ID {
		t.Errorf("second start: %v %v %v", b, created, err)
	}
	_, _, err = f.g.StartRun(ctx, gateway.Operator(), gateway.StartRequest{Workflow: "order_shipped", Input: map[string]any{"order_id": 7}})
	if err == nil || !strings.Contains(err.Error(), "input.order_id") {
		t.Errorf("bad input: %v", err)
	}
	if _, _, err := f.g.StartRun(ctx, &gateway.Principal{Agent: "x"}, req); err == nil {
		t.Error("an agent token started a run")
	}
	if _, _, err := f.g.StartRun(ctx, gateway.Operator(), gateway.StartRequest{Workflow: "nope"}); err == nil {
		t.Error("an unknown workflow started")
	}
	// Without a contact, the then branch's contact write fails the run.
	run := f.wait(a.ID, gateway.RunFailed)
	if !strings.Contains(run.Error, "step remember: the run has no contact") {
		t.Errorf("error = %q", run.Error)
	}
}

// TestNumbersInConditions compares numbers the run reads back from the
// database (trigger data, vars, a step's extract) as numbers.
func TestNumbersInConditions(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: big_order
trigger: {manual: {}}
steps:
  - id: keep
    set: {vars.limit: 100}
  - id: check
    if: 'trigger.amount > vars.limit && trigger.amount / 2 == 75.5'
    then:
      - id: big
        set: {vars.size: big}
    else:
      - id: small
        set: {vars.size: small}
`)
	run := f.wait(f.start("big_order", map[string]any{"amount": 151}, ""), gateway.RunCompleted)
	if run.Vars["size"] != "big" {
		t.Errorf("vars = %v, records %+v", run.Vars, run.Steps)
	}
}

// TestWaitLast sleeps a run on its last step: it stays waiting until it
// wakes, then completes.
func TestWaitLast(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: nap
trigger: {manual: {}}
steps:
  - id: sleep
    wait: 700ms
`)
	id := f.start("nap", nil, "")
	run := f.wait(id, gateway.RunWaiting, gateway.RunCompleted)
	if run.Status != gateway.RunWaiting {
		t.Fatalf("a run sleeping on its last step is %s", run.Status)
	}
	run = f.wait(id, gateway.RunCompleted)
	if r := steps(run)["sleep"]; r.Status != gateway.RunCompleted || r.DurationMS < 600 {
		t.Errorf("wait record = %+v", r)
	}
}

// TestHostileConditions fails a step whose condition divides by zero or
// loops past its deadline, quickly and with a clear error.
func TestHostileConditions(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: divides
trigger: {manual: {}}
steps:
  - id: check
    if: '1 / (trigger.n - trigger.n) > 0'
    then:
      - id: never
        set: {vars.x: 1}
---
kind: Workflow
name: spins
trigger: {manual: {}}
steps:
  - id: check
    if: 'any(1..100000, {any(1..100000, {# < 0})})'
    then:
      - id: never
        set: {vars.x: 1}
`)
	start := time.Now()
	run := f.wait(f.start("divides", map[string]any{"n": 3}, ""), gateway.RunFailed)
	if !strings.Contains(run.Error, "step check: if:") || !strings.Contains(run.Error, "zero") {
		t.Errorf("error = %q", run.Error)
	}
	run = f.wait(f.start("spins", nil, ""), gateway.RunFailed)
	if !strings.Contains(run.Error, "step check: if:") {
		t.Errorf("error = %q", run.Error)
	}
	if d := steps(run)["check"].DurationMS; d > 1000 {
		t.Errorf("the looping condition ran %d ms", d)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("both runs took %s", time.Since(start))
	}
}

// TestCancelInFlight cancels a run while its write is in flight: nothing
// runs after it, and the write's outcome is still recorded.
func TestCancelInFlight(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: two_notes
trigger: {manual: {}}
steps:
  - id: first
    action: create_crm_note
    with: {text: one}
  - id: second
    action: create_crm_note
    with: {text: two}
`)
	hold, arrived := make(chan struct{}), make(chan struct{}, 1)
	f.shop.mu.Lock()
	f.shop.hold, f.shop.arrived = hold, arrived
	f.shop.mu.Unlock()
	id := f.start("two_notes", nil, "")
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the first note never arrived")
	}
	if _, err := f.g.CancelRun(context.Background(), gateway.Operator(), id); err != nil {
		t.Fatal(err)
	}
	f.shop.mu.Lock()
	f.shop.hold = nil
	f.shop.mu.Unlock()
	close(hold)
	deadline := time.Now().Add(10 * time.Second)
	for {
		run := f.wait(id, gateway.RunCancelled)
		if r := steps(run)["first"]; r.Status == gateway.RunCompleted {
			if r.HTTPStatus != 201 || len(run.Steps) != 1 {
				t.Errorf("records = %+v", run.Steps)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the in-flight step's outcome was not recorded: %+v", run.Steps)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(f.shop.effects()); n != 1 {
		t.Errorf("%d notes written after the cancel, want 1", n)
	}
}

// TestScheduleTicksOnce works a schedule of one tick a second on two
// engines over one database: each tick starts one run.
func TestScheduleTicksOnce(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: heartbeat
trigger: {schedule: {cron: "@every 1s", input: {source: clock}}}
steps:
  - id: beat
    set: {vars.at: "{{trigger.scheduled_at}}"}
`)
	other := gatewaytest.Open(t, f.cfg, gateway.Options{Tokenizer: tokenizer()})
	eng := workflow.New(other, runtime.New(other, runtime.Options{}), workflow.Options{})
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Stop(context.Background()) })
	// River elects a leader first; then a tick a second.
	var runs []gateway.WorkflowRun
	deadline := time.Now().Add(20 * time.Second)
	for len(runs) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("%d runs of a schedule of one a second after 20 s", len(runs))
		}
		time.Sleep(200 * time.Millisecond)
		var err error
		if runs, _, err = f.g.ListWorkflowRuns(context.Background(), gateway.Operator(), gateway.WorkflowRunFilter{Workflow: "heartbeat"}); err != nil {
			t.Fatal(err)
		}
	}
	ticks := map[string]bool{}
	for _, r := range runs {
		at, _ := r.Input["scheduled_at"].(string)
		if ticks[at] {
			t.Errorf("tick %s started two runs", at)
		}
		ticks[at] = true
		if r.Trigger != gateway.TriggerSchedule || r.Input["source"] != "clock" {
			t.Errorf("run = %+v", r)
		}
	}
	// Ticks a second apart, none skipped between the first and the last.
	first, _ := time.Parse(time.RFC3339, runs[len(runs)-1].Input["scheduled_at"].(string))
	last, _ := time.Parse(time.RFC3339, runs[0].Input["scheduled_at"].(string))
	if span := last.Sub(first); span > time.Duration(len(runs))*time.Second {
		t.Errorf("%d runs over %s of ticks", len(runs), span)
	}
}

// TestInputNamesTheContact gives a run the contact its input names: one
// found or created by external id, or an existing one by id.
func TestInputNamesTheContact(t *testing.T) {
	f := newFixture(t, `
---
kind: Workflow
name: greet
trigger: {manual: {}}
steps:
  - id: mark
    set: {contact.greeted: "{{trigger.order}}"}
`)
	ctx := context.Background()
	first := f.wait(f.start("greet", map[string]any{"order": "A", "contact": map[string]any{"external_id": "shop-42", "name": "Ada", "email": "ada@example.com"}}, ""), gateway.RunCompleted)
	second := f.wait(f.start("greet", map[string]any{"order": "B", "contact": map[string]any{"external_id": "shop-42"}}, ""), gateway.RunCompleted)
	if first.ContactID == "" || second.ContactID != first.ContactID {
		t.Fatalf("contacts %q and %q", first.ContactID, second.ContactID)
	}
	c, err := f.g.Contact(ctx, gateway.Operator(), first.ContactID)
	if err != nil || c.Name != "Ada" || c.Attributes["greeted"] != "B" {
		t.Errorf("contact = %+v, %v", c, err)
	}
	byID := f.wait(f.start("greet", map[string]any{"order": "C", "contact": map[string]any{"id": c.ID}}, ""), gateway.RunCompleted)
	if byID.ContactID != c.ID {
		t.Errorf("run by contact id has contact %q", byID.ContactID)
	}
	for input, want := range map[string]string{
		`{"contact":"shop-42"}`:                                  "input.contact: must be an object",
		`{"contact":{"id":"nope"}}`:                              `input.contact.id: no contact has id "nope"`,
		`{"contact":{"external_id":7}}`:                          "input.contact.external_id: must be a string",
		`{"contact":{"external_id":"x","email":"not an email"}}`: "input.contact.email",
	} {
		var in map[string]any
		json.Unmarshal([]byte(input), &in)
		_, _, err := f.g.StartRun(ctx, gateway.Operator(), gateway.StartRequest{Workflow: "greet", Input: in})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("input %s: %v, want %q", input, err, want)
		}
	}
}
