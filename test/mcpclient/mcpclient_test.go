package mcpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/mcpserver"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/server"
)

// tokenizer loads the token counter once for the package's tests.
var tokenizer = sync.OnceValues(respfilter.NewTokenizer)

// agentName is the agent the client connects to.
const agentName = "interop"

// clientTimeout bounds one run of client.mjs.
const clientTimeout = time.Minute

// env is a gateway on SQLite with a loopback upstream, an agent for the
// client and the Node.js binary that runs client.mjs.
type env struct {
	*gatewaytest.Fixture
	node  string
	token string
}

// newEnv skips the test unless the TypeScript client can run, then builds
// the gateway with agentName's actions activated and a token for it.
func newEnv(t *testing.T) *env {
	t.Helper()
	node := os.Getenv("ACTIONGATE_TEST_NODE")
	if node == "" {
		t.Skip("ACTIONGATE_TEST_NODE is not set: point it at a Node.js binary and run `npm ci` in test/mcpclient (.ci/run does both)")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "@modelcontextprotocol", "sdk", "package.json")); err != nil {
		t.Skip("the TypeScript MCP SDK is not installed: run `npm ci` in test/mcpclient")
	}
	tok, err := tokenizer()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{Fixture: gatewaytest.New(t, tok), node: node}
	e.Apply(orderStatus(e.Upstream.URL), gatewaytest.Agent(agentName, "get_order", "order_status", "create_ticket"))
	e.token = e.Token(agentName)
	return e
}

// orderStatus is a GET action whose response filter keeps only the order's
// id and status, with an optional bounded integer sent in the query.
func orderStatus(base string) action.Resource {
	one, five := 1.0, 5.0
	return action.Resource{Kind: action.KindAction, Action: &action.Action{
		Name: "order_status", Title: "Order status", Description: "Tell where an order is when the user asks about its delivery.",
		Method: action.MethodGet, URL: base + "/orders/{{order_id}}",
		Query: map[string]string{"attempt": "{{attempt}}"},
		Params: action.Params{
			{Name: "order_id", Param: &action.Param{Type: "string", Description: "The order id, like A1.", Required: true, Pattern: "^[A-Z][0-9]+$"}},
			{Name: "attempt", Param: &action.Param{Type: "integer", Description: "How many times the user asked.", Minimum: &one, Maximum: &five}},
		},
		Response: &action.ResponseFilter{Select: "{id, status}"},
	}}
}

