package mcpserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// leanTokenizer loads the token counter once for the package's internal
// tests.
var leanTokenizer = sync.OnceValues(respfilter.NewTokenizer)

// twin is one gateway served twice: by the handler as built (lean path
// on) and by one whose every request goes through the SDK.
type twin struct {
	*gatewaytest.Fixture
	lean, sdk *httptest.Server
	token     map[string]string
}

func newTwin(t *testing.T) *twin {
	tok, err := leanTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	tw := &twin{Fixture: gatewaytest.New(t, tok)}
	tw.Cfg.ConfirmApprovers = config.ApproversUser
	serve := func(lean bool) *httptest.Server {
		h := NewHandler(tw.G, []string{"https://app.example.com"})
		h.lean = lean
		mux := http.NewServeMux()
		mux.Handle("/mcp/{agent}", h)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv
	}
	tw.lean, tw.sdk = serve(true), serve(false)
	tw.token = map[string]string{"sales": tw.Token("sales"), "support": tw.Token("support")}
	return tw
}

// answer is a response as a client sees it: the status, the headers
// clients read and the body, decoded when it is JSON.
type answer struct {
	Status  int
	Header  map[string]string
	Body    any
	RawBody string
}

// send sends one request to srv.
func (tw *twin) send(t *testing.T, srv *httptest.Server, r leanCase) answer {
	t.Helper()
	agent := r.agent
	if agent == "" {
		agent = "sales"
	}
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, srv.URL+"/mcp/"+agent, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+tw.token[agent])
	for k, v := range r.header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a := answer{Status: resp.StatusCode, Header: map[string]string{}, RawBody: string(body)}
	for _, k := range []string{"Content-Type", "Cache-Control", "Allow", "Mcp-Session-Id", "Mcp-Protocol-Version",
		"Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Vary"} {
		if v := resp.Header.Values(k); len(v) > 0 {
			a.Header[k] = strings.Join(v, "; ")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&a.Body) != nil {
		a.Body = string(body)
	}
	a.Body = normalize(a.Body)
	if batch, ok := a.Body.([]any); ok {
		// The SDK answers the requests of a batch in the order they finish.
		sort.Slice(batch, func(i, j int) bool { return fmt.Sprint(batch[i]) < fmt.Sprint(batch[j]) })
	}
	return a
}

// perCall matches what differs from one call to the next: run, confirmation
// and handle ids.
var perCall = regexp.MustCompile(`(cf_|h_|hd_)?[0-9a-z]{26}`)

// normalize replaces the per-call ids in a decoded body.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case string:
		return perCall.ReplaceAllString(x, "<id>")
	}
	return v
}

// leanCase is one request of the equivalence test.
type leanCase struct {
	name, agent, method, body string
	header                    map[string]string
	// lean marks requests the lean path must answer itself.
	lean bool
}

// modernMeta is the _meta of a request of protocol 2026-07-28 with the
// client's capabilities caps.
func modernMeta(version, caps string) string {
	return fmt.Sprintf(`{"io.modelcontextprotocol/protocolVersion":%q,"io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":%s}`, version, caps)
}

