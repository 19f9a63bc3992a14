package api_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
)

func TestToolsAccess(t *testing.T) {
	e := newToolsEnv(t)
	revoked := e.RevokedToken("support")
	callBody := `{"arguments":{"order_id":"A1"}}`
	batchBody := `{"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_order","arguments":"{\"order_id\":\"A1\"}"}}]}`
	cases := []struct {
		name, method, path, token, body string
		status                          int
		code, message                   string
	}{
		{"admin lists", "GET", "/api/v1/agents/support/tools", e.Admin, "", 200, "", ""},
		{"agent lists its tools", "GET", "/api/v1/agents/support/tools", e.support, "", 200, "", ""},
		{"other agent refused", "GET", "/api/v1/agents/support/tools", e.sales, "", 403, "forbidden", `agent "support"`},
		{"revoked token", "GET", "/api/v1/agents/support/tools", revoked, "", 401, "unauthorized", "revoked"},
		{"no token", "GET", "/api/v1/agents/support/tools", "", "", 401, "unauthorized", "bearer"},
		{"garbage token", "GET", "/api/v1/agents/support/tools", "agt_nope", "", 401, "unauthorized", ""},
		{"unknown agent", "GET", "/api/v1/agents/ghost/tools", e.Admin, "", 404, "not_found", `"ghost"`},
		{"bad format", "GET", "/api/v1/agents/support/tools?format=xml", e.support, "", 400, "bad_request", "openai, anthropic or mcp"},

		{"admin calls", "POST", "/api/v1/agents/support/tools/get_order", e.Admin, callBody, 200, "", ""},
		{"agent calls", "POST", "/api/v1/agents/support/tools/get_order", e.support, callBody, 200, "", ""},
		{"other agent cannot call", "POST", "/api/v1/agents/support/tools/get_order", e.sales, callBody, 403, "forbidden", ""},
		{"revoked cannot call", "POST", "/api/v1/agents/support/tools/get_order", revoked, callBody, 401, "unauthorized", ""},
		{"anonymous cannot call", "POST", "/api/v1/agents/support/tools/get_order", "", callBody, 401, "unauthorized", ""},
		{"unknown action", "POST", "/api/v1/agents/support/tools/nope", e.support, callBody, 404, "not_found", `no action named "nope"`},
		{"not activated", "POST", "/api/v1/agents/sales/tools/create_ticket", e.sales, `{"arguments":{"subject":"hello"}}`, 404, "not_found", `not activated for agent "sales"`},
		{"unknown agent call", "POST", "/api/v1/agents/ghost/tools/get_order", e.Admin, callBody, 404, "not_found", `no agent named "ghost"`},
		{"malformed JSON", "POST", "/api/v1/agents/support/tools/get_order", e.support, `{"arguments":`, 400, "invalid_json", ""},
		{"unknown field", "POST", "/api/v1/agents/support/tools/get_order", e.support, `{"args":{}}`, 400, "invalid_json", `"args"`},

		{"agent batch", "POST", "/api/v1/agents/support/tools", e.support, batchBody, 200, "", ""},
		{"other agent batch", "POST", "/api/v1/agents/support/tools", e.sales, batchBody, 403, "forbidden", ""},
		{"batch without token", "POST", "/api/v1/agents/support/tools", "", batchBody, 401, "unauthorized", ""},
		{"batch unknown agent", "POST", "/api/v1/agents/ghost/tools", e.Admin, batchBody, 404, "not_found", ""},
		{"empty batch", "POST", "/api/v1/agents/support/tools", e.support, `{"tool_calls":[]}`, 400, "bad_request", "at least one"},
		{"batch without ids", "POST", "/api/v1/agents/support/tools", e.support, `{"tool_calls":[{"type":"function","function":{"name":"get_order","arguments":"{}"}}]}`, 400, "bad_request", "tool_calls[0].id"},
		{"batch malformed", "POST", "/api/v1/agents/support/tools", e.support, `[`, 400, "invalid_json", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := e.send(c.method, c.path, c.token, c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d: %v", status, c.status, out)
			}
			if c.code == "" {
				if out["error"] != nil {
					t.Fatalf("unexpected error: %v", out)
				}
				return
			}
			if got := toolsText(out, "error.code"); got != c.code {
				t.Errorf("error code %q, want %q (%v)", got, c.code, out)
			}
			if msg := toolsText(out, "error.message"); !strings.Contains(msg, c.message) {
				t.Errorf("error message %q does not mention %q", msg, c.message)
			}
		})
	}
}

