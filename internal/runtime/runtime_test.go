package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/provider/providertest"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

// tokenizer is loaded once for the test binary.
var tokenizer = sync.OnceValue(func() *respfilter.Tokenizer {
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		panic(err)
	}
	return tok
})

// seen is one request the upstream received.
type seen struct {
	Method, Path, RawPath, Query string
	Header                       http.Header
	Body                         string
}

// upstream is a loopback API that records what reaches it:
//
//	GET  /orders/{id}          an order (404 for id "Z9")
//	POST /tickets              201 with a ticket id
//	GET  /accounts/{number}    an account
type upstream struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newUpstream(t testing.TB) *upstream {
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, seen{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/orders/Z9":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"no order Z9"}`)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/orders/"):
			json.NewEncoder(w).Encode(map[string]any{"id": strings.TrimPrefix(r.URL.Path, "/orders/"), "status": "shipped",
				"tracking_url": "https://track.example/" + strings.Repeat("x", 200)})
		case r.Method == http.MethodPost && r.URL.Path == "/tickets":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"ticket":"T-1"}`)
		case strings.HasPrefix(r.URL.Path, "/accounts/"):
			json.NewEncoder(w).Encode(map[string]any{"number": strings.TrimPrefix(r.URL.Path, "/accounts/"), "balance": 12})
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) requests() []seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]seen(nil), u.reqs...)
}

// canary values: secrets that must never reach a model, a transcript,
// a run record or a log line.
const (
	canaryKey    = "sk-canary-provider-key-7f3a91"
	canarySecret = "canary-upstream-secret-55c2e8"
)

// env is a gateway with an agent that talks through a scripted provider.
type env struct {
	t    testing.TB
	g    *gateway.Gateway
	rt   *runtime.Runtime
	llm  *providertest.Server
	up   *upstream
	logs *bytes.Buffer
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// newEnv opens a gateway (SQLite, or PostgreSQL when pg) with the agent
// "concierge" talking through llm, whose actions call the recording upstream.
func newEnv(t testing.TB, llm *providertest.Server, pg bool, limits *action.TurnLimits) *env {
	t.Helper()
	cfg := gatewaytest.Config(t)
	if pg {
		cfg.DatabaseURL = storetest.PostgresURL(t, "runtime")
	}
	logs := &bytes.Buffer{}
	getenv := func(k string) string {
		switch k {
		case "LLM_KEY":
			return canaryKey
		case "ACTIONGATE_SECRET_UPSTREAM_TOKEN":
			return canarySecret
		}
		return ""
	}
	g := gatewaytest.Open(t, cfg, gateway.Options{Tokenizer: tokenizer(), Getenv: getenv,
		Logger: slog.New(slog.NewJSONHandler(&syncBuffer{b: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	e := &env{t: t, g: g, llm: llm, up: newUpstream(t), logs: logs}
	p := llm.Provider("llm")
	p.APIKey = &action.SecretRef{Env: "LLM_KEY"}
	base := e.up.srv.URL
	resources := []action.Resource{
		{Kind: action.KindProvider, Provider: p},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "get_order", Description: "Look up an order.", Method: action.MethodGet,
			URL:      base + "/orders/{{order_id}}",
			Headers:  map[string]string{"X-Token": "{{secret.UPSTREAM_TOKEN}}", "X-Region": "{{vars.region}}"},
			Params:   action.Params{{Name: "order_id", Param: &action.Param{Type: "string", Required: true, Pattern: "^[A-Z][0-9]+$"}}},
			Response: &action.ResponseFilter{Exclude: []string{"*_url"}},
		}},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "create_ticket", Description: "Open a ticket.", Method: action.MethodPost, URL: base + "/tickets",
			Query:   map[string]string{"plan": "{{contact.plan}}"},
			Headers: map[string]string{"X-Token": "{{secret.UPSTREAM_TOKEN}}"},
			Body:    &action.Body{Type: "json", Content: map[string]any{"subject": "{{subject}}", "email": "{{contact.email}}", "plan": "{{contact.plan}}"}},
			Params:  action.Params{{Name: "subject", Param: &action.Param{Type: "string", Required: true}}},
		}},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "get_account", Description: "Read the contact's account.", Method: action.MethodGet,
			URL: base + "/accounts/{{contact.account_number}}",
			ContactInputs: map[string]*action.ContactInput{
				"account_number": {Description: "the 6-digit number on their invoice", Pattern: "[0-9]{6}", Required: true},
			},
		}},
		{Kind: action.KindAgent, Agent: &action.Agent{
			Name: "concierge", Instructions: "You help {{contact.name}} (plan {{contact.plan}}) in {{vars.region}}.",
			Actions: []string{"get_order", "create_ticket", "get_account"},
			Model:   &action.AgentModel{Provider: "llm", Name: "test-model"},
			Limits:  limits,
		}},
		{Kind: action.KindAgent, Agent: &action.Agent{Name: "toolserver", Actions: []string{"get_order"}}},
	}
	if _, err := g.Apply(context.Background(), resources); err != nil {
		t.Fatalf("applying test resources: %v", err)
	}
	e.rt = runtime.New(g, runtime.Options{})
	return e
}

// start begins a conversation of concierge with a contact.
func (e *env) start(vars map[string]any) *gateway.Conversation {
	e.t.Helper()
	c, err := e.rt.Start(context.Background(), gateway.Operator(), runtime.StartRequest{
		Agent: "concierge", Vars: vars,
		Contact: &gateway.Contact{ExternalID: "cus_1", Name: "Ada", Email: "ada@example.com", Attributes: map[string]any{"plan": `gold&admin=true","admin":true`}},
	})
	if err != nil {
		e.t.Fatalf("starting a conversation: %v", err)
	}
	return c
}

