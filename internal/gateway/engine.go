package gateway

import (
	"context"
	"fmt"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/egress"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// NewEngine assembles the invoke engine the configuration describes: the
// egress client (allowed networks, response size cap), the tokenizer (tok,
// or a newly loaded one when nil) and secrets. Open builds its engine here
// with the stored secrets; a command running actions from files passes
// secrets from the environment.
func NewEngine(cfg *config.Config, tok *respfilter.Tokenizer, secrets invoke.Secrets) (*invoke.Engine, error) {
	if tok == nil {
		var err error
		if tok, err = respfilter.NewTokenizer(); err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
	}
	client, err := egress.New(egress.Config{Allow: cfg.EgressAllow, MaxResponseBytes: cfg.MaxResponseBytes})
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return invoke.NewEngine(client, tok, secrets), nil
}

// Refilter runs the response filter over a body given directly (no call
// is made and nothing is recorded), as a person tuning a filter does. Its
// errors are the filter's own, naming the problem for that person.
func (g *Gateway) Refilter(ctx context.Context, contentType string, body []byte, o respfilter.Options) (*respfilter.Result, error) {
	return g.engine.Filter().Apply(ctx, contentType, body, o)
}
