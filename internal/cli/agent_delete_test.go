package cli

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestTokensOfADeletedAgentStayRevoked gives an agent a token with `token
// create`, deletes the agent on the running server and creates it again
// with `apply`: the old token no longer reaches it, `token list` shows it
// revoked, and its name is free for a new token.
func TestTokensOfADeletedAgentStayRevoked(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_ADDR"] = "127.0.0.1:0"
	h.ok("stored-token\n", "secret", "set", "bin_token")
	res := h.resourceDir()
	h.ok("", "apply", res)
	m := printedToken.FindStringSubmatch(h.ok("", "token", "create", "--agent", "helper", "--name", "laptop").stdout)
	if m == nil {
		t.Fatal("token create printed no token")
	}
	old := m[1]

	url, out, stop := startServe(t, h.vars)
	defer stop()
	admin := regexp.MustCompile(`agt_[a-z0-9]+`).FindString(out.String())
	send := func(method, path, token string) int {
		t.Helper()
		req, _ := http.NewRequest(method, url+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := send("GET", "/api/v1/agents/helper/tools", old); s != http.StatusOK {
		t.Fatalf("the token before the delete: %d", s)
	}
	if s := send("DELETE", "/api/v1/agents/helper", admin); s != http.StatusNoContent {
		t.Fatalf("DELETE /api/v1/agents/helper: %d", s)
	}
	h.ok("", "apply", res)
	if s := send("GET", "/api/v1/agents/helper/tools", old); s != http.StatusUnauthorized {
		t.Fatalf("the deleted agent's token reaches the agent applied again: %d, want 401", s)
	}
	list := h.ok("", "token", "list").stdout
	row := regexp.MustCompile(`(?m)^.*\slaptop\s.*$`).FindString(list)
	if !regexp.MustCompile(`\d\d:\d\d:\d\dZ$`).MatchString(row) {
		t.Fatalf("the deleted agent's token is not listed as revoked:\n%s", list)
	}
	if r := h.fails("", "token", "revoke", "laptop"); !strings.Contains(r.stderr, "no active token") {
		t.Fatalf("revoking the deleted agent's token: %q", r.stderr)
	}
	m = printedToken.FindStringSubmatch(h.ok("", "token", "create", "--agent", "helper", "--name", "laptop").stdout)
	if m == nil || send("GET", "/api/v1/agents/helper/tools", m[1]) != http.StatusOK {
		t.Fatal("a new token under the old name does not reach the agent")
	}
}
