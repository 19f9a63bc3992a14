package api

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
)

// secretStatus stands in for a secret reference in responses: where the
// value comes from and whether it is set, never the value.
type secretStatus struct {
	// Source is "secret" (a stored secret) or "env" (an environment variable).
	Source string `json:"source"`
	// Name is the stored secret's or the variable's name.
	Name string `json:"name"`
	// Set reports whether the value resolves right now.
	Set bool `json:"set"`
}

// credentialView is a credential as responses show it: every secret field
// reduced to a secretStatus.
func credentialView(ctx context.Context, g *gateway.Gateway, c *action.Credential) (map[string]any, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("api: encoding credential %s: %w", c.Name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("api: encoding credential %s: %w", c.Name, err)
	}
	status := func(ref *action.SecretRef) secretStatus { return refStatus(ctx, g, ref) }
	for field, ref := range map[string]*action.SecretRef{"token": c.Token, "password": c.Password, "client_secret": c.ClientSecret} {
		if ref != nil {
			m[field] = status(ref)
		}
	}
	if c.APIKey != nil && c.APIKey.Value != nil {
		if ak, ok := m["api_key"].(map[string]any); ok {
			ak["value"] = status(c.APIKey.Value)
		}
	}
	if c.HeaderValues != nil {
		hv := make(map[string]secretStatus, len(c.HeaderValues))
		for k, ref := range c.HeaderValues {
			if ref != nil {
				hv[k] = status(ref)
			}
		}
		m["headers"] = hv
	}
	return m, nil
}

// refStatus reduces a secret reference to where its value comes from and
// whether it is set.
func refStatus(ctx context.Context, g *gateway.Gateway, ref *action.SecretRef) secretStatus {
	st := secretStatus{Source: "secret", Name: ref.Secret}
	if ref.Env != "" {
		st = secretStatus{Source: "env", Name: ref.Env}
	}
	st.Set = g.SecretRefSet(ctx, *ref)
	return st
}

// providerView is a provider as responses show it: its api_key reduced to
// a secretStatus.
func providerView(ctx context.Context, g *gateway.Gateway, p *action.Provider) (map[string]any, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("api: encoding provider %s: %w", p.Name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("api: encoding provider %s: %w", p.Name, err)
	}
	if p.APIKey != nil {
		m["api_key"] = refStatus(ctx, g, p.APIKey)
	}
	return m, nil
}
