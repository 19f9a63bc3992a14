package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/cputime"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// BenchmarkAgentCall measures one agent call through the server's gateway
// (runs recorded asynchronously) on SQLite: a read, and a write, which
// also stores its intent before sending and completes it afterwards, one
// at a time and from 16 goroutines (whose intents share commits).
func BenchmarkAgentCall(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"A1","status":"shipped"}`)
	}))
	b.Cleanup(up.Close)
	g := gatewaytest.Open(b, gatewaytest.Config(b), gateway.Options{AsyncRuns: true})
	id := &action.Param{Type: "string", Description: "The order id.", Required: true}
	_, err := g.Store().Apply(context.Background(), []action.Resource{
		{Kind: action.KindAction, Action: &action.Action{Name: "get_order", Description: "Get an order.",
			Method: action.MethodGet, URL: up.URL + "/orders/{{order_id}}", Params: action.Params{{Name: "order_id", Param: id}}}},
		{Kind: action.KindAction, Action: &action.Action{Name: "cancel_order", Description: "Cancel an order.", Confirm: action.ConfirmNever,
			Method: action.MethodDelete, URL: up.URL + "/orders/{{order_id}}", Params: action.Params{{Name: "order_id", Param: id}}}},
		gatewaytest.Agent("support", "get_order", "cancel_order"),
	})
	if err != nil {
		b.Fatal(err)
	}
	g.Invalidate()
	for _, tool := range []string{"get_order", "cancel_order"} {
		b.Run(tool, func(b *testing.B) {
			ctx := context.Background()
			defer reportCPU(b)()
			for b.Loop() {
				tr, err := g.CallTool(ctx, runlog.CallerTools, "support", tool, map[string]any{"order_id": "A1"}, gateway.CallContext{})
				if err != nil || tr.Status != gateway.StatusOK {
					b.Fatalf("%s: %+v, %v", tool, tr, err)
				}
			}
		})
	}
	b.Run("cancel_order_parallel", func(b *testing.B) {
		b.SetParallelism(8)
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				tr, err := g.CallTool(context.Background(), runlog.CallerTools, "support", "cancel_order", map[string]any{"order_id": "A1"}, gateway.CallContext{})
				if err != nil || tr.Status != gateway.StatusOK {
					b.Errorf("cancel_order: %+v, %v", tr, err)
					return
				}
			}
		})
	})
}

// reportCPU reports the process's CPU time per operation (user + system,
// the loopback upstream included), steadier than wall time on a busy
// machine; call the function it returns when the loop is done.
func reportCPU(b *testing.B) func() {
	start := cputime.Process()
	return func() { b.ReportMetric(float64((cputime.Process()-start).Microseconds())/float64(b.N), "cpu-µs/op") }
}
