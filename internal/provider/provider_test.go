package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/egress"
	"github.com/actiongate/actiongate/internal/provider"
	"github.com/actiongate/actiongate/internal/provider/providertest"
)

// flavors runs a test against both scripted providers.
var flavors = []struct {
	name  string
	start func(testing.TB) *providertest.Server
}{
	{"openai", providertest.NewOpenAI},
	{"anthropic", providertest.NewAnthropic},
}

const testKey = "sk-test-0123456789abcdefSECRET"

// allowedHTTP is an egress HTTP client allowed to reach loopback.
func allowedHTTP(t *testing.T) *http.Client {
	t.Helper()
	c, err := egress.New(egress.Config{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c.HTTPClient()
}

func newClient(t *testing.T, srv *providertest.Server, timeout string) provider.Client {
	t.Helper()
	p := srv.Provider("main")
	p.Timeout = timeout
	p.Headers = map[string]string{"X-Team": "support"}
	c, err := provider.New(p, testKey, allowedHTTP(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ask(text string) *provider.Request {
	return &provider.Request{Model: "test-model", System: "Be brief.", Messages: []provider.Message{{Role: provider.RoleUser, Content: text}}}
}

func wantError(t *testing.T, err error) *provider.Error {
	t.Helper()
	var pe *provider.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *provider.Error", err, err)
	}
	return pe
}

func TestTextStreams(t *testing.T) {
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(t)
			srv.Push(providertest.Reply{Text: "Hello there, how can I help? Ünïcode ✓", Usage: providertest.Usage{InputTokens: 12, OutputTokens: 9}})
			var pieces []string
			resp, err := newClient(t, srv, "").Complete(context.Background(), ask("hi"), func(s string) { pieces = append(pieces, s) })
			if err != nil {
				t.Fatal(err)
			}
			if resp.Content != "Hello there, how can I help? Ünïcode ✓" || strings.Join(pieces, "") != resp.Content || len(pieces) < 5 {
				t.Errorf("content %q in %d pieces", resp.Content, len(pieces))
			}
			if resp.Usage != (provider.Usage{InputTokens: 12, OutputTokens: 9}) || len(resp.ToolCalls) != 0 || resp.StopReason == "" {
				t.Errorf("response %+v", resp)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if !r.Stream || r.Model != "test-model" || r.System != "Be brief." || len(r.Messages) != 1 || r.Messages[0].Content != "hi" {
				t.Errorf("captured %+v", r)
			}
			if r.Header.Get("X-Team") != "support" || !strings.Contains(r.Header.Get("Authorization"), testKey) {
				t.Errorf("headers %v", r.Header)
			}
			if f.name == "openai" {
				if opts, _ := r.JSON["stream_options"].(map[string]any); opts["include_usage"] != true {
					t.Errorf("stream_options %v", r.JSON["stream_options"])
				}
			}
		})
	}
}

func TestToolCalls(t *testing.T) {
	tools := []provider.Tool{
		{Name: "lookup_order", Description: "Find an order.", Parameters: json.RawMessage(`{"type":"object","properties":{"order_id":{"type":"string","pattern":"^[0-9]+$"}},"required":["order_id"],"additionalProperties":false}`)},
		{Name: "list_tickets", Parameters: json.RawMessage(`{"type":"object","properties":{"limit":{"type":"integer","maximum":50}}}`)},
	}
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(t)
			srv.Push(
				providertest.Reply{Text: "Let me check.", ToolCalls: []providertest.Call{{ID: "call_a", Name: "lookup_order", Args: `{"order_id":"4711"}`}}},
				providertest.Reply{ToolCalls: []providertest.Call{
					{ID: "call_b", Name: "lookup_order", Args: `{"order_id":"42"}`},
					{ID: "call_c", Name: "list_tickets", Args: `{"limit":3}`},
					{ID: "call_d", Name: "list_tickets", Args: ``},
				}},
				providertest.Reply{Text: "Order 4711 shipped."},
			)
			c := newClient(t, srv, "")
			req := ask("where is my order?")
			req.Tools = tools
			resp, err := c.Complete(context.Background(), req, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Content != "Let me check." || len(resp.ToolCalls) != 1 || resp.ToolCalls[0] != (provider.ToolCall{ID: "call_a", Name: "lookup_order", Arguments: `{"order_id":"4711"}`}) {
				t.Fatalf("single call: %+v", resp)
			}
			req.Messages = append(req.Messages, provider.Message{Role: provider.RoleAssistant, Content: resp.Content, ToolCalls: resp.ToolCalls},
				provider.Message{Role: provider.RoleTool, ToolCallID: "call_a", Content: `{"error":"upstream timed out"}`, ToolError: true})
			resp, err = c.Complete(context.Background(), req, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := []provider.ToolCall{
				{ID: "call_b", Name: "lookup_order", Arguments: `{"order_id":"42"}`},
				{ID: "call_c", Name: "list_tickets", Arguments: `{"limit":3}`},
				{ID: "call_d", Name: "list_tickets", Arguments: `{}`},
			}
			if len(resp.ToolCalls) != 3 || resp.ToolCalls[0] != want[0] || resp.ToolCalls[1] != want[1] || resp.ToolCalls[2] != want[2] {
				t.Fatalf("parallel calls: %+v", resp.ToolCalls)
			}
			req.Messages = append(req.Messages, provider.Message{Role: provider.RoleAssistant, ToolCalls: resp.ToolCalls},
				provider.Message{Role: provider.RoleTool, ToolCallID: "call_b", Content: `{"status":"shipped"}`},
				provider.Message{Role: provider.RoleTool, ToolCallID: "call_c", Content: `[]`},
				provider.Message{Role: provider.RoleTool, ToolCallID: "call_d", Content: ``})
			if _, err := c.Complete(context.Background(), req, nil); err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()
			checkTools(t, reqs[0], tools)
			if f.name == "openai" {
				checkOpenAIHistory(t, reqs[2])
			} else {
				checkAnthropicHistory(t, reqs[2])
			}
		})
	}
}

// checkTools asserts the tool definitions went out with their schemas as given.
func checkTools(t *testing.T, r providertest.Captured, tools []provider.Tool) {
	t.Helper()
	if len(r.Tools) != len(tools) {
		t.Fatalf("%d tools sent", len(r.Tools))
	}
	for i, tool := range tools {
		got := r.Tools[i]
		var a, b any
		_ = json.Unmarshal(got.Schema, &a)
		_ = json.Unmarshal(tool.Parameters, &b)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if got.Name != tool.Name || got.Description != tool.Description || string(ja) != string(jb) {
			t.Errorf("tool %d sent as %s %q %s, want %s", i, got.Name, got.Description, ja, jb)
		}
	}
}

func checkOpenAIHistory(t *testing.T, r providertest.Captured) {
	t.Helper()
	roles := []string{}
	for _, m := range r.Messages {
		roles = append(roles, m.Role)
	}
	if strings.Join(roles, ",") != "user,assistant,tool,assistant,tool,tool,tool" {
		t.Fatalf("roles %v", roles)
	}
	m := r.Messages
	if m[1].Content != "Let me check." || len(m[1].ToolCalls) != 1 || m[1].ToolCalls[0] != (providertest.Call{ID: "call_a", Name: "lookup_order", Args: `{"order_id":"4711"}`}) {
		t.Errorf("assistant message %+v", m[1])
	}
	if m[2].ToolCallID != "call_a" || m[2].Content != `{"error":"upstream timed out"}` {
		t.Errorf("tool message %+v", m[2])
	}
	if len(m[3].ToolCalls) != 3 || m[4].ToolCallID != "call_b" || m[5].ToolCallID != "call_c" || m[6].ToolCallID != "call_d" || m[4].Content != `{"status":"shipped"}` {
		t.Errorf("parallel results %+v", m[3:])
	}
}

func checkAnthropicHistory(t *testing.T, r providertest.Captured) {
	t.Helper()
	m := r.Messages
	if len(m) != 5 {
		t.Fatalf("%d messages: %+v", len(m), m)
	}
	if m[1].Role != "assistant" || m[1].Content != "Let me check." || len(m[1].ToolCalls) != 1 || m[1].ToolCalls[0] != (providertest.Call{ID: "call_a", Name: "lookup_order", Args: `{"order_id":"4711"}`}) {
		t.Errorf("assistant message %+v", m[1])
	}
	if m[2].Role != "user" || len(m[2].ToolResults) != 1 || m[2].ToolResults[0] != (providertest.ToolResult{ToolUseID: "call_a", Content: `{"error":"upstream timed out"}`, IsError: true}) {
		t.Errorf("tool result %+v", m[2])
	}
	if m[3].Role != "assistant" || len(m[3].ToolCalls) != 3 {
		t.Errorf("parallel calls %+v", m[3])
	}
	want := []providertest.ToolResult{{ToolUseID: "call_b", Content: `{"status":"shipped"}`}, {ToolUseID: "call_c", Content: `[]`}, {ToolUseID: "call_d"}}
	if m[4].Role != "user" || len(m[4].ToolResults) != 3 || m[4].ToolResults[0] != want[0] || m[4].ToolResults[1] != want[1] || m[4].ToolResults[2] != want[2] {
		t.Errorf("merged tool results %+v", m[4])
	}
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(t)
			srv.Push(providertest.Reply{Status: 429, RetryAfter: "1", ErrorMessage: "Rate limit reached"}, providertest.Reply{Text: "ok"})
			start := time.Now()
			resp, err := newClient(t, srv, "").Complete(context.Background(), ask("hi"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); resp.Content != "ok" || took < time.Second || took > 3*time.Second {
				t.Errorf("content %q after %s (want about 1s)", resp.Content, took)
			}
			if n := len(srv.Requests()); n != 2 {
				t.Errorf("%d requests", n)
			}

			date := time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
			srv.Push(providertest.Reply{Status: 503, RetryAfter: date}, providertest.Reply{Status: 500}, providertest.Reply{Text: "back"})
			start = time.Now()
			resp, err = newClient(t, srv, "").Complete(context.Background(), ask("hi"), nil)
			if err != nil || resp.Content != "back" {
				t.Fatalf("after 503 and 500: %v %+v", err, resp)
			}
			if took := time.Since(start); took < time.Second || took > 5*time.Second {
				t.Errorf("HTTP-date Retry-After then backoff took %s", took)
			}
		})
	}
}