// send runs a turn, failing the test on a request error.
func (e *env) send(conv *gateway.Conversation, content string, events *[]runtime.Event) *runtime.TurnResult {
	e.t.Helper()
	var emit func(runtime.Event)
	if events != nil {
		emit = func(ev runtime.Event) { *events = append(*events, ev) }
	}
	res, err := e.rt.Send(context.Background(), gateway.Operator(), conv.ID, content, emit)
	if err != nil {
		e.t.Fatalf("send: %v", err)
	}
	return res
}

func call(name, args string) providertest.Call { return providertest.Call{Name: name, Args: args} }

// providers runs f against both wire formats.
func providers(t *testing.T, f func(t *testing.T, llm *providertest.Server)) {
	t.Run("openai", func(t *testing.T) { t.Parallel(); f(t, providertest.NewOpenAI(t)) })
	t.Run("anthropic", func(t *testing.T) { t.Parallel(); f(t, providertest.NewAnthropic(t)) })
}

func TestTurnWithOneToolCall(t *testing.T) {
	providers(t, func(t *testing.T, llm *providertest.Server) {
		e := newEnv(t, llm, false, nil)
		conv := e.start(map[string]any{"region": "eu"})
		llm.Push(
			providertest.Reply{Text: "Let me look.", ToolCalls: []providertest.Call{call("get_order", `{"order_id":"A1"}`)}, Usage: providertest.Usage{InputTokens: 100, OutputTokens: 10}},
			providertest.Reply{Text: "Order A1 has shipped.", Usage: providertest.Usage{InputTokens: 150, OutputTokens: 8}},
		)
		var events []runtime.Event
		res := e.send(conv, "Where is my order A1?", &events)
		if res.Status != runtime.TurnCompleted || res.Message.Content != "Order A1 has shipped." {
			t.Fatalf("turn = %+v", res)
		}
		if res.Usage.InputTokens != 250 || res.Usage.OutputTokens != 18 {
			t.Errorf("usage = %+v, want 250 in, 18 out", res.Usage)
		}
		if len(res.ToolCalls) != 1 || res.ToolCalls[0].Status != gateway.StatusOK || res.ToolCalls[0].RunID == "" || res.ToolCalls[0].OutputTokens == 0 {
			t.Fatalf("tool calls = %+v", res.ToolCalls)
		}
		if res.ToolCalls[0].RawTokens <= res.ToolCalls[0].OutputTokens {
			t.Errorf("the result was not filtered: raw %d, output %d", res.ToolCalls[0].RawTokens, res.ToolCalls[0].OutputTokens)
		}
		// The model saw the instructions with the contact and vars, and the
		// filtered result of its call, with no tracking URL.
		reqs := llm.Requests()
		if len(reqs) != 2 {
			t.Fatalf("provider saw %d requests, want 2", len(reqs))
		}
		if want := `You help Ada (plan gold&admin=true","admin":true) in eu.`; reqs[0].System != want {
			t.Errorf("system = %q, want %q", reqs[0].System, want)
		}
		result := toolResultText(reqs[1])
		if !strings.Contains(result, "shipped") || strings.Contains(result, "track.example") {
			t.Errorf("tool result the model read = %q", result)
		}
		if len(reqs[0].Tools) != 5 { // 3 actions, more_results, remember_contact_input
			t.Errorf("tools = %d, want 5", len(reqs[0].Tools))
		}
		// Events came in order: deltas, the call, then completion.
		var types []string
		for _, ev := range events {
			if len(types) == 0 || types[len(types)-1] != ev.Type {
				types = append(types, ev.Type)
			}
		}
		want := []string{runtime.EventMessageDelta, runtime.EventToolCallStarted, runtime.EventToolCallFinished, runtime.EventMessageDelta, runtime.EventMessageCompleted}
		if strings.Join(types, ",") != strings.Join(want, ",") {
			t.Errorf("events = %v, want %v", types, want)
		}
		// The transcript and the run record name the conversation.
		got, err := e.g.Conversation(context.Background(), gateway.Operator(), conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		roles := []string{}
		for _, m := range got.Messages {
			roles = append(roles, m.Role)
		}
		if strings.Join(roles, ",") != "user,assistant,tool,assistant" || got.Turns != 1 || got.Usage.InputTokens != 250 || got.Status != gateway.ConversationActive {
			t.Errorf("conversation = roles %v, turns %d, usage %+v, status %s", roles, got.Turns, got.Usage, got.Status)
		}
		run, err := e.g.GetRun(context.Background(), res.ToolCalls[0].RunID)
		if err != nil || run.ConversationID != conv.ID || run.Caller != "runtime" || run.Agent != "concierge" {
			t.Errorf("run = %+v, %v", run, err)
		}
		// The next turn carries the whole history.
		llm.Push(providertest.Reply{Text: "You're welcome."})
		e.send(conv, "Thanks", nil)
		last := llm.Requests()[2]
		if len(last.Messages) < 5 {
			t.Errorf("second turn sent %d messages, want the history", len(last.Messages))
		}
	})
}

// toolResultText joins the tool results of a captured request.
func toolResultText(c providertest.Captured) string {
	var b strings.Builder
	for _, m := range c.Messages {
		if m.Role == "tool" {
			b.WriteString(m.Content)
		}
		for _, r := range m.ToolResults {
			b.WriteString(r.Content)
		}
	}
	return b.String()
}

func TestParallelToolCallsAndRecovery(t *testing.T) {
	providers(t, func(t *testing.T, llm *providertest.Server) {
		e := newEnv(t, llm, false, nil)
		conv := e.start(map[string]any{"region": "us"})
		llm.Push(
			providertest.Reply{ToolCalls: []providertest.Call{call("get_order", `{"order_id":"A1"}`), call("get_order", `{"order_id":"bad id"}`), call("no_such_tool", `{}`)}},
			providertest.Reply{ToolCalls: []providertest.Call{call("get_order", `{"order_id":"B2"}`)}},
			providertest.Reply{Text: "A1 and B2 both shipped."},
		)
		res := e.send(conv, "Orders A1 and B2?", nil)
		if res.Status != runtime.TurnCompleted || len(res.ToolCalls) != 4 {
			t.Fatalf("turn = %+v", res)
		}
		statuses := []string{}
		for _, c := range res.ToolCalls {
			statuses = append(statuses, c.Status)
		}
		if strings.Join(statuses, ",") != "ok,error,error,ok" {
			t.Errorf("statuses = %v", statuses)
		}
		second := llm.Requests()[1]
		text := toolResultText(second)
		if !strings.Contains(text, "order_id") || !strings.Contains(text, "unknown_tool") {
			t.Errorf("the model was not told what went wrong: %q", text)
		}
		if n := len(e.up.requests()); n != 2 {
			t.Errorf("upstream saw %d requests, want 2 (invalid and unknown calls are not sent)", n)
		}
	})
}

func TestConfirmationPausesAndResumes(t *testing.T) {
	providers(t, func(t *testing.T, llm *providertest.Server) {
		e := newEnv(t, llm, false, nil)
		conv := e.start(map[string]any{"region": "eu"})
		llm.Push(providertest.Reply{ToolCalls: []providertest.Call{call("create_ticket", `{"subject":"Refund"}`)}})
		var events []runtime.Event
		res := e.send(conv, "Open a ticket please", &events)
		if res.Status != runtime.TurnWaiting || res.ConfirmationID == "" {
			t.Fatalf("turn = %+v", res)
		}
		if n := len(e.up.requests()); n != 0 {
			t.Fatalf("upstream saw %d requests before approval", n)
		}
		if !hasEvent(events, runtime.EventConfirmationRequired) {
			t.Error("no confirmation.required event")
		}
		// A new message waits for the decision.
		if _, err := e.rt.Send(context.Background(), gateway.Operator(), conv.ID, "hello?", nil); !errors.Is(err, runtime.ErrWaiting) {
			t.Fatalf("send while waiting = %v, want ErrWaiting", err)
		}
		llm.Push(providertest.Reply{Text: "Ticket T-1 is open."})
		tr, turn, err := e.rt.Decide(context.Background(), gateway.Operator(), res.ConfirmationID, true, nil)
		if err != nil || tr.Status != gateway.StatusOK {
			t.Fatalf("decide = %+v, %v", tr, err)
		}
		if turn == nil || turn.Status != runtime.TurnCompleted || turn.Message.Content != "Ticket T-1 is open." {
			t.Fatalf("resumed turn = %+v", turn)
		}
		if n := len(e.up.requests()); n != 1 {
			t.Fatalf("upstream saw %d requests, want exactly 1", n)
		}
		if !strings.Contains(toolResultText(llm.Requests()[1]), "T-1") {
			t.Error("the model did not get the sent request's result")
		}
		// Approving again changes nothing.
		if _, again, err := e.rt.Decide(context.Background(), gateway.Operator(), res.ConfirmationID, true, nil); err != nil || again != nil {
			t.Errorf("second approval = %+v, %v", again, err)
		}
		if n := len(e.up.requests()); n != 1 {
			t.Errorf("upstream saw %d requests after a second approval", n)
		}
		got, _ := e.g.Conversation(context.Background(), gateway.Operator(), conv.ID)
		if got.Status != gateway.ConversationActive || got.Turns != 1 {
			t.Errorf("conversation after resume: %s, %d turns", got.Status, got.Turns)
		}
		// Rejection: the model is told it was declined.
		llm.Push(providertest.Reply{ToolCalls: []providertest.Call{call("create_ticket", `{"subject":"Again"}`)}})
		res = e.send(conv, "Another one", nil)
		llm.Push(providertest.Reply{Text: "Understood, no ticket."})
		_, turn, err = e.rt.Decide(context.Background(), gateway.Operator(), res.ConfirmationID, false, nil)
		if err != nil || turn == nil || turn.Status != runtime.TurnCompleted {
			t.Fatalf("rejected turn = %+v, %v", turn, err)
		}
		last := turn.ToolCalls[len(turn.ToolCalls)-1]
		if last.Status != runtime.StatusRejected {
			t.Errorf("rejected call status = %q", last.Status)
		}
		if text := toolResultText(llm.Requests()[3]); !strings.Contains(text, "declined") {
			t.Errorf("the model was not told of the refusal: %q", text)
		}
		if n := len(e.up.requests()); n != 1 {
			t.Errorf("upstream saw %d requests after a rejection", n)
		}
	})
}

func hasEvent(events []runtime.Event, typ string) bool {
	for _, ev := range events {
		if ev.Type == typ {
			return true
		}
	}
	return false
}

func TestToolCallLimit(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, &action.TurnLimits{MaxToolCallsPerTurn: 2})
	conv := e.start(map[string]any{"region": "eu"})
	many := providertest.Reply{ToolCalls: []providertest.Call{call("get_order", `{"order_id":"A1"}`), call("get_order", `{"order_id":"A2"}`), call("get_order", `{"order_id":"A3"}`)}}
	llm.Push(many, many)
	res := e.send(conv, "All orders", nil)
	if res.Status != runtime.TurnFailed || !strings.Contains(res.Error, "max_tool_calls_per_turn") {
		t.Fatalf("turn = %+v", res)
	}
	if n := len(e.up.requests()); n != 2 {
		t.Errorf("upstream saw %d requests, want the limit of 2", n)
	}
	if !strings.Contains(toolResultText(llm.Requests()[1]), "limit") {
		t.Error("the model was not told the calls past the limit did not run")
	}
	// The conversation is ready for the next message.
	llm.Push(providertest.Reply{Text: "ok"})
	if r := e.send(conv, "fine", nil); r.Status != runtime.TurnCompleted {
		t.Errorf("next turn = %+v", r)
	}
}

