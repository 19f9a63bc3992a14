// Package gatewaytest builds real gateways for tests of the packages that
// serve agents: a Gateway on a fresh SQLite database in a temporary
// directory, a loopback upstream API that counts its hits, a standard set of
// actions and agents, and tokens.
package gatewaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
)

// ItemCount is how many items GET /items on the upstream returns.
const ItemCount = 200

// Fixture is a gateway with its upstream and tokens.
type Fixture struct {
	T *testing.T
	G *gateway.Gateway
	// Cfg is the configuration the gateway was opened with.
	Cfg *config.Config
	// Upstream is the loopback API the standard actions call.
	Upstream *httptest.Server
	// Admin is an admin token.
	Admin string

	tokens atomic.Int64
	mu     sync.Mutex
	hits   map[string]*atomic.Int64
}

// Config returns a configuration on a fresh SQLite database in a temporary
// directory, with egress to loopback allowed.
func Config(t testing.TB) *config.Config {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, config.DatabaseFile)
	cfg.EgressAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	return cfg
}

// Open opens a gateway on cfg, closed when t ends. Without opts.Getenv the
// gateway sees an empty environment, so the test's own variables never
// leak in.
func Open(t testing.TB, cfg *config.Config, opts gateway.Options) *gateway.Gateway {
	t.Helper()
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	g, err := gateway.Open(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// New opens a gateway on a fresh database with egress to loopback allowed,
// starts the upstream, bootstraps an admin token and applies Standard.
// Loading a tokenizer dominates the cost of a gateway, so test binaries
// load one and pass it to every fixture.
func New(t *testing.T, tok *respfilter.Tokenizer) *Fixture {
	t.Helper()
	f := &Fixture{T: t, hits: map[string]*atomic.Int64{}}
	var err error
	f.Upstream = httptest.NewServer(http.HandlerFunc(f.serveUpstream))
	t.Cleanup(f.Upstream.Close)
	f.Cfg = Config(t)
	f.G = Open(t, f.Cfg, gateway.Options{Tokenizer: tok})
	if f.Admin, err = f.G.BootstrapAdminToken(context.Background()); err != nil || f.Admin == "" {
		t.Fatalf("bootstrap admin token: %q, %v", f.Admin, err)
	}
	f.Apply(f.Standard()...)
	return f
}

// Apply stores resources (validated as a whole with what is stored) and
// makes the gateway see them at once.
func (f *Fixture) Apply(rs ...action.Resource) {
	f.T.Helper()
	if _, err := f.G.Apply(context.Background(), rs); err != nil {
		f.T.Fatalf("invalid test resources: %v", err)
	}
}

// Activate sets the actions activated for agent.
func (f *Fixture) Activate(agent string, actions ...string) {
	f.T.Helper()
	f.Apply(Agent(agent, actions...))
}

// Token creates a token for agent ("" for an admin token) and returns it.
func (f *Fixture) Token(agent string) string {
	f.T.Helper()
	name := fmt.Sprintf("t%d-%s", f.tokens.Add(1), agent)
	plain, _, err := f.G.CreateToken(context.Background(), name, agent == "", agent)
	if err != nil {
		f.T.Fatal(err)
	}
	return plain
}

// RevokedToken creates a token for agent and revokes it.
func (f *Fixture) RevokedToken(agent string) string {
	f.T.Helper()
	name := fmt.Sprintf("t%d-%s", f.tokens.Add(1), agent)
	plain, tok, err := f.G.CreateToken(context.Background(), name, false, agent)
	if err != nil {
		f.T.Fatal(err)
	}
	if _, err := f.G.RevokeToken(context.Background(), tok.ID); err != nil {
		f.T.Fatal(err)
	}
	return plain
}

// OpenStore opens a second handle on the database of cfg, closed when t
// ends. Surfaces reach state only through the gateway; a test uses this to
// read what is on disk independently of it, or to leave state as another
// server would have left it (see Abandon).
func OpenStore(t testing.TB, cfg *config.Config) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Abandon leaves confirmation id of the database of cfg as a server killed
// while sending it does: approved, the intent of its send (run, pending)
// stored, and its time over. The next sweep (a restart, or Gateway.Sweep)
// marks its outcome unknown.
func Abandon(t testing.TB, cfg *config.Config, id string, run *runlog.Run) {
	t.Helper()
	ctx := context.Background()
	st := OpenStore(t, cfg)
	if _, won, err := st.ClaimConfirmation(ctx, id, true, time.Now()); err != nil || !won {
		t.Fatalf("approving confirmation %s: won %v, %v", id, won, err)
	}
	if err := st.InsertIntent(ctx, run, time.Now().Add(-time.Second), id); err != nil {
		t.Fatalf("storing the intent of confirmation %s: %v", id, err)
	}
}

// Hits returns how many requests the upstream received for method and
// path, e.g. Hits("POST", "/tickets").
func (f *Fixture) Hits(method, path string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.hits[method+" "+path]; c != nil {
		return c.Load()
	}
	return 0
}

// count counts one upstream request for key.
func (f *Fixture) count(key string) {
	f.mu.Lock()
	c := f.hits[key]
	if c == nil {
		c = &atomic.Int64{}
		f.hits[key] = c
	}
	f.mu.Unlock()
	c.Add(1)
}

// serveUpstream is the upstream API:
//
//	GET    /orders/{id}  an order, with fields the model does not need
//	POST   /tickets      201 echoing the JSON body with an id
//	DELETE /orders/{id}  204
//	GET    /items        ItemCount items named item-0 ... item-199
func (f *Fixture) serveUpstream(w http.ResponseWriter, r *http.Request) {
	f.count(r.Method + " " + r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/orders/"):
		id := strings.TrimPrefix(r.URL.Path, "/orders/")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "status": "shipped", "total": 42.5, "carrier": "DHL"})
	case r.Method == http.MethodPost && r.URL.Path == "/tickets":
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		if body == nil {
			body = map[string]any{}
		}
		body["ticket"] = fmt.Sprintf("T-%d", f.Hits(http.MethodPost, "/tickets"))
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(body)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/orders/"):
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && r.URL.Path == "/items":
		items := make([]map[string]any, ItemCount)
		for i := range items {
			items[i] = map[string]any{"name": fmt.Sprintf("item-%d", i), "price": i}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"no such thing"}`)
	}
}

// Standard returns the test resources:
//
//   - get_order: GET, one required param order_id (pattern ^[A-Z][0-9]+$)
//   - create_ticket: POST, needs confirmation (confirm: auto on a write),
//     params subject (required) and priority (enum)
//   - cancel_order: DELETE, confirm: never
//   - list_items: GET of ItemCount items with a small token budget
//   - agents support (get_order, create_ticket, list_items, cancel_order)
//     and sales (get_order, list_items)
func (f *Fixture) Standard() []action.Resource {
	base := f.Upstream.URL
	minLen := 3
	return []action.Resource{
		{Kind: action.KindAction, Action: &action.Action{
			Name: "get_order", Title: "Get order", Description: "Look up an order by its id when the user asks about an order.",
			Method: action.MethodGet, URL: base + "/orders/{{order_id}}",
			Params: action.Params{
				{Name: "order_id", Param: &action.Param{Type: "string", Description: "The order id, like A1.", Required: true, Pattern: "^[A-Z][0-9]+$"}},
			},
		}},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "create_ticket", Title: "Create ticket", Description: "Open a support ticket.",
			Method: action.MethodPost, URL: base + "/tickets",
			Body: &action.Body{Type: "json", Content: map[string]any{"subject": "{{subject}}", "priority": "{{priority}}", "email": "{{contact.email}}"}},
			Params: action.Params{
				{Name: "subject", Param: &action.Param{Type: "string", Description: "One line summary.", Required: true, MinLength: &minLen}},
				{Name: "priority", Param: &action.Param{Type: "string", Description: "How urgent.", Enum: []any{"low", "high"}, Default: "low"}},
			},
		}},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "cancel_order", Description: "Cancel an order.", Confirm: action.ConfirmNever,
			Method: action.MethodDelete, URL: base + "/orders/{{order_id}}",
			Params: action.Params{{Name: "order_id", Param: &action.Param{Type: "string", Description: "The order id.", Required: true}}},
		}},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "list_items", Description: "List all catalogue items.",
			Method: action.MethodGet, URL: base + "/items",
			Response: &action.ResponseFilter{MaxItems: 1000, MaxTokens: 300},
		}},
		Agent("support", "get_order", "create_ticket", "list_items", "cancel_order"),
		Agent("sales", "get_order", "list_items"),
	}
}

// Agent returns an agent resource with actions activated.
func Agent(name string, actions ...string) action.Resource {
	return action.Resource{Kind: action.KindAgent, Agent: &action.Agent{Name: name, Actions: actions}}
}

// Logs collects the lines a gateway logs, for checks that no secret is
// ever written there. It is safe for the server's concurrent writes.
type Logs struct {
	mu  sync.Mutex
	buf strings.Builder
}

// Write appends p to the collected lines.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns every line collected so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Logger returns a logger writing every level, debug included, into l.
func (l *Logs) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
