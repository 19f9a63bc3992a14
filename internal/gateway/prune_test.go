package gateway_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
)

func TestPruneKeepsRunsWithinRetention(t *testing.T) {
	ctx := context.Background()
	g := openResourcesGateway(t)
	old := &runlog.Run{Action: "a", Outcome: runlog.OutcomeOK, StartedAt: time.Now().Add(-g.Config().RunRetention - time.Hour)}
	recent := &runlog.Run{Action: "a", Outcome: runlog.OutcomeOK, StartedAt: time.Now().Add(-time.Hour)}
	for _, r := range []*runlog.Run{old, recent} {
		if err := g.Store().InsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	n, err := g.Prune(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Prune: %d, %v; want 1 run deleted", n, err)
	}
	if _, err := g.GetRun(ctx, old.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old run is still there: %v", err)
	}
	if _, err := g.GetRun(ctx, recent.ID); err != nil {
		t.Errorf("the recent run is gone: %v", err)
	}
}

func TestPruneLoopPrunesAtOnceAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	g := openResourcesGateway(t)
	old := &runlog.Run{Action: "a", Outcome: runlog.OutcomeOK, StartedAt: time.Now().Add(-g.Config().RunRetention - time.Hour)}
	if err := g.Store().InsertRun(ctx, old); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.PruneLoop(ctx, time.Hour)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := g.GetRun(context.Background(), old.ID); errors.Is(err, store.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("PruneLoop did not prune at start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("PruneLoop did not stop")
	}
}
