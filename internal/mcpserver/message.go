package mcpserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Both transports check every incoming payload here before the SDK reads
// it: the SDK's stdio transport ends the session on the first message it
// cannot decode, and its HTTP handler answers such messages, unknown
// methods and oversized bodies with plain-text bodies. The server answers
// these itself, as JSON-RPC errors with the standard codes.

// rpcError is a JSON-RPC error answered by the server in front of the SDK.
type rpcError struct {
	id      json.RawMessage // the request's id as sent; nil when unknown (sent as null)
	code    int64
	message string
}

// errorf returns an rpcError for the message with id (nil when unknown).
func errorf(id json.RawMessage, code int64, format string, args ...any) *rpcError {
	return &rpcError{id: id, code: code, message: fmt.Sprintf(format, args...)}
}

// encode returns the error response, {"jsonrpc":"2.0","id":...,"error":{...}}.
func (e *rpcError) encode() []byte {
	resp := errorResponse{JSONRPC: "2.0", ID: e.id, Error: wireError{Code: e.code, Message: e.message}}
	if resp.ID == nil {
		resp.ID = json.RawMessage("null")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(resp)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// errorResponse is a JSON-RPC error response on the wire.
type errorResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   wireError       `json:"error"`
}

// wireError is the error object of an errorResponse.
type wireError struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
}

// servedMethod reports whether the server serves method, whether it is a
// request (else a notification) and whether it needs params. The server
// declares only the tools capability, so prompts/*, resources/*,
// completion/complete and logging/setLevel are not served, although the
// SDK would answer them (empty lists): by the specification a method
// behind an undeclared capability is not found.
func servedMethod(method string) (ok, call, needsParams bool) {
	switch method {
	case "ping", "tools/list", "server/discover":
		return true, true, false
	case "initialize", "tools/call", "subscriptions/listen":
		return true, true, true
	case "notifications/initialized", "notifications/cancelled", "notifications/roots/list_changed":
		return true, false, false
	case "notifications/progress":
		return true, false, true
	}
	return false, false, false
}

// batchesAllowed reports whether protocol version has JSON-RPC batches.
// 2025-03-26 added batching to MCP and 2025-06-18 removed it; later
// versions have none. 2024-11-05 is plain JSON-RPC 2.0, which has batches,
// and the SDK accepts them there too. Before a version is agreed ("") there
// are none: initialize must not be part of a batch.
func batchesAllowed(version string) bool {
	return version == "2024-11-05" || version == "2025-03-26"
}

// checkPayload validates one payload (a stdio line or an HTTP body): one
// JSON-RPC message, or a batch of them where version allows batches. It
// returns the decoded messages or the error to answer. A batch with a bad
// message is refused whole.
func checkPayload(raw []byte, version string) ([]jsonrpc.Message, *rpcError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errorf(nil, jsonrpc.CodeInvalidRequest, "empty message: send one JSON-RPC message as a JSON object")
	}
	var v json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errorf(nil, jsonrpc.CodeParseError, "parse error: the message is not valid JSON (%v)", err)
	}
	if raw[0] != '[' {
		msg, rerr := checkMessage(raw)
		if rerr != nil {
			return nil, rerr
		}
		return []jsonrpc.Message{msg}, nil
	}
	if !batchesAllowed(version) {
		if version == "" {
			return nil, errorf(nil, jsonrpc.CodeInvalidRequest, "JSON-RPC batches are not accepted before initialize; send one message at a time")
		}
		return nil, errorf(nil, jsonrpc.CodeInvalidRequest, "JSON-RPC batches are not part of protocol version %s; send one message at a time", version)
	}
	return checkBatch(raw)
}

