package gateway_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/store"
)

// openKeyed opens a gateway on the database in dir with the given master
// key (base64; empty means the key file in dir).
func openKeyed(t *testing.T, dir, masterKey string) (*gateway.Gateway, error) {
	t.Helper()
	cfg := gatewaytest.Config(t)
	cfg.DataDir = dir
	cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, config.DatabaseFile)
	cfg.MasterKey = masterKey
	g, err := gateway.Open(context.Background(), cfg, gateway.Options{Getenv: func(string) string { return "" }})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { g.Close() })
	return g, nil
}

func mustOpen(t *testing.T, dir, masterKey string) *gateway.Gateway {
	t.Helper()
	g, err := openKeyed(t, dir, masterKey)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func resource(t *testing.T, kind action.Kind, spec string) action.Resource {
	t.Helper()
	r, errs := action.FromSpecJSON(kind, []byte(spec))
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestApplyStoresAllOrNothing(t *testing.T) {
	ctx := context.Background()
	g := mustOpen(t, t.TempDir(), "")
	cred := resource(t, action.KindCredential, `{"name":"shop","type":"bearer","hosts":["api.example.com"],"token":{"secret":"t"}}`)
	get := resource(t, action.KindAction, `{"name":"get","method":"GET","url":"https://api.example.com/x","auth":"shop"}`)
	agent := resource(t, action.KindAgent, `{"name":"support","actions":["get"]}`)

	out, err := g.Apply(ctx, []action.Resource{agent, get, cred})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Applied{
		{Kind: action.KindAgent, Name: "support", Change: store.Created},
		{Kind: action.KindAction, Name: "get", Change: store.Created},
		{Kind: action.KindCredential, Name: "shop", Change: store.Created},
	}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("Apply = %+v, want %+v", out, want)
		}
	}
	// The gateway sees the change at once.
	if snap, _ := g.Snapshot(ctx); snap.Actions["get"] == nil || snap.Agents["support"] == nil {
		t.Fatal("snapshot does not show the applied resources")
	}

	// A resource referring to a stored one validates; applying the same
	// again is unchanged.
	other := resource(t, action.KindAction, `{"name":"list","method":"GET","url":"https://api.example.com/list","auth":"shop"}`)
	if errs, err := g.ValidateWithStored(ctx, []action.Resource{other}); err != nil || len(errs) > 0 {
		t.Fatalf("ValidateWithStored: %v %v", errs, err)
	}
	out, err = g.Apply(ctx, []action.Resource{get, other})
	if err != nil || out[0].Change != store.Unchanged || out[1].Change != store.Created {
		t.Fatalf("second Apply: %+v %v", out, err)
	}

	// One invalid resource (here: a credential change that breaks the
	// stored actions) keeps every other from being written.
	narrowed := resource(t, action.KindCredential, `{"name":"shop","type":"bearer","hosts":["elsewhere.example.com"],"token":{"secret":"t"}}`)
	newAgent := resource(t, action.KindAgent, `{"name":"sales","actions":["list"]}`)
	_, err = g.Apply(ctx, []action.Resource{newAgent, narrowed})
	var errs action.Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Path != "actions[get].url" && errs[0].Path != "actions[get].auth" {
		t.Fatalf("Apply of a breaking change: %v", err)
	}
	if _, err := g.Store().Get(ctx, action.KindAgent, "sales"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a resource of a refused apply was stored: %v", err)
	}
	c, err := g.Store().Get(ctx, action.KindCredential, "shop")
	if err != nil || c.Credential.Hosts[0] != "api.example.com" {
		t.Fatalf("the credential changed: %+v %v", c, err)
	}
}