func TestProviderRetriesAndTimeout(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, &action.TurnLimits{TurnTimeout: "1s"})
	conv := e.start(nil)
	llm.Push(providertest.Reply{Status: 429, RetryAfter: "0", ErrorMessage: "slow down"}, providertest.Reply{Text: "hi"})
	if res := e.send(conv, "hello", nil); res.Status != runtime.TurnCompleted || res.Message.Content != "hi" {
		t.Fatalf("turn after a 429 = %+v", res)
	}
	llm.Push(providertest.Reply{Hang: true})
	start := time.Now()
	res := e.send(conv, "hello again", nil)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a hanging provider held the turn %v, past its 1s timeout", took)
	}
	if res.Status != runtime.TurnFailed || !strings.Contains(res.Error, "turn_timeout") && !strings.Contains(res.Error, "deadline") && !strings.Contains(res.Error, "time") {
		t.Errorf("turn = %+v", res)
	}
	llm.Push(providertest.Reply{Status: 401, ErrorMessage: "Incorrect API key provided: " + canaryKey})
	res = e.send(conv, "once more", nil)
	if res.Status != runtime.TurnFailed || !strings.Contains(res.Error, "401") || strings.Contains(res.Error, canaryKey) {
		t.Errorf("turn after a 401 = %+v", res)
	}
}

