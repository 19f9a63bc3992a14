// Package mcpserver serves each agent's activated actions as MCP tools, over
// streamable HTTP at /mcp/{agent} and over stdio, with the official MCP Go
// SDK.
//
// tools/list shows the agent's activated actions and the built-in
// more_results tool, with the raw JSON Schemas and annotations of package
// toolschema. tools/call runs the call through the gateway (argument
// validation, the request, the response filter and the run log); a failed
// call is an isError result with the model-readable output.
//
// The HTTP endpoint is stateless: every request stands alone, so replicas
// behind a load balancer need no sticky sessions, and a change of activation
// is seen by the next request. Requests need an admin token or a token of
// the agent, and requests from a browser origin other than the server's own
// or a configured one are refused; configured origins get CORS headers, so
// browser-based clients can connect. Messages the server does not take are
// answered with JSON-RPC errors (-32700, -32600, -32601, -32602) on both
// transports, and only the tools capability is served. Plain tools/list
// and tools/call requests are answered without the SDK's per-request
// session, with the answer the SDK gives (lean.go); the SDK serves the
// rest.
//
// A call that needs a human's confirmation is handled in one of two ways:
//
//   - When the client declares the elicitation capability for the request
//     (any client on protocol 2026-07-28 or later, which sends its
//     capabilities with every request, and any stdio client), the user is
//     asked through elicitation with the request preview (secrets masked):
//     accept sends the request once, decline rejects it. Over HTTP this uses
//     multi round-trip requests, which work statelessly.
//   - Otherwise (older clients over stateless HTTP, clients without
//     elicitation), the call answers a non-error result saying the request
//     is waiting for approval, with the confirmation id and how a person
//     approves it: POST /api/v1/confirmations/{id} with {"approve":true}.
//
// Calls carrying a conversation id and a call id in _meta (see
// MetaConversationID) are answered once; other calls are not de-duplicated.
package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
)

// Register mounts the streamable HTTP MCP endpoint /mcp/{agent} on mux.
// allowedOrigins are browser origins ("https://app.example.com") allowed
// besides the server's own; they get CORS headers, so pages served from
// them can be MCP clients.
func Register(mux *http.ServeMux, g *gateway.Gateway, allowedOrigins []string) {
	mux.Handle("/mcp/{agent}", NewHandler(g, allowedOrigins))
}

// Handler serves MCP over streamable HTTP in stateless mode for the agent
// named by the request's {agent} path value.
type Handler struct {
	g       *gateway.Gateway
	origins originPolicy
	sdk     *mcp.StreamableHTTPHandler
	// lean answers plain tools/list and tools/call itself (lean.go); off,
	// the SDK serves every request (the equivalence tests compare both).
	lean bool

	mu      sync.Mutex
	servers map[string]*agentServer
}

// agentServer is what serves one agent for one resource version, built
// once and never modified, so requests in flight keep a consistent tool
// list: the SDK server, the tools by name and the encoded tools/list
// results of the lean path.
type agentServer struct {
	version int64
	srv     *mcp.Server
	ts      *toolset
	impl    *mcp.Implementation
	// implJSON is impl encoded.
	implJSON []byte
	tools    map[string]bool
	// list holds the tools/list result for requests before protocol
	// 2026-07-28 ([0]) and from it on ([1]).
	list [2][]byte
}

// agentServerKey is the context key of the request's agentServer, which
// the SDK reads back through the server callback.
type agentServerKey struct{}

// NewHandler returns the HTTP handler behind Register; the request must
// carry an {agent} path value.
func NewHandler(g *gateway.Gateway, allowedOrigins []string) *Handler {
	h := &Handler{g: g, origins: newOriginPolicy(allowedOrigins), servers: map[string]*agentServer{}, lean: true}
	h.sdk = mcp.NewStreamableHTTPHandler(h.server, &mcp.StreamableHTTPOptions{
		Stateless:    true,
		JSONResponse: true,
		Logger:       sdkLogger(g),
		// The SDK's own guard refuses loopback connections whose Host is not
		// loopback, which breaks the usual reverse proxy on the same
		// machine. Every request here needs a bearer token, which a page
		// reaching the server through DNS rebinding does not have, and
		// foreign browser origins are refused before the SDK sees them.
		DisableLocalhostProtection: true,
		MaxRequestBodyBytes:        httpkit.MaxBodyBytes,
	})
	return h
}

