package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
	"github.com/actiongate/actiongate/internal/toolschema"
)

func nestedArgs(key string, levels int) map[string]any {
	v := map[string]any{"a": 1}
	for range levels - 1 {
		v = map[string]any{"a": v}
	}
	return map[string]any{key: v}
}

// The depth rule lives in the gateway, so every surface gets it: operator
// tests (CLI, console, admin API) and agent calls (tools API, MCP over
// HTTP and stdio) alike, built-in tools included. A refused call is
// recorded and sends nothing.
func TestGatewayRefusesDeepArgumentsOnEveryPath(t *testing.T) {
	f := gatewaytest.New(t, nil)
	ctx := context.Background()
	deep := nestedArgs("order_id", jsonlimit.MaxDepth)
	const want = "The arguments nest deeper than 64 levels of objects and arrays (at order_id/a/a/"

	res, err := f.G.Test(ctx, gateway.TestRequest{Action: "get_order", Caller: runlog.CallerConsole, Arguments: deep})
	if err != nil || res.Run.Outcome != runlog.OutcomeError || !strings.Contains(res.Run.Output, want) || res.Run.ID == "" {
		t.Fatalf("Test: %+v, %v; want a recorded refusal naming the path", res, err)
	}
	for _, tool := range []string{"get_order", toolschema.MoreResultsTool} {
		tr, err := f.G.CallTool(ctx, runlog.CallerMCP, "support", tool, deep, gateway.CallContext{ConversationID: "c", CallID: tool})
		if err != nil || tr.Status != gateway.StatusError || !strings.Contains(tr.Output, want) || tr.RunID == "" {
			t.Fatalf("CallTool %s: %+v, %v; want a recorded refusal naming the path", tool, tr, err)
		}
		run, err := f.G.GetRun(ctx, tr.RunID)
		if err != nil || run.Action != tool || run.Output != tr.Output || run.Error != "invalid_arguments" {
			t.Fatalf("run of %s: %+v, %v", tool, run, err)
		}
	}
	if n := f.Hits("GET", "/orders/A1"); n != 0 {
		t.Fatalf("%d requests reached the upstream", n)
	}
	// One level less is an ordinary call (here: a type problem).
	tr, err := f.G.CallTool(ctx, runlog.CallerMCP, "support", "get_order", nestedArgs("order_id", jsonlimit.MaxDepth-1), gateway.CallContext{})
	if err != nil || !strings.Contains(tr.Output, "order_id must be a string") {
		t.Fatalf("arguments at the limit: %+v, %v", tr, err)
	}
}

// Arguments a surface refused while decoding them are answered as the
// gateway answers those it refuses itself: after the same checks of the
// agent and the tool, with a recorded run that keeps no arguments.
func TestRefuseToolAnswersAsCallToolDoes(t *testing.T) {
	f := gatewaytest.New(t, nil)
	ctx := context.Background()
	_, refused := toolresult.DecodeArguments([]byte(`{"order_id":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`))
	if refused == nil {
		t.Fatal("deep arguments were not refused")
	}
	for tool, want := range map[string]error{"send_email": gateway.ErrUnknownAction, "cancel_order": gateway.ErrNotActivated} {
		if _, err := f.G.RefuseTool(ctx, runlog.CallerTools, "sales", tool, gateway.CallContext{}, refused); !errors.Is(err, want) {
			t.Errorf("RefuseTool %s: %v, want %v", tool, err, want)
		}
	}
	tr, err := f.G.RefuseTool(ctx, runlog.CallerTools, "sales", "get_order", gateway.CallContext{ConversationID: "c", CallID: "k"}, refused)
	if err != nil || tr.Status != gateway.StatusError || tr.Output != refused.Output() || tr.RunID == "" {
		t.Fatalf("RefuseTool: %+v, %v", tr, err)
	}
	run, err := f.G.GetRun(ctx, tr.RunID)
	if err != nil || run.Error != "invalid_arguments" || run.Output != tr.Output || run.CallID != "k" || run.Arguments[runlog.TruncatedKey] == nil {
		t.Fatalf("run: %+v, %v", run, err)
	}
	if n := f.Hits("GET", "/orders/A1"); n != 0 {
		t.Fatalf("%d requests reached the upstream", n)
	}
}