func TestRetriesStopAtThree(t *testing.T) {
	srv := providertest.NewOpenAI(t)
	for range 5 {
		srv.Push(providertest.Reply{Status: 502, Header: http.Header{"Retry-After-Ms": {"20"}}})
	}
	_, err := newClient(t, srv, "").Complete(context.Background(), ask("hi"), nil)
	e := wantError(t, err)
	if e.Status != 502 || !e.Retryable || len(srv.Requests()) != 1+provider.MaxRetries {
		t.Errorf("error %+v after %d requests", e, len(srv.Requests()))
	}
}

func TestRetryAfterPastDeadlineFailsAtOnce(t *testing.T) {
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(t)
			srv.Push(providertest.Reply{Status: 429, RetryAfter: "30", ErrorMessage: "Rate limit reached for requests"})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			start := time.Now()
			_, err := newClient(t, srv, "").Complete(ctx, ask("hi"), nil)
			e := wantError(t, err)
			if took := time.Since(start); took > 500*time.Millisecond {
				t.Errorf("failed after %s, want at once", took)
			}
			if e.Status != 429 || e.RetryAfter != 30*time.Second || !strings.Contains(err.Error(), "Rate limit reached for requests (the provider asked to wait 30s") {
				t.Errorf("error %q %+v", err, e)
			}
		})
	}
}

