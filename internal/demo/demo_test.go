package demo_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/demo"
	"github.com/actiongate/actiongate/internal/demo/shop"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
)

// demoGateway opens a gateway with no network allowed past the guard.
func demoGateway(t *testing.T) *gateway.Gateway {
	t.Helper()
	cfg := gatewaytest.Config(t)
	cfg.EgressAllow = nil
	return gatewaytest.Open(t, cfg, gateway.Options{})
}

func TestLoadStoresTheDemoOnceAndKeepsWhatExists(t *testing.T) {
	ctx := context.Background()
	g := demoGateway(t)
	// A person's own action under a demo name, made before.
	mine, errs := action.Decode("mine.yaml", []byte("kind: Action\nname: demo_get_order\nmethod: GET\nurl: https://api.example.com/orders/{{id}}\nparams:\n  id: {type: string, required: true}\n"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if _, err := g.Apply(ctx, mine); err != nil {
		t.Fatal(err)
	}
	rep, err := demo.Load(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Created) != 6 || len(rep.Kept) != 1 || rep.Kept[0].Name != "demo_get_order" {
		t.Fatalf("the first load created %v and kept %v", rep.Created, rep.Kept)
	}
	snap, err := g.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Actions["demo_get_order"].URL; got != "https://api.example.com/orders/{{id}}" {
		t.Fatalf("the person's own action was replaced: its URL is %s", got)
	}
	if got := snap.ActivatedFor(demo.FirstAction); len(got) != 1 || got[0] != demo.Agent {
		t.Fatalf("%s is activated for %v", demo.FirstAction, got)
	}

	before, err := g.Resources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err = demo.Load(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Created) != 0 || len(rep.Kept) != 7 {
		t.Fatalf("the second load created %v and kept %d parts", rep.Created, len(rep.Kept))
	}
	after, err := g.Resources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("the second load changed the count of resources from %d to %d", len(before), len(after))
	}
	items, err := demo.Status(ctx, g)
	if err != nil || !demo.Loaded(items) {
		t.Fatalf("after loading the status is %v, %v", items, err)
	}
}

func TestLoadRefusesAConflictingCredential(t *testing.T) {
	ctx := context.Background()
	g := demoGateway(t)
	mine, errs := action.Decode("mine.yaml", []byte("kind: Credential\nname: demo_shop\ntype: bearer\nhosts: [api.example.com]\ntoken: {secret: MINE}\n"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if _, err := g.Apply(ctx, mine); err != nil {
		t.Fatal(err)
	}
	_, err := demo.Load(ctx, g)
	if err == nil || !strings.Contains(err.Error(), `credential "demo_shop" may not be sent to demo.actiongate.invalid`) {
		t.Fatalf("loading beside a conflicting credential: %v", err)
	}
	rs, err := g.Resources(ctx, action.KindAction)
	if err != nil || len(rs) != 0 {
		t.Fatalf("a refused load stored %d actions (%v)", len(rs), err)
	}
	if secrets, _ := g.ListSecrets(ctx); len(secrets) != 0 {
		t.Fatalf("a refused load stored the secret: %v", secrets)
	}
}

func TestDemoActionsCallTheBuiltInShop(t *testing.T) {
	ctx := context.Background()
	g := demoGateway(t)
	if _, err := demo.Load(ctx, g); err != nil {
		t.Fatal(err)
	}
	res, err := g.Test(ctx, gateway.TestRequest{Action: demo.FirstAction, Caller: "test", Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	run := res.Run
	if run.Status != 200 || run.Outcome != "ok" {
		t.Fatalf("the search answered %d %s: %s %s", run.Status, run.Outcome, run.Error, run.Output)
	}
	if run.RawTokens < 10*run.OutputTokens || !strings.Contains(run.Output, `"fields"`) {
		t.Fatalf("the filter took %d tokens to %d: %s", run.RawTokens, run.OutputTokens, run.Output)
	}
	t.Logf("the search: %d bytes, %d tokens raw, %d tokens to the model", run.RawBytes, run.RawTokens, run.OutputTokens)
	rec, err := json.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(rec), shop.Key) {
		t.Fatal("the run record holds the demo key")
	}

	res, err = g.Test(ctx, gateway.TestRequest{Action: "demo_find_customer", Caller: "test", Arguments: map[string]any{"email": "ada.fischer@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if out := res.Run.Output; !strings.Contains(out, "cus_001") || strings.Contains(out, "fingerprint") || strings.Contains(out, "internal_notes") {
		t.Fatalf("the customer lookup gave %s", out)
	}

	res, err = g.Test(ctx, gateway.TestRequest{Action: "demo_refund_order", Caller: "test", Arguments: map[string]any{"order_id": "ord_1001", "amount": 1, "reason": "late"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Outcome != "confirmation_required" {
		t.Fatalf("the refund without confirmation: %s", res.Run.Outcome)
	}
}

func TestDemoHostOpensNoOtherAddress(t *testing.T) {
	ctx := context.Background()
	g := demoGateway(t)
	rs, errs := action.Decode("mine.yaml", []byte("kind: Action\nname: local\nmethod: GET\nurl: http://127.0.0.1:9/x\n"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if _, err := g.Apply(ctx, rs); err != nil {
		t.Fatal(err)
	}
	res, err := g.Test(ctx, gateway.TestRequest{Action: "local", Caller: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Outcome == "ok" || !strings.Contains(res.Run.Output, "loopback") {
		t.Fatalf("a loopback action beside the demo: %s %s", res.Run.Outcome, res.Run.Output)
	}
}