func TestToolsListFormats(t *testing.T) {
	e := newToolsEnv(t)
	want := []string{"get_order", "list_items", "more_results"}
	cases := []struct {
		query, namePath string
		check           func(t *testing.T, tool any)
	}{
		{"", "function.name", func(t *testing.T, tool any) {
			if toolsText(tool, "type") != "function" || toolsDig(tool, "function.parameters.type") != "object" {
				t.Errorf("not an OpenAI function tool: %v", tool)
			}
		}},
		{"?format=openai", "function.name", nil},
		{"?format=anthropic", "name", func(t *testing.T, tool any) {
			if toolsDig(tool, "input_schema.type") != "object" {
				t.Errorf("not an Anthropic tool: %v", tool)
			}
		}},
		{"?format=MCP", "name", func(t *testing.T, tool any) {
			if toolsDig(tool, "inputSchema.type") != "object" || toolsDig(tool, "annotations.readOnlyHint") != true {
				t.Errorf("not an MCP tool with annotations: %v", tool)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			out := e.ok("GET", "/api/v1/agents/sales/tools"+c.query, e.sales, "")
			tools, _ := out["tools"].([]any)
			var names []string
			for _, tool := range tools {
				names = append(names, toolsText(tool, c.namePath))
				if c.check != nil {
					c.check(t, tool)
				}
			}
			if !slices.Equal(names, want) {
				t.Fatalf("tools %v, want %v", names, want)
			}
		})
	}
	// The schema comes from the params and holds nothing filled elsewhere.
	out := e.ok("GET", "/api/v1/agents/support/tools?format=anthropic", e.support, "")
	for _, tool := range out["tools"].([]any) {
		if toolsText(tool, "name") != "create_ticket" {
			continue
		}
		props, _ := toolsDig(tool, "input_schema.properties").(map[string]any)
		if _, ok := props["subject"]; !ok || len(props) != 2 {
			t.Errorf("create_ticket properties %v, want subject and priority only", props)
		}
	}
}

func TestToolsCall(t *testing.T) {
	e := newToolsEnv(t)
	out := e.ok("POST", "/api/v1/agents/support/tools/get_order", e.support, `{"arguments":{"order_id":"A7"},"context":{"contact":{"email":"a@example.com"}}}`)
	if out["status"] != "ok" || !strings.Contains(toolsText(out, "output"), "shipped") || toolsText(out, "run_id") == "" {
		t.Fatalf("call result %v", out)
	}
	if raw, _ := toolsDig(out, "tokens.raw").(float64); raw <= 0 {
		t.Errorf("tokens %v, want counts", out["tokens"])
	}
	if e.Hits("GET", "/orders/A7") != 1 {
		t.Errorf("upstream hits %d, want 1", e.Hits("GET", "/orders/A7"))
	}

	// Invalid arguments are a result for the model, with HTTP 200.
	out = e.ok("POST", "/api/v1/agents/support/tools/get_order", e.support, `{"arguments":{"order_id":"nope","extra":1}}`)
	msg := toolsText(out, "output")
	if out["status"] != "error" || !strings.Contains(msg, "order_id") || !strings.Contains(msg, "extra") {
		t.Fatalf("invalid arguments result %v", out)
	}
	out = e.ok("POST", "/api/v1/agents/support/tools/get_order", e.support, "")
	if out["status"] != "error" || !strings.Contains(toolsText(out, "output"), "order_id") {
		t.Fatalf("call without body %v", out)
	}
	if e.Hits("GET", "/orders/nope") != 0 {
		t.Error("an invalid call reached the upstream")
	}
}

func TestToolsDeduplication(t *testing.T) {
	e := newToolsEnv(t)
	body := `{"arguments":{"order_id":"B2"},"context":{"conversation_id":"conv-1","call_id":"call-1"}}`
	first := e.ok("POST", "/api/v1/agents/support/tools/get_order", e.support, body)
	second := e.ok("POST", "/api/v1/agents/support/tools/get_order", e.support, body)
	if first["run_id"] == nil || first["run_id"] != second["run_id"] || first["output"] != second["output"] {
		t.Fatalf("repeat answered differently:\n%v\n%v", first, second)
	}
	if n := e.Hits("GET", "/orders/B2"); n != 1 {
		t.Fatalf("upstream hit %d times, want once", n)
	}
	// Another call id in the same conversation runs again; so does a call
	// without a conversation id.
	e.ok("POST", "/api/v1/agents/support/tools/get_order", e.support, strings.Replace(body, "call-1", "call-2", 1))
	e.ok("POST", "/api/v1/agents/support/tools/get_order", e.support, `{"arguments":{"order_id":"B2"}}`)
	e.ok("POST", "/api/v1/agents/support/tools/get_order", e.support, `{"arguments":{"order_id":"B2"}}`)
	if n := e.Hits("GET", "/orders/B2"); n != 4 {
		t.Fatalf("upstream hit %d times, want 4", n)
	}
}

func TestToolsBatch(t *testing.T) {
	e := newToolsEnv(t)
	type fn struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	}
	type call struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Function fn     `json:"function"`
	}
	calls := []call{
		{"call_order", "function", fn{"get_order", `{"order_id":"C3"}`}},
		{"call_badjson", "function", fn{"get_order", `{"order_id":`}},
		{"call_unknown", "function", fn{"send_email", `{}`}},
		{"call_inactive", "function", fn{"create_ticket", `{"subject":"help me"}`}},
		{"call_invalid", "function", fn{"get_order", `{"order_id":"lower"}`}},
	}
	for i := range 10 {
		calls = append(calls, call{"call_many_" + string(rune('a'+i)), "function", fn{"get_order", `{"order_id":"D` + string(rune('0'+i)) + `"}`}})
	}
	body := toolsJSON(t, map[string]any{"tool_calls": calls, "context": map[string]any{"conversation_id": "conv-batch"}})
	out := e.ok("POST", "/api/v1/agents/sales/tools", e.sales, body)
	msgs, _ := out["messages"].([]any)
	if len(msgs) != len(calls) {
		t.Fatalf("%d messages for %d calls: %v", len(msgs), len(calls), out)
	}
	for i, m := range msgs {
		if toolsText(m, "role") != "tool" || toolsText(m, "tool_call_id") != calls[i].ID {
			t.Fatalf("message %d is %v, want role tool answering %s", i, m, calls[i].ID)
		}
		if len(m.(map[string]any)) != 3 {
			t.Errorf("message %d has fields beyond role, tool_call_id and content: %v", i, m)
		}
	}
	content := func(i int) string { return toolsText(msgs[i], "content") }
	wants := []string{"shipped", "not a JSON object", `no tool named \"send_email\"`, `no tool named \"create_ticket\"`, "order_id"}
	for i, w := range wants {
		if !strings.Contains(content(i), w) {
			t.Errorf("message for %s is %q, want it to mention %q", calls[i].ID, content(i), w)
		}
	}
	for i := range 10 {
		if id := "D" + string(rune('0'+i)); !strings.Contains(content(5+i), id) {
			t.Errorf("message %d is %q, want the order %s: answers out of order", 5+i, content(5+i), id)
		}
	}
	if got := toolsText(out, "results.0.status"); got != "ok" {
		t.Errorf("results[0].status %q, want ok", got)
	}
	if got := toolsText(out, "results.4.status"); got != "error" {
		t.Errorf("results[4].status %q, want error", got)
	}

	// Each call's id is its call id: the same batch again is answered from
	// the record.
	again := e.ok("POST", "/api/v1/agents/sales/tools", e.sales, body)
	if toolsText(again, "results.0.run_id") != toolsText(out, "results.0.run_id") {
		t.Errorf("repeated batch ran again: %v vs %v", again["results"], out["results"])
	}
	if n := e.Hits("GET", "/orders/C3"); n != 1 {
		t.Errorf("upstream hit %d times for a repeated batch, want once", n)
	}
}

