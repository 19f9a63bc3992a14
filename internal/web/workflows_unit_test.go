package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// TestSampleInputFollowsTheParams builds the sample a workflow page offers
// from a trigger's params: defaults win, then an enum's first value, then
// an example of the type inside its bounds.
func TestSampleInputFollowsTheParams(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	n := func(v int) *int { return &v }
	tr := action.Trigger{Webhook: &action.WebhookTrigger{Params: action.Params{
		{Name: "order_id", Param: &action.Param{Type: action.ParamTypeString, Required: true}},
		{Name: "code", Param: &action.Param{Type: action.ParamTypeString, MinLength: n(10)}},
		{Name: "tag", Param: &action.Param{Type: action.ParamTypeString, MaxLength: n(3)}},
		{Name: "channel", Param: &action.Param{Type: action.ParamTypeString, Enum: []any{"email", "sms"}}},
		{Name: "lang", Param: &action.Param{Type: action.ParamTypeString, Default: "de", Enum: []any{"en", "de"}}},
		{Name: "qty", Param: &action.Param{Type: action.ParamTypeInteger, Minimum: f(2.5)}},
		{Name: "small", Param: &action.Param{Type: action.ParamTypeInteger, Maximum: f(0)}},
		{Name: "price", Param: &action.Param{Type: action.ParamTypeNumber}},
		{Name: "rush", Param: &action.Param{Type: action.ParamTypeBoolean}},
		{Name: "skus", Param: &action.Param{Type: action.ParamTypeArray, Items: &action.Param{Type: action.ParamTypeInteger}}},
		{Name: "any", Param: &action.Param{Type: action.ParamTypeArray}},
		{Name: "meta", Param: &action.Param{Type: action.ParamTypeObject}},
	}}}
	got := jsonText(sampleInput(tr), false)
	want := `{"any":[],"channel":"email","code":"examplexxx","lang":"de","meta":{},"order_id":"example","price":1.5,"qty":3,"rush":true,"skus":[1],"small":0,"tag":"exa"}`
	if got != want {
		t.Fatalf("sample input\n got %s\nwant %s", got, want)
	}
	sched := action.Trigger{Schedule: &action.ScheduleTrigger{Cron: "0 8 * * *", Input: map[string]any{"report": "daily"}}}
	if got := jsonText(sampleInput(sched), false); got != `{"report":"daily"}` {
		t.Errorf("a schedule's sample is %s, want its fixed input", got)
	}
	for _, tr := range []action.Trigger{{Manual: &action.ManualTrigger{}}, {Event: &action.EventTrigger{Type: action.EventContactCreated}}} {
		if got := jsonText(sampleInput(tr), false); got != `{}` {
			t.Errorf("%s trigger without params: sample %s, want {}", tr.Type(), got)
		}
	}
}

