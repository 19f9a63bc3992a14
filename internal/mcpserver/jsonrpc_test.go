package mcpserver_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/httpkit"
)

// rpcAnswer is a JSON-RPC error response in the documented shape.
type rpcAnswer struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   *struct {
		Code    int64  `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// decodeRPCError decodes body as exactly one JSON-RPC error response.
func decodeRPCError(t *testing.T, body []byte) rpcAnswer {
	t.Helper()
	var a rpcAnswer
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil || a.JSONRPC != "2.0" || a.ID == nil || a.Error == nil || a.Error.Message == "" {
		t.Fatalf("not a JSON-RPC error response: %s (%v)", body, err)
	}
	return a
}

// rawPost posts body to the sales agent's endpoint with a protocol version
// header ("" for none) and returns the status and body.
func (e *env) rawPost(body, version string, header map[string]string) (int, []byte) {
	e.T.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/mcp/sales", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+e.sales)
	if version != "" {
		req.Header.Set("Mcp-Protocol-Version", version)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestHTTPJSONRPCErrors sends, on every protocol version the SDK supports,
// messages the server cannot take and checks each answer is a JSON-RPC
// error with the standard code and the right status, never plain text.
func TestHTTPJSONRPCErrors(t *testing.T) {
	e := newEnv(t)
	listBatch := `[{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}]`
	for _, version := range append(mcp.SupportedProtocolVersions(), "") {
		notFound, badParams := http.StatusOK, http.StatusOK // the answer to the request
		if version >= "2026-07-28" {
			notFound, badParams = http.StatusNotFound, http.StatusBadRequest // SEP-2575
		}
		cases := []struct {
			name, body string
			header     map[string]string
			status     int
			code       int64
			id         string
		}{
			{"unknown method", `{"jsonrpc":"2.0","id":7,"method":"tools/destroy","params":{}}`, nil, notFound, jsonrpc.CodeMethodNotFound, "7"},
			{"prompts/list", `{"jsonrpc":"2.0","id":"p","method":"prompts/list","params":{}}`, nil, notFound, jsonrpc.CodeMethodNotFound, `"p"`},
			{"resources/list", `{"jsonrpc":"2.0","id":8,"method":"resources/list"}`, nil, notFound, jsonrpc.CodeMethodNotFound, "8"},
			{"params not an object", `{"jsonrpc":"2.0","id":10,"method":"tools/list","params":[1]}`, nil, badParams, jsonrpc.CodeInvalidParams, "10"},
			{"tools/call without params", `{"jsonrpc":"2.0","id":11,"method":"tools/call"}`, nil, badParams, jsonrpc.CodeInvalidParams, "11"},
			{"initialize with mistyped params", `{"jsonrpc":"2.0","id":12,"method":"initialize","params":{"protocolVersion":5}}`, nil, badParams, jsonrpc.CodeInvalidParams, "12"},
			{"not JSON", `hello`, nil, 400, jsonrpc.CodeParseError, "null"},
			{"truncated JSON", `{"jsonrpc":"2.0","id":1,"method":"tools/li`, nil, 400, jsonrpc.CodeParseError, "null"},
			{"not a message", `{"foo":1}`, nil, 400, jsonrpc.CodeInvalidRequest, "null"},
			{"wrong version tag", `{"jsonrpc":"1.0","id":3,"method":"tools/list"}`, nil, 400, jsonrpc.CodeInvalidRequest, "3"},
			{"null id", `{"jsonrpc":"2.0","id":null,"method":"tools/list"}`, nil, 400, jsonrpc.CodeInvalidRequest, "null"},
			{"fractional id", `{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}`, nil, 400, jsonrpc.CodeInvalidRequest, "null"},
			{"request without id", `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"get_order"}}`, nil, 400, jsonrpc.CodeInvalidRequest, "null"},
			{"notification with params not an object", `{"jsonrpc":"2.0","method":"notifications/cancelled","params":5}`, nil, 400, jsonrpc.CodeInvalidParams, "null"},
			{"empty body", ``, nil, 400, jsonrpc.CodeInvalidRequest, "null"},
			{"arguments nested 9,900 deep", `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"get_order","arguments":` +
				strings.Repeat(`{"a":`, 9900) + "1" + strings.Repeat("}", 9900) + `}}`, nil, 400, jsonrpc.CodeInvalidRequest, "9"},
			{"empty batch", `[]`, nil, 400, jsonrpc.CodeInvalidRequest, "null"},
			{"body too large", `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"` + strings.Repeat("a", httpkit.MaxBodyBytes) + `"}}`, nil, 413, jsonrpc.CodeInvalidRequest, "null"},
			{"wrong media type", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, map[string]string{"Content-Type": "text/plain"}, 415, jsonrpc.CodeInvalidRequest, "null"},
			{"Accept without event streams", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, map[string]string{"Accept": "application/json"}, 400, jsonrpc.CodeInvalidRequest, "null"},
		}
		if version >= "2025-06-18" {
			cases = append(cases, struct {
				name, body string
				header     map[string]string
				status     int
				code       int64
				id         string
			}{"batch on a version without batches", listBatch, nil, 400, jsonrpc.CodeInvalidRequest, "null"})
		}
		for _, c := range cases {
			t.Run(version+" "+c.name, func(t *testing.T) {
				status, body := e.rawPost(c.body, version, c.header)
				if status != c.status {
					t.Errorf("status %d, want %d: %s", status, c.status, body)
				}
				a := decodeRPCError(t, body)
				if a.Error.Code != c.code || string(a.ID) != c.id {
					t.Fatalf("error code %d id %s, want %d id %s: %s", a.Error.Code, a.ID, c.code, c.id, body)
				}
			})
		}
	}
}

