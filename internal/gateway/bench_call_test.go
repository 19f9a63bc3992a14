package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// BenchmarkCutCall measures what the gateway adds to an agent call whose
// answer, a 5 KB list of 50 issues, the default token budget cuts (so a
// more_results handle is made): the token check of the request, and the
// call with its run record and handle, from 4 goroutines as a server
// driven at concurrency 4. cpu-µs/op includes the loopback upstream.
func BenchmarkCutCall(b *testing.B) {
	items := make([]map[string]any, 50)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "title": fmt.Sprintf("Issue number %d about the login page", i+1), "state": "open", "labels": []string{"bug"}, "comments": i % 7}
	}
	body, _ := json.Marshal(items)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(up.Close)
	g := gatewaytest.Open(b, gatewaytest.Config(b), gateway.Options{AsyncRuns: true})
	ctx := context.Background()
	_, err := g.Apply(ctx, []action.Resource{
		{Kind: action.KindAction, Action: &action.Action{Name: "list_issues", Description: "List issues.", Method: action.MethodGet, URL: up.URL + "/issues"}},
		gatewaytest.Agent("bot", "list_issues"),
	})
	if err != nil {
		b.Fatal(err)
	}
	plain, _, err := g.CreateToken(ctx, "bot", false, "bot")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("authenticate", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := g.Authenticate(ctx, plain); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("call_parallel", func(b *testing.B) {
		b.SetParallelism(2) // 4 goroutines on the 2-core machine
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := g.Authenticate(ctx, plain); err != nil {
					b.Error(err)
					return
				}
				tr, err := g.CallTool(ctx, runlog.CallerTools, "bot", "list_issues", map[string]any{}, gateway.CallContext{})
				if err != nil || tr.Status != gateway.StatusOK || tr.Handle == "" {
					b.Errorf("list_issues: %+v, %v", tr, err)
					return
				}
			}
		})
	})
}
