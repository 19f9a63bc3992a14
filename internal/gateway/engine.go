package gateway

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/demo/shop"
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
	// The demo shop is always served in-process: it holds only made-up
	// data and reaches nothing, so loading the demo needs no restart.
	client, err := egress.New(egress.Config{Allow: cfg.EgressAllow, MaxResponseBytes: cfg.MaxResponseBytes,
		Local: map[string]http.Handler{shop.Host: shop.New()}})
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

// extractTimeout bounds each jq expression of a workflow step's extract.
const extractTimeout = 100 * time.Millisecond

// Extract runs a workflow step's extract expressions (name -> jq) over a
// response body (masked, as a step's call result keeps it).
func (g *Gateway) Extract(ctx context.Context, body []byte, exprs map[string]string) (map[string]any, error) {
	out, err := g.engine.Filter().Extract(ctx, body, exprs, extractTimeout)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return out, nil
}

// StepSecret returns the value of {{secret.NAME}} for a workflow step's
// action arguments; the step masks it in every record (StepCall.Mask).
func (g *Gateway) StepSecret(ctx context.Context, name string) (string, error) {
	v, err := g.secrets.LookupSecret(ctx, name)
	if err != nil {
		return "", fmt.Errorf("gateway: %w", err)
	}
	return v, nil
}
