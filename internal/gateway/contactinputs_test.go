package gateway_test

import (
	"context"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// TestContactInputsGuardEveryCaller: an action's required contact input
// holds on the tools API as in the agent runtime (nothing is sent without
// it, or with a value its pattern refuses), and each caller is told what
// it can do about it; an optional input the contact lacks is sent empty.
func TestContactInputsGuardEveryCaller(t *testing.T) {
	f := gatewaytest.New(t, nil)
	f.Apply(action.Resource{Kind: action.KindAction, Action: &action.Action{
		Name: "order_by_account", Description: "The contact's order.", Method: action.MethodGet,
		URL:   f.Upstream.URL + "/orders/{{contact.account}}",
		Query: map[string]string{"note": "{{contact.note}}"},
		ContactInputs: map[string]*action.ContactInput{
			"account": {Description: "their account number", Pattern: "[A-Z][0-9]+", Required: true},
			"note":    {Description: "anything to add"},
		},
	}}, gatewaytest.Agent("support", "order_by_account"))
	ctx := context.Background()
	call := func(caller string, contact map[string]any) *gateway.ToolResult {
		t.Helper()
		tr, err := f.G.CallTool(ctx, caller, "support", "order_by_account", map[string]any{}, gateway.CallContext{Contact: contact})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	tools := call(runlog.CallerTools, map[string]any{"name": "Ada"})
	if tools.Status != gateway.StatusError || !strings.Contains(tools.Output, "contact_input_required") ||
		!strings.Contains(tools.Output, "contact.account in the call's context") || strings.Contains(tools.Output, "remember_contact_input") {
		t.Errorf("tools API without the input: %+v", tools)
	}
	rt := call(runlog.CallerRuntime, nil)
	if !strings.Contains(rt.Output, "remember_contact_input") || !strings.Contains(rt.Output, "their account number") {
		t.Errorf("runtime without the input: %+v", rt)
	}
	if bad := call(runlog.CallerTools, map[string]any{"account": "a1; DROP"}); !strings.Contains(bad.Output, "expected form") {
		t.Errorf("a value the pattern refuses: %+v", bad)
	}
	if n := f.Hits("GET", "/orders/A1"); n != 0 {
		t.Fatalf("%d requests were sent without a valid input", n)
	}
	if ok := call(runlog.CallerTools, map[string]any{"account": "A1"}); ok.Status != gateway.StatusOK {
		t.Fatalf("with the input: %+v", ok)
	}
	if n := f.Hits("GET", "/orders/A1"); n != 1 {
		t.Errorf("upstream saw %d requests with the input, want 1", n)
	}
	run, _, err := f.G.ListRuns(ctx, gateway.RunFilter{Action: "order_by_account", Limit: 10})
	if err != nil || len(run) != 4 {
		t.Fatalf("runs: %d, %v (every refusal is on record)", len(run), err)
	}
	if q := run[0].Request.URL; !strings.HasSuffix(q, "/orders/A1?note=") {
		t.Errorf("the optional input went out as %q, want an empty note", q)
	}
}
