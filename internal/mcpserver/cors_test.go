package mcpserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestCORSPreflight checks the preflight answers a browser reads before a
// cross-origin MCP request: allowed origins get every header MCP needs,
// without a token; other origins get 403 and no CORS headers.
func TestCORSPreflight(t *testing.T) {
	e := newEnv(t, "https://app.example.com", "http://localhost:5173")
	cases := []struct {
		name, origin, reqHeaders string
		status                   int
		allowOrigin              string
		allowHeaders             []string
	}{
		{"allowed origin", "https://app.example.com", "authorization,content-type,mcp-protocol-version", 204, "https://app.example.com",
			[]string{"Authorization", "Content-Type", "Mcp-Protocol-Version", "Mcp-Session-Id", "Last-Event-ID", "Accept", "Mcp-Method", "Mcp-Name"}},
		{"allowed origin with a port", "http://localhost:5173", "authorization", 204, "http://localhost:5173", []string{"Authorization"}},
		{"per-parameter headers", "https://app.example.com", "authorization, mcp-param-region, x-evil", 204, "https://app.example.com",
			[]string{"mcp-param-region"}},
		{"foreign origin", "https://evil.example", "authorization", 403, "", nil},
		{"other port of an allowed host", "http://localhost:5174", "authorization", 403, "", nil},
		{"other scheme of an allowed origin", "http://app.example.com", "authorization", 403, "", nil},
		{"null origin", "null", "authorization", 403, "", nil},
		{"the server's own origin", e.srv.URL, "authorization", 403, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("OPTIONS", e.srv.URL+"/mcp/sales", nil)
			req.Header.Set("Origin", c.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", c.reqHeaders)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != c.status || h.Get("Access-Control-Allow-Origin") != c.allowOrigin {
				t.Fatalf("status %d, Access-Control-Allow-Origin %q; want %d, %q", resp.StatusCode, h.Get("Access-Control-Allow-Origin"), c.status, c.allowOrigin)
			}
			if !strings.Contains(h.Get("Vary"), "Origin") {
				t.Errorf("Vary %q, want Origin", h.Get("Vary"))
			}
			if c.allowOrigin == "" {
				for k := range h {
					if strings.HasPrefix(k, "Access-Control-") {
						t.Errorf("refused preflight carries %s", k)
					}
				}
				return
			}
			for _, want := range c.allowHeaders {
				if !hasToken(h.Get("Access-Control-Allow-Headers"), want) {
					t.Errorf("Access-Control-Allow-Headers %q lacks %s", h.Get("Access-Control-Allow-Headers"), want)
				}
			}
			if hasToken(h.Get("Access-Control-Allow-Headers"), "x-evil") {
				t.Errorf("Access-Control-Allow-Headers %q allows a header MCP does not use", h.Get("Access-Control-Allow-Headers"))
			}
			for _, m := range []string{"GET", "POST", "DELETE", "OPTIONS"} {
				if !hasToken(h.Get("Access-Control-Allow-Methods"), m) {
					t.Errorf("Access-Control-Allow-Methods %q lacks %s", h.Get("Access-Control-Allow-Methods"), m)
				}
			}
			for _, x := range []string{"Mcp-Session-Id", "WWW-Authenticate", "Mcp-Protocol-Version"} {
				if !hasToken(h.Get("Access-Control-Expose-Headers"), x) {
					t.Errorf("Access-Control-Expose-Headers %q lacks %s", h.Get("Access-Control-Expose-Headers"), x)
				}
			}
		})
	}
}

// TestCORSOnAnswers checks that every answer to an allowed origin, errors
// included, carries Access-Control-Allow-Origin (or the page cannot read
// it), and that no other answer does.
func TestCORSOnAnswers(t *testing.T) {
	e := newEnv(t, "https://app.example.com")
	cases := []struct {
		name, origin, path, token string
		status                    int
		allowOrigin               string
	}{
		{"served", "https://app.example.com", "/mcp/sales", e.sales, 200, "https://app.example.com"},
		{"no token", "https://app.example.com", "/mcp/sales", "", 401, "https://app.example.com"},
		{"other agent", "https://app.example.com", "/mcp/support", e.sales, 403, "https://app.example.com"},
		{"unknown agent", "https://app.example.com", "/mcp/ghost", e.Admin, 404, "https://app.example.com"},
		{"foreign origin", "https://evil.example", "/mcp/sales", e.sales, 403, ""},
		{"own origin", e.srv.URL, "/mcp/sales", e.sales, 200, ""},
		{"no origin", "", "/mcp/sales", e.sales, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.srv.URL+c.path, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			got := resp.Header.Get("Access-Control-Allow-Origin")
			if resp.StatusCode != c.status || got != c.allowOrigin {
				t.Fatalf("status %d, Access-Control-Allow-Origin %q; want %d, %q", resp.StatusCode, got, c.status, c.allowOrigin)
			}
			if c.origin != "" && !strings.Contains(resp.Header.Get("Vary"), "Origin") {
				t.Errorf("Vary %q, want Origin", resp.Header.Get("Vary"))
			}
			if got != "" && !hasToken(resp.Header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
				t.Errorf("Access-Control-Expose-Headers %q lacks WWW-Authenticate", resp.Header.Get("Access-Control-Expose-Headers"))
			}
		})
	}
}

// hasToken reports whether the comma-separated list holds tok (any case).
func hasToken(list, tok string) bool {
	for item := range strings.SplitSeq(list, ",") {
		if strings.EqualFold(strings.TrimSpace(item), tok) {
			return true
		}
	}
	return false
}
