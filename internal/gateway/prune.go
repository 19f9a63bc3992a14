package gateway

import (
	"context"
	"fmt"
	"time"
)

// PruneInterval is how often PruneLoop deletes old runs and expired records.
const PruneInterval = time.Hour

// Prune deletes runs older than the configured run retention
// (ACTIONGATE_RUN_RETENTION) and expired handles, confirmations and call
// records, returning how many runs it deleted. Replicas may prune at the
// same time.
func (g *Gateway) Prune(ctx context.Context) (int64, error) {
	now := g.now()
	n, err := g.store.PruneRuns(ctx, now.Add(-g.cfg.RunRetention))
	if err != nil {
		return 0, fmt.Errorf("gateway: %w", err)
	}
	if err := g.store.PruneExpired(ctx, now); err != nil {
		return n, fmt.Errorf("gateway: %w", err)
	}
	return n, nil
}

// PruneLoop prunes at once and then every interval until ctx is done, and
// sweeps abandoned intents (Sweep) every SweepInterval. Failures are logged
// and retried at the next tick.
func (g *Gateway) PruneLoop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	sweep := time.NewTicker(SweepInterval)
	defer sweep.Stop()
	for {
		n, err := g.Prune(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			g.log.WarnContext(ctx, "pruning run log", "err", err)
		case n > 0:
			g.log.InfoContext(ctx, "pruned run log", "runs", n, "retention", g.cfg.RunRetention.String())
		}
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				break wait
			case <-sweep.C:
				g.sweepAndLog(ctx)
			}
		}
	}
}

// sweepAndLog runs Sweep, logging what it marked or why it failed.
func (g *Gateway) sweepAndLog(ctx context.Context) {
	n, err := g.Sweep(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		g.log.WarnContext(ctx, "sweeping abandoned run records", "err", err)
	case n > 0:
		g.log.WarnContext(ctx, "marked writes whose server stopped while sending as outcome unknown", "runs", n)
	}
}
