package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/provider/providertest"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

// convEnv is the tools, conversations and OpenAI-compatible APIs on a
// loopback server over a real gateway, whose agents talk through a
// scripted Chat Completions server: support (get_order, create_ticket)
// and sales (get_order) have a model, tools_only has none.
type convEnv struct {
	t        *testing.T
	g        *gateway.Gateway
	srv      *httptest.Server
	model    *providertest.Server
	admin    string
	support  string
	sales    string
	orders   atomic.Int64
	tickets  atomic.Int64
	tokens   atomic.Int64
	upstream *httptest.Server
}

// backends names the databases a test runs on; PostgreSQL is skipped
// without ACTIONGATE_TEST_POSTGRES_URL.
var backends = []string{"sqlite", "postgres"}

// newConvEnv builds the environment on backend ("sqlite" or "postgres").
func newConvEnv(t *testing.T, backend string) *convEnv {
	t.Helper()
	tok, err := toolsTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	e := &convEnv{t: t, model: providertest.NewOpenAI(t)}
	e.upstream = httptest.NewServer(http.HandlerFunc(e.serveUpstream))
	t.Cleanup(e.upstream.Close)
	cfg := gatewaytest.Config(t)
	if backend == "postgres" {
		cfg.DatabaseURL = storetest.PostgresURL(t, "apiconv")
	}
	e.g = gatewaytest.Open(t, cfg, gateway.Options{Tokenizer: tok})
	ctx := context.Background()
	if e.admin, err = e.g.BootstrapAdminToken(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.Apply(ctx, e.resources()); err != nil {
		t.Fatalf("invalid test resources: %v", err)
	}
	rt := runtime.New(e.g, runtime.Options{})
	mux := http.NewServeMux()
	api.RegisterTools(mux, e.g, rt)
	api.RegisterConversations(mux, e.g, rt)
	api.RegisterOpenAI(mux, e.g, rt)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.support = e.token("support")
	e.sales = e.token("sales")
	return e
}

// token creates a token of agent.
func (e *convEnv) token(agent string) string {
	e.t.Helper()
	plain, _, err := e.g.CreateToken(context.Background(), fmt.Sprintf("t%d-%s", e.tokens.Add(1), agent), false, agent)
	if err != nil {
		e.t.Fatal(err)
	}
	return plain
}

// resources are the provider, actions and agents of the environment.
func (e *convEnv) resources() []action.Resource {
	model := &action.AgentModel{Provider: "scripted", Name: "test-model"}
	return []action.Resource{
		{Kind: action.KindProvider, Provider: e.model.Provider("scripted")},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "get_order", Description: "Look up an order by its id.",
			Method: action.MethodGet, URL: e.upstream.URL + "/orders/{{order_id}}",
			Params: action.Params{{Name: "order_id", Param: &action.Param{Type: "string", Description: "The order id.", Required: true}}},
		}},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "create_ticket", Description: "Open a support ticket.",
			Method: action.MethodPost, URL: e.upstream.URL + "/tickets",
			Body:   &action.Body{Type: "json", Content: map[string]any{"subject": "{{subject}}"}},
			Params: action.Params{{Name: "subject", Param: &action.Param{Type: "string", Description: "One line.", Required: true}}},
		}},
		{Kind: action.KindAgent, Agent: &action.Agent{Name: "support", Instructions: "You help {{contact.name}}.",
			Actions: []string{"get_order", "create_ticket"}, Model: model}},
		{Kind: action.KindAgent, Agent: &action.Agent{Name: "sales", Instructions: "You sell.",
			Actions: []string{"get_order"}, Model: model}},
		{Kind: action.KindAgent, Agent: &action.Agent{Name: "tools_only", Actions: []string{"get_order"}}},
	}
}

// serveUpstream is the API the actions call: GET /orders/{id} and POST
// /tickets, each counted.
func (e *convEnv) serveUpstream(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/orders/"):
		e.orders.Add(1)
		_, _ = fmt.Fprintf(w, `{"id":%q,"status":"shipped"}`, strings.TrimPrefix(r.URL.Path, "/orders/"))
	case r.Method == http.MethodPost && r.URL.Path == "/tickets":
		e.tickets.Add(1)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"ticket":"T-1"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// send makes one request and returns the status and the decoded object.
func (e *convEnv) send(method, path, token, body string) (int, map[string]any) {
	e.t.Helper()
	status, raw := roundTrip(e.t, method, e.srv.URL+path, token, body)
	return status, decodeObject(e.t, method, path, raw)
}

// want is send that fails the test unless the status is status.
func (e *convEnv) want(status int, method, path, token, body string) map[string]any {
	e.t.Helper()
	got, out := e.send(method, path, token, body)
	if got != status {
		e.t.Fatalf("%s %s: status %d, want %d: %v", method, path, got, status, out)
	}
	return out
}

// start starts a conversation of agent with a contact of external id ext.
func (e *convEnv) start(agent, token, ext string) string {
	e.t.Helper()
	out := e.want(http.StatusCreated, "POST", "/api/v1/agents/"+agent+"/conversations", token,
		`{"contact":{"external_id":"`+ext+`","name":"Ada"}}`)
	id := toolsText(out, "id")
	if id == "" {
		e.t.Fatalf("no conversation id in %v", out)
	}
	return id
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	name string
	data string
}

// readEvents parses server-sent events from r until it ends, skipping
// comments; stop (when not nil) ends reading early when it returns true.
func readEvents(t *testing.T, r io.Reader, stop func(sseEvent) bool) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.data != "" || cur.name != "" {
				out = append(out, cur)
				if stop != nil && stop(cur) {
					return out
				}
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data += strings.TrimPrefix(line, "data: ")
		default:
			t.Fatalf("a line that is not server-sent events: %q", line)
		}
	}
	return out
}

// stream posts body to path with token and returns the response, whose
// body the caller reads and closes.
func (e *convEnv) stream(path, token, body string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// decode decodes one event's data.
func (ev sseEvent) decode(t *testing.T) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(ev.data), &out); err != nil {
		t.Fatalf("event %s: data is not a JSON object: %v: %s", ev.name, err, ev.data)
	}
	return out
}
