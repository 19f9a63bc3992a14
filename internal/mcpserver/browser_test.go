package mcpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/actiongate/actiongate/internal/browsertest"
)

// browser starts headless Chromium from ACTIONGATE_TEST_CHROMIUM, or skips
// the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.Start(t, chromedp.Navigate("about:blank"))
}

// pageServer serves an empty page, the origin a browser client runs on.
func pageServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>client</title>")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// browserClientJS runs an MCP session with fetch() from the page on a
// protocol version: initialize (server/discover from 2026-07-28, where
// requests carry their version in _meta and the Mcp-Method and Mcp-Name
// headers, which need the preflight), tools/list, tools/call, and a
// request without a token; it returns what the page could read of each
// answer, or {"blocked": message} when the browser refused a request.
const browserClientJS = `(async () => {
  const url = %q, token = %q, version = %q, orderID = %q;
  const modern = version >= "2026-07-28";
  const meta = {
    "io.modelcontextprotocol/protocolVersion": version,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {name: "page", version: "1"},
  };
  const post = async (id, method, params, name, tok) => {
    const headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream", "Mcp-Protocol-Version": version};
    if (tok) headers["Authorization"] = "Bearer " + tok;
    if (modern) {
      headers["Mcp-Method"] = method;
      if (name) headers["Mcp-Name"] = name;
      params = Object.assign({_meta: meta}, params);
    }
    const r = await fetch(url, {method: "POST", headers, body: JSON.stringify({jsonrpc: "2.0", id, method, params})});
    return {status: r.status, body: await r.text(), wwwAuthenticate: r.headers.get("WWW-Authenticate")};
  };
  try {
    const out = {};
    out.initialize = modern ? await post(1, "server/discover", {}, "", token)
      : await post(1, "initialize", {protocolVersion: version, capabilities: {}, clientInfo: {name: "page", version: "1"}}, "", token);
    out.list = await post(2, "tools/list", {}, "", token);
    out.call = await post(3, "tools/call", {name: "get_order", arguments: {order_id: orderID}}, "get_order", token);
    out.noToken = await post(4, "tools/list", {}, "", "");
    return JSON.stringify(out);
  } catch (e) {
    return JSON.stringify({blocked: String(e)});
  }
})()`

// pageAnswer is what browserClientJS returns for one request.
type pageAnswer struct {
	Status          int    `json:"status"`
	Body            string `json:"body"`
	WWWAuthenticate string `json:"wwwAuthenticate"`
}

// runPageClient opens page and runs browserClientJS against mcpURL.
func runPageClient(t *testing.T, ctx context.Context, page, mcpURL, token, version, orderID string) map[string]json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatalf("opening %s: %v", page, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(browserClientJS, mcpURL, token, version, orderID), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running the page's MCP client: %v", err)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal([]byte(res), &out); err != nil {
		t.Fatalf("page result %s: %v", res, err)
	}
	return out
}

func TestBrowserClientFromAllowedOrigin(t *testing.T) {
	ctx := browser(t)
	allowed, foreign := pageServer(t), pageServer(t)
	e := newEnv(t, allowed.URL)
	mcpURL := e.srv.URL + "/mcp/sales"

	for i, version := range []string{"2025-03-26", "2025-11-25", "2026-07-28"} {
		t.Run(version, func(t *testing.T) {
			order := fmt.Sprintf("B%d", i)
			out := runPageClient(t, ctx, allowed.URL, mcpURL, e.sales, version, order)
			if b, ok := out["blocked"]; ok {
				t.Fatalf("the browser blocked the client on an allowed origin: %s", b)
			}
			answers := map[string]pageAnswer{}
			for k, raw := range out {
				var a pageAnswer
				_ = json.Unmarshal(raw, &a)
				answers[k] = a
			}
			for name, want := range map[string]string{"initialize": `"result"`, "list": `"get_order"`, "call": `shipped`} {
				if a := answers[name]; a.Status != 200 || !strings.Contains(a.Body, want) {
					t.Errorf("%s from the page: %d %s, want 200 with %s", name, a.Status, a.Body, want)
				}
			}
			if a := answers["noToken"]; a.Status != 401 || !strings.Contains(a.WWWAuthenticate, "Bearer") {
				t.Errorf("request without a token: %d, WWW-Authenticate %q; want 401 readable by the page with the challenge", a.Status, a.WWWAuthenticate)
			}
			if n := e.Hits("GET", "/orders/"+order); n != 1 {
				t.Fatalf("upstream hit %d times by the page's tools/call, want 1", n)
			}
		})
	}

	out := runPageClient(t, ctx, foreign.URL, mcpURL, e.sales, "2025-11-25", "F1")
	if _, ok := out["blocked"]; !ok {
		t.Fatalf("a page on a foreign origin read MCP answers: %v", out)
	}
	if n := e.Hits("GET", "/orders/F1"); n != 0 {
		t.Fatalf("a page on a foreign origin reached the upstream (%d hits)", n)
	}
}