func TestContactInputs(t *testing.T) {
	llm := providertest.NewAnthropic(t)
	e := newEnv(t, llm, false, nil)
	conv := e.start(nil)
	llm.Push(
		providertest.Reply{ToolCalls: []providertest.Call{call("get_account", `{}`)}},
		providertest.Reply{Text: "What is the 6-digit number on your invoice?"},
	)
	res := e.send(conv, "What's my balance?", nil)
	if res.Status != runtime.TurnCompleted || res.ToolCalls[0].Status != gateway.StatusError {
		t.Fatalf("turn = %+v", res)
	}
	if text := toolResultText(llm.Requests()[1]); !strings.Contains(text, "account_number") || !strings.Contains(text, "remember_contact_input") {
		t.Errorf("the model was not told what to ask for: %q", text)
	}
	if n := len(e.up.requests()); n != 0 {
		t.Fatalf("upstream saw %d requests without the input", n)
	}
	llm.Push(
		providertest.Reply{ToolCalls: []providertest.Call{call("remember_contact_input", `{"name":"account_number","value":"12/45"}`)}},
		providertest.Reply{ToolCalls: []providertest.Call{call("remember_contact_input", `{"name":"account_number","value":"123456"}`)}},
		providertest.Reply{ToolCalls: []providertest.Call{call("get_account", `{}`)}},
		providertest.Reply{Text: "Your balance is 12."},
	)
	res = e.send(conv, "It's 123456", nil)
	if res.Status != runtime.TurnCompleted || len(res.ToolCalls) != 3 {
		t.Fatalf("turn = %+v", res)
	}
	if res.ToolCalls[0].Status != gateway.StatusError || res.ToolCalls[1].Status != gateway.StatusOK || res.ToolCalls[2].Status != gateway.StatusOK {
		t.Errorf("calls = %+v", res.ToolCalls)
	}
	reqs := e.up.requests()
	if len(reqs) != 1 || reqs[0].Path != "/accounts/123456" {
		t.Fatalf("upstream requests = %+v", reqs)
	}
	c, err := e.g.Contact(context.Background(), gateway.Operator(), conv.ContactID)
	if err != nil || c.Attributes["account_number"] != "123456" {
		t.Errorf("contact = %+v, %v", c, err)
	}
}

