package mcpserver_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/mcpserver"
)

// stdio serves agent over pipes and connects an SDK client to it. The
// server must end without error when the client closes.
func (e *env) stdio(t *testing.T, agent, protocol string, opts *mcp.ClientOptions) *mcp.ClientSession {
	t.Helper()
	serverIn, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := mcpserver.ServeStdio(context.Background(), e.G, agent, serverIn, serverOut)
		serverOut.Close()
		done <- err
	}()
	client := mcp.NewClient(&mcp.Implementation{Name: "desktop", Version: "1"}, opts)
	cs, err := client.Connect(context.Background(), &mcp.IOTransport{Reader: clientIn, Writer: clientOut}, &mcp.ClientSessionOptions{ProtocolVersion: protocol})
	if err != nil {
		t.Fatalf("connecting over stdio: %v", err)
	}
	t.Cleanup(func() {
		cs.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("stdio server ended with %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("stdio server did not end when the client closed")
		}
	})
	return cs
}

func TestStdio(t *testing.T) {
	e := newEnv(t)
	for _, protocol := range []string{"", legacyProtocol} {
		t.Run("protocol "+protocol, func(t *testing.T) {
			e.Activate("sales", "get_order", "list_items")
			changed := make(chan struct{}, 16)
			cs := e.stdio(t, "sales", protocol, &mcp.ClientOptions{
				ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) { changed <- struct{}{} },
			})
			if names := toolNames(t, cs); !slices.Equal(names, []string{"get_order", "list_items", "more_results"}) {
				t.Fatalf("tools %v", names)
			}
			res, out := call(t, cs, &mcp.CallToolParams{Name: "get_order", Arguments: map[string]any{"order_id": "S1"}})
			if res.IsError || !strings.Contains(out, "shipped") {
				t.Fatalf("get_order: isError %v, %q", res.IsError, out)
			}
			res, out = call(t, cs, &mcp.CallToolParams{Name: "get_order", Arguments: map[string]any{}})
			if !res.IsError || !strings.Contains(out, "order_id") {
				t.Fatalf("missing argument: isError %v, %q", res.IsError, out)
			}

			// Activation changes reach the running session, which tells the
			// idle client.
			e.Activate("sales", "get_order", "cancel_order")
			select {
			case <-changed:
			case <-time.After(5 * time.Second):
				t.Fatal("no tools/list_changed notification after an activation change")
			}
			if names := toolNames(t, cs); !slices.Equal(names, []string{"cancel_order", "get_order", "more_results"}) {
				t.Fatalf("tools after activation change %v", names)
			}
			res, _ = call(t, cs, &mcp.CallToolParams{Name: "cancel_order", Arguments: map[string]any{"order_id": "S1"}})
			if res.IsError || e.Hits("DELETE", "/orders/S1") == 0 {
				t.Fatalf("newly activated cancel_order: isError %v", res.IsError)
			}
		})
	}
}

func TestStdioUnknownAgent(t *testing.T) {
	e := newEnv(t)
	err := mcpserver.ServeStdio(t.Context(), e.G, "ghost", strings.NewReader(""), io.Discard)
	if !errors.Is(err, gateway.ErrUnknownAgent) {
		t.Fatalf("ServeStdio for an unknown agent: %v", err)
	}
}
