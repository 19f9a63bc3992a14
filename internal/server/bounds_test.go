package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/jsonlimit/jsonlimittest"
	"github.com/actiongate/actiongate/internal/mcpserver"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/server"
)

// boundsMaxTokens is the token budget of the actions the bounds tests call.
const boundsMaxTokens = 200

// boundsEnv is the whole HTTP service (admin API, tools API, MCP) over a
// gateway fixture with two more actions: update_profile, a write taking a
// free-form object, and find_order, with enum and pattern params; both
// activated for agent support, both with a budget of boundsMaxTokens. More
// surfaces (the console) can be mounted beside them.
type boundsEnv struct {
	*gatewaytest.Fixture
	srv     *httptest.Server
	support string
}

func newBoundsEnv(t *testing.T, extra ...func(*http.ServeMux, *boundsEnv)) *boundsEnv {
	t.Helper()
	tok, err := sharedTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	e := &boundsEnv{Fixture: gatewaytest.New(t, tok)}
	filter := &action.ResponseFilter{MaxTokens: boundsMaxTokens}
	e.Apply(
		action.Resource{Kind: action.KindAction, Action: &action.Action{
			Name: "update_profile", Description: "Update the customer's profile.", Confirm: action.ConfirmNever,
			Method: action.MethodPost, URL: e.Upstream.URL + "/tickets", Response: filter,
			Body:   &action.Body{Type: "json", Content: map[string]any{"profile": "{{profile}}"}},
			Params: action.Params{{Name: "profile", Param: &action.Param{Type: "object", Description: "The fields to change.", Required: true}}},
		}},
		action.Resource{Kind: action.KindAction, Action: &action.Action{
			Name: "find_order", Description: "Find an order.",
			Method: action.MethodGet, URL: e.Upstream.URL + "/orders/{{order_id}}", Query: map[string]string{"status": "{{status}}"}, Response: filter,
			Params: action.Params{
				{Name: "order_id", Param: &action.Param{Type: "string", Description: "The order id.", Required: true, Pattern: "^[A-Z][0-9]+$"}},
				{Name: "status", Param: &action.Param{Type: "string", Description: "The order status.", Enum: []any{"open", "shipped"}}},
			},
		}},
		gatewaytest.Agent("support", "get_order", "create_ticket", "list_items", "cancel_order", "update_profile", "find_order"),
	)
	mounts := []func(*http.ServeMux){
		func(m *http.ServeMux) { api.RegisterAdmin(m, e.G) },
		func(m *http.ServeMux) { api.RegisterTools(m, e.G, runtime.New(e.G, runtime.Options{})) },
		func(m *http.ServeMux) { mcpserver.Register(m, e.G, nil) },
	}
	for _, mount := range extra {
		mounts = append(mounts, func(m *http.ServeMux) { mount(m, e) })
	}
	h := server.New(e.G, e.Cfg, nil, mounts...).Handler()
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	e.support = e.Token("support")
	return e
}

// post sends a JSON body with a bearer token and returns the status and
// the decoded answer.
func (e *boundsEnv) post(method, path, token, body string) (int, map[string]any) {
	e.T.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.T.Fatalf("%s %s: decoding answer: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// deepJSON is an object nested n levels under key a.
func deepJSON(n int) string {
	return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
}

// deepValue is deepJSON(n) decoded.
func deepValue(n int) map[string]any {
	v := map[string]any{"a": 1}
	for range n - 1 {
		v = map[string]any{"a": v}
	}
	return v
}

// mcpSession connects the SDK client to agent support over streamable HTTP.
func (e *boundsEnv) mcpSession() *mcp.ClientSession {
	e.T.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "bounds-test", Version: "1"}, nil)
	tr := &mcp.StreamableClientTransport{Endpoint: e.srv.URL + "/mcp/support", HTTPClient: &http.Client{Transport: bearer(e.support)}}
	cs, err := client.Connect(context.Background(), tr, nil)
	if err != nil {
		e.T.Fatal(err)
	}
	e.T.Cleanup(func() { cs.Close() })
	return cs
}