func TestErrorMessageIsExtractedAndKeyMasked(t *testing.T) {
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(t)
			srv.Push(providertest.Reply{Status: 401, ErrorMessage: "Incorrect API key provided: " + testKey + " (also shown as sk-test-0123...SECRET). " + strings.Repeat("See the docs. ", 40)})
			_, err := newClient(t, srv, "").Complete(context.Background(), ask("hi"), nil)
			e := wantError(t, err)
			msg := err.Error()
			if !strings.HasPrefix(msg, `provider "main": 401: Incorrect API key provided: `) {
				t.Errorf("message %q", msg)
			}
			if strings.Contains(msg, testKey) || strings.Contains(msg, "0123456789abcdef") || strings.Contains(msg, "sk-test-0123") {
				t.Errorf("the key shows in %q", msg)
			}
			if len(e.Message) > 300+len("…") || e.Retryable || len(srv.Requests()) != 1 {
				t.Errorf("message of %d bytes, retryable %v, %d requests", len(e.Message), e.Retryable, len(srv.Requests()))
			}
		})
	}
}

func TestHangReturnsAtDeadline(t *testing.T) {
	for _, f := range flavors {
		for _, text := range []string{"", "partial answer"} {
			t.Run(f.name, func(t *testing.T) {
				srv := f.start(t)
				srv.Push(providertest.Reply{Hang: true, Text: text})
				ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				defer cancel()
				start := time.Now()
				_, err := newClient(t, srv, "").Complete(ctx, ask("hi"), nil)
				took := time.Since(start)
				e := wantError(t, err)
				if e.Type != provider.TypeTimeout || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error %v (%+v)", err, e)
				}
				if took > 500*time.Millisecond+250*time.Millisecond {
					t.Errorf("returned after %s", took)
				}
			})
		}
	}
}

