package mcpserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
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

// rawStdio is a stdio session driven line by line, as a desktop client
// writes it.
type rawStdio struct {
	t     *testing.T
	in    *io.PipeWriter
	lines chan []byte
}

// rawStdio serves agent over pipes for raw lines; the server must end
// without error when the input closes.
func (e *env) rawStdio(t *testing.T, agent string) *rawStdio {
	t.Helper()
	serverIn, in := io.Pipe()
	outR, serverOut := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := mcpserver.ServeStdio(context.Background(), e.G, agent, serverIn, serverOut)
		serverOut.Close()
		serverIn.CloseWithError(errors.New("the stdio server ended"))
		done <- err
	}()
	s := &rawStdio{t: t, in: in, lines: make(chan []byte, 16)}
	go func() {
		br := bufio.NewReader(outR)
		for {
			line, err := br.ReadBytes('\n')
			if err != nil {
				close(s.lines)
				return
			}
			s.lines <- line
		}
	}()
	t.Cleanup(func() {
		in.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("stdio server ended with %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("stdio server did not end when its input closed")
		}
	})
	return s
}

// send writes one line.
func (s *rawStdio) send(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		s.t.Fatalf("writing %.60s: %v (the server stopped reading)", line, err)
	}
}

// next returns the next line the server writes.
func (s *rawStdio) next() []byte {
	s.t.Helper()
	select {
	case line, ok := <-s.lines:
		if !ok {
			s.t.Fatal("the stdio server closed its output")
		}
		return line
	case <-time.After(5 * time.Second):
		s.t.Fatal("no answer from the stdio server")
	}
	return nil
}

// initialize opens the session on protocol version.
func (s *rawStdio) initialize(version string) {
	s.t.Helper()
	s.send(`{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"` + version + `","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	if line := s.next(); !strings.Contains(string(line), `"protocolVersion":"`+version+`"`) {
		s.t.Fatalf("initialize: %s", line)
	}
	s.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
}

// checkServing asks tools/list with id and expects the tools as the next
// line.
func (s *rawStdio) checkServing(id int) {
	s.t.Helper()
	s.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/list"}`, id))
	line := s.next()
	if !strings.HasPrefix(string(line), fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"result":`, id)) || !strings.Contains(string(line), `"get_order"`) {
		s.t.Fatalf("tools/list %d after the bad line: %s", id, line)
	}
}

func TestStdioKeepsServingAfterBadLines(t *testing.T) {
	e := newEnv(t)
	s := e.rawStdio(t, "sales")

	// Before initialize: an error with a standard code (the SDK's is 0).
	s.send(`{"jsonrpc":"2.0","id":0,"method":"tools/list"}`)
	if a := decodeRPCError(t, s.next()); a.Error.Code != jsonrpc.CodeInvalidRequest || string(a.ID) != "0" {
		t.Fatalf("tools/list before initialize: code %d id %s", a.Error.Code, a.ID)
	}
	s.send(`{"jsonrpc":"2.0","id":"i0","method":"initialize","params":{"protocolVersion":5}}`)
	if a := decodeRPCError(t, s.next()); a.Error.Code != jsonrpc.CodeInvalidParams || string(a.ID) != `"i0"` {
		t.Fatalf("initialize with mistyped params: code %d id %s", a.Error.Code, a.ID)
	}
	s.initialize("2025-06-18")
	long := `{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"x":"` + strings.Repeat("a", 2<<20) + `"}}`
	cases := []struct {
		name, line string
		code       int64
		id         string
	}{
		{"not JSON", `hello`, jsonrpc.CodeParseError, "null"},
		{"truncated JSON", `{"jsonrpc":"2.0","id":1,"method":"tools/li`, jsonrpc.CodeParseError, "null"},
		{"not a message", `{"foo":1}`, jsonrpc.CodeInvalidRequest, "null"},
		{"batch on 2025-06-18", `[{"jsonrpc":"2.0","id":2,"method":"tools/list"}]`, jsonrpc.CodeInvalidRequest, "null"},
		{"empty batch", `[]`, jsonrpc.CodeInvalidRequest, "null"},
		{"a string", `"tools/list"`, jsonrpc.CodeInvalidRequest, "null"},
		{"null id", `{"jsonrpc":"2.0","id":null,"method":"tools/list"}`, jsonrpc.CodeInvalidRequest, "null"},
		{"bad error member", `{"jsonrpc":"2.0","id":4,"error":5}`, jsonrpc.CodeInvalidRequest, "4"},
		{"params not an object", `{"jsonrpc":"2.0","id":7,"method":"tools/list","params":"all"}`, jsonrpc.CodeInvalidParams, "7"},
		{"prompts/list", `{"jsonrpc":"2.0","id":5,"method":"prompts/list"}`, jsonrpc.CodeMethodNotFound, "5"},
		{"resources/list", `{"jsonrpc":"2.0","id":"r","method":"resources/list","params":{}}`, jsonrpc.CodeMethodNotFound, `"r"`},
		{"unknown method", `{"jsonrpc":"2.0","id":6,"method":"tools/destroy"}`, jsonrpc.CodeMethodNotFound, "6"},
		{"line over the limit", long, jsonrpc.CodeInvalidRequest, "null"},
	}
	for i, c := range cases {
		ok := t.Run(c.name, func(t *testing.T) {
			s.t = t
			s.send(c.line)
			if a := decodeRPCError(t, s.next()); a.Error.Code != c.code || string(a.ID) != c.id {
				t.Fatalf("error %d (%s) id %s, want %d id %s", a.Error.Code, a.Error.Message, a.ID, c.code, c.id)
			}
			s.checkServing(100 + i)
		})
		if !ok {
			return
		}
	}
	t.Run("unknown notification", func(t *testing.T) {
		s.t = t
		s.send(`{"jsonrpc":"2.0","method":"notifications/unheard-of"}`)
		s.checkServing(200) // the next line is the answer: the notification got none
	})
}