// bearer adds a bearer token to every request.
type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// lastRun returns the newest run of action.
func (e *boundsEnv) lastRun(actionName string) *runlog.Run {
	e.T.Helper()
	runs, _, err := e.G.ListRuns(context.Background(), gateway.RunFilter{Action: actionName, Limit: 1})
	if err != nil || len(runs) == 0 {
		e.T.Fatalf("runs of %s: %d, %v", actionName, len(runs), err)
	}
	return &runs[0]
}

// The budgets below are what one call may allocate in the whole process
// (test client, server and SQLite together) and a wall-clock ceiling with a
// wide margin for a busy machine. Before the limits, one call with
// arguments nested 9,900 deep allocated about 100 MiB on every surface.
const (
	deepCallBytes = 16 << 20
	deepCallTime  = 5 * time.Second
)

// Arguments nested deeper than jsonlimit.MaxDepth are refused with a clear
// error before anything walks them, on the tools API, the batch endpoint
// and MCP alike: the same tool result for the model, naming the path and
// the limit, and a recorded refusal.
func TestDeepArgumentsAreRefusedWithinBoundedWork(t *testing.T) {
	e := newBoundsEnv(t)
	hits := func() int64 { return e.Hits(http.MethodPost, "/tickets") }
	const refusal = "The arguments nest deeper than 64 levels of objects and arrays (at profile/a/a/"

	t.Run("tools API", func(t *testing.T) {
		body := `{"arguments":{"profile":` + deepJSON(9900) + `}}`
		var (
			status int
			out    map[string]any
		)
		jsonlimittest.Within(t, "tools API call, 9900 levels", deepCallBytes, deepCallTime, func() {
			status, out = e.post(http.MethodPost, "/api/v1/agents/support/tools/update_profile", e.support, body)
		})
		output, _ := out["output"].(string)
		if status != http.StatusOK || out["status"] != "error" || !strings.Contains(output, refusal) {
			t.Fatalf("status %d, %.400v; want a tool error naming the path and the limit", status, out)
		}
		if run := e.lastRun("update_profile"); run.Caller != runlog.CallerTools || run.Output != output || run.Error != "invalid_arguments" {
			t.Fatalf("run %+v: want the refusal recorded", run)
		}
	})

	t.Run("batch", func(t *testing.T) {
		args, _ := json.Marshal(`{"profile":` + deepJSON(9900) + `}`)
		body := `{"tool_calls":[{"id":"c1","type":"function","function":{"name":"update_profile","arguments":` + string(args) + `}}]}`
		var (
			status int
			out    map[string]any
		)
		jsonlimittest.Within(t, "batch call, 9900 levels", deepCallBytes, deepCallTime, func() {
			status, out = e.post(http.MethodPost, "/api/v1/agents/support/tools", e.support, body)
		})
		content := fmt.Sprint(out["messages"])
		if status != http.StatusOK || !strings.Contains(content, refusal) {
			t.Fatalf("status %d, messages %.400s; want a tool message naming the path and the limit", status, content)
		}
	})

	// The SDK itself refuses messages nesting 1,000 levels or more; below
	// that the gateway's check answers.
	t.Run("MCP", func(t *testing.T) {
		cs := e.mcpSession()
		for _, depth := range []int{jsonlimit.MaxDepth, 990} {
			var (
				res *mcp.CallToolResult
				err error
			)
			jsonlimittest.Within(t, "MCP tools/call, "+strconv.Itoa(depth)+" levels below the arguments", deepCallBytes, deepCallTime, func() {
				res, err = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "update_profile", Arguments: map[string]any{"profile": deepValue(depth)}})
			})
			if err != nil {
				t.Fatalf("%d levels: %v", depth, err)
			}
			text := ""
			if len(res.Content) > 0 {
				text = res.Content[0].(*mcp.TextContent).Text
			}
			if !res.IsError || !strings.Contains(text, refusal) {
				t.Fatalf("%d levels: IsError %v, %.300s; want a tool error naming the path and the limit", depth, res.IsError, text)
			}
		}
		run := e.lastRun("update_profile")
		if run.Outcome != runlog.OutcomeError || run.Caller != runlog.CallerMCP || run.Arguments[runlog.TruncatedKey] == nil {
			t.Fatalf("run %+v: want a refused MCP call whose record says its arguments were cut", run)
		}
	})

	// At the limit, the same call goes through.
	if hits() != 0 {
		t.Fatalf("%d requests reached the upstream, want none", hits())
	}
	within, _ := json.Marshal(map[string]any{"arguments": map[string]any{"profile": deepValue(jsonlimit.MaxDepth - 2)}})
	if status, out := e.post(http.MethodPost, "/api/v1/agents/support/tools/update_profile", e.support, string(within)); status != http.StatusOK || out["status"] != "ok" || hits() != 1 {
		t.Fatalf("arguments within the limit: status %d, %v, %d upstream hits", status, out, hits())
	}
}

