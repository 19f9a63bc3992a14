package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// abandon leaves confirmation id as a server killed while sending it does:
// approved, its intent stored, its time over; then sweeps, as a restart does.
func (e *toolsEnv) abandon(id string) {
	e.T.Helper()
	ctx := context.Background()
	gatewaytest.Abandon(e.T, e.Cfg, id, &runlog.Run{Caller: runlog.CallerTools, Agent: "support", Action: "create_ticket", Outcome: runlog.OutcomePending,
		StartedAt: time.Now().UTC(), ConfirmationID: id})
	if _, err := e.G.Sweep(ctx); err != nil {
		e.T.Fatal(err)
	}
}

func TestConfirmationRetryAndCloseEndpoints(t *testing.T) {
	e := newToolsEnv(t)
	retry, closeID := e.requestTicket("Retry me"), e.requestTicket("Close me")
	e.abandon(retry)
	e.abandon(closeID)

	view := e.ok("GET", "/api/v1/confirmations/"+retry, e.support, "")
	if view["state"] != "unknown" {
		t.Fatalf("abandoned confirmation shown as %v", view["state"])
	}
	list := e.ok("GET", "/api/v1/confirmations?state=unknown", e.Admin, "")
	if items, _ := list["confirmations"].([]any); len(items) != 2 {
		t.Fatalf("unknown confirmations listed: %v", list)
	}
	if status, out := e.send("GET", "/api/v1/confirmations?state=lost", e.Admin, ""); status != http.StatusBadRequest || !strings.Contains(toolsText(out, "error.message"), "state") {
		t.Fatalf("list with a bad state: %d %v", status, out)
	}
	for _, path := range []string{"/api/v1/confirmations?state=unknown", "/api/v1/confirmations/" + retry + "/retry", "/api/v1/confirmations/" + closeID + "/close"} {
		method := "POST"
		if strings.Contains(path, "?") {
			method = "GET"
		}
		if status, _ := e.send(method, path, e.support, ""); status != http.StatusForbidden {
			t.Errorf("%s %s with an agent token: status %d, want 403", method, path, status)
		}
	}

	out := e.ok("POST", "/api/v1/confirmations/"+retry+"/retry", e.Admin, "")
	if out["status"] != "ok" || e.Hits("POST", "/tickets") != 1 {
		t.Fatalf("retry: %v, %d hits", out, e.Hits("POST", "/tickets"))
	}
	if status, out := e.send("POST", "/api/v1/confirmations/"+retry+"/retry", e.Admin, ""); status != http.StatusConflict ||
		!strings.Contains(toolsText(out, "error.message"), "is done") {
		t.Fatalf("second retry: %d %v, want 409 saying it is done", status, out)
	}
	out = e.ok("POST", "/api/v1/confirmations/"+closeID+"/close", e.Admin, "")
	if out["state"] != gateway.ConfirmationClosed || e.Hits("POST", "/tickets") != 1 {
		t.Fatalf("close: %v, %d hits", out, e.Hits("POST", "/tickets"))
	}
	if status, _ := e.send("POST", "/api/v1/confirmations/cf_nope/close", e.Admin, ""); status != http.StatusNotFound {
		t.Fatalf("closing an unknown id: %d", status)
	}
}
