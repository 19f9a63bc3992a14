package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
)

// requestTicket calls create_ticket, which needs a confirmation, and
// returns the confirmation id.
func (e *toolsEnv) requestTicket(subject string) string {
	e.T.Helper()
	out := e.ok("POST", "/api/v1/agents/support/tools/create_ticket", e.support,
		`{"arguments":{"subject":"`+subject+`"},"context":{"contact":{"email":"ann@example.com"}}}`)
	id := toolsText(out, "confirmation_id")
	if out["status"] != "confirmation_required" || id == "" || !strings.Contains(toolsText(out, "output"), id) {
		e.T.Fatalf("create_ticket answered %v, want confirmation_required with its id in the output", out)
	}
	return id
}

func TestConfirmationApprove(t *testing.T) {
	e := newToolsEnv(t)
	out := e.ok("POST", "/api/v1/agents/support/tools/create_ticket", e.support,
		`{"arguments":{"subject":"Broken zipper"},"context":{"contact":{"email":"ann@example.com"}}}`)
	id := toolsText(out, "confirmation_id")
	if out["status"] != "confirmation_required" || toolsText(out, "preview.method") != "POST" ||
		!strings.HasSuffix(toolsText(out, "preview.url"), "/tickets") || !strings.Contains(toolsText(out, "preview.body"), "Broken zipper") {
		t.Fatalf("confirmation_required without a preview: %v", out)
	}
	if n := e.Hits("POST", "/tickets"); n != 0 {
		t.Fatalf("a request needing confirmation was sent (%d hits)", n)
	}

	view := e.ok("GET", "/api/v1/confirmations/"+id, e.support, "")
	if view["state"] != "pending" || view["agent"] != "support" || view["action"] != "create_ticket" ||
		!strings.Contains(toolsText(view, "preview.body"), "ann@example.com") {
		t.Fatalf("pending confirmation shown as %v", view)
	}
	if status, _ := e.send("GET", "/api/v1/confirmations/"+id, e.sales, ""); status != http.StatusForbidden {
		t.Errorf("another agent's token sees the confirmation: status %d", status)
	}
	if status, _ := e.send("POST", "/api/v1/confirmations/"+id, e.sales, `{"approve":true}`); status != http.StatusForbidden {
		t.Errorf("another agent's token decides the confirmation: status %d", status)
	}
	if status, out := e.send("POST", "/api/v1/confirmations/"+id, e.support, `{}`); status != http.StatusBadRequest || toolsDig(out, "error.fields.approve") == nil {
		t.Errorf("decision without approve: %d %v", status, out)
	}

	approved := e.ok("POST", "/api/v1/confirmations/"+id, e.Admin, `{"approve":true}`)
	if approved["status"] != "ok" || !strings.Contains(toolsText(approved, "output"), "T-1") || toolsText(approved, "run_id") == "" {
		t.Fatalf("approval answered %v", approved)
	}
	if n := e.Hits("POST", "/tickets"); n != 1 {
		t.Fatalf("approved request sent %d times, want once", n)
	}
	again := e.ok("POST", "/api/v1/confirmations/"+id, e.Admin, `{"approve":true}`)
	if again["run_id"] != approved["run_id"] || again["output"] != approved["output"] {
		t.Fatalf("repeated approval answered differently:\n%v\n%v", approved, again)
	}
	if n := e.Hits("POST", "/tickets"); n != 1 {
		t.Fatalf("repeated approval sent the request again (%d hits)", n)
	}
	view = e.ok("GET", "/api/v1/confirmations/"+id, e.Admin, "")
	if view["state"] != "done" || toolsText(view, "result.run_id") != toolsText(approved, "run_id") {
		t.Fatalf("decided confirmation shown as %v", view)
	}
	run, err := e.G.GetRun(context.Background(), toolsText(approved, "run_id"))
	if err != nil || run.ConfirmationID != id || run.Outcome != "ok" {
		t.Fatalf("run log: %+v, %v", run, err)
	}
}

func TestConfirmationConcurrentApprovals(t *testing.T) {
	e := newToolsEnv(t)
	id := e.requestTicket("Many clicks")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			status, out := e.send("POST", "/api/v1/confirmations/"+id, e.Admin, `{"approve":true}`)
			if status != http.StatusOK {
				t.Errorf("approval %d: status %d %v", i, status, out)
			}
		})
	}
	wg.Wait()
	if n := e.Hits("POST", "/tickets"); n != 1 {
		t.Fatalf("concurrent approvals sent the request %d times, want once", n)
	}
}

func TestConfirmationReject(t *testing.T) {
	e := newToolsEnv(t)
	id := e.requestTicket("Not this one")
	out := e.ok("POST", "/api/v1/confirmations/"+id, e.support, `{"approve":false}`)
	if out["status"] != "error" || !strings.Contains(toolsText(out, "output"), "declined") {
		t.Fatalf("rejection answered %v", out)
	}
	out = e.ok("POST", "/api/v1/confirmations/"+id, e.Admin, `{"approve":true}`)
	if out["status"] != "error" || !strings.Contains(toolsText(out, "output"), "declined") {
		t.Fatalf("approval after rejection answered %v", out)
	}
	if n := e.Hits("POST", "/tickets"); n != 0 {
		t.Fatalf("a rejected request was sent (%d hits)", n)
	}
	if view := e.ok("GET", "/api/v1/confirmations/"+id, e.support, ""); view["state"] != "rejected" {
		t.Fatalf("rejected confirmation shown as %v", view)
	}
}

func TestConfirmationUnknownAndExpired(t *testing.T) {
	e := newToolsEnv(t)
	if status, out := e.send("POST", "/api/v1/confirmations/cf_nope", e.Admin, `{"approve":true}`); status != http.StatusNotFound || toolsText(out, "error.code") != "not_found" {
		t.Fatalf("unknown confirmation: %d %v", status, out)
	}
	if status, _ := e.send("GET", "/api/v1/confirmations/cf_nope", e.Admin, ""); status != http.StatusNotFound {
		t.Fatalf("unknown confirmation shown: %d", status)
	}
	past := time.Now().Add(-time.Hour)
	c := &gateway.Confirmation{ID: "cf_old", Agent: "support", Action: "create_ticket", CreatedAt: past, ExpiresAt: past.Add(15 * time.Minute),
		Payload: []byte(`{"agent":"support","action":"create_ticket","caller":"tools","arguments":{"subject":"Too late"},"context":{}}`)}
	if err := gatewaytest.OpenStore(t, e.Cfg).CreateConfirmation(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	status, out := e.send("POST", "/api/v1/confirmations/cf_old", e.Admin, `{"approve":true}`)
	if status != http.StatusGone || toolsText(out, "error.code") != "gone" || !strings.Contains(toolsText(out, "error.message"), "expired") {
		t.Fatalf("expired confirmation: %d %v", status, out)
	}
	if view := e.ok("GET", "/api/v1/confirmations/cf_old", e.support, ""); view["state"] != "expired" {
		t.Fatalf("expired confirmation shown as %v", view)
	}
	if n := e.Hits("POST", "/tickets"); n != 0 {
		t.Fatalf("an expired confirmation was sent (%d hits)", n)
	}
}