// serve runs the production HTTP server with the MCP endpoint mounted on a
// loopback listener and returns its base URL.
func (e *env) serve(t *testing.T) string {
	t.Helper()
	srv := server.New(e.G, e.Cfg, nil, func(m *http.ServeMux) { mcpserver.Register(m, e.G, e.Cfg.AllowedOrigins) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// clientOutput is the document client.mjs prints.
type clientOutput struct {
	Server struct {
		Name string `json:"name"`
	} `json:"server"`
	Tools []struct {
		Name        string          `json:"name"`
		Title       string          `json:"title"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"inputSchema"`
		Annotations map[string]any  `json:"annotations"`
	} `json:"tools"`
	Calls []struct {
		Name   string     `json:"name"`
		Result callResult `json:"result"`
	} `json:"calls"`
	Elicitations []struct {
		Message string `json:"message"`
	} `json:"elicitations"`
}

// callResult is a tools/call result as the TypeScript SDK returns it.
type callResult struct {
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	IsError bool           `json:"isError"`
	Meta    map[string]any `json:"_meta"`
}

// text joins the result's text content.
func (r callResult) text() string {
	var parts []string
	for _, c := range r.Content {
		if c.Type == "text" {
			parts = append(parts, c.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// runClient runs client.mjs with args and the ACTIONGATE_* variables of
// extraEnv (the test's own ACTIONGATE_* variables are not passed on). It
// returns the parsed output, or the error and standard error of a failed
// run.
func (e *env) runClient(t *testing.T, extraEnv []string, args ...string) (clientOutput, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.node, append([]string{"client.mjs"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACTIONGATE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return clientOutput{}, stderr.String(), err
	}
	var out clientOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("client output is not the expected JSON: %v\n%s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	return out, stderr.String(), nil
}

// contactEmail is the contact's address sent in every call's _meta; the
// ticket body is filled from it.
const contactEmail = "ann@example.com"

// callArgs are the client arguments for the tools/call requests both
// transports make: a good call, a call with two bad arguments and a call
// that needs confirmation, each with the contact in _meta.
func callArgs() []string {
	return []string{
		"--meta", `{"actiongate/contact":{"email":"` + contactEmail + `"}}`,
		"--call", `order_status={"order_id":"A7","attempt":2}`,
		"--call", `order_status={"order_id":"a7","attempt":9}`,
		"--call", `create_ticket={"subject":"Printer on fire"}`,
	}
}

// Input schemas the client must be given, as the server defines them.
const (
	orderStatusSchema = `{"additionalProperties":false,"properties":{"attempt":{"description":"How many times the user asked.","maximum":5,"minimum":1,"type":"integer"},"order_id":{"description":"The order id, like A1.","pattern":"^[A-Z][0-9]+$","type":"string"}},"required":["order_id"],"type":"object"}`
	getOrderSchema    = `{"additionalProperties":false,"properties":{"order_id":{"description":"The order id, like A1.","pattern":"^[A-Z][0-9]+$","type":"string"}},"required":["order_id"],"type":"object"}`
	moreResultsSchema = `{"additionalProperties":false,"properties":{"fields":{"description":"Field names to show in full, dotted for nested ones, e.g. [\"body\", \"user.login\"].","items":{"type":"string"},"type":"array"},"handle":{"description":"The handle from the truncated tool output, copied exactly.","type":"string"},"item":{"description":"One item to show in full: its id or number as shown (e.g. \"1347\"), or its position in the list counting from 1.","type":"string"}},"required":["handle"],"type":"object"}`
)

// checkTools asserts the client saw exactly the agent's activated actions
// and more_results, with their schemas and annotations.
func checkTools(t *testing.T, out clientOutput) {
	t.Helper()
	if out.Server.Name != "actiongate" {
		t.Errorf("server name %q", out.Server.Name)
	}
	var names []string
	schemas := map[string]string{}
	annotations := map[string]map[string]any{}
	for _, tool := range out.Tools {
		names = append(names, tool.Name)
		schemas[tool.Name] = canonical(t, tool.InputSchema)
		annotations[tool.Name] = tool.Annotations
		if tool.Description == "" {
			t.Errorf("%s has no description", tool.Name)
		}
	}
	slices.Sort(names)
	if want := []string{"create_ticket", "get_order", "more_results", "order_status"}; !slices.Equal(names, want) {
		t.Fatalf("tools %v, want %v", names, want)
	}
	for name, want := range map[string]string{"order_status": orderStatusSchema, "get_order": getOrderSchema, "more_results": moreResultsSchema} {
		if schemas[name] != canonical(t, []byte(want)) {
			t.Errorf("%s input schema\n%s\nwant\n%s", name, schemas[name], want)
		}
	}
	if schema := schemas["create_ticket"]; strings.Contains(schema, "email") {
		t.Errorf("create_ticket schema shows a placeholder filled from the contact: %s", schema)
	}
	if a := annotations["order_status"]; a["readOnlyHint"] != true || a["destructiveHint"] != false || a["title"] != "Order status" {
		t.Errorf("order_status annotations %v", a)
	}
	if a := annotations["create_ticket"]; a["readOnlyHint"] == true || a["destructiveHint"] != false {
		t.Errorf("create_ticket annotations %v", a)
	}
}

// checkCalls asserts the results of calls: the filtered upstream data with
// the run recorded, a model-readable error for bad arguments with nothing
// sent, and the confirmation-needing call held back unless confirmed says
// the user accepted it.
func (e *env) checkCalls(t *testing.T, out clientOutput, confirmed bool) {
	t.Helper()
	if len(out.Calls) != 3 {
		t.Fatalf("%d call results, want 3", len(out.Calls))
	}

	ok := out.Calls[0].Result
	text := ok.text()
	if ok.IsError || !strings.Contains(text, "shipped") || !strings.Contains(text, "A7") {
		t.Fatalf("order_status: isError %v, output %q", ok.IsError, text)
	}
	if strings.Contains(text, "DHL") || strings.Contains(text, "42.5") {
		t.Errorf("order_status output %q holds fields the response filter drops", text)
	}
	if n := e.Hits("GET", "/orders/A7"); n != 1 {
		t.Errorf("upstream got GET /orders/A7 %d times, want 1", n)
	}
	runID, _ := ok.Meta["actiongate/run_id"].(string)
	run, err := e.G.GetRun(t.Context(), runID)
	if err != nil {
		t.Fatalf("run %q of order_status: %v", runID, err)
	}
	if run.Caller != runlog.CallerMCP || run.Agent != agentName || run.Action != "order_status" || run.Status != http.StatusOK || run.Output != text {
		t.Errorf("run record: caller %q agent %q action %q status %d output %q", run.Caller, run.Agent, run.Action, run.Status, run.Output)
	}

	bad := out.Calls[1].Result
	text = bad.text()
	if !bad.IsError || !strings.Contains(text, "order_id") || !strings.Contains(text, "attempt") {
		t.Errorf("bad arguments: isError %v, output %q; want an error naming order_id and attempt", bad.IsError, text)
	}
	if n := e.Hits("GET", "/orders/a7"); n != 0 {
		t.Errorf("a call with bad arguments reached the upstream %d times", n)
	}

	ticket := out.Calls[2].Result
	text = ticket.text()
	if ticket.IsError {
		t.Fatalf("create_ticket: isError, output %q", text)
	}
	hits := e.Hits("POST", "/tickets")
	if confirmed {
		if hits != 1 || !strings.Contains(text, "T-1") || !strings.Contains(text, "Printer on fire") || !strings.Contains(text, contactEmail) {
			t.Errorf("confirmed create_ticket: %d upstream requests, output %q", hits, text)
		}
		return
	}
	id, _ := ticket.Meta["actiongate/confirmation_id"].(string)
	if hits != 0 || id == "" || !strings.Contains(text, id) || ticket.Meta["actiongate/status"] != "confirmation_required" {
		t.Errorf("create_ticket without confirmation: %d upstream requests, _meta %v, output %q", hits, ticket.Meta, text)
	}
}

// canonical returns JSON with object keys sorted, to compare documents
// regardless of key order.
func canonical(t *testing.T, doc []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", doc, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHTTP(t *testing.T) {
	e := newEnv(t)
	url := e.serve(t)
	base := []string{"--url", url, "--agent", agentName}

	out, stderr, err := e.runClient(t, []string{"ACTIONGATE_TOKEN=" + e.token}, append(base, callArgs()...)...)
	if err != nil {
		t.Fatalf("client failed: %v\n%s", err, stderr)
	}
	checkTools(t, out)
	e.checkCalls(t, out, false)

	// The client is refused with a bad token, another agent's token or a
	// foreign browser origin, and says so.
	refused := []struct {
		name, token string
		args        []string
		want        string
	}{
		{"bad token", "agt_not_a_token", nil, "HTTP status 401"},
		{"other agent's token", e.Token("sales"), nil, "HTTP status 403"},
		{"foreign origin", e.token, []string{"--origin", "https://evil.example"}, "HTTP status 403"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, err := e.runClient(t, []string{"ACTIONGATE_TOKEN=" + c.token}, append(base, c.args...)...)
			if err == nil || !strings.Contains(stderr, c.want) {
				t.Fatalf("client: err %v, stderr %s; want a failure mentioning %s", err, stderr, c.want)
			}
		})
	}
}

func TestStdio(t *testing.T) {
	e := newEnv(t)
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command, needed to build actiongate for the stdio client, is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "actiongate")
	build := exec.CommandContext(t.Context(), goCmd, "build", "-o", bin, "github.com/actiongate/actiongate/cmd/actiongate")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building actiongate: %v\n%s", err, out)
	}
	// The user answering the client's prompt approves only where the
	// server lets it (the default is admins only).
	serverEnv := []string{"ACTIONGATE_DATA_DIR=" + e.Cfg.DataDir, "ACTIONGATE_EGRESS_ALLOW=127.0.0.0/8", "ACTIONGATE_CONFIRM_APPROVERS=user"}

	out, stderr, err := e.runClient(t, serverEnv, append([]string{"--command", bin, "--agent", agentName, "--elicit", "accept"}, callArgs()...)...)
	if err != nil {
		t.Fatalf("client failed: %v\n%s", err, stderr)
	}
	checkTools(t, out)
	e.checkCalls(t, out, true)
	if len(out.Elicitations) != 1 || !strings.Contains(out.Elicitations[0].Message, "/tickets") {
		t.Errorf("elicitations %+v, want one showing the request to confirm", out.Elicitations)
	}

	_, stderr, err = e.runClient(t, serverEnv, "--command", bin, "--agent", "ghost")
	if err == nil || !strings.Contains(stderr, `no stored agent named "ghost"`) {
		t.Fatalf("client for an unknown agent: err %v, stderr %s", err, stderr)
	}
}
