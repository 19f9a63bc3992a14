// Package demo is the content of actiongate's first minute: actions, a
// credential, a secret and an agent against the demo shop built into the
// binary (package shop), which `actiongate serve --demo` and the console's
// "Load the demo" button store through the gateway like any other
// resources.
//
// Loading never changes what is stored: a resource or secret that already
// exists under a demo name is kept as it is and reported as kept, so
// loading twice changes nothing and a person's own work under the same
// name is never replaced.
package demo

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/demo/shop"
	"github.com/actiongate/actiongate/internal/gateway"
)

//go:embed demo.yaml
var content []byte

// SecretName is the stored secret holding the demo shop's API key.
const SecretName = "DEMO_SHOP_API_KEY"

// KindSecret labels the demo's secret among its resources.
const KindSecret action.Kind = "Secret"

// Agent is the demo's agent.
const Agent = "demo-support"

// FirstAction is the action a new user is pointed at first.
const FirstAction = "demo_search_orders"

// Item is one part of the demo and whether something is stored under its
// name.
type Item struct {
	Kind action.Kind
	Name string
	// Stored reports that a resource or secret of that kind and name
	// exists (the demo's, or one of the same name made before).
	Stored bool
}

// Report says what a Load stored and what it kept as it was.
type Report struct {
	Created []Item
	Kept    []Item
}

// Resources returns the demo's resources, decoded from its YAML.
func Resources() ([]action.Resource, error) {
	rs, errs := action.Decode("demo.yaml", content)
	if len(errs) > 0 {
		return nil, fmt.Errorf("demo: reading the demo: %w", errs)
	}
	return rs, nil
}

// Status lists the demo's parts, the secret last, each marked stored when
// something exists under its name.
func Status(ctx context.Context, g *gateway.Gateway) ([]Item, error) {
	rs, err := Resources()
	if err != nil {
		return nil, err
	}
	stored, err := g.Resources(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	have := make(map[string]bool, len(stored))
	for _, r := range stored {
		have[r.Key()] = true
	}
	secrets, err := g.ListSecrets(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	items := make([]Item, 0, len(rs)+1)
	for _, r := range rs {
		items = append(items, Item{Kind: r.Kind, Name: r.Name(), Stored: have[r.Key()]})
	}
	secret := Item{Kind: KindSecret, Name: SecretName}
	for _, s := range secrets {
		secret.Stored = secret.Stored || s.Name == SecretName
	}
	return append(items, secret), nil
}

// Loaded reports whether every part of the demo is stored.
func Loaded(items []Item) bool {
	for _, it := range items {
		if !it.Stored {
			return false
		}
	}
	return true
}

// Load stores the parts of the demo that are missing, through the gateway
// (one Apply for the resources, validated with what is stored, then the
// secret), and keeps every part that exists. When a kept resource of the
// same name does not fit the demo (a credential bound to other hosts),
// nothing is stored and the error names the conflict.
func Load(ctx context.Context, g *gateway.Gateway) (*Report, error) {
	items, err := Status(ctx, g)
	if err != nil {
		return nil, err
	}
	rs, err := Resources()
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	var missing []action.Resource
	for i, it := range items {
		switch {
		case it.Stored:
			rep.Kept = append(rep.Kept, it)
		case it.Kind == KindSecret:
			rep.Created = append(rep.Created, it)
		default:
			missing = append(missing, rs[i])
			rep.Created = append(rep.Created, it)
		}
	}
	if len(missing) > 0 {
		if _, err := g.Apply(ctx, missing); err != nil {
			return nil, fmt.Errorf("demo: loading the demo beside what is stored: %w", err)
		}
	}
	if last := items[len(items)-1]; !last.Stored {
		if _, err := g.SetSecret(ctx, SecretName, []byte(shop.Key)); err != nil {
			return nil, fmt.Errorf("demo: storing the demo key: %w", err)
		}
	}
	return rep, nil
}
