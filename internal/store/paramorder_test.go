package store

import (
	"context"
	"slices"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

// zam is a list of param names that no sort keeps.
var zam = []string{"zeta", "alpha", "mid"}

func orderedParams() action.Params {
	var ps action.Params
	for _, n := range zam {
		ps.Set(n, &action.Param{Type: action.ParamTypeString, Required: n == "zeta"})
	}
	return ps
}

// testParamOrder stores an action and a workflow whose params are not
// in name order and reads them back in the order they were given, through
// Put, Apply, Get and List.
func testParamOrder(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	a := action.Resource{Kind: action.KindAction, Action: &action.Action{
		Name: "find", Method: action.MethodGet, URL: "https://api.example.com/{{zeta}}",
		Query:  map[string]string{"a": "{{alpha}}", "m": "{{mid}}"},
		Params: orderedParams(),
	}}
	w := action.Resource{Kind: action.KindWorkflow, Workflow: &action.Workflow{
		Name:    "flow",
		Trigger: action.Trigger{Manual: &action.ManualTrigger{Params: orderedParams()}},
		Steps:   []*action.Step{{ID: "s", Action: "find", With: map[string]any{"zeta": "x"}}},
	}}
	if _, err := s.Put(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, []action.Resource{w}); err != nil {
		t.Fatal(err)
	}
	check := func(how string, ps action.Params) {
		t.Helper()
		if got := ps.Names(); !slices.Equal(got, zam) {
			t.Errorf("%s: params %v, want %v", how, got, zam)
		}
	}
	got, err := s.Get(ctx, action.KindAction, "find")
	must(t, err)
	check("Get action", got.Action.Params)
	if !got.Action.Params.Get("zeta").Required {
		t.Error("Get action: zeta lost required")
	}
	gw, err := s.Get(ctx, action.KindWorkflow, "flow")
	must(t, err)
	check("Get workflow", gw.Workflow.Trigger.Params())
	all, err := s.List(ctx, action.KindAction)
	must(t, err)
	if len(all) != 1 {
		t.Fatalf("List = %d actions", len(all))
	}
	check("List", all[0].Action.Params)
	// Stored again unchanged, the spec is the same bytes: Put sees no change.
	if ch, err := s.Put(ctx, *got); err != nil || ch != Unchanged {
		t.Errorf("Put of what Get returned = %v, %v; want Unchanged", ch, err)
	}
}
