package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/store"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

// onEachDatabase runs fn on a gateway over SQLite and over PostgreSQL
// (skipped without one).
func onEachDatabase(t *testing.T, fn func(t *testing.T, g *gateway.Gateway)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openResourcesGateway(t)) })
	t.Run("postgres", func(t *testing.T) {
		cfg := gatewaytest.Config(t)
		cfg.DatabaseURL = storetest.PostgresURL(t, "gwproviders")
		fn(t, gatewaytest.Open(t, cfg, gateway.Options{}))
	})
}

func TestProvidersInTheSnapshotAndReferences(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, g *gateway.Gateway) {
		ctx := context.Background()
		prov := resource(t, action.KindProvider, `{"name":"openai","type":"openai","base_url":"https://api.openai.com/v1","api_key":{"secret":"openai_key"}}`)
		talker := resource(t, action.KindAgent, `{"name":"talker","model":{"provider":"openai","name":"gpt-4.1-mini"},"limits":{"max_tool_calls_per_turn":3}}`)

		// An agent naming a provider that is not stored is refused at the
		// model's provider field, with the closest stored name proposed.
		if _, err := g.PutResource(ctx, prov); err != nil {
			t.Fatal(err)
		}
		typo := resource(t, action.KindAgent, `{"name":"talker","model":{"provider":"opnai","name":"gpt-4.1-mini"}}`)
		_, err := g.PutResource(ctx, typo)
		var errs action.Errors
		if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Path != "agents[talker].model.provider" ||
			!strings.Contains(errs[0].Message, `no Provider named "opnai" (did you mean "openai"?)`) {
			t.Fatalf("agent with an unknown provider: %v", err)
		}

		// Files may name a provider that is only stored.
		found, err := g.ValidateWithStored(ctx, []action.Resource{talker})
		if err != nil || len(found) != 0 {
			t.Fatalf("ValidateWithStored with the provider stored: %v %v", found, err)
		}
		applied, err := g.Apply(ctx, []action.Resource{talker})
		if err != nil || applied[0].Change != store.Created {
			t.Fatalf("Apply: %+v %v", applied, err)
		}

		snap, err := g.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, err := snap.Provider("openai")
		if err != nil || p.BaseURL != "https://api.openai.com/v1" || snap.Providers["openai"] != p {
			t.Fatalf("snap.Provider: %+v %v", p, err)
		}
		if _, err := snap.Provider("anthropic"); !errors.Is(err, gateway.ErrUnknownProvider) {
			t.Errorf("unknown provider: %v", err)
		}
		kinds := map[action.Kind]int{}
		for _, r := range snap.Resources() {
			kinds[r.Kind]++
		}
		if kinds[action.KindProvider] != 1 || kinds[action.KindAgent] != 1 {
			t.Errorf("snapshot resources by kind: %v", kinds)
		}

		// A provider an agent talks through cannot be deleted; once the
		// agent is gone it can.
		var ref *gateway.ReferencedError
		err = g.DeleteResource(ctx, action.KindProvider, "openai")
		if !errors.As(err, &ref) || ref.Kind != action.KindProvider || len(ref.By) != 1 || ref.By[0] != "Agent/talker" {
			t.Fatalf("deleting a used provider: %v", err)
		}
		if snap, _ := g.Snapshot(ctx); snap.Providers["openai"] == nil {
			t.Fatal("a refused delete removed the provider")
		}
		for _, k := range []struct {
			kind action.Kind
			name string
		}{{action.KindAgent, "talker"}, {action.KindProvider, "openai"}} {
			if err := g.DeleteResource(ctx, k.kind, k.name); err != nil {
				t.Fatalf("deleting %s/%s: %v", k.kind, k.name, err)
			}
		}
		if snap, _ := g.Snapshot(ctx); len(snap.Providers) != 0 {
			t.Errorf("providers left: %v", snap.Providers)
		}
	})
}

func TestProviderValidatedOnPut(t *testing.T) {
	g := openResourcesGateway(t)
	bad := resource(t, action.KindProvider, `{"name":"p","type":"openai","base_url":"https://user:pw@api.example.com/v1","headers":{"Authorization":"Bearer sk-x"}}`)
	_, err := g.PutResource(context.Background(), bad)
	var errs action.Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Path != "providers[p].base_url" || errs[1].Path != "providers[p].headers.Authorization" {
		t.Fatalf("PutResource of an invalid provider: %v", err)
	}
	if strings.Contains(err.Error(), "sk-x") || strings.Contains(err.Error(), "pw@") {
		t.Errorf("the error repeats a secret: %v", err)
	}
}
