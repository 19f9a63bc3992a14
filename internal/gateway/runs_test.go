package gateway_test

import (
	"context"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
)

// With AsyncRuns, agent calls answer before their record is committed, yet
// every run is visible to readers of the gateway and stored on Close.
func TestAsyncRunsAreVisibleAndKept(t *testing.T) {
	f := gatewaytest.New(t, nil)
	f.Apply(f.Standard()...)
	ctx := context.Background()
	g, err := gateway.Open(ctx, f.Cfg, gateway.Options{AsyncRuns: true, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	const calls = 50
	ids := make([]string, 0, calls)
	for range calls {
		tr, err := g.CallTool(ctx, runlog.CallerTools, "support", "get_order", map[string]any{"order_id": "A1"}, gateway.CallContext{})
		if err != nil || tr.Status != gateway.StatusOK || tr.RunID == "" {
			t.Fatalf("CallTool: %+v, %v", tr, err)
		}
		ids = append(ids, tr.RunID)
	}
	// A reader through the gateway sees a run as soon as its ID is known.
	if r, err := g.GetRun(ctx, ids[calls-1]); err != nil || r.Action != "get_order" {
		t.Fatalf("GetRun right after the call: %+v, %v", r, err)
	}
	if _, err := g.CallTool(ctx, runlog.CallerTools, "support", "get_order", map[string]any{"order_id": "A2"}, gateway.CallContext{}); err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	// Close stored the last run too; the fixture's own gateway reads them all.
	runs, _, err := f.G.ListRuns(ctx, store.RunFilter{Agent: "support", Limit: store.MaxRunLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != calls+1 {
		t.Fatalf("%d runs stored, want %d", len(runs), calls+1)
	}
}
