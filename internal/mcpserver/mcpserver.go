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
// transports, and only the tools capability is served.
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
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

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

	mu      sync.Mutex
	servers map[string]*versionedServer
}

// versionedServer is an agent's MCP server built from one resource version.
type versionedServer struct {
	version int64
	srv     *mcp.Server
}

// NewHandler returns the HTTP handler behind Register; the request must
// carry an {agent} path value.
func NewHandler(g *gateway.Gateway, allowedOrigins []string) *Handler {
	h := &Handler{g: g, origins: newOriginPolicy(allowedOrigins), servers: map[string]*versionedServer{}}
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
// the JSON-RPC message, then serves MCP.
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
	if _, err := h.g.Agent(r.Context(), agent); err != nil {
		if errors.Is(err, gateway.ErrUnknownAgent) {
			httpkit.WriteError(w, httpkit.Errorf(http.StatusNotFound, httpkit.CodeNotFound, "no agent named %q", agent))
			return
		}
		h.g.Logger().ErrorContext(r.Context(), "mcp request failed", "agent", agent, "err", err)
		httpkit.WriteError(w, err)
		return
	}
	if frontHTTP(w, r) {
		h.sdk.ServeHTTP(w, r)
	}
}

// server returns the MCP server of the request's agent, nil when it cannot
// be built (the SDK then answers 400).
func (h *Handler) server(r *http.Request) *mcp.Server {
	srv, err := h.serverFor(r.Context(), r.PathValue("agent"))
	if err != nil {
		h.g.Logger().WarnContext(r.Context(), "building mcp server", "agent", r.PathValue("agent"), "err", err)
		return nil
	}
	return srv
}

// serverFor returns the agent's server for the current resources, building
// a new one when they changed. Servers are never modified once built, so
// requests in flight keep a consistent tool list.
func (h *Handler) serverFor(ctx context.Context, agent string) (*mcp.Server, error) {
	snap, err := h.g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	ag := snap.Agents[agent]
	if ag == nil {
		h.mu.Lock()
		delete(h.servers, agent)
		h.mu.Unlock()
		return nil, gateway.ErrUnknownAgent
	}
	h.mu.Lock()
	vs := h.servers[agent]
	h.mu.Unlock()
	if vs != nil && vs.version == snap.Version {
		return vs.srv, nil
	}
	srv := newServer(h.g, ag.Name, ag.Instructions, false)
	tools, err := sdkTools(snap.AgentActions(ag))
	if err != nil {
		return nil, err
	}
	ts := &toolset{g: h.g, agent: ag.Name}
	for _, t := range tools {
		srv.AddTool(t, ts.call)
	}
	h.mu.Lock()
	if cur := h.servers[agent]; cur == nil || cur.version < snap.Version {
		h.servers[agent] = &versionedServer{version: snap.Version, srv: srv}
	}
	h.mu.Unlock()
	return srv, nil
}

// newServer returns an MCP server without tools for an agent. listChanged
// advertises tool list notifications, which only a stateful session
// (stdio) can receive.
func newServer(g *gateway.Gateway, agent, instructions string, listChanged bool) *mcp.Server {
	return mcp.NewServer(&mcp.Implementation{Name: "actiongate", Title: "actiongate: " + agent, Version: version()},
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
