package gateway

import (
	"context"
	"fmt"

	"github.com/actiongate/actiongate/internal/action"
)

// ValidateWithStored validates rs together with every stored resource that
// rs does not replace, so resources may refer to credentials, actions and
// providers that are already stored, and a change that would break a
// stored resource (a credential's hosts no longer covering a stored action)
// is found. It
// returns the field errors; the error result is for a failing store.
func (g *Gateway) ValidateWithStored(ctx context.Context, rs []action.Resource) (action.Errors, error) {
	set, err := g.withStored(ctx, rs)
	if err != nil {
		return nil, err
	}
	return action.Validate(set), nil
}

// Apply creates or updates rs in one transaction after validating them with
// ValidateWithStored. When anything is invalid nothing is written and the
// error wraps the action.Errors. Results are in the order of rs. Apply
// never deletes: an agent stored again under its name is the same agent
// and keeps its tokens (only DeleteResource ends an agent and its tokens).
func (g *Gateway) Apply(ctx context.Context, rs []action.Resource) ([]Applied, error) {
	errs, err := g.ValidateWithStored(ctx, rs)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("gateway: applying resources: %w", errs)
	}
	out, err := g.store.Apply(ctx, rs)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.Invalidate()
	return out, nil
}

// withStored returns the stored resources that rs does not replace,
// followed by rs.
func (g *Gateway) withStored(ctx context.Context, rs []action.Resource) ([]action.Resource, error) {
	stored, err := g.store.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: loading stored resources: %w", err)
	}
	replaced := make(map[string]bool, len(rs))
	for i := range rs {
		replaced[rs[i].Key()] = true
	}
	set := make([]action.Resource, 0, len(stored)+len(rs))
	for _, r := range stored {
		if !replaced[r.Key()] {
			set = append(set, r)
		}
	}
	return append(set, rs...), nil
}