func TestValuesReachTheUpstreamEscapedAndSecretsNeverReachTheModel(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			llm := providertest.NewOpenAI(t)
			e := newEnv(t, llm, pg, nil)
			conv := e.start(map[string]any{"region": "eu\r\nX-Injected: 1"})
			llm.Push(
				providertest.Reply{ToolCalls: []providertest.Call{call("get_order", `{"order_id":"A1"}`), call("create_ticket", `{"subject":"Hi \"there\""}`)}},
				providertest.Reply{Text: "Waiting for approval."},
			)
			res := e.send(conv, "Order A1, and a ticket", nil)
			if res.Status != runtime.TurnWaiting {
				t.Fatalf("turn = %+v", res)
			}
			llm.Push(providertest.Reply{Text: "Done: " + canarySecret[:4]})
			if _, turn, err := e.rt.Decide(context.Background(), gateway.Operator(), res.ConfirmationID, true, nil); err != nil || turn == nil {
				t.Fatalf("decide: %+v, %v", turn, err)
			}
			// A var holding a line break cannot add a header: that call is
			// refused, and the model is told why.
			if res.ToolCalls[0].Status != gateway.StatusError || !strings.Contains(toolResultText(llm.Requests()[1]), "vars.region") {
				t.Errorf("get_order with a line break in a header = %+v", res.ToolCalls[0])
			}
			reqs := e.up.requests()
			if len(reqs) != 1 {
				t.Fatalf("upstream saw %d requests, want only the ticket", len(reqs))
			}
			for _, r := range reqs {
				if r.Header.Get("X-Injected") != "" {
					t.Errorf("headers = %v", r.Header)
				}
				switch r.Path {
				case "/tickets":
					if r.Header.Get("X-Token") != canarySecret {
						t.Errorf("the upstream did not get its secret: %v", r.Header)
					}
					if q := r.Query; q != "plan=gold%26admin%3Dtrue%22%2C%22admin%22%3Atrue" {
						t.Errorf("query = %q", q)
					}
					var body map[string]any
					if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
						t.Fatalf("ticket body %q: %v", r.Body, err)
					}
					if body["plan"] != `gold&admin=true","admin":true` || body["email"] != "ada@example.com" || body["subject"] != `Hi "there"` || body["admin"] != nil {
						t.Errorf("ticket body = %v", body)
					}
				}
			}
			// The canaries reach no model request, transcript, run or log.
			var all bytes.Buffer
			for _, c := range llm.Requests() {
				all.Write(c.Body)
				for k, v := range c.Header {
					if k != "Authorization" {
						all.WriteString(k + strings.Join(v, ","))
					}
				}
			}
			got, _ := e.g.Conversation(context.Background(), gateway.Operator(), conv.ID)
			b, _ := json.Marshal(got)
			all.Write(b)
			for _, c := range res.ToolCalls {
				run, err := e.g.GetRun(context.Background(), c.RunID)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(run)
				all.Write(b)
			}
			all.Write(e.logs.Bytes())
			for _, canary := range []string{canaryKey, canarySecret} {
				if strings.Contains(all.String(), canary) {
					t.Errorf("canary %q leaked", canary)
				}
			}
			if auth := llm.Requests()[0].Header.Get("Authorization"); auth != "Bearer "+canaryKey {
				t.Errorf("provider Authorization = %q: the key must reach the provider and only it", auth)
			}
		})
	}
}

