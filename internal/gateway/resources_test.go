package gateway_test

import (
	"context"
	"errors"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/store"
)

func openResourcesGateway(t *testing.T) *gateway.Gateway {
	return gatewaytest.Open(t, gatewaytest.Config(t), gateway.Options{})
}

func TestPutAndDeleteResources(t *testing.T) {
	ctx := context.Background()
	g := openResourcesGateway(t)
	cred := resource(t, action.KindCredential, `{"name":"shop","type":"bearer","hosts":["api.example.com"],"token":{"secret":"t"}}`)
	act := resource(t, action.KindAction, `{"name":"get","method":"GET","url":"https://api.example.com/x","auth":"shop"}`)
	agent := resource(t, action.KindAgent, `{"name":"support","actions":["get"]}`)

	// An action whose credential does not exist yet is refused with the
	// validator's field path, and nothing is stored.
	_, err := g.PutResource(ctx, act)
	var errs action.Errors
	if !errors.As(err, &errs) || errs[0].Path != "actions[get].auth" {
		t.Fatalf("PutResource without credential: %v", err)
	}
	if snap, _ := g.Snapshot(ctx); snap.Actions["get"] != nil {
		t.Fatal("an invalid action was stored")
	}

	for _, r := range []action.Resource{cred, act, agent} {
		if ch, err := g.PutResource(ctx, r); err != nil || ch != store.Created {
			t.Fatalf("PutResource %s: %v %v", r.Key(), ch, err)
		}
	}
	// The change is visible at once, without waiting for the snapshot TTL.
	snap, err := g.Snapshot(ctx)
	if err != nil || snap.Actions["get"] == nil || len(snap.ActivatedFor("get")) != 1 {
		t.Fatalf("snapshot after put: %v %+v", err, snap)
	}
	if ch, err := g.PutResource(ctx, act); err != nil || ch != store.Unchanged {
		t.Errorf("same spec again: %v %v", ch, err)
	}

	// A credential change that breaks an action that uses it is refused.
	moved := resource(t, action.KindCredential, `{"name":"shop","type":"bearer","hosts":["other.example.com"],"token":{"secret":"t"}}`)
	if _, err := g.PutResource(ctx, moved); !errors.As(err, &errs) || errs[0].Path != "actions[get].auth" {
		t.Errorf("breaking credential change: %v", err)
	}

	var ref *gateway.ReferencedError
	if err := g.DeleteResource(ctx, action.KindAction, "get"); !errors.As(err, &ref) || ref.By[0] != "Agent/support" {
		t.Errorf("deleting an activated action: %v", err)
	}
	if err := g.DeleteResource(ctx, action.KindCredential, "shop"); !errors.Is(err, gateway.ErrReferenced) {
		t.Errorf("deleting a used credential: %v", err)
	}
	for _, r := range []action.Resource{agent, act, cred} {
		if err := g.DeleteResource(ctx, r.Kind, r.Name()); err != nil {
			t.Fatalf("DeleteResource %s: %v", r.Key(), err)
		}
	}
	if err := g.DeleteResource(ctx, action.KindAction, "get"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	if snap, _ := g.Snapshot(ctx); len(snap.Actions)+len(snap.Credentials)+len(snap.Agents) != 0 {
		t.Errorf("resources left: %+v", snap)
	}
}

func TestSecretRefSet(t *testing.T) {
	ctx := context.Background()
	g := openResourcesGateway(t)
	ct, err := g.Keyring().Encrypt("stored", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Store().PutSecret(ctx, "stored", ct); err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[action.SecretRef]bool{
		{Secret: "stored"}:  true,
		{Secret: "missing"}: false,
		{Env: "UNSET_VAR"}:  false,
	} {
		if got := g.SecretRefSet(ctx, ref); got != want {
			t.Errorf("%s: set %v, want %v", ref, got, want)
		}
	}
}
