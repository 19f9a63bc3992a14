// Package providertest runs scripted LLM provider servers on loopback for
// tests: an OpenAI Chat Completions server and an Anthropic Messages
// server that answer each request with the next scripted Reply, streamed
// in the API's own server-sent-event format (or as one JSON body when the
// request does not ask for a stream), and that record every request so a
// test can assert what the model was sent. No model can run in a test;
// these servers speak the wire formats the real ones do.
package providertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/action"
)

// Call is a tool call a Reply makes.
type Call struct {
	// ID is the call's id; empty means one is made up ("call_1", "toolu_1").
	ID   string
	Name string
	// Args is the arguments' JSON text, sent as is (it may be invalid).
	Args string
}

// Usage is the token count a Reply reports.
type Usage struct {
	InputTokens  int
	OutputTokens int
}

// Reply is one scripted answer.
type Reply struct {
	// Text is the answer's text, streamed in ChunkSize pieces.
	Text string
	// ToolCalls are the calls the answer asks for, their arguments
	// streamed in ChunkSize pieces.
	ToolCalls []Call
	// Usage is reported as given; the zero value reports a count derived
	// from the sizes of the request and the answer.
	Usage Usage
	// StopReason overrides the finish (OpenAI) or stop (Anthropic) reason;
	// empty means the API's own word for a text or a tool-call answer.
	StopReason string
	// ChunkSize is how many bytes of text or arguments one delta carries;
	// 0 means 5, so every answer spans several chunks.
	ChunkSize int
	// ChunkDelay is waited before each delta.
	ChunkDelay time.Duration

	// Status, when 400 or more, answers an error in the API's shape
	// instead, with ErrorMessage and ErrorType (defaults by status).
	Status       int
	ErrorMessage string
	ErrorType    string
	// RetryAfter is sent as the Retry-After header (seconds or a date).
	RetryAfter string
	// Header holds more response headers.
	Header http.Header

	// Hang stops the server and makes it wait until the client goes away:
	// before any answer when Text is empty, else after streaming Text.
	Hang bool
	// StreamError, when set, ends the stream after Text with an error
	// event of this type ("overloaded_error", "server_error") instead of
	// the rest of the answer.
	StreamError string
	// Drop ends the stream after Text by closing the connection, without
	// the answer's closing events.
	Drop bool
}

// Captured is one request the server received.
type Captured struct {
	Method string
	Path   string
	Header http.Header
	// Body is the request body as sent.
	Body []byte
	// JSON is Body decoded.
	JSON map[string]any
	// Stream reports whether the request asked for a stream.
	Stream bool
	Model  string
	// System is the system prompt (OpenAI: the system messages' text).
	System   string
	Messages []Message
	Tools    []Tool
}

// Message is one message of a captured request.
type Message struct {
	Role string
	// Content is the message's text (text blocks joined).
	Content string
	// ToolCalls are an assistant message's calls (OpenAI tool_calls,
	// Anthropic tool_use blocks).
	ToolCalls []Call
	// ToolCallID is an OpenAI tool message's call id.
	ToolCallID string
	// ToolResults are an Anthropic user message's tool_result blocks.
	ToolResults []ToolResult
}

// ToolResult is an Anthropic tool_result block.
type ToolResult struct {
	ToolUseID string
	Content   string
	IsError   bool
}

// Tool is one tool definition of a captured request.
type Tool struct {
	Name        string
	Description string
	// Schema is the tool's JSON Schema as sent.
	Schema json.RawMessage
}

// maxRequestBody bounds a request body the servers read.
const maxRequestBody = 32 << 20

// flavor is one API's wire format.
type flavor interface {
	path() string
	capture(c *Captured) error
	writeError(w http.ResponseWriter, r Reply)
	writeJSON(w http.ResponseWriter, c *Captured, r Reply, n int)
	writeStream(sw *sseWriter, c *Captured, r Reply, n int)
}

// Server is a scripted provider on loopback. Its methods are safe for
// concurrent use.
type Server struct {
	srv  *httptest.Server
	api  flavor
	anth bool
	done chan struct{}

	mu     sync.Mutex
	script []func(Captured) Reply
	reqs   []Captured
	n      int
}

// NewOpenAI starts a Chat Completions server (POST /v1/chat/completions),
// closed when the test ends.
func NewOpenAI(t testing.TB) *Server { return start(t, openaiFlavor{}, false) }

// NewAnthropic starts a Messages server (POST /v1/messages), closed when
// the test ends.
func NewAnthropic(t testing.TB) *Server { return start(t, anthropicFlavor{}, true) }

func start(t testing.TB, api flavor, anth bool) *Server {
	s := &Server{api: api, anth: anth, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+api.path(), s.serve)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(s.done)
		s.srv.Close()
	})
	return s
}

// URL is the server's root URL (http://127.0.0.1:port).
func (s *Server) URL() string { return s.srv.URL }

// BaseURL is the base_url a Provider resource names for this server: the
// root plus /v1 for OpenAI (the SDK appends chat/completions), the root
// for Anthropic (the SDK appends v1/messages).
func (s *Server) BaseURL() string {
	if s.anth {
		return s.srv.URL
	}
	return s.srv.URL + "/v1"
}

// Provider returns a Provider resource named name for this server.
func (s *Server) Provider(name string) *action.Provider {
	typ := action.ProviderOpenAI
	if s.anth {
		typ = action.ProviderAnthropic
	}
	return &action.Provider{Name: name, Type: typ, BaseURL: s.BaseURL()}
}