func TestOneTurnAtATime(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	conv := e.start(nil)
	llm.Push(providertest.Reply{Text: "slow answer", ChunkSize: 2, ChunkDelay: 30 * time.Millisecond}, providertest.Reply{Text: "x"})
	var busy atomic.Int32
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.rt.Send(context.Background(), gateway.Operator(), conv.ID, "hi", nil)
			if errors.Is(err, runtime.ErrBusy) {
				busy.Add(1)
			} else if err != nil {
				t.Errorf("send: %v", err)
			}
		}()
	}
	wg.Wait()
	if busy.Load() != 1 {
		t.Errorf("%d of 2 concurrent turns were refused as busy, want 1", busy.Load())
	}
}

func TestRequestErrors(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	ctx := context.Background()
	if _, err := e.rt.Start(ctx, gateway.Operator(), runtime.StartRequest{Agent: "toolserver", Contact: &gateway.Contact{Name: "x"}}); !errors.Is(err, runtime.ErrNoModel) {
		t.Errorf("start with a tool-server agent = %v, want ErrNoModel", err)
	}
	var errs action.Errors
	if _, err := e.rt.Start(ctx, gateway.Operator(), runtime.StartRequest{Agent: "concierge"}); !errors.As(err, &errs) || errs[0].Path != "contact_id" {
		t.Errorf("start without a contact = %v", err)
	}
	if _, err := e.rt.Start(ctx, gateway.Operator(), runtime.StartRequest{Agent: "concierge", Contact: &gateway.Contact{Name: "x"}, Vars: map[string]any{"bad-name": 1}}); !errors.As(err, &errs) || errs[0].Path != "vars.bad-name" {
		t.Errorf("start with a bad var name = %v", err)
	}
	other := &gateway.Principal{Agent: "toolserver"}
	if _, err := e.rt.Start(ctx, other, runtime.StartRequest{Agent: "concierge", Contact: &gateway.Contact{Name: "x"}}); !errors.Is(err, gateway.ErrUnknownAgent) {
		t.Errorf("another agent's token = %v, want unknown agent", err)
	}
	conv := e.start(nil)
	if _, err := e.rt.Send(ctx, gateway.Operator(), conv.ID, strings.Repeat("x", runtime.MaxContentBytes+1), nil); !errors.As(err, &errs) || errs[0].Path != "content" {
		t.Errorf("oversized content = %v", err)
	}
	if _, err := e.rt.Send(ctx, other, conv.ID, "hi", nil); !errors.Is(err, gateway.ErrNotFound) {
		t.Errorf("another agent's conversation = %v, want not found", err)
	}
}

