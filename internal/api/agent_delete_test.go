package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runtime"
)

// TestDeletedAgentTokensDoNotReachItsSuccessor deletes an agent through the
// admin API and creates one under the same name: the old agent's token no
// longer reaches anything, while tokens of other agents keep working.
func TestDeletedAgentTokensDoNotReachItsSuccessor(t *testing.T) {
	tok, err := toolsTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	f := gatewaytest.New(t, tok)
	mux := http.NewServeMux()
	api.RegisterAdmin(mux, f.G)
	api.RegisterTools(mux, f.G, runtime.New(f.G, runtime.Options{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	send := func(method, path, token, body string) int {
		t.Helper()
		status, _ := roundTrip(t, method, srv.URL+path, token, body)
		return status
	}

	status, raw := roundTrip(t, "POST", srv.URL+"/api/v1/tokens", f.Admin, `{"name":"sales-bot","agent":"sales"}`)
	if status != http.StatusCreated {
		t.Fatalf("creating a sales token: %d %s", status, raw)
	}
	old := jsonText(decodeObject(t, "POST", "/api/v1/tokens", raw)["token"])
	support := f.Token("support")
	if s := send("GET", "/api/v1/agents/sales/tools", old, ""); s != http.StatusOK {
		t.Fatalf("the sales token before the delete: %d", s)
	}
	if s := send("DELETE", "/api/v1/agents/sales", f.Admin, ""); s != http.StatusNoContent {
		t.Fatalf("DELETE /api/v1/agents/sales: %d", s)
	}
	if s := send("GET", "/api/v1/agents/sales/tools", old, ""); s != http.StatusUnauthorized {
		t.Fatalf("the deleted agent's token: %d, want 401", s)
	}
	if s := send("PUT", "/api/v1/agents/sales", f.Admin, `{"actions":["get_order"]}`); s != http.StatusCreated {
		t.Fatalf("creating sales again: %d", s)
	}
	for _, path := range []string{"/api/v1/agents/sales/tools", "/api/v1/agents/sales/tools/get_order"} {
		method := "GET"
		body := ""
		if path != "/api/v1/agents/sales/tools" {
			method, body = "POST", `{"arguments":{"order_id":"A1"}}`
		}
		if s := send(method, path, old, body); s != http.StatusUnauthorized {
			t.Fatalf("%s %s with the deleted agent's token: %d, want 401", method, path, s)
		}
	}
	if f.Hits("GET", "/orders/A1") != 0 {
		t.Fatal("the deleted agent's token reached the upstream")
	}
	status, raw = roundTrip(t, "GET", srv.URL+"/api/v1/tokens", f.Admin, "")
	if status != http.StatusOK {
		t.Fatalf("listing tokens: %d", status)
	}
	tokens, _ := jsonAt(decodeObject(t, "GET", "/api/v1/tokens", raw), "tokens")
	for _, item := range tokens.([]any) {
		m := item.(map[string]any)
		if m["name"] == "sales-bot" && m["revoked_at"] == nil {
			t.Fatalf("the deleted agent's token is listed as live: %v", m)
		}
	}
	if s := send("GET", "/api/v1/agents/support/tools", support, ""); s != http.StatusOK {
		t.Fatalf("another agent's token after the delete: %d", s)
	}
}