func TestProviderTimeoutBoundsTheCall(t *testing.T) {
	srv := providertest.NewAnthropic(t)
	srv.Push(providertest.Reply{Hang: true})
	start := time.Now()
	_, err := newClient(t, srv, "300ms").Complete(context.Background(), ask("hi"), nil)
	if e := wantError(t, err); e.Type != provider.TypeTimeout || time.Since(start) > time.Second {
		t.Errorf("error %v after %s", err, time.Since(start))
	}
}

func TestCancelIsReported(t *testing.T) {
	srv := providertest.NewOpenAI(t)
	srv.Push(providertest.Reply{Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := newClient(t, srv, "").Complete(ctx, ask("hi"), nil)
	if e := wantError(t, err); e.Type != provider.TypeCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("error %v", err)
	}
}

func TestStreamErrorAndDropAreRetriedBeforeText(t *testing.T) {
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(t)
			srv.Push(providertest.Reply{StreamError: "overloaded_error"}, providertest.Reply{Drop: true}, providertest.Reply{Text: "fine"})
			resp, err := newClient(t, srv, "").Complete(context.Background(), ask("hi"), func(string) {})
			if err != nil || resp.Content != "fine" || len(srv.Requests()) != 3 {
				t.Fatalf("%v %+v after %d requests", err, resp, len(srv.Requests()))
			}
			// Once text reached the caller, a broken stream is not retried.
			srv.Push(providertest.Reply{Text: "half an ans", Drop: true}, providertest.Reply{Text: "never"})
			_, err = newClient(t, srv, "").Complete(context.Background(), ask("hi"), func(string) {})
			if e := wantError(t, err); e.Type != provider.TypeConnect || srv.Pending() != 1 {
				t.Errorf("error %+v, %d replies left", e, srv.Pending())
			}
		})
	}
}

func TestGuardRefusalNamesTheFix(t *testing.T) {
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(t)
			eg, err := egress.New(egress.Config{})
			if err != nil {
				t.Fatal(err)
			}
			c, err := provider.New(srv.Provider("local"), "", eg.HTTPClient())
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Complete(context.Background(), ask("hi"), nil)
			e := wantError(t, err)
			want := `provider "local": blocked: 127.0.0.1 is a loopback address, which the egress guard refuses; allow it with ACTIONGATE_EGRESS_ALLOW=127.0.0.1/32 (or egress_allow in the config file)`
			if err.Error() != want || e.Retryable {
				t.Errorf("error\n%s\nwant\n%s", err, want)
			}
			if len(srv.Requests()) != 0 {
				t.Error("the request reached the server")
			}
		})
	}
}

func TestAnswerBounds(t *testing.T) {
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(t)
			big := strings.Repeat("x", provider.MaxAnswerBytes+1)
			srv.Push(providertest.Reply{Text: big, ChunkSize: 32 << 10})
			var calls []providertest.Call
			for range provider.MaxToolCalls + 1 {
				calls = append(calls, providertest.Call{Name: "t", Args: "{}"})
			}
			srv.Push(providertest.Reply{ToolCalls: calls})
			c := newClient(t, srv, "")
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var got int
			start := time.Now()
			_, err := c.Complete(context.Background(), ask("hi"), func(s string) { got += len(s) })
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if e := wantError(t, err); e.Type != provider.TypeTooLarge || got > provider.MaxAnswerBytes {
				t.Errorf("error %v after %d bytes of text", err, got)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 || took > 5*time.Second {
				t.Errorf("allocated %d MiB in %s", alloc>>20, took)
			}
			t.Logf("an answer past %d MiB: cut after %s, %d MiB allocated (server included)", provider.MaxAnswerBytes>>20, took, (after.TotalAlloc-before.TotalAlloc)>>20)
			_, err = c.Complete(context.Background(), ask("hi"), nil)
			if e := wantError(t, err); e.Type != provider.TypeTooLarge || !strings.Contains(e.Message, "128 tool calls") {
				t.Errorf("too many calls: %v", err)
			}
		})
	}
}