// TestRunInputIsOneBoundedObject checks what the run form accepts as input
// and that input beyond the bounds every surface keeps is refused before
// it is parsed, in little time and memory.
func TestRunInputIsOneBoundedObject(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{``, ""},
		{"  \n", ""},
		{`{"order_id": "SO-1", "n": 12345678901234567890}`, ""},
		{`[1, 2]`, "must be a JSON object"},
		{`"text"`, "must be a JSON object"},
		{`{"a": 1} {"b": 2}`, "more than one JSON value"},
		{`{"a": }`, "not valid JSON"},
	} {
		v, msg := decodeRunInput([]byte(c.in))
		switch {
		case c.want == "" && (msg != "" || v == nil):
			t.Errorf("%q: refused: %s", c.in, msg)
		case c.want != "" && !strings.Contains(msg, c.want):
			t.Errorf("%q: message %q, want it to say %q", c.in, msg, c.want)
		}
	}
	v, _ := decodeRunInput([]byte(`{"n": 12345678901234567890}`))
	if n, ok := v["n"].(json.Number); !ok || n.String() != "12345678901234567890" {
		t.Errorf("a large number became %#v, want it exact", v["n"])
	}

	big := []byte(`{"a":"` + strings.Repeat("x", toolresult.MaxArgumentBytes) + `"}`)
	deep := []byte(strings.Repeat("[", 1<<20))
	for name, in := range map[string][]byte{"large": big, "deep": deep} {
		start := time.Now()
		_, msg := decodeRunInput(in)
		took := time.Since(start)
		if msg == "" {
			t.Fatalf("%s input accepted", name)
		}
		if took > 200*time.Millisecond {
			t.Errorf("%s input took %s to refuse", name, took)
		}
		allocs := testing.AllocsPerRun(5, func() { decodeRunInput(in) })
		if allocs > 20 {
			t.Errorf("%s input: %.0f allocations to refuse, want a handful", name, allocs)
		}
		t.Logf("%s input (%d bytes) refused in %s with %.0f allocations: %s", name, len(in), took, allocs, msg)
	}
	if _, msg := decodeRunInput(deep); !strings.Contains(msg, "deeper than") || !strings.Contains(msg, itoa(jsonlimit.MaxDepth)) {
		t.Errorf("deep input: %q", msg)
	}
}

// TestDiagramKeepsTheBranches builds the diagram model of nested steps.
func TestDiagramKeepsTheBranches(t *testing.T) {
	two := 2
	steps := []*action.Step{
		{ID: "order", Action: "get_order", With: map[string]any{"order_id": "{{trigger.order_id}}", "n": 3}, Extract: map[string]string{"tracking": ".t", "email": ".e"},
			Retries: &two, OnError: &action.OnError{Do: action.OnErrorGoto, Goto: "later"}},
		{ID: "shipped", If: "steps.order.status == \"ok\"", Then: []*action.Step{{ID: "remember", Set: map[string]any{"vars.tracking": "{{steps.order.extract.tracking}}"}}}},
		{ID: "route", Switch: []*action.SwitchCase{{When: "vars.x == 1", Steps: []*action.Step{{ID: "w", Wait: "10m"}}}, {Steps: []*action.Step{{ID: "child", Workflow: "other"}}}}},
		{ID: "ask", Agent: "triage", Input: "why?", Output: map[string]*action.Param{"category": {Type: "string", Enum: []any{"billing", "other"}}, "urgent": {Type: "boolean"}}},
	}
	nodes := buildDiagram(steps, map[string]*action.Action{})
	if len(nodes) != 4 || countSteps(steps) != 7 {
		t.Fatalf("%d nodes, %d steps counted", len(nodes), countSteps(steps))
	}
	a := nodes[0]
	if a.Type != "action" || !a.ActionMissing || a.Retries != "2" || a.OnError != "goto" || a.Goto != "later" ||
		jsonText(a.Extract, false) != `[{"Key":"email","Value":".e"},{"Key":"tracking","Value":".t"}]` ||
		jsonText(a.With, false) != `[{"Key":"n","Value":"3"},{"Key":"order_id","Value":"{{trigger.order_id}}"}]` {
		t.Errorf("action node: %+v", a)
	}
	if n := nodes[1]; n.Cond == "" || len(n.Then) != 1 || n.Then[0].Set[0].Key != "vars.tracking" || len(n.Else) != 0 {
		t.Errorf("if node: %+v", n)
	}
	if n := nodes[2]; len(n.Cases) != 2 || n.Cases[0].Default || !n.Cases[1].Default || n.Cases[1].Steps[0].Workflow != "other" || n.Cases[0].Steps[0].Wait != "10m" {
		t.Errorf("switch node: %+v", n)
	}
	if n := nodes[3]; jsonText(n.Output, false) != `[{"Key":"category","Value":"string: billing | other"},{"Key":"urgent","Value":"boolean"}]` {
		t.Errorf("agent node outputs: %+v", n.Output)
	}
}
