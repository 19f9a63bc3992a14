package mcpserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/mcpserver"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/server"
)

// TestServedBesideTheAPIs mounts the MCP endpoint with the admin and tools
// APIs behind the server's middleware, as `actiongate serve` does: the
// routes do not clash and MCP works through the middleware.
func TestServedBesideTheAPIs(t *testing.T) {
	e := newEnv(t)
	h := server.New(e.G, e.Cfg, nil,
		func(m *http.ServeMux) { api.RegisterAdmin(m, e.G) },
		func(m *http.ServeMux) { api.RegisterTools(m, e.G, runtime.New(e.G, runtime.Options{})) },
		func(m *http.ServeMux) { mcpserver.Register(m, e.G, nil) },
	).Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, nil)
	cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{
		Endpoint: srv.URL + "/mcp/sales", HTTPClient: &http.Client{Transport: bearerTransport{e.sales}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, out := call(t, cs, &mcp.CallToolParams{Name: "get_order", Arguments: map[string]any{"order_id": "Q1"}})
	if res.IsError || !strings.Contains(out, "shipped") {
		t.Fatalf("get_order through the server: isError %v, %q", res.IsError, out)
	}

	for _, c := range []struct {
		path, token string
		status      int
	}{
		{"/api/v1/agents/sales/tools", e.sales, http.StatusOK},
		{"/api/v1/agents/sales", e.Admin, http.StatusOK},
		{"/api/v1/agents/sales", e.sales, http.StatusForbidden},
	} {
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !json.Valid(body) {
			t.Errorf("GET %s: %d %s, want %d", c.path, resp.StatusCode, body, c.status)
		}
	}
}

// TestPreflightThroughTheServer answers a CORS preflight for an allowed
// origin through the server's middleware and routing, as `actiongate
// serve` mounts the endpoint.
func TestPreflightThroughTheServer(t *testing.T) {
	e := newEnv(t)
	h := server.New(e.G, e.Cfg, nil,
		func(m *http.ServeMux) { mcpserver.Register(m, e.G, []string{"https://app.example.com"}) },
	).Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("OPTIONS", srv.URL+"/mcp/sales", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight through the server: %d %v", resp.StatusCode, resp.Header)
	}
}
