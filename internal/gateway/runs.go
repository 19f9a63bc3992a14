package gateway

import (
	"context"
	"fmt"

	"github.com/actiongate/actiongate/internal/runlog"
)

// ListRuns lists run records, including every run recorded before the call.
func (g *Gateway) ListRuns(ctx context.Context, f RunFilter) ([]runlog.Run, string, error) {
	if err := g.runs.flush(ctx); err != nil {
		return nil, "", fmt.Errorf("gateway: listing runs: %w", err)
	}
	return g.store.ListRuns(ctx, f)
}

// GetRun returns one run record; ErrNotFound when there is none.
func (g *Gateway) GetRun(ctx context.Context, id string) (*runlog.Run, error) {
	if err := g.runs.flush(ctx); err != nil {
		return nil, fmt.Errorf("gateway: reading run: %w", err)
	}
	return g.store.GetRun(ctx, id)
}