// Push queues replies, answered in order, one per request.
func (s *Server) Push(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range replies {
		s.script = append(s.script, func(Captured) Reply { return r })
	}
}

// PushFunc queues replies computed from the request they answer.
func (s *Server) PushFunc(fns ...func(Captured) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, fns...)
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Captured {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Captured(nil), s.reqs...)
}

// Pending is the number of queued replies not used yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script)
}

// serve answers one request with the next reply.
func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxRequestBody))
	if err != nil {
		http.Error(w, "providertest: reading the request: "+err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	c := Captured{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Body: body}
	capErr := s.api.capture(&c)
	s.mu.Lock()
	s.reqs = append(s.reqs, c)
	s.n++
	n := s.n
	var next func(Captured) Reply
	if len(s.script) > 0 {
		next, s.script = s.script[0], s.script[1:]
	}
	s.mu.Unlock()
	switch {
	case capErr != nil:
		s.api.writeError(w, Reply{Status: http.StatusBadRequest, ErrorMessage: "providertest: " + capErr.Error()})
		return
	case next == nil:
		s.api.writeError(w, Reply{Status: http.StatusBadRequest, ErrorMessage: fmt.Sprintf("providertest: no reply is scripted for request %d", n)})
		return
	}
	r := next(c)
	for k, v := range r.Header {
		w.Header()[k] = v
	}
	if r.RetryAfter != "" {
		w.Header().Set("Retry-After", r.RetryAfter)
	}
	switch {
	case r.Hang && r.Text == "":
		s.wait(req)
	case r.Status >= 400:
		s.api.writeError(w, r)
	case !c.Stream:
		s.api.writeJSON(w, &c, r, n)
	default:
		sw := &sseWriter{w: w, f: w.(http.Flusher), delay: r.ChunkDelay, done: s.done, ctx: req}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		s.api.writeStream(sw, &c, r, n)
		if r.Hang {
			s.wait(req)
		}
	}
}

// wait blocks until the client goes away or the server closes.
func (s *Server) wait(req *http.Request) {
	select {
	case <-req.Context().Done():
	case <-s.done:
	}
}

// sseWriter writes server-sent events, flushing each.
type sseWriter struct {
	w     io.Writer
	f     http.Flusher
	delay time.Duration
	done  chan struct{}
	ctx   *http.Request
	// gone is set once the client left: nothing more is written.
	gone bool
}

// event writes one event (name may be empty) with data as its JSON.
func (sw *sseWriter) event(name string, data any) {
	raw, err := json.Marshal(data)
	if err != nil {
		panic(fmt.Sprintf("providertest: encoding an event: %v", err))
	}
	sw.raw(name, string(raw))
}

// raw writes one event with data as given.
func (sw *sseWriter) raw(name, data string) {
	if sw.gone {
		return
	}
	if name != "" {
		fmt.Fprintf(sw.w, "event: %s\n", name)
	}
	fmt.Fprintf(sw.w, "data: %s\n\n", data)
	sw.f.Flush()
}

// pause waits the chunk delay before a delta.
func (sw *sseWriter) pause() {
	if sw.delay <= 0 || sw.gone {
		return
	}
	t := time.NewTimer(sw.delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-sw.ctx.Context().Done():
		sw.gone = true
	case <-sw.done:
		sw.gone = true
	}
}

// drop closes the connection without ending the stream.
func (sw *sseWriter) drop() {
	if hj, ok := sw.w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
		}
	}
	sw.gone = true
}

// chunks splits s into pieces of about size bytes, on rune boundaries.
func chunks(s string, size int) []string {
	if size <= 0 {
		size = 5
	}
	var out []string
	for len(s) > size {
		cut := size
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = size
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// usage is r's usage, or one derived from the sizes of request and answer.
func usage(c *Captured, r Reply) Usage {
	if r.Usage != (Usage{}) {
		return r.Usage
	}
	out := len(r.Text)
	for _, tc := range r.ToolCalls {
		out += len(tc.Name) + len(tc.Args)
	}
	return Usage{InputTokens: len(c.Body)/4 + 1, OutputTokens: out/4 + 1}
}

// errorType is an error type for a status, in Anthropic's words (which
// OpenAI-compatible servers mostly share).
func errorType(r Reply) string {
	if r.ErrorType != "" {
		return r.ErrorType
	}
	switch {
	case r.Status == http.StatusUnauthorized:
		return "authentication_error"
	case r.Status == http.StatusForbidden:
		return "permission_error"
	case r.Status == http.StatusNotFound:
		return "not_found_error"
	case r.Status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case r.Status == 529:
		return "overloaded_error"
	case r.Status >= 500:
		return "api_error"
	}
	return "invalid_request_error"
}

// errorMessage is r's error message or the status text.
func errorMessage(r Reply) string {
	if r.ErrorMessage != "" {
		return r.ErrorMessage
	}
	if t := http.StatusText(r.Status); t != "" {
		return t
	}
	return "error"
}

// writeJSONBody writes v as a JSON answer with status.
func writeJSONBody(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// argsObject is a call's arguments as a JSON value for a body that needs
// an object (Anthropic's input): invalid JSON becomes {}.
func argsObject(args string) json.RawMessage {
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(args), &obj) != nil || obj == nil {
		return json.RawMessage("{}")
	}
	return json.RawMessage(args)
}
