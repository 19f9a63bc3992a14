package gateway

import (
	"context"
	"fmt"
)

// ListTokens returns every token, revoked ones included, oldest first; the
// tokens themselves are never stored, only their hashes.
func (g *Gateway) ListTokens(ctx context.Context) ([]Token, error) {
	ts, err := g.store.ListTokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return ts, nil
}

// RevokeToken revokes the unrevoked token with this id or, failing that,
// this name, and returns it as it was before; ErrNotFound (wrapped) when
// no unrevoked token matches. The token stops working at once.
func (g *Gateway) RevokeToken(ctx context.Context, idOrName string) (*Token, error) {
	ts, err := g.store.ListTokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: revoking token %q: %w", idOrName, err)
	}
	t := liveToken(ts, idOrName)
	if t == nil {
		return nil, fmt.Errorf("gateway: revoking token %q: %w", idOrName, ErrNotFound)
	}
	if err := g.store.RevokeToken(ctx, t.ID); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.forgetToken(t.ID)
	return t, nil
}

// liveToken finds the unrevoked token with this id or, failing that, this
// name (names are unique among unrevoked tokens).
func liveToken(ts []Token, idOrName string) *Token {
	for _, match := range []func(*Token) bool{
		func(t *Token) bool { return t.ID == idOrName },
		func(t *Token) bool { return t.Name == idOrName },
	} {
		for i := range ts {
			if ts[i].RevokedAt == nil && match(&ts[i]) {
				return &ts[i]
			}
		}
	}
	return nil
}