// An admin PUT of an action whose body template nests 9,000 levels is
// refused before it is parsed; it allocated about 800 MiB before.
func TestDeepResourceBodyIsRefusedWithinBoundedWork(t *testing.T) {
	e := newBoundsEnv(t)
	spec := `{"method":"POST","url":"https://api.example.com/","body":{"type":"json","content":` + deepJSON(9000) + `}}`
	var (
		status int
		out    map[string]any
	)
	jsonlimittest.Within(t, "admin PUT, 9000 levels", 8<<20, deepCallTime, func() {
		status, out = e.post(http.MethodPut, "/api/v1/actions/deep", e.Admin, spec)
	})
	msg := fmt.Sprint(out["error"])
	if status != http.StatusBadRequest || !strings.Contains(msg, "body/content/a/a") || !strings.Contains(msg, "nests deeper than 64 levels") {
		t.Fatalf("status %d, %.400s; want 400 naming the path and the limit", status, msg)
	}
}

// What a model sent wrong is reported within the action's max_tokens, the
// first problems listed and the rest counted, and the run record keeps the
// output once and a bounded part of the arguments. Before, 50,000 unknown
// arguments gave a 2.8 MB tool error and a 6.5 MB run record.
func TestArgumentErrorsStayWithinMaxTokens(t *testing.T) {
	e := newBoundsEnv(t)
	huge := strings.Repeat("x", 900_000)
	many := map[string]any{"order_id": "A1"}
	for i := range 50_000 {
		many["k"+strconv.Itoa(i)] = i
	}
	cases := []struct {
		name string
		args map[string]any
		want string
	}{
		{"50000 unknown arguments", many, "and 49990 more problems not listed"},
		{"a 900 KB argument name", map[string]any{"order_id": "A1", huge: 1}, "unknown argument xxxxxxxx"},
		{"a 900 KB pattern mismatch", map[string]any{"order_id": huge}, "order_id must match the pattern ^[A-Z][0-9]+$"},
		{"a 900 KB enum mismatch", map[string]any{"order_id": "A1", "status": huge}, "status must be one of open, shipped"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"arguments": c.args})
			var (
				status int
				out    map[string]any
			)
			jsonlimittest.Within(t, c.name, 48<<20, deepCallTime, func() {
				status, out = e.post(http.MethodPost, "/api/v1/agents/support/tools/find_order", e.support, string(body))
			})
			output, _ := out["output"].(string)
			tokens, _ := out["tokens"].(map[string]any)["output"].(float64)
			if status != http.StatusOK || out["status"] != "error" || !strings.Contains(output, c.want) {
				t.Fatalf("status %d, %v, output %.300s; want an error result saying %q", status, out["status"], output, c.want)
			}
			if tokens > boundsMaxTokens || len(output) > 4*boundsMaxTokens*4 {
				t.Fatalf("output of %d tokens (%d bytes), want at most %d tokens", int(tokens), len(output), boundsMaxTokens)
			}
			run := e.lastRun("find_order")
			rec, _ := json.Marshal(run)
			if len(rec) > runlog.MaxArgumentBytes+8<<10 || run.Output != output || strings.Contains(run.Error, c.want) {
				t.Fatalf("run record of %d bytes, error %.100q: want it bounded, with the output stored once", len(rec), run.Error)
			}
			if run.Arguments[runlog.TruncatedKey] == nil {
				t.Fatalf("the run record's arguments do not say they were cut")
			}
		})
	}
}
