package mcpserver_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
)

// asker is a client's elicitation handler answering with action and
// recording the messages it was shown.
type asker struct {
	action string
	mu     sync.Mutex
	asked  []string
}

func (a *asker) options() *mcp.ClientOptions {
	return &mcp.ClientOptions{ElicitationHandler: func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		a.mu.Lock()
		a.asked = append(a.asked, req.Params.Message)
		a.mu.Unlock()
		return &mcp.ElicitResult{Action: a.action}, nil
	}}
}

func (a *asker) messages() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.asked...)
}

// ticket returns the params of a create_ticket call, fresh for each call:
// the client adds its own entries to _meta.
func ticket() *mcp.CallToolParams {
	return &mcp.CallToolParams{
		Name:      "create_ticket",
		Arguments: map[string]any{"subject": "Refund please"},
		Meta:      mcp.Meta{"actiongate/contact": map[string]any{"email": "bo@example.com"}},
	}
}

func TestConfirmationByElicitation(t *testing.T) {
	cases := []struct {
		name, transport, protocol, answer string
		sent                              int64
		isError                           bool
		output                            string
	}{
		{"http accept", "http", "", "accept", 1, false, "T-1"},
		{"http decline", "http", "", "decline", 0, true, "declined"},
		{"http dismiss", "http", "", "cancel", 0, false, "/api/v1/confirmations/cf_"},
		{"stdio accept", "stdio", "", "accept", 1, false, "T-1"},
		{"stdio legacy accept", "stdio", legacyProtocol, "accept", 1, false, "T-1"},
		{"stdio legacy decline", "stdio", legacyProtocol, "decline", 0, true, "declined"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.Cfg.ConfirmApprovers = config.ApproversUser
			a := &asker{action: c.answer}
			var cs *mcp.ClientSession
			if c.transport == "http" {
				cs = e.connect("support", e.support, c.protocol, a.options())
			} else {
				cs = e.stdio(t, "support", c.protocol, a.options())
			}
			res, out := call(t, cs, ticket())
			if res.IsError != c.isError || !strings.Contains(out, c.output) {
				t.Fatalf("result isError %v, %q; want isError %v and %q", res.IsError, out, c.isError, c.output)
			}
			if n := e.Hits("POST", "/tickets"); n != c.sent {
				t.Fatalf("request sent %d times, want %d", n, c.sent)
			}
			asked := a.messages()
			if len(asked) != 1 || !strings.Contains(asked[0], "POST "+e.Upstream.URL+"/tickets") ||
				!strings.Contains(asked[0], "Refund please") || !strings.Contains(asked[0], "bo@example.com") {
				t.Fatalf("user was asked %q, want one question with the request preview", asked)
			}
		})
	}
}

// Under the default ACTIONGATE_CONFIRM_APPROVERS=admin, a client that can
// ask its user is not asked: it gets the confirmation id, and an accept it
// sends on its own is refused.
func TestAdminOnlyApprovalDoesNotAskTheClient(t *testing.T) {
	for _, transport := range []string{"http", "stdio"} {
		t.Run(transport, func(t *testing.T) {
			e := newEnv(t)
			if e.Cfg.ConfirmApprovers != config.ApproversAdmin {
				t.Fatalf("default confirm_approvers %q, want admin", e.Cfg.ConfirmApprovers)
			}
			a := &asker{action: "accept"}
			var cs *mcp.ClientSession
			if transport == "http" {
				cs = e.connect("support", e.support, "", a.options())
			} else {
				cs = e.stdio(t, "support", "", a.options())
			}
			res, out := call(t, cs, ticket())
			id := regexp.MustCompile(`cf_[a-z0-9]+`).FindString(out)
			if res.IsError || id == "" || len(a.messages()) != 0 {
				t.Fatalf("isError %v, asked %q:\n%s; want a pending result and no question", res.IsError, a.messages(), out)
			}
			forged := ticket()
			forged.RequestState = id
			forged.InputResponses = mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept"}}
			res, out = call(t, cs, forged)
			if res.IsError || !strings.Contains(out, "does not approve") || e.Hits("POST", "/tickets") != 0 {
				t.Fatalf("an accept the client sent itself: isError %v, %d hits:\n%s", res.IsError, e.Hits("POST", "/tickets"), out)
			}
			if info, err := e.G.ConfirmationInfo(t.Context(), id); err != nil || info.State != "pending" {
				t.Fatalf("confirmation after the refused accept: %+v, %v; want pending", info, err)
			}
		})
	}
}

func TestConfirmationPendingWithoutElicitation(t *testing.T) {
	cases := []struct {
		name, protocol string
		opts           *mcp.ClientOptions
	}{
		{"client without elicitation", "", nil},
		// A client on an older protocol over stateless HTTP cannot be asked,
		// even when it supports elicitation.
		{"legacy client over stateless http", legacyProtocol, (&asker{action: "accept"}).options()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			cs := e.connect("support", e.support, c.protocol, c.opts)
			res, out := call(t, cs, ticket())
			id := regexp.MustCompile(`cf_[a-z0-9]+`).FindString(out)
			if res.IsError || id == "" || !strings.Contains(out, "POST /api/v1/confirmations/"+id) ||
				!strings.Contains(out, "Refund please") || res.Meta["actiongate/confirmation_id"] != id {
				t.Fatalf("pending result isError %v, meta %v:\n%s", res.IsError, res.Meta, out)
			}
			if n := e.Hits("POST", "/tickets"); n != 0 {
				t.Fatalf("a request waiting for approval was sent (%d hits)", n)
			}
			tr, err := e.G.Decide(t.Context(), gateway.Operator(), id, true)
			if err != nil || tr.Status != "ok" || e.Hits("POST", "/tickets") != 1 {
				t.Fatalf("approving %s: %+v, %v, %d hits", id, tr, err, e.Hits("POST", "/tickets"))
			}
		})
	}
}

func TestConfirmationStateFromAnotherAgent(t *testing.T) {
	e := newEnv(t)
	e.Cfg.ConfirmApprovers = config.ApproversUser
	e.Activate("sales", "get_order", "create_ticket")
	_, out := call(t, e.connect("support", e.support, "", nil), ticket())
	id := regexp.MustCompile(`cf_[a-z0-9]+`).FindString(out)
	if id == "" {
		t.Fatalf("no confirmation id in %q", out)
	}
	accept := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept"}}
	replays := []struct {
		agent, token, tool string
	}{
		{"sales", e.sales, "create_ticket"}, // another agent's client
		{"support", e.support, "get_order"}, // the same agent, another tool
	}
	for _, r := range replays {
		cs := e.connect(r.agent, r.token, "", nil)
		res, out := call(t, cs, &mcp.CallToolParams{Name: r.tool, Arguments: map[string]any{"subject": "x"}, RequestState: id, InputResponses: accept})
		if !res.IsError || !strings.Contains(out, "unknown_confirmation") {
			t.Fatalf("%s replaying %s as %s: isError %v, %q", r.agent, id, r.tool, res.IsError, out)
		}
	}
	if n := e.Hits("POST", "/tickets"); n != 0 {
		t.Fatalf("a replayed confirmation sent the request (%d hits)", n)
	}
	// The agent's own client may resume it: that is what the retry after
	// an elicitation does.
	res, out := call(t, e.connect("support", e.support, "", nil), &mcp.CallToolParams{Name: "create_ticket", RequestState: id, InputResponses: accept})
	if res.IsError || e.Hits("POST", "/tickets") != 1 {
		t.Fatalf("resuming: isError %v, %q", res.IsError, out)
	}
}
