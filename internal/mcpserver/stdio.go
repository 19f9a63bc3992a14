package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/gateway"
)

// stdioPollInterval is how often a stdio server checks the resources for
// activation changes to announce while the client is idle.
const stdioPollInterval = time.Second

// ServeStdio serves the agent's tools over one stdio session (newline
// delimited JSON-RPC on in and out) until the client closes in or ctx is
// done. A line that is not a JSON-RPC message the server takes is answered
// with a JSON-RPC error and the session goes on (see lineFilter). The
// session is stateful, so elicitation works with any client that supports
// it. Activation changes reach the tool list without a restart:
// the tools are brought up to date with the stored resources before each
// request and every stdioPollInterval, and the client is sent
// notifications/tools/list_changed.
func ServeStdio(ctx context.Context, g *gateway.Gateway, agent string, in io.Reader, out io.Writer) error {
	ag, err := g.Agent(ctx, agent)
	if err != nil {
		return fmt.Errorf("mcpserver: %w", err)
	}
	ls := &liveServer{g: g, agent: ag.Name, srv: newServer(g, ag.Name, ag.Instructions, true), version: -1}
	if err := ls.sync(ctx); err != nil {
		return err
	}
	ls.srv.AddReceivingMiddleware(ls.middleware)
	pollCtx, stop := context.WithCancel(ctx)
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		ls.poll(pollCtx)
	}()
	sdkIn, feed := io.Pipe()
	w := &lockedWriter{w: out}
	go (&lineFilter{in: in, feed: feed, out: w}).run()
	err = ls.srv.Run(ctx, &mcp.IOTransport{Reader: sdkIn, Writer: nopWriteCloser{w}})
	w.close()
	sdkIn.Close()
	stop()
	<-polled
	if err != nil && ctx.Err() == nil && !peerGone(err) {
		return fmt.Errorf("mcpserver: serving stdio: %w", err)
	}
	return nil
}

// peerGone reports whether err means the client closed its end, the normal
// end of a stdio session.
func peerGone(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, mcp.ErrConnectionClosed)
}

// liveServer is one long-lived server whose tools follow the resources.
type liveServer struct {
	g     *gateway.Gateway
	agent string
	srv   *mcp.Server

	mu      sync.Mutex
	version int64
	names   []string
}

// middleware syncs the tools before the requests that read them.
func (ls *liveServer) middleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if method == "tools/list" || method == "tools/call" {
			if err := ls.sync(ctx); err != nil {
				ls.g.Logger().WarnContext(ctx, "updating mcp tools", "agent", ls.agent, "err", err)
			}
		}
		return next(ctx, method, req)
	}
}

// poll syncs the tools every stdioPollInterval until ctx is done.
func (ls *liveServer) poll(ctx context.Context) {
	t := time.NewTicker(stdioPollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := ls.sync(ctx); err != nil && ctx.Err() == nil {
				ls.g.Logger().WarnContext(ctx, "updating mcp tools", "agent", ls.agent, "err", err)
			}
		}
	}
}

// sync replaces the server's tools when the resources changed.
func (ls *liveServer) sync(ctx context.Context) error {
	snap, err := ls.g.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("mcpserver: %w", err)
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if snap.Version == ls.version {
		return nil
	}
	var tools []*mcp.Tool
	if ag := snap.Agents[ls.agent]; ag != nil {
		if tools, err = sdkTools(snap.AgentActions(ag)); err != nil {
			return err
		}
	}
	ts := &toolset{g: ls.g, agent: ls.agent}
	keep := make(map[string]bool, len(tools))
	names := make([]string, 0, len(tools))
	for _, t := range tools {
		keep[t.Name] = true
		names = append(names, t.Name)
	}
	var gone []string
	for _, n := range ls.names {
		if !keep[n] {
			gone = append(gone, n)
		}
	}
	ls.srv.RemoveTools(gone...)
	for _, t := range tools {
		ls.srv.AddTool(t, ts.call)
	}
	ls.version, ls.names = snap.Version, names
	return nil
}

// nopWriteCloser is a writer whose Close does nothing: the caller owns out.
type nopWriteCloser struct{ io.Writer }

// Close does nothing.
func (nopWriteCloser) Close() error { return nil }