func TestToolsMoreResults(t *testing.T) {
	e := newToolsEnv(t)
	out := e.ok("POST", "/api/v1/agents/sales/tools/list_items", e.sales, "")
	handle := toolsText(out, "handle")
	if out["status"] != "ok" || handle == "" || !strings.Contains(toolsText(out, "output"), `more_results with {"handle":"`+handle+`"}`) {
		t.Fatalf("cut result without a handle: %v", out)
	}
	// Another agent cannot use the handle.
	other := e.ok("POST", "/api/v1/agents/support/tools/more_results", e.support, `{"arguments":{"handle":"`+handle+`"}}`)
	if other["status"] != "error" || !strings.Contains(toolsText(other, "output"), "unknown_handle") {
		t.Fatalf("another agent's handle answered %v", other)
	}

	item := regexp.MustCompile(`item-(\d+)`)
	seen := map[string]bool{}
	collect := func(output string) {
		for _, m := range item.FindAllStringSubmatch(output, -1) {
			seen[m[1]] = true
		}
	}
	collect(toolsText(out, "output"))
	pages := 1
	for handle != "" {
		if pages > gatewaytest.ItemCount {
			t.Fatal("more_results does not end")
		}
		next := e.ok("POST", "/api/v1/agents/sales/tools/more_results", e.sales, `{"arguments":{"handle":"`+handle+`"}}`)
		if next["status"] != "ok" {
			t.Fatalf("more_results: %v", next)
		}
		collect(toolsText(next, "output"))
		handle = toolsText(next, "handle")
		pages++
	}
	if len(seen) != gatewaytest.ItemCount || pages < 2 {
		t.Fatalf("paged through %d pages and saw %d distinct items, want all %d", pages, len(seen), gatewaytest.ItemCount)
	}
	if n := e.Hits("GET", "/items"); n != 1 {
		t.Errorf("paging hit the upstream %d times, want once", n)
	}
	if status, _ := e.send(http.MethodPost, "/api/v1/agents/sales/tools/more_results", e.support, `{"arguments":{"handle":"x"}}`); status != http.StatusForbidden {
		t.Errorf("support token on sales: status %d, want 403", status)
	}
}