// leanCases are the requests sent on protocol version v ("" for no
// Mcp-Protocol-Version header).
func leanCases(v string) []leanCase {
	modern := v >= perRequestProtocol
	h := func(method, name string) map[string]string {
		m := map[string]string{"Mcp-Protocol-Version": v}
		if modern {
			m["Mcp-Method"], m["Mcp-Name"] = method, name
		}
		return m
	}
	meta := func(extra string) string {
		if !modern {
			if extra == "" {
				return ""
			}
			return `"_meta":{` + extra + `},`
		}
		m := modernMeta(v, "{}")
		if extra != "" {
			m = strings.TrimSuffix(m, "}") + "," + extra + "}"
		}
		return `"_meta":` + m + `,`
	}
	call := func(id, tool, args, extra string) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{%s"name":%q,"arguments":%s}}`, id, meta(extra), tool, args)
	}
	list := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{%s}}`, strings.TrimSuffix(meta(""), ","))
	cases := []leanCase{
		{name: "tools/list", body: list, header: h("tools/list", ""), lean: true},
		{name: "tools/list id string", body: strings.Replace(list, `"id":1`, `"id":"a-1"`, 1), header: h("tools/list", ""), lean: true},
		{name: "tools/list of support", agent: "support", body: list, header: h("tools/list", ""), lean: true},
		{name: "tools/list cursor", body: strings.Replace(list, `"params":{`, `"params":{"cursor":"x",`, 1), header: h("tools/list", "")},
		{name: "tools/call ok", body: call("2", "get_order", `{"order_id":"A1"}`, ""), header: h("tools/call", "get_order"), lean: true},
		{name: "tools/call ok html", body: call("2", "get_order", `{"order_id":"A1"}`, `"actiongate/vars":{"x":"<&>"}`), header: h("tools/call", "get_order"), lean: true},
		{name: "tools/call big id", body: call("9007199254740993", "get_order", `{"order_id":"A1"}`, ""), header: h("tools/call", "get_order"), lean: true},
		{name: "tools/call tool error", body: call("3", "get_order", `{"order_id":7}`, ""), header: h("tools/call", "get_order"), lean: true},
		{name: "tools/call upstream 404", body: call("3", "get_order", `{"order_id":"Z404"}`, ""), header: h("tools/call", "get_order"), lean: true},
		{name: "tools/call cut result", body: call("4", "list_items", `{}`, ""), header: h("tools/call", "list_items"), lean: true},
		{name: "tools/call no arguments", body: strings.Replace(call("4", "list_items", `null`, ""), `,"arguments":null`, "", 1), header: h("tools/call", "list_items"), lean: true},
		{name: "tools/call null arguments", body: call("4", "list_items", `null`, ""), header: h("tools/call", "list_items"), lean: true},
		{name: "tools/call arguments string", body: call("5", "get_order", `"A1"`, ""), header: h("tools/call", "get_order"), lean: true},
		{name: "tools/call arguments array", body: call("5", "get_order", `["A1"]`, ""), header: h("tools/call", "get_order"), lean: true},
		{name: "tools/call bad meta", body: call("5", "get_order", `{"order_id":"A1"}`, `"actiongate/call_id":7,"actiongate/conversation_id":"c"`), header: h("tools/call", "get_order"), lean: true},
		{name: "tools/call unknown tool", body: call("6", "nope", `{}`, ""), header: h("tools/call", "nope")},
		{name: "tools/call not activated", body: call("6", "create_ticket", `{"subject":"hello"}`, ""), header: h("tools/call", "create_ticket")},
		{name: "tools/call more_results bad handle", body: call("7", "more_results", `{"handle":"nope"}`, ""), header: h("tools/call", "more_results"), lean: true},
		{name: "tools/call more_results drill down", body: call("7", "more_results", `{"handle":"nope","item":42,"fields":["price"]}`, ""), header: h("tools/call", "more_results"), lean: true},
		{name: "tools/call more_results bad item", body: call("7", "more_results", `{"handle":"nope","item":true}`, ""), header: h("tools/call", "more_results"), lean: true},
		{name: "tools/call confirmation", agent: "support", body: call("8", "create_ticket", `{"subject":"Refund please"}`, `"actiongate/contact":{"email":"bo@example.com"}`), header: h("tools/call", "create_ticket"), lean: true},
		{name: "tools/call name missing", body: `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{` + strings.TrimSuffix(meta(""), ",") + `}}`, header: h("tools/call", "")},
		{name: "tools/call name number", body: strings.Replace(call("9", "get_order", `{}`, ""), `"name":"get_order"`, `"name":5`, 1), header: h("tools/call", "get_order")},
		{name: "tools/call params array", body: `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":[1]}`, header: h("tools/call", "get_order")},
		{name: "tools/call no params", body: `{"jsonrpc":"2.0","id":9,"method":"tools/call"}`, header: h("tools/call", "get_order")},
		{name: "tools/call Method key", body: `{"jsonrpc":"2.0","id":9,"Method":"tools/call","params":{"name":"get_order"}}`, header: h("tools/call", "get_order")},
		{name: "tools/call extra member", body: strings.Replace(call("9", "get_order", `{"order_id":"A1"}`, ""), `"jsonrpc":"2.0",`, `"jsonrpc":"2.0","x":1,`, 1), header: h("tools/call", "get_order")},
		{name: "tools/call task", body: strings.Replace(call("9", "get_order", `{"order_id":"A1"}`, ""), `"name":"get_order"`, `"task":{},"name":"get_order"`, 1), header: h("tools/call", "get_order")},
		{name: "tools/call id null", body: call("null", "get_order", `{"order_id":"A1"}`, ""), header: h("tools/call", "get_order")},
		{name: "tools/call id fraction", body: call("1.5", "get_order", `{"order_id":"A1"}`, ""), header: h("tools/call", "get_order")},
		{name: "tools/call as notification", body: strings.Replace(call("1", "get_order", `{"order_id":"A1"}`, ""), `"id":1,`, "", 1), header: h("tools/call", "get_order")},
		{name: "tools/call jsonrpc 1.0", body: strings.Replace(call("1", "get_order", `{"order_id":"A1"}`, ""), `"2.0"`, `"1.0"`, 1), header: h("tools/call", "get_order")},
		{name: "tools/call trailing data", body: call("1", "get_order", `{"order_id":"A1"}`, "") + `{}`, header: h("tools/call", "get_order")},
		{name: "tools/call deep arguments", body: call("1", "get_order", strings.Repeat(`{"a":`, 1001)+"1"+strings.Repeat("}", 1001), ""), header: h("tools/call", "get_order")},
		{name: "tools/call Last-Event-ID", body: call("1", "get_order", `{"order_id":"A1"}`, ""), header: with(h("tools/call", "get_order"), "Last-Event-ID", "1")},
		{name: "tools/call Mcp-Param header", body: call("1", "get_order", `{"order_id":"A1"}`, ""), header: with(h("tools/call", "get_order"), "Mcp-Param-Order-Id", "A1")},
		{name: "tools/call session header", body: call("1", "get_order", `{"order_id":"A1"}`, ""), header: with(h("tools/call", "get_order"), "Mcp-Session-Id", "abc"), lean: true},
		{name: "ping", body: `{"jsonrpc":"2.0","id":1,"method":"ping"}`, header: h("ping", "")},
		{name: "initialize", body: fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":%q,"capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`, v), header: h("initialize", "")},
		{name: "server/discover", body: `{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{` + strings.TrimSuffix(meta(""), ",") + `}}`, header: h("server/discover", "")},
		{name: "notification initialized", body: `{"jsonrpc":"2.0","method":"notifications/initialized"}`, header: h("notifications/initialized", "")},
		{name: "notification unknown", body: `{"jsonrpc":"2.0","method":"notifications/whatever"}`, header: h("notifications/whatever", "")},
		{name: "unknown method", body: `{"jsonrpc":"2.0","id":1,"method":"prompts/list"}`, header: h("prompts/list", "")},
		{name: "malformed JSON", body: `{"jsonrpc":`, header: h("tools/list", "")},
		{name: "empty body", body: ``, header: h("tools/list", "")},
		{name: "batch", body: `[` + list + `]`, header: h("tools/list", "")},
		{name: "batch of two", body: `[` + list + `,` + strings.Replace(list, `"id":1`, `"id":2`, 1) + `]`, header: h("tools/list", "")},
		{name: "response message", body: `{"jsonrpc":"2.0","id":1,"result":{}}`, header: h("tools/list", "")},
		{name: "GET", method: http.MethodGet, header: h("", "")},
		{name: "DELETE", method: http.MethodDelete, header: with(h("", ""), "Mcp-Session-Id", "abc")},
		{name: "wrong Accept", body: list, header: with(h("tools/list", ""), "Accept", "application/json")},
		{name: "wrong Content-Type", body: list, header: with(h("tools/list", ""), "Content-Type", "text/plain")},
		{name: "Content-Type with charset", body: list, header: with(h("tools/list", ""), "Content-Type", "application/json; charset=utf-8"), lean: true},
		{name: "foreign origin", body: list, header: with(h("tools/list", ""), "Origin", "https://evil.example")},
		{name: "allowed origin", body: list, header: with(h("tools/list", ""), "Origin", "https://app.example.com"), lean: true},
	}
	if modern {
		elicit := strings.Replace(call("8", "create_ticket", `{"subject":"Refund please"}`, ""), `"io.modelcontextprotocol/clientCapabilities":{}`, `"io.modelcontextprotocol/clientCapabilities":{"elicitation":{"form":{}}}`, 1)
		cases = append(cases,
			leanCase{name: "tools/call elicitation", agent: "support", body: elicit, header: h("tools/call", "create_ticket"), lean: true},
			leanCase{name: "tools/call elicitation without mode", agent: "support", body: strings.Replace(elicit, `{"form":{}}`, `{}`, 1), header: h("tools/call", "create_ticket"), lean: true},
			leanCase{name: "tools/call url elicitation only", agent: "support", body: strings.Replace(elicit, `{"form":{}}`, `{"url":{}}`, 1), header: h("tools/call", "create_ticket"), lean: true},
			leanCase{name: "tools/call no Mcp-Method", body: call("1", "get_order", `{"order_id":"A1"}`, ""), header: with(h("tools/call", "get_order"), "Mcp-Method", "")},
			leanCase{name: "tools/call wrong Mcp-Name", body: call("1", "get_order", `{"order_id":"A1"}`, ""), header: with(h("tools/call", "get_order"), "Mcp-Name", "list_items")},
			leanCase{name: "tools/call _meta version differs", body: strings.Replace(call("1", "get_order", `{"order_id":"A1"}`, ""), `/protocolVersion":"`+v, `/protocolVersion":"2099-01-01`, 1), header: h("tools/call", "get_order")},
			leanCase{name: "tools/call no capabilities", body: strings.Replace(call("1", "get_order", `{"order_id":"A1"}`, ""), `,"io.modelcontextprotocol/clientCapabilities":{}`, "", 1), header: h("tools/call", "get_order")},
			leanCase{name: "tools/call null clientInfo", body: strings.Replace(call("1", "get_order", `{"order_id":"A1"}`, ""), `{"name":"t","version":"1"}`, "null", 1), header: h("tools/call", "get_order")},
			leanCase{name: "tools/call capabilities not an object", body: strings.Replace(call("1", "get_order", `{"order_id":"A1"}`, ""), `"io.modelcontextprotocol/clientCapabilities":{}`, `"io.modelcontextprotocol/clientCapabilities":5`, 1), header: h("tools/call", "get_order")},
			leanCase{name: "tools/call no _meta", body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_order","arguments":{"order_id":"A1"}}}`, header: h("tools/call", "get_order")},
			leanCase{name: "unknown version", body: list, header: with(h("tools/list", ""), "Mcp-Protocol-Version", "2099-01-01")},
		)
	} else {
		cases = append(cases,
			leanCase{name: "tools/call _meta protocol version", body: call("1", "get_order", `{"order_id":"A1"}`, `"io.modelcontextprotocol/protocolVersion":"2026-07-28"`), header: h("tools/call", "get_order")},
			leanCase{name: "tools/list without params", body: `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, header: h("tools/list", ""), lean: true},
		)
	}
	return cases
}

// with returns a copy of header with k set to v ("" removes it).
func with(header map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for hk, hv := range header {
		if hk != k {
			out[hk] = hv
		}
	}
	return out
}

// TestLeanPathMatchesSDK sends every kind of request, on every protocol
// version, to the lean path and to the SDK alone, and requires the same
// answer: status, headers and body, but for the ids of runs,
// confirmations and handles. Requests marked lean must be ones the lean
// path answers itself, so the comparison covers it.
func TestLeanPathMatchesSDK(t *testing.T) {
	tw := newTwin(t)
	for _, v := range append(mcp.SupportedProtocolVersions(), "") {
		for _, c := range leanCases(v) {
			t.Run(v+" "+c.name, func(t *testing.T) {
				if c.lean != takesLean(c) {
					t.Fatalf("lean path takes it: %v, want %v", !c.lean, c.lean)
				}
				sdk := tw.send(t, tw.sdk, c)
				lean := tw.send(t, tw.lean, c)
				if !reflect.DeepEqual(sdk.Status, lean.Status) || !reflect.DeepEqual(sdk.Header, lean.Header) || !reflect.DeepEqual(sdk.Body, lean.Body) {
					t.Fatalf("answers differ\nSDK:  %d %v\n%s\nlean: %d %v\n%s", sdk.Status, sdk.Header, sdk.RawBody, lean.Status, lean.Header, lean.RawBody)
				}
			})
		}
	}
}

// takesLean reports whether the lean path answers c itself (its checks,
// without running the call).
func takesLean(c leanCase) bool {
	header := http.Header{}
	header.Set("Accept", "application/json, text/event-stream")
	header.Set("Content-Type", "application/json")
	for k, v := range c.header {
		if v != "" {
			header.Set(k, v)
		} else {
			header.Del(k)
		}
	}
	if (c.method != "" && c.method != http.MethodPost) || !acceptsBoth(header.Values("Accept")) || !isJSON(header.Get("Content-Type")) {
		return false
	}
	if o := header.Get("Origin"); o != "" && o != "https://app.example.com" {
		return false
	}
	lc, ok := parseLean(header, []byte(c.body))
	if !ok || lc.method == "tools/list" {
		return ok
	}
	tools := map[string]bool{"get_order": true, "list_items": true, "more_results": true}
	if c.agent == "support" {
		tools = map[string]bool{"get_order": true, "list_items": true, "more_results": true, "create_ticket": true, "cancel_order": true}
	}
	_, ok = (&agentServer{tools: tools}).callParams(lc)
	return ok
}
