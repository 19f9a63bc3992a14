package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/server"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

func TestTwoServersShareOnePostgres(t *testing.T) {
	dbURL := storetest.PostgresURL(t, "servertest")
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	upstream := newPongUpstream(t)
	var handlers []http.Handler
	var tok string
	for i := range 2 {
		cfg := testConfig(t)
		cfg.DatabaseURL = dbURL
		cfg.MasterKey = secret.EncodeKey(key)
		g := openGateway(t, cfg, nil)
		if i == 0 {
			// A token issued through one replica works on the other.
			tok = adminToken(t, g)
		}
		handlers = append(handlers, server.New(g, cfg, nil, func(m *http.ServeMux) { api.RegisterAdmin(m, g) }).Handler())
	}
	a, b := handlers[0], handlers[1]

	// Read b's (empty) view first so it holds a cached snapshot.
	if resp, out := call(t, b, "GET", "/api/v1/actions", tok, ""); resp.StatusCode != 200 {
		t.Fatalf("list on b: %d %v", resp.StatusCode, out)
	}
	body := `{"method":"GET","url":"` + upstream + `/pong"}`
	if resp, out := call(t, a, "PUT", "/api/v1/actions/ping", tok, body); resp.StatusCode != 201 {
		t.Fatalf("put on a: %d %v", resp.StatusCode, out)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		resp, out := call(t, b, "POST", "/api/v1/actions/ping/test", tok, "")
		if resp.StatusCode == 200 {
			if out["outcome"] != "ok" || out["output"] != "pong" {
				t.Fatalf("test call on b: %v", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("b never served the action a stored: %d %v", resp.StatusCode, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The run recorded by b is listed by a.
	_, out := call(t, a, "GET", "/api/v1/runs?action=ping", tok, "")
	if runs, _ := out["runs"].([]any); len(runs) != 1 {
		t.Errorf("runs on a: %v", out)
	}
}

// TestAgentDeletedOnOneReplicaRevokesItsTokensOnBoth deletes an agent on
// one replica and creates it again on the other, on one PostgreSQL: the
// old agent's token reaches the new agent on neither.
func TestAgentDeletedOnOneReplicaRevokesItsTokensOnBoth(t *testing.T) {
	dbURL := storetest.PostgresURL(t, "servertest_agents")
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var handlers []http.Handler
	var admin, old string
	for i := range 2 {
		cfg := testConfig(t)
		cfg.DatabaseURL = dbURL
		cfg.MasterKey = secret.EncodeKey(key)
		g := openGateway(t, cfg, nil)
		if i == 0 {
			admin = adminToken(t, g)
		}
		handlers = append(handlers, server.New(g, cfg, nil,
			func(m *http.ServeMux) { api.RegisterAdmin(m, g) }, func(m *http.ServeMux) { api.RegisterTools(m, g, runtime.New(g, runtime.Options{})) }).Handler())
	}
	a, b := handlers[0], handlers[1]
	if resp, out := call(t, a, "PUT", "/api/v1/agents/sales", admin, `{"actions":[]}`); resp.StatusCode != 201 {
		t.Fatalf("creating the agent on a: %d %v", resp.StatusCode, out)
	}
	resp, out := call(t, a, "POST", "/api/v1/tokens", admin, `{"name":"laptop","agent":"sales"}`)
	if old, _ = out["token"].(string); resp.StatusCode != 201 || old == "" {
		t.Fatalf("creating the token on a: %d %v", resp.StatusCode, out)
	}
	if resp, out := call(t, b, "DELETE", "/api/v1/agents/sales", admin, ""); resp.StatusCode != 204 {
		t.Fatalf("deleting the agent on b: %d %v", resp.StatusCode, out)
	}
	if resp, out := call(t, a, "PUT", "/api/v1/agents/sales", admin, `{"actions":[]}`); resp.StatusCode != 201 {
		t.Fatalf("creating the agent again on a: %d %v", resp.StatusCode, out)
	}
	for name, h := range map[string]http.Handler{"a": a, "b": b} {
		if resp, _ := call(t, h, "GET", "/api/v1/agents/sales/tools", old, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the deleted agent's token on %s: %d, want 401", name, resp.StatusCode)
		}
	}
}