func TestWireBound(t *testing.T) {
	// A server that sends keep-alive comments for ever is cut at MaxWireBytes.
	var sent atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		line := []byte(strings.Repeat(": keep-alive\n\n", 4096))
		for r.Context().Err() == nil {
			n, err := w.Write(line)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	srv := startPlain(t, mux)
	c, err := provider.New(&action.Provider{Name: "flood", Type: action.ProviderOpenAI, BaseURL: srv + "/v1"}, "", allowedHTTP(t))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Complete(context.Background(), ask("hi"), nil)
	if e := wantError(t, err); e.Type != provider.TypeTooLarge || time.Since(start) > 10*time.Second {
		t.Errorf("error %v after %s", err, time.Since(start))
	}
}

func TestNewRefusesBadProviders(t *testing.T) {
	hc := allowedHTTP(t)
	for _, tc := range []struct {
		p    *action.Provider
		want string
	}{
		{&action.Provider{Name: "x", Type: "gemini", BaseURL: "https://api.example.com"}, `type "gemini" is not openai or anthropic`},
		{&action.Provider{Name: "x", Type: "openai", BaseURL: "ftp://api.example.com"}, `base_url "ftp://api.example.com" is not an http or https URL`},
		{&action.Provider{Name: "x", Type: "openai", BaseURL: "/v1"}, `is not an http or https URL`},
	} {
		if _, err := provider.New(tc.p, "", hc); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.p, err, tc.want)
		}
	}
	if _, err := provider.New(&action.Provider{Name: "x", Type: "openai", BaseURL: "https://api.example.com"}, "", nil); err == nil {
		t.Error("no HTTP client was accepted")
	}
}

func TestBadRequestsAreRefusedBeforeSending(t *testing.T) {
	srv := providertest.NewOpenAI(t)
	c := newClient(t, srv, "")
	for _, tc := range []struct {
		req  *provider.Request
		want string
	}{
		{nil, "no request"},
		{&provider.Request{}, "names no model"},
		{&provider.Request{Model: "m", Messages: []provider.Message{{Role: "system"}}}, `messages[0]: unknown role "system"`},
		{&provider.Request{Model: "m", Messages: []provider.Message{{Role: provider.RoleTool}}}, "messages[0]: a tool result needs"},
		{&provider.Request{Model: "m", Tools: []provider.Tool{{Name: "t", Parameters: json.RawMessage(`[1]`)}}}, `tool "t": the parameters are not a JSON object schema`},
	} {
		if _, err := c.Complete(context.Background(), tc.req, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	if len(srv.Requests()) != 0 {
		t.Error("a bad request was sent")
	}
}

func TestEnvironmentTakesNoPart(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-env")
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	t.Setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:1")
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(t)
			srv.Push(providertest.Reply{Text: "ok"})
			c, err := provider.New(srv.Provider("local"), "", allowedHTTP(t))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Complete(context.Background(), ask("hi"), nil); err != nil {
				t.Fatal(err)
			}
			h := srv.Requests()[0].Header
			for k, v := range h {
				if strings.Contains(strings.Join(v, " "), "from-env") {
					t.Errorf("header %s carries the environment's key", k)
				}
			}
		})
	}
}

// startPlain serves h on loopback and returns its URL.
func startPlain(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestAzureKeyHeader: an Azure OpenAI endpoint gets its key in the
// api-key header, never as a bearer token; other servers get the bearer.
func TestAzureKeyHeader(t *testing.T) {
	srv := providertest.NewOpenAI(t)
	addr := strings.TrimPrefix(srv.URL(), "http://")
	// Every host dials the scripted server, standing in for DNS.
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	for _, tc := range []struct{ base, header, bearer string }{
		{"http://shop-ai.openai.azure.com/v1", testKey, ""},
		{"http://shop-ai.cognitiveservices.azure.com/v1", testKey, ""},
		{"http://llm.internal.example/v1", "", "Bearer " + testKey},
	} {
		srv.Push(providertest.Reply{Text: "ok"})
		c, err := provider.New(&action.Provider{Name: "p", Type: action.ProviderOpenAI, BaseURL: tc.base}, testKey, hc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Complete(context.Background(), ask("hi"), nil); err != nil {
			t.Fatalf("%s: %v", tc.base, err)
		}
		reqs := srv.Requests()
		h := reqs[len(reqs)-1].Header
		if h.Get("Api-Key") != tc.header || h.Get("Authorization") != tc.bearer {
			t.Errorf("%s: api-key %q, Authorization %q", tc.base, h.Get("Api-Key"), h.Get("Authorization"))
		}
	}
}