func TestTurnMetrics(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	conv := e.start(map[string]any{"region": "eu"})
	llm.Push(
		providertest.Reply{ToolCalls: []providertest.Call{call("get_order", `{"order_id":"A1"}`), call("get_order", `{"order_id":"A2"}`)}, Usage: providertest.Usage{InputTokens: 300, OutputTokens: 20}},
		providertest.Reply{Text: "Both shipped.", Usage: providertest.Usage{InputTokens: 400, OutputTokens: 5}},
		providertest.Reply{Status: 400, ErrorMessage: "bad request"},
	)
	e.send(conv, "A1 and A2?", nil)
	e.send(conv, "and now?", nil)
	families, err := e.g.Metrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case m.Counter != nil:
				got[key] = m.Counter.GetValue()
			case m.Histogram != nil:
				got[key] = m.Histogram.GetSampleSum()
			}
		}
	}
	want := map[string]float64{
		"actiongate_turns_total,agent=concierge,provider=llm,status=completed":              1,
		"actiongate_turns_total,agent=concierge,provider=llm,status=failed":                 1,
		"actiongate_turn_tool_calls,agent=concierge":                                        2,
		"actiongate_model_tokens_total,agent=concierge,direction=input,provider=llm":        700,
		"actiongate_model_tokens_total,agent=concierge,direction=output,provider=llm":       25,
		"actiongate_calls_total,action=get_order,agent=concierge,caller=runtime,outcome=ok": 2,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestHistoryIsBounded(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	history := make([]runtime.HistoryMessage, 0, 2*runtime.MaxHistory)
	for i := range runtime.MaxHistory {
		history = append(history, runtime.HistoryMessage{Role: "user", Content: "question " + strings.Repeat("x", i%7)},
			runtime.HistoryMessage{Role: "assistant", Content: "answer"})
	}
	llm.Push(providertest.Reply{Text: "ok"})
	res, err := e.rt.Complete(context.Background(), gateway.Operator(), runtime.CompletionRequest{
		Start:   runtime.StartRequest{Agent: "concierge", Contact: &gateway.Contact{Name: "Long"}},
		History: history, Content: "the last question",
	}, nil)
	if err != nil || res.Status != runtime.TurnCompleted {
		t.Fatalf("complete = %+v, %v", res, err)
	}
	sent := llm.Requests()[0].Messages
	if len(sent) > runtime.MaxHistory || sent[0].Role != "user" || sent[len(sent)-1].Content != "the last question" {
		t.Errorf("the model got %d messages (first %s, last %q), want at most %d starting with the contact's",
			len(sent), sent[0].Role, sent[len(sent)-1].Content, runtime.MaxHistory)
	}
	conv, err := e.g.Conversation(context.Background(), gateway.Operator(), res.ConversationID)
	if err != nil || conv.Channel != gateway.ChannelOpenAI {
		t.Errorf("conversation = %+v, %v", conv, err)
	}
}

func TestCompleteContinuesOnlyTheAgentsOwnConversation(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	ctx := context.Background()
	conv := e.start(nil)
	if _, err := e.g.Apply(ctx, []action.Resource{{Kind: action.KindAgent, Agent: &action.Agent{Name: "other", Model: &action.AgentModel{Provider: "llm", Name: "m"}}}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.rt.Complete(ctx, gateway.Operator(), runtime.CompletionRequest{
		Start: runtime.StartRequest{Agent: "other"}, ConversationID: conv.ID, Content: "hi"}, nil)
	if !errors.Is(err, gateway.ErrNotFound) {
		t.Errorf("continuing concierge's conversation as agent other = %v, want not found", err)
	}
	if n := len(llm.Requests()); n != 0 {
		t.Errorf("the model was asked %d times", n)
	}
	llm.Push(providertest.Reply{Text: "hello again"})
	res, err := e.rt.Complete(ctx, gateway.Operator(), runtime.CompletionRequest{
		Start: runtime.StartRequest{Agent: "concierge"}, ConversationID: conv.ID, Content: "hi"}, nil)
	if err != nil || res.ConversationID != conv.ID || res.Message.Content != "hello again" {
		t.Errorf("continuing concierge's own conversation = %+v, %v", res, err)
	}
}

// TestDecisionOutsideTheRuntimeDoesNotStrandTheConversation: a write
// decided where no turn resumes (the gateway directly, as an MCP client's
// prompt does) leaves the conversation waiting until the next message,
// which records the call's outcome in its place and runs.
func TestDecisionOutsideTheRuntimeDoesNotStrandTheConversation(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	conv := e.start(nil)
	llm.Push(providertest.Reply{ToolCalls: []providertest.Call{call("create_ticket", `{"subject":"Refund"}`)}})
	res := e.send(conv, "Open a ticket", nil)
	if res.Status != runtime.TurnWaiting {
		t.Fatalf("turn = %+v", res)
	}
	if _, err := e.g.Decide(context.Background(), gateway.Operator(), res.ConfirmationID, true); err != nil {
		t.Fatal(err)
	}
	llm.Push(providertest.Reply{Text: "Your ticket T-1 is open."})
	next := e.send(conv, "Is it done?", nil)
	if next.Status != runtime.TurnCompleted {
		t.Fatalf("next turn = %+v", next)
	}
	if text := toolResultText(llm.Requests()[1]); !strings.Contains(text, "T-1") {
		t.Errorf("the model did not read the sent request's result: %q", text)
	}
	got, _ := e.g.Conversation(context.Background(), gateway.Operator(), conv.ID)
	for _, m := range got.Messages {
		if m.Role == gateway.RoleTool && m.Status != gateway.StatusOK {
			t.Errorf("the decided call's message still says %q", m.Status)
		}
	}
	if n := len(e.up.requests()); n != 1 {
		t.Errorf("upstream saw %d requests, want 1", n)
	}
}

// TestUnreadableProviderKeyFailsTheTurn: a provider whose key is not set
// fails the turn with a message saying how to set it, and the model is
// not called.
func TestUnreadableProviderKeyFailsTheTurn(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	conv := e.start(nil)
	p := llm.Provider("llm")
	p.APIKey = &action.SecretRef{Secret: "missing_key"}
	if _, err := e.g.Apply(context.Background(), []action.Resource{{Kind: action.KindProvider, Provider: p}}); err != nil {
		t.Fatal(err)
	}
	var events []runtime.Event
	res := e.send(conv, "hello", &events)
	if res.Status != runtime.TurnFailed || !strings.Contains(res.Error, `provider "llm"`) || !strings.Contains(res.Error, "actiongate secret set missing_key") {
		t.Errorf("turn = %+v", res)
	}
	if len(events) != 1 || events[0].Type != runtime.EventError {
		t.Errorf("events = %+v", events)
	}
	if n := len(llm.Requests()); n != 0 {
		t.Errorf("the model was called %d times", n)
	}
	got, _ := e.g.Conversation(context.Background(), gateway.Operator(), conv.ID)
	if got.Status != gateway.ConversationActive {
		t.Errorf("conversation left %s", got.Status)
	}
}