// ServeHTTP checks the origin (answering CORS preflights), the token and
// the JSON-RPC message, then serves MCP: plain tools/list and tools/call
// on the lean path, everything else through the SDK.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.checkOrigin(w, r) {
		return
	}
	p, err := httpkit.Authenticate(h.g, r)
	if err != nil {
		httpkit.WriteError(w, err)
		return
	}
	agent := r.PathValue("agent")
	if !p.CanUseAgent(agent) {
		httpkit.WriteError(w, httpkit.Errorf(http.StatusForbidden, httpkit.CodeForbidden, "this token does not reach agent %q", agent))
		return
	}
	as, err := h.serverFor(r.Context(), agent)
	if err != nil {
		if errors.Is(err, gateway.ErrUnknownAgent) {
			httpkit.WriteError(w, httpkit.Errorf(http.StatusNotFound, httpkit.CodeNotFound, "no agent named %q", agent))
			return
		}
		h.g.Logger().ErrorContext(r.Context(), "mcp request failed", "agent", agent, "err", err)
		httpkit.WriteError(w, err)
		return
	}
	version, body, ok := frontHTTP(w, r)
	if !ok || (h.lean && h.serveLean(w, r, body, as)) {
		return
	}
	if checkBody(w, body, version) {
		h.sdk.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), agentServerKey{}, as)))
	}
}

// server returns the MCP server of the request's agent (the SDK's
// callback).
func (h *Handler) server(r *http.Request) *mcp.Server {
	return r.Context().Value(agentServerKey{}).(*agentServer).srv
}

// serverFor returns the agent's server for the current resources, building
// a new one when they changed.
func (h *Handler) serverFor(ctx context.Context, agent string) (*agentServer, error) {
	snap, err := h.g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	ag := snap.Agents[agent]
	h.mu.Lock()
	as := h.servers[agent]
	if ag == nil {
		delete(h.servers, agent)
	}
	h.mu.Unlock()
	switch {
	case ag == nil:
		return nil, fmt.Errorf("mcpserver: %w: %q", gateway.ErrUnknownAgent, agent)
	case as != nil && as.version == snap.Version:
		return as, nil
	}
	if as, err = h.build(snap, ag); err != nil {
		return nil, err
	}
	h.mu.Lock()
	if cur := h.servers[agent]; cur == nil || cur.version < snap.Version {
		h.servers[agent] = as
	}
	h.mu.Unlock()
	return as, nil
}

// build builds the agent's server from a snapshot.
func (h *Handler) build(snap *gateway.Snapshot, ag *action.Agent) (*agentServer, error) {
	tools, err := sdkTools(snap.AgentActions(ag))
	if err != nil {
		return nil, err
	}
	as := &agentServer{
		version: snap.Version,
		srv:     newServer(h.g, ag.Name, ag.Instructions, false),
		ts:      &toolset{g: h.g, agent: ag.Name},
		impl:    implementation(ag.Name),
		tools:   make(map[string]bool, len(tools)),
	}
	for _, t := range tools {
		as.srv.AddTool(t, as.ts.call)
		as.tools[t.Name] = true
	}
	if len(tools) > mcp.DefaultPageSize {
		as.tools = nil // more than a page: the SDK paginates
	}
	if as.implJSON, err = json.Marshal(as.impl); err != nil {
		return nil, fmt.Errorf("mcpserver: encoding the server's name: %w", err)
	}
	for i, modern := range []bool{false, true} {
		if as.list[i], err = encodeList(tools, as.impl, modern); err != nil {
			return nil, err
		}
	}
	return as, nil
}

// encodeList encodes the tools/list result as the SDK does.
func encodeList(tools []*mcp.Tool, impl *mcp.Implementation, modern bool) ([]byte, error) {
	res := &mcp.ListToolsResult{Tools: tools, Cacheable: mcp.Cacheable{CacheScope: "public"}}
	if res.Tools == nil {
		res.Tools = []*mcp.Tool{}
	}
	if modern {
		res.ResultType = "complete"
		res.Meta = mcp.Meta{mcp.MetaKeyServerInfo: impl}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("mcpserver: encoding the tool list: %w", err)
	}
	return b, nil
}

// implementation is the server's name and version for agent.
func implementation(agent string) *mcp.Implementation {
	return &mcp.Implementation{Name: "actiongate", Title: "actiongate: " + agent, Version: version()}
}

// newServer returns an MCP server without tools for an agent. listChanged
// advertises tool list notifications, which only a stateful session
// (stdio) can receive.
func newServer(g *gateway.Gateway, agent, instructions string, listChanged bool) *mcp.Server {
	return mcp.NewServer(implementation(agent),
		&mcp.ServerOptions{
			Instructions: instructions,
			Logger:       sdkLogger(g),
			Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{ListChanged: listChanged}},
		})
}

// version is the module version of the running binary, "dev" when built
// from a work tree.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// sdkLogger is the gateway's logger for the SDK, keeping warnings and
// errors only: the SDK logs every stateless request's session at info.
func sdkLogger(g *gateway.Gateway) *slog.Logger {
	return slog.New(minLevel{Handler: g.Logger().Handler(), min: slog.LevelWarn})
}

// minLevel drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

// Enabled reports whether level is at least min and the wrapped handler
// takes it.
func (h minLevel) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min && h.Handler.Enabled(ctx, level)
}

// WithAttrs keeps the minimum level on the derived handler.
func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

// WithGroup keeps the minimum level on the derived handler.
func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}