// TestHTTPJSONRPCBatchesWhereAllowed: 2024-11-05 and 2025-03-26 (also the
// version assumed without a header) have batches, which are served.
func TestHTTPJSONRPCBatchesWhereAllowed(t *testing.T) {
	e := newEnv(t)
	for _, version := range []string{"2024-11-05", "2025-03-26", ""} {
		status, body := e.rawPost(`[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","id":2,"method":"ping"}]`, version, nil)
		var answers []map[string]any
		if status != 200 || json.Unmarshal(body, &answers) != nil || len(answers) != 2 || !strings.Contains(string(body), `"get_order"`) {
			t.Errorf("batch on %q: %d %s", version, status, body)
		}
	}
	status, _ := e.rawPost(`{"jsonrpc":"2.0","method":"notifications/unheard-of"}`, "2025-06-18", nil)
	if status != http.StatusAccepted {
		t.Errorf("notification of an unknown method: %d, want 202 (dropped, never answered)", status)
	}
}

// TestNoPromptsOrResources connects the SDK client on every protocol
// version: the server declares only tools, and prompts/list and
// resources/list are method-not-found.
func TestNoPromptsOrResources(t *testing.T) {
	e := newEnv(t)
	for _, version := range mcp.SupportedProtocolVersions() {
		t.Run(version, func(t *testing.T) {
			cs := e.connect("sales", e.sales, version, nil)
			checkNoPromptsOrResources(t, cs)
		})
	}
	t.Run("stdio", func(t *testing.T) {
		checkNoPromptsOrResources(t, e.stdio(t, "sales", legacyProtocol, nil))
	})
}

func checkNoPromptsOrResources(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	if caps := cs.InitializeResult().Capabilities; caps.Prompts != nil || caps.Resources != nil || caps.Tools == nil {
		t.Errorf("declared capabilities %+v, want tools only", caps)
	}
	_, err := cs.ListPrompts(t.Context(), nil)
	checkMethodNotFound(t, "prompts/list", err)
	_, err = cs.ListResources(t.Context(), nil)
	checkMethodNotFound(t, "resources/list", err)
	if names := toolNames(t, cs); len(names) == 0 {
		t.Error("no tools after the refused requests")
	}
}

func checkMethodNotFound(t *testing.T, method string, err error) {
	t.Helper()
	var werr *jsonrpc.Error
	if !errors.As(err, &werr) || werr.Code != jsonrpc.CodeMethodNotFound {
		t.Errorf("%s: %v, want a JSON-RPC error %d", method, err, jsonrpc.CodeMethodNotFound)
	}
}
