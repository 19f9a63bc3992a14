package workflow_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
)

// BenchmarkRunOneAction starts runs of a workflow with one read step
// and waits until each completes: the engine's cost per run on SQLite,
// queue and database included (16 runs in flight).
func BenchmarkRunOneAction(b *testing.B) {
	f := newFixture(b, `
---
kind: Workflow
name: lookup
trigger: {manual: {}}
steps:
  - id: order
    action: get_order
    with: {order_id: "{{trigger.order_id}}"}
`)
	ctx := context.Background()
	var done atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := 0; i < b.N; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			run, _, err := f.g.StartRun(ctx, gateway.Operator(), gateway.StartRequest{Workflow: "lookup", Input: map[string]any{"order_id": "O-1"}})
			if err != nil {
				b.Error(err)
				return
			}
			for {
				r, err := f.g.WorkflowRun(ctx, gateway.Operator(), run.ID)
				if err != nil {
					b.Error(err)
					return
				}
				if r.Status == gateway.RunCompleted {
					done.Add(1)
					return
				}
				if r.Status == gateway.RunFailed {
					b.Errorf("run failed: %s", r.Error)
					return
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(done.Load())/b.Elapsed().Seconds(), "runs/s")
}
