package mcpserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestHTTPToolsList(t *testing.T) {
	e := newEnv(t)
	for _, protocol := range []string{"", legacyProtocol} {
		t.Run("protocol "+protocol, func(t *testing.T) {
			cs := e.connect("support", e.support, protocol, nil)
			res, err := cs.ListTools(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			tools := map[string]*mcp.Tool{}
			var names []string
			for _, tool := range res.Tools {
				tools[tool.Name] = tool
				names = append(names, tool.Name)
			}
			want := []string{"cancel_order", "create_ticket", "get_order", "list_items", "more_results"}
			if !slices.Equal(names, want) {
				t.Fatalf("tools %v, want %v", names, want)
			}
			get := tools["get_order"]
			schema, _ := json.Marshal(get.InputSchema)
			wantSchema := `{"additionalProperties":false,"properties":{"order_id":{"description":"The order id, like A1.","pattern":"^[A-Z][0-9]+$","type":"string"}},"required":["order_id"],"type":"object"}`
			if string(schema) != wantSchema {
				t.Errorf("get_order schema\n%s\nwant\n%s", schema, wantSchema)
			}
			if get.Title != "Get order" || get.Description == "" {
				t.Errorf("get_order title %q description %q", get.Title, get.Description)
			}
			checkAnnotations(t, get, mcp.ToolAnnotations{Title: "Get order", ReadOnlyHint: true, IdempotentHint: true, DestructiveHint: ptr(false), OpenWorldHint: ptr(true)})
			checkAnnotations(t, tools["cancel_order"], mcp.ToolAnnotations{IdempotentHint: true, DestructiveHint: ptr(true), OpenWorldHint: ptr(true)})
			checkAnnotations(t, tools["create_ticket"], mcp.ToolAnnotations{Title: "Create ticket", DestructiveHint: ptr(false), OpenWorldHint: ptr(true)})
			checkAnnotations(t, tools["more_results"], mcp.ToolAnnotations{Title: "More results", ReadOnlyHint: true, IdempotentHint: true, DestructiveHint: ptr(false), OpenWorldHint: ptr(false)})
			props, _ := tools["create_ticket"].InputSchema.(map[string]any)["properties"].(map[string]any)
			if _, leaked := props["email"]; leaked || len(props) != 2 {
				t.Errorf("create_ticket properties %v, want only the model's params", props)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func checkAnnotations(t *testing.T, tool *mcp.Tool, want mcp.ToolAnnotations) {
	t.Helper()
	got, _ := json.Marshal(tool.Annotations)
	w, _ := json.Marshal(want)
	if string(got) != string(w) {
		t.Errorf("%s annotations %s, want %s", tool.Name, got, w)
	}
}

func TestHTTPToolsCall(t *testing.T) {
	e := newEnv(t)
	cs := e.connect("sales", e.sales, "", nil)
	res, out := call(t, cs, &mcp.CallToolParams{Name: "get_order", Arguments: map[string]any{"order_id": "A1"}})
	if res.IsError || !strings.Contains(out, "shipped") || res.Meta["actiongate/run_id"] == nil {
		t.Fatalf("get_order: isError %v, %q, meta %v", res.IsError, out, res.Meta)
	}
	run, err := e.G.GetRun(t.Context(), res.Meta["actiongate/run_id"].(string))
	if err != nil || run.Caller != "mcp" || run.Agent != "sales" {
		t.Fatalf("run log: %+v, %v", run, err)
	}

	res, out = call(t, cs, &mcp.CallToolParams{Name: "get_order", Arguments: map[string]any{"order_id": 7}})
	if !res.IsError || !strings.Contains(out, "order_id") {
		t.Fatalf("invalid arguments: isError %v, %q", res.IsError, out)
	}
	if _, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "create_ticket", Arguments: map[string]any{"subject": "hello"}}); err == nil {
		t.Fatal("a tool that is not activated was called")
	}
	if n := e.Hits("POST", "/tickets"); n != 0 {
		t.Fatalf("upstream hit %d times by a refused call", n)
	}

	// more_results pages through a cut result.
	res, out = call(t, cs, &mcp.CallToolParams{Name: "list_items"})
	handle, _ := res.Meta["actiongate/handle"].(string)
	if res.IsError || handle == "" || !strings.Contains(out, handle) {
		t.Fatalf("list_items: isError %v, handle %q, %q", res.IsError, handle, out)
	}
	res, out = call(t, cs, &mcp.CallToolParams{Name: "more_results", Arguments: map[string]any{"handle": handle}})
	if res.IsError || !strings.Contains(out, "item-") {
		t.Fatalf("more_results: isError %v, %q", res.IsError, out)
	}
	// It drills into the same result: one item by position, given as a
	// number, and one field of every item.
	res, out = call(t, cs, &mcp.CallToolParams{Name: "more_results", Arguments: map[string]any{"handle": handle, "item": 42}})
	if res.IsError || out != `{"item":"42 of 200","record":{"name":"item-41","price":41}}` {
		t.Fatalf("more_results item 42: isError %v, %q", res.IsError, out)
	}
	res, out = call(t, cs, &mcp.CallToolParams{Name: "more_results", Arguments: map[string]any{"handle": handle, "fields": []string{"price"}}})
	if res.IsError || !strings.HasPrefix(out, `{"items":[{"name":"item-0","price":0},`) {
		t.Fatalf("more_results fields: isError %v, %q", res.IsError, out)
	}
	if n := e.Hits("GET", "/items"); n != 1 {
		t.Errorf("upstream hit %d times for one list and its drill-downs", n)
	}
}

func TestHTTPDeduplicationByMeta(t *testing.T) {
	e := newEnv(t)
	cs := e.connect("sales", e.sales, "", nil)
	meta := mcp.Meta{"actiongate/conversation_id": "conv-9", "actiongate/call_id": "call-1"}
	first, _ := call(t, cs, &mcp.CallToolParams{Name: "get_order", Arguments: map[string]any{"order_id": "Z9"}, Meta: meta})
	second, _ := call(t, cs, &mcp.CallToolParams{Name: "get_order", Arguments: map[string]any{"order_id": "Z9"}, Meta: meta})
	if first.Meta["actiongate/run_id"] != second.Meta["actiongate/run_id"] {
		t.Fatalf("repeat ran again: %v vs %v", first.Meta, second.Meta)
	}
	call(t, cs, &mcp.CallToolParams{Name: "get_order", Arguments: map[string]any{"order_id": "Z9"}})
	if n := e.Hits("GET", "/orders/Z9"); n != 2 {
		t.Fatalf("upstream hit %d times, want 2 (the repeat answered from the record)", n)
	}
}

func TestHTTPActivationChange(t *testing.T) {
	e := newEnv(t)
	cs := e.connect("sales", e.sales, "", nil)
	if names := toolNames(t, cs); !slices.Equal(names, []string{"get_order", "list_items", "more_results"}) {
		t.Fatalf("tools before %v", names)
	}
	e.Activate("sales", "get_order", "create_ticket")
	if names := toolNames(t, cs); !slices.Equal(names, []string{"create_ticket", "get_order", "more_results"}) {
		t.Fatalf("tools after activation change %v", names)
	}
	if _, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "list_items"}); err == nil {
		t.Fatal("a deactivated tool was called")
	}
	res, out := call(t, cs, &mcp.CallToolParams{Name: "create_ticket", Arguments: map[string]any{"subject": "x"}})
	if !res.IsError || !strings.Contains(out, "subject") {
		t.Fatalf("newly activated tool: isError %v, %q", res.IsError, out)
	}
}

// post sends one raw JSON-RPC tools/list request; a "Host" entry of
// header sets the request's Host.
func (e *env) post(path, token string, header map[string]string) (int, string) {
	e.T.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}`))
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestHTTPAccess(t *testing.T) {
	e := newEnv(t, "https://app.example.com")
	revoked := e.RevokedToken("sales")
	cases := []struct {
		name, path, token string
		header            map[string]string
		status            int
		body              string
	}{
		{"agent token", "/mcp/sales", e.sales, nil, 200, `"get_order"`},
		{"admin token", "/mcp/sales", e.Admin, nil, 200, `"get_order"`},
		{"no token", "/mcp/sales", "", nil, 401, `"code":"unauthorized"`},
		{"revoked token", "/mcp/sales", revoked, nil, 401, `"code":"unauthorized"`},
		{"other agent", "/mcp/support", e.sales, nil, 403, `"code":"forbidden"`},
		{"unknown agent", "/mcp/ghost", e.Admin, nil, 404, `"code":"not_found"`},
		{"own origin", "/mcp/sales", e.sales, map[string]string{"Origin": e.srv.URL}, 200, `"get_order"`},
		{"allowed origin", "/mcp/sales", e.sales, map[string]string{"Origin": "https://app.example.com"}, 200, `"get_order"`},
		{"foreign origin", "/mcp/sales", e.sales, map[string]string{"Origin": "https://evil.example"}, 403, `evil.example`},
		{"null origin", "/mcp/sales", e.sales, map[string]string{"Origin": "null"}, 403, `"code":"forbidden"`},
		{"foreign origin without token", "/mcp/sales", "", map[string]string{"Origin": "http://localhost:9"}, 403, `"code":"forbidden"`},
		{"reverse proxy host", "/mcp/sales", e.sales, map[string]string{"Host": "actiongate.example.com"}, 200, `"get_order"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := e.post(c.path, c.token, c.header)
			if status != c.status || !strings.Contains(body, c.body) {
				t.Fatalf("status %d, want %d; body %s, want it to contain %s", status, c.status, body, c.body)
			}
		})
	}
}
