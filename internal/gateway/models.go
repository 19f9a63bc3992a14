package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/provider"
)

// ErrNoModel means the agent has no model: it is a tool server only.
var ErrNoModel = errors.New("agent has no model")

// ProviderError means an agent's provider cannot be used as configured:
// its key cannot be read, or its settings are refused. Message says why,
// for people, without any secret.
type ProviderError struct {
	Provider string
	Reason   string
}

// Error formats the problem as "gateway: " and Message.
func (e *ProviderError) Error() string { return "gateway: " + e.Message() }

// Message says which provider cannot be used and why.
func (e *ProviderError) Message() string { return fmt.Sprintf("provider %q: %s", e.Provider, e.Reason) }

// Model is what the agent runtime needs to talk with an agent's model: the
// agent, its provider and a client for it. The client holds the provider's
// key; the key itself never leaves the gateway.
type Model struct {
	Agent    *action.Agent
	Provider *action.Provider
	Client   provider.Client
	// Actions are the agent's activated actions, its tools.
	Actions []*action.Action
}

// Model returns the named agent's model, ready to call. It fails with
// ErrUnknownAgent, ErrNoModel, or a *ProviderError.
func (g *Gateway) Model(ctx context.Context, agentName string) (*Model, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	ag, err := snap.Agent(agentName)
	if err != nil {
		return nil, err
	}
	if ag.Model == nil {
		return nil, fmt.Errorf("gateway: agent %q: %w", agentName, ErrNoModel)
	}
	p, err := snap.Provider(ag.Model.Provider)
	if err != nil {
		return nil, err
	}
	var key string
	if p.APIKey != nil {
		if key, err = g.secrets.ResolveSecret(ctx, *p.APIKey); err != nil {
			return nil, &ProviderError{Provider: p.Name, Reason: fmt.Sprintf("its api_key (%s) cannot be read: %v", p.APIKey, err)}
		}
	}
	c, err := provider.New(p, key, g.providers.HTTPClient())
	if err != nil {
		return nil, &ProviderError{Provider: p.Name, Reason: err.Error()}
	}
	return &Model{Agent: ag, Provider: p, Client: c, Actions: snap.AgentActions(ag)}, nil
}