func TestStdioBatchOn20250326(t *testing.T) {
	e := newEnv(t)
	s := e.rawStdio(t, "sales")
	s.initialize("2025-03-26")
	s.send(`[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]`)
	var answers []map[string]any
	if line := s.next(); json.Unmarshal(line, &answers) != nil || len(answers) != 2 {
		t.Fatalf("batch on 2025-03-26: %s", line)
	}
	s.send(`[{"jsonrpc":"2.0","id":3,"method":"ping"},{"jsonrpc":"2.0","id":3,"method":"ping"}]`)
	if a := decodeRPCError(t, s.next()); a.Error.Code != jsonrpc.CodeInvalidRequest {
		t.Fatalf("batch with a repeated id: code %d", a.Error.Code)
	}
	s.checkServing(4)
}

// TestStdioLongLineMemory: a line far over the limit is skipped without
// being held; the memory it costs stays near the limit, not its length.
func TestStdioLongLineMemory(t *testing.T) {
	e := newEnv(t)
	s := e.rawStdio(t, "sales")
	s.initialize("2025-11-25")
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	const chunks = 64
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	io.WriteString(s.in, `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"`)
	for range chunks {
		if _, err := s.in.Write(chunk); err != nil {
			t.Fatalf("the server stopped reading a long line: %v", err)
		}
	}
	s.send(`"}}`)
	a := decodeRPCError(t, s.next())
	runtime.ReadMemStats(&after)
	if a.Error.Code != jsonrpc.CodeInvalidRequest || !strings.Contains(a.Error.Message, "too long") {
		t.Fatalf("64 MiB line: code %d %q", a.Error.Code, a.Error.Message)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d MiB line cost %.1f MiB of allocations", chunks, float64(alloc)/(1<<20))
	if alloc > 8<<20 {
		t.Fatalf("a %d MiB line cost %d bytes of allocations, want under 8 MiB", chunks, alloc)
	}
	s.checkServing(2)
}