func TestToolsMoreResultsDrillsDown(t *testing.T) {
	e := newToolsEnv(t)
	out := e.ok("POST", "/api/v1/agents/sales/tools/list_items", e.sales, "")
	handle := toolsText(out, "handle")
	if handle == "" || !strings.Contains(toolsText(out, "output"), `add "item" (an id or position) for one full record or "fields" (names)`) {
		t.Fatalf("cut result does not teach drilling down: %v", out)
	}
	for body, want := range map[string]string{
		// A position as a JSON number, an id as text.
		`{"arguments":{"handle":"` + handle + `","item":42}}`:                          `{"item":"42 of 200","record":{"name":"item-41","price":41}}`,
		`{"arguments":{"handle":"` + handle + `","item":"item-7"}}`:                    `{"item":"8 of 200","record":{"name":"item-7","price":7}}`,
		`{"arguments":{"handle":"` + handle + `","item":"item-7","fields":["price"]}}`: `{"item":"8 of 200","record":{"price":7}}`,
	} {
		got := e.ok("POST", "/api/v1/agents/sales/tools/more_results", e.sales, body)
		if got["status"] != "ok" || toolsText(got, "output") != want {
			t.Errorf("%s: %v, want output %s", body, got, want)
		}
	}
	fields := e.ok("POST", "/api/v1/agents/sales/tools/more_results", e.sales, `{"arguments":{"handle":"`+handle+`","fields":["price"]}}`)
	if fields["status"] != "ok" || !strings.HasPrefix(toolsText(fields, "output"), `{"items":[{"name":"item-0","price":0},{"name":"item-1","price":1},`) || toolsText(fields, "handle") == "" {
		t.Errorf("fields of every item: %v", fields)
	}
	bad := e.ok("POST", "/api/v1/agents/sales/tools/more_results", e.sales, `{"arguments":{"handle":"`+handle+`","fields":["colour"]}}`)
	if bad["status"] != "error" || !strings.Contains(toolsText(bad, "output"), `the fields there are name, price`) {
		t.Errorf("unknown field: %v", bad)
	}
	if n := e.Hits("GET", "/items"); n != 1 {
		t.Errorf("drilling down hit the upstream %d times, want once", n)
	}
}
