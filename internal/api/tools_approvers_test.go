package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/config"
)

func TestAgentTokenCannotApproveByDefault(t *testing.T) {
	e := newToolsEnv(t)
	id := e.requestTicket("Approve me yourself")
	status, out := e.send("POST", "/api/v1/confirmations/"+id, e.support, `{"approve":true}`)
	msg := toolsText(out, "error.message")
	if status != http.StatusForbidden || toolsText(out, "error.code") != "forbidden" ||
		!strings.Contains(msg, "ACTIONGATE_CONFIRM_APPROVERS=agent") || !strings.Contains(msg, "admin token") {
		t.Fatalf("agent token approving its own confirmation: %d %v, want a 403 saying what to change", status, out)
	}
	if n := e.Hits("POST", "/tickets"); n != 0 {
		t.Fatalf("a refused approval sent the request (%d hits)", n)
	}
	if view := e.ok("GET", "/api/v1/confirmations/"+id, e.support, ""); view["state"] != "pending" {
		t.Fatalf("after a refused approval the confirmation is %v, want still pending", view["state"])
	}
	// The admin token approves it; so does a console session, which acts
	// with an admin token.
	if out := e.ok("POST", "/api/v1/confirmations/"+id, e.Admin, `{"approve":true}`); out["status"] != "ok" || e.Hits("POST", "/tickets") != 1 {
		t.Fatalf("admin approval: %v, %d hits", out, e.Hits("POST", "/tickets"))
	}
}

func TestAgentTokenMayRejectByDefault(t *testing.T) {
	e := newToolsEnv(t)
	id := e.requestTicket("Never mind")
	if out := e.ok("POST", "/api/v1/confirmations/"+id, e.support, `{"approve":false}`); out["status"] != "error" {
		t.Fatalf("agent token rejecting: %v", out)
	}
	if n := e.Hits("POST", "/tickets"); n != 0 {
		t.Fatalf("a rejection sent the request (%d hits)", n)
	}
}

func TestAgentTokenApprovesWithConfirmApproversAgent(t *testing.T) {
	e := newToolsEnv(t)
	e.Cfg.ConfirmApprovers = config.ApproversAgent
	id := e.requestTicket("Approve me yourself")
	if status, _ := e.send("POST", "/api/v1/confirmations/"+id, e.sales, `{"approve":true}`); status != http.StatusForbidden {
		t.Fatalf("another agent's token approved: status %d", status)
	}
	out := e.ok("POST", "/api/v1/confirmations/"+id, e.support, `{"approve":true}`)
	if out["status"] != "ok" || e.Hits("POST", "/tickets") != 1 {
		t.Fatalf("agent approval with ACTIONGATE_CONFIRM_APPROVERS=agent: %v, %d hits", out, e.Hits("POST", "/tickets"))
	}
}

// TestNoToolApprovesAConfirmation tries every way a model has of acting,
// a tool call of the agent, to approve a pending confirmation: the
// built-in more_results with the confirmation id as its handle, a tool
// named like an approval, and the write tool itself called again with an
// approval in its arguments.
func TestNoToolApprovesAConfirmation(t *testing.T) {
	e := newToolsEnv(t)
	e.Cfg.ConfirmApprovers = config.ApproversAgent // even where agents may approve
	e.Apply(action.Resource{Kind: action.KindAction, Action: &action.Action{
		Name: "approve_confirmation", Description: "Approve a pending confirmation.",
		Method: action.MethodGet, URL: e.Upstream.URL + "/orders/{{confirmation_id}}",
		Params: action.Params{{Name: "confirmation_id", Param: &action.Param{Type: "string", Description: "The id.", Required: true}}},
	}})
	e.Activate("support", "get_order", "create_ticket", "list_items", "cancel_order", "approve_confirmation")
	id := e.requestTicket("Let the model approve")
	calls := []struct{ tool, body string }{
		{"more_results", `{"arguments":{"handle":"` + id + `"}}`},
		{"approve_confirmation", `{"arguments":{"confirmation_id":"` + id + `"}}`},
		{"create_ticket", `{"arguments":{"subject":"Let the model approve","confirmation_id":"` + id + `","approve":true}}`},
		{"create_ticket", `{"arguments":{"subject":"Let the model approve"},"context":{"vars":{"confirmation_id":"` + id + `","approve":true}}}`},
	}
	for _, c := range calls {
		status, out := e.send("POST", "/api/v1/agents/support/tools/"+c.tool, e.support, c.body)
		if status != http.StatusOK || out["status"] == "ok" && c.tool != "approve_confirmation" {
			t.Errorf("%s %s: %d %v", c.tool, c.body, status, out)
		}
	}
	if n := e.Hits("POST", "/tickets"); n != 0 {
		t.Fatalf("a tool call sent the confirmed request (%d hits)", n)
	}
	if view := e.ok("GET", "/api/v1/confirmations/"+id, e.Admin, ""); view["state"] != "pending" {
		t.Fatalf("after the tool calls the confirmation is %v, want pending", view["state"])
	}
}
