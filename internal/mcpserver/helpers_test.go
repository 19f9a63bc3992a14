package mcpserver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/mcpserver"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// tokenizer loads the token counter once for the package's tests.
var tokenizer = sync.OnceValues(respfilter.NewTokenizer)

// legacyProtocol is a protocol version before per-request capabilities:
// over stateless HTTP such a client cannot be asked anything.
const legacyProtocol = "2025-11-25"

// env is the MCP endpoint on a loopback server over a gateway fixture.
type env struct {
	*gatewaytest.Fixture
	srv     *httptest.Server
	support string
	sales   string
}

func newEnv(t *testing.T, allowedOrigins ...string) *env {
	t.Helper()
	tok, err := tokenizer()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{Fixture: gatewaytest.New(t, tok)}
	mux := http.NewServeMux()
	mcpserver.Register(mux, e.G, allowedOrigins)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.support = e.Token("support")
	e.sales = e.Token("sales")
	return e
}

// bearerTransport adds a bearer token to every request.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// connect opens an SDK client session to agent's endpoint with token.
// protocol "" means the client's latest.
func (e *env) connect(agent, token, protocol string, opts *mcp.ClientOptions) *mcp.ClientSession {
	e.T.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, opts)
	tr := &mcp.StreamableClientTransport{
		Endpoint:   e.srv.URL + "/mcp/" + agent,
		HTTPClient: &http.Client{Transport: bearerTransport{token}},
	}
	cs, err := client.Connect(context.Background(), tr, &mcp.ClientSessionOptions{ProtocolVersion: protocol})
	if err != nil {
		e.T.Fatalf("connecting to %s: %v", agent, err)
	}
	e.T.Cleanup(func() { cs.Close() })
	return cs
}

// toolNames lists the session's tools by name.
func toolNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	return names
}

// call calls a tool and returns the result and its text.
func call(t *testing.T, cs *mcp.ClientSession, params *mcp.CallToolParams) (*mcp.CallToolResult, string) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), params)
	if err != nil {
		t.Fatalf("calling %s: %v", params.Name, err)
	}
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return res, strings.Join(parts, "\n")
}
