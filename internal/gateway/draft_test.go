package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// TestDraftIsCalledLikeAStoredAction tests drafts that were never saved:
// an invalid one is refused with its field errors and nothing is sent or
// recorded; a valid one is called and recorded; a draft write stops for
// confirmation; a draft cannot send a credential to a host it is not
// bound to; a draft of a stored action is called as drafted while the
// stored one stays as it was.
func TestDraftIsCalledLikeAStoredAction(t *testing.T) {
	f := gatewaytest.New(t, nil)
	f.Apply(f.Standard()...)
	ctx := context.Background()
	runs := func(name string) []runlog.Run {
		t.Helper()
		rs, _, err := f.G.ListRuns(ctx, gateway.RunFilter{Action: name, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}

	bad := &action.Action{Name: "draft_order", Method: action.MethodGet, URL: f.Upstream.URL + "/orders/{{order_id}}", Auth: "nosuch"}
	_, err := f.G.Test(ctx, gateway.TestRequest{Draft: bad, Caller: runlog.CallerConsole, Arguments: map[string]any{"order_id": "A1"}})
	var verrs action.Errors
	if !errors.As(err, &verrs) || !strings.Contains(err.Error(), "order_id") || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("an invalid draft: %v", err)
	}
	if n := f.Hits("GET", "/orders/A1"); n != 0 || len(runs("draft_order")) != 0 {
		t.Fatalf("an invalid draft sent %d requests and recorded %d runs", n, len(runs("draft_order")))
	}

	good := &action.Action{Name: "draft_order", Method: action.MethodGet, URL: f.Upstream.URL + "/orders/{{order_id}}",
		Params: action.Params{{Name: "order_id", Param: &action.Param{Type: "string", Required: true}}}, Response: &action.ResponseFilter{Select: "{id, status}"}}
	res, err := f.G.Test(ctx, gateway.TestRequest{Draft: good, Caller: runlog.CallerConsole, Arguments: map[string]any{"order_id": "A1"}})
	if err != nil || res.Run.Outcome != runlog.OutcomeOK || res.Run.Output != `{"id":"A1","status":"shipped"}` {
		t.Fatalf("a valid draft: %v %+v", err, res)
	}
	if rs := runs("draft_order"); len(rs) != 1 || rs[0].Caller != runlog.CallerConsole || rs[0].Output != res.Run.Output {
		t.Fatalf("the draft's run is not on record: %+v", rs)
	}

	write := &action.Action{Name: "draft_ticket", Method: action.MethodPost, URL: f.Upstream.URL + "/tickets"}
	res, err = f.G.Test(ctx, gateway.TestRequest{Draft: write, Caller: runlog.CallerConsole})
	if err != nil || res.Run.Outcome != runlog.OutcomeConfirmationRequired || f.Hits("POST", "/tickets") != 0 {
		t.Fatalf("an unconfirmed draft write: %v %+v, %d sent", err, res.Run, f.Hits("POST", "/tickets"))
	}

	// A credential stays bound to its hosts: a draft cannot carry it to
	// another one.
	f.Apply(action.Resource{Kind: action.KindCredential, Credential: &action.Credential{Name: "elsewhere", Type: action.CredBearer,
		Hosts: []string{"api.example.com"}, Token: &action.SecretRef{Secret: "elsewhere"}}})
	leak := &action.Action{Name: "draft_leak", Method: action.MethodGet, URL: f.Upstream.URL + "/orders/A1", Auth: "elsewhere"}
	if _, err := f.G.Test(ctx, gateway.TestRequest{Draft: leak, Caller: runlog.CallerConsole}); !errors.As(err, &verrs) || !strings.Contains(err.Error(), "elsewhere") {
		t.Fatalf("a draft sending a credential to a host it is not bound to: %v", err)
	}
	if n := f.Hits("GET", "/orders/A1"); n != 1 {
		t.Fatalf("the refused draft was sent (%d requests in all)", n)
	}

	snap, err := f.G.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	edited := *snap.Actions["get_order"]
	edited.Response = &action.ResponseFilter{Select: ".carrier"}
	res, err = f.G.Test(ctx, gateway.TestRequest{Draft: &edited, Caller: runlog.CallerConsole, Arguments: map[string]any{"order_id": "B2"}})
	if err != nil || res.Run.Output != `"DHL"` {
		t.Fatalf("a draft of a stored action: %v %+v", err, res)
	}
	if snap, _ := f.G.Snapshot(ctx); snap.Actions["get_order"].Response != nil {
		t.Fatal("testing a draft changed the stored action")
	}
}