// checkBatch validates the messages of a batch; the ids of its requests
// must differ.
func checkBatch(raw []byte) ([]jsonrpc.Message, *rpcError) {
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, errorf(nil, jsonrpc.CodeInvalidRequest, "invalid batch: %v", err)
	}
	if len(elems) == 0 {
		return nil, errorf(nil, jsonrpc.CodeInvalidRequest, "empty batch: a batch holds at least one message")
	}
	msgs := make([]jsonrpc.Message, 0, len(elems))
	ids := map[jsonrpc.ID]bool{}
	for i, elem := range elems {
		msg, rerr := checkMessage(elem)
		if rerr != nil {
			rerr.message = fmt.Sprintf("batch message %d: %s", i, rerr.message)
			return nil, rerr
		}
		if req, ok := msg.(*jsonrpc.Request); ok && req.IsCall() {
			if ids[req.ID] {
				return nil, errorf(nil, jsonrpc.CodeInvalidRequest, "batch message %d: id %v is used twice in the batch", i, req.ID.Raw())
			}
			ids[req.ID] = true
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// envelope holds the members of a message as sent, to check them before
// the SDK decodes it: the SDK turns a null id into a notification and
// truncates a fractional id.
type envelope struct {
	JSONRPC json.RawMessage `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  json.RawMessage `json:"method"`
	Result  json.RawMessage `json:"result"`
	Error   json.RawMessage `json:"error"`
}

// checkMessage validates one JSON-RPC message (valid JSON) and decodes it.
func checkMessage(raw []byte) (jsonrpc.Message, *rpcError) {
	raw = bytes.TrimSpace(raw)
	var env envelope
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &env) != nil {
		return nil, errorf(nil, jsonrpc.CodeInvalidRequest, "invalid request: a JSON-RPC message is a JSON object")
	}
	id, idErr := checkID(env.ID)
	if idErr != "" {
		return nil, errorf(nil, jsonrpc.CodeInvalidRequest, "invalid request: %s", idErr)
	}
	if string(env.JSONRPC) != `"2.0"` {
		return nil, errorf(id, jsonrpc.CodeInvalidRequest, `invalid request: "jsonrpc" must be "2.0"`)
	}
	switch {
	case env.Method != nil:
		if env.Method[0] != '"' {
			return nil, errorf(id, jsonrpc.CodeInvalidRequest, `invalid request: "method" must be a string`)
		}
		if env.Result != nil || env.Error != nil {
			return nil, errorf(id, jsonrpc.CodeInvalidRequest, `invalid request: a request has no "result" or "error"`)
		}
	case id == nil:
		return nil, errorf(nil, jsonrpc.CodeInvalidRequest, `invalid request: a message needs "method" (a request) or "id" with "result" or "error" (a response)`)
	case (env.Result == nil) == (env.Error == nil):
		return nil, errorf(id, jsonrpc.CodeInvalidRequest, `invalid response: a response has exactly one of "result" and "error"`)
	}
	msg, err := jsonrpc.DecodeMessage(raw)
	if err != nil {
		return nil, errorf(id, jsonrpc.CodeInvalidRequest, "invalid message: %v", err)
	}
	return msg, nil
}

// checkID returns a message's id when it is absent (nil) or valid (a
// string or an integer), or why it is not: MCP ids are never null.
func checkID(raw json.RawMessage) (json.RawMessage, string) {
	if raw == nil {
		return nil, ""
	}
	switch {
	case string(raw) == "null":
		return nil, `"id" must be a string or an integer, not null`
	case raw[0] == '"':
		return raw, ""
	case strings.ContainsAny(string(raw), ".eE") || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')):
		return nil, `"id" must be a string or an integer`
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, `"id" must be a string or an integer`
	}
	if _, err := n.Int64(); err != nil {
		return nil, `"id" is an integer out of range`
	}
	return raw, ""
}

// refusal is the answer to a payload holding a request the server does
// not take: -32601 for an unknown method; -32600 for a request sent as a
// notification or the reverse; -32602 for params that are not an object
// or are missing where required (the SDK answers these with code 0 or
// plain text). A notification of an unknown method alone is dropped (drop
// is true), as JSON-RPC never answers notifications and newer clients may
// send ones this server does not know; other refused notifications are
// answered with id null. A batch holding any of these is refused whole.
func refusal(msgs []jsonrpc.Message) (rerr *rpcError, drop bool) {
	for _, m := range msgs {
		req, ok := m.(*jsonrpc.Request)
		if !ok {
			continue
		}
		rerr := refuseRequest(req)
		switch {
		case rerr == nil:
			continue
		case !req.IsCall() && rerr.code == jsonrpc.CodeMethodNotFound && len(msgs) == 1:
			return nil, true
		}
		return rerr, false
	}
	return nil, false
}

// refuseRequest returns why the server does not take req, or nil.
func refuseRequest(req *jsonrpc.Request) *rpcError {
	var id json.RawMessage
	if req.IsCall() {
		id, _ = json.Marshal(req.ID.Raw())
	}
	ok, call, needsParams := servedMethod(req.Method)
	params := bytes.TrimSpace(req.Params)
	switch {
	case !ok:
		return errorf(id, jsonrpc.CodeMethodNotFound, "method not found: %q (this server serves tools only)", req.Method)
	case call && !req.IsCall():
		return errorf(nil, jsonrpc.CodeInvalidRequest, "invalid request: %q is a request and needs an id", req.Method)
	case !call && req.IsCall():
		return errorf(id, jsonrpc.CodeInvalidRequest, "invalid request: %q is a notification, sent without an id", req.Method)
	case len(params) > 0 && params[0] != '{' && string(params) != "null":
		return errorf(id, jsonrpc.CodeInvalidParams, `invalid params: "params" of %q must be an object`, req.Method)
	case needsParams && (len(params) == 0 || string(params) == "null"):
		return errorf(id, jsonrpc.CodeInvalidParams, `invalid params: %q needs "params"`, req.Method)
	case req.Method == "initialize":
		// The SDK answers initialize params it cannot decode with code 0.
		var p mcp.InitializeParams
		if err := json.Unmarshal(params, &p); err != nil {
			return errorf(id, jsonrpc.CodeInvalidParams, "invalid params of initialize: %v", err)
		}
	}
	return nil
}
