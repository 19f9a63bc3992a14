package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// roleEnv names the environment variable that makes the harness binary
// (or its test binary) serve as one of the helper processes instead of
// measuring: roleUpstream or roleSDKServer.
const roleEnv = "ACTIONGATE_LOAD_ROLE"

// slowEnv sets how long the slow upstream waits before answering.
const slowEnv = "ACTIONGATE_LOAD_SLOW"

// Helper process roles.
const (
	roleUpstream  = "upstream"
	roleSDKServer = "sdk-server"
)

// defaultSlow is how long the slow upstream waits before answering.
const defaultSlow = 5 * time.Second

// runRole serves as the helper process named by roleEnv and reports
// whether it did; the process then exits. A helper listens on a loopback
// port, prints "listening on ADDR" and stops when its stdin closes, so it
// never outlives the harness.
func runRole() (bool, error) {
	var h http.Handler
	switch role := os.Getenv(roleEnv); role {
	case "":
		return false, nil
	case roleUpstream:
		slow := defaultSlow
		if v := os.Getenv(slowEnv); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return true, fmt.Errorf("%s: %w", slowEnv, err)
			}
			slow = d
		}
		h = upstreamHandler(newPayloads(), slow)
	case roleSDKServer:
		h = sdkHandler()
	default:
		return true, fmt.Errorf("%s: unknown role %q", roleEnv, role)
	}
	return true, serveUntilEOF(h)
}

// serveUntilEOF serves h on a loopback port until stdin reaches EOF.
func serveUntilEOF(h http.Handler) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("listening on %s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	return nil
}

// upstreamHandler serves GET /p/{payload}/{id} with the payload holding
// id, and GET /slow/{id} the same 1 KB object after waiting slow. Bodies
// are built once, so the upstream costs what a fast API costs.
func upstreamHandler(ps map[string]*payload, slow time.Duration) http.Handler {
	mux := http.NewServeMux()
	write := func(w http.ResponseWriter, p *payload, id string) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(p.prefix)+len(id)+len(p.suffix)))
		_, _ = w.Write(p.prefix)
		_, _ = io.WriteString(w, id)
		_, _ = w.Write(p.suffix)
	}
	mux.HandleFunc("GET /p/{payload}/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, ok := ps[r.PathValue("payload")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		write(w, p, r.PathValue("id"))
	})
	mux.HandleFunc("GET /slow/{id}", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
		write(w, ps["slow"], r.PathValue("id"))
	})
	mux.HandleFunc("POST /v1/chat/completions", chatHandler)
	return mux
}

// chatHandler is a scripted Chat Completions server for the turn
// scenario, streaming as the real API does: to a user message "ACTION ID"
// it answers with a call of ACTION for that id, and to a tool result with
// a short text naming the id. What it costs is the upstream's CPU.
func chatHandler(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Messages []struct {
			Role    string `json:"role"`
			Content any    `json:"content"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&req); err != nil || len(req.Messages) == 0 {
		http.Error(w, `{"error":{"message":"a chat completion request with messages"}}`, http.StatusBadRequest)
		return
	}
	var user string
	for _, m := range req.Messages {
		if s, ok := m.Content.(string); ok && m.Role == "user" {
			user = s
		}
	}
	action, id, _ := strings.Cut(user, " ")
	w.Header().Set("Content-Type", "text/event-stream")
	chunk := func(delta string, finish string) {
		fin := "null"
		if finish != "" {
			fin = strconv.Quote(finish)
		}
		fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"scripted-1\","+
			"\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", delta, fin)
	}
	chunk(`{"role":"assistant","content":""}`, "")
	if last := req.Messages[len(req.Messages)-1]; last.Role == "tool" {
		for _, piece := range []string{"Here is ", "record ", id, "."} {
			chunk(`{"content":`+strconv.Quote(piece)+`}`, "")
		}
		chunk(`{}`, "stop")
	} else {
		args := strconv.Quote(`{"id":"` + id + `"}`)
		chunk(`{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":`+strconv.Quote(action)+`,"arguments":""}}]}`, "")
		chunk(`{"tool_calls":[{"index":0,"function":{"arguments":`+args+`}}]}`, "")
		chunk(`{}`, "tool_calls")
	}
	fmt.Fprint(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"scripted-1\",\"choices\":[],"+
		"\"usage\":{\"prompt_tokens\":200,\"completion_tokens\":20,\"total_tokens\":220}}\n\ndata: [DONE]\n\n")
}

// sdkTool is the one tool of the minimal MCP server.
const sdkTool = "noop"

// sdkHandler is the smallest stateless MCP server the official Go SDK
// makes, with the options actiongate's endpoint uses (stateless, JSON
// responses) and one tool that answers {"id": ID} without doing anything
// else: what a tools/call costs in the SDK alone.
func sdkHandler() http.Handler {
	srv := mcp.NewServer(&mcp.Implementation{Name: "sdk-minimal", Version: "1.0.0"}, nil)
	schema := json.RawMessage(`{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}`)
	srv.AddTool(&mcp.Tool{Name: sdkTool, Description: "Answer the id it is given.", InputSchema: schema},
		func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			var args struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(req.Params.Arguments, &args); err != nil {
				return nil, err
			}
			b, _ := json.Marshal(args)
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}}, nil
		})
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
}
