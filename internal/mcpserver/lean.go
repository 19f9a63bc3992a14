package mcpserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	sdkjson "github.com/segmentio/encoding/json"
)

// The SDK's stateless handler builds a whole server session for every
// request (a connection, its goroutines, a stream, the request decoded
// again), which costs several times the gateway call itself. Clients
// spend nearly all their requests on tools/list and tools/call, so those
// two, when they are plain single requests, are answered here with the
// same bytes on the wire as the SDK's: the same result types encoded by
// the SDK's own encoder, the same headers and status. Everything else
// (initialize, server/discover, ping, notifications, batches, errors,
// cursors, elicitation answers, unusual headers or shapes) goes on to the
// SDK unchanged, so a request the lean path is not sure of is never
// answered differently. lean_test.go sends every kind of request to both
// paths and compares the answers.

// Header names of the streamable HTTP transport the lean path checks.
const (
	headerProtocolVersion = "Mcp-Protocol-Version"
	headerMethod          = "Mcp-Method"
	headerName            = "Mcp-Name"
	headerParamPrefix     = "Mcp-Param-"
	headerLastEventID     = "Last-Event-Id"
)

// sdkMaxDepth is the deepest nesting of objects and arrays the SDK
// decodes; it refuses deeper messages.
const sdkMaxDepth = 1000

// leanCall is a tools/list or tools/call request the lean path answers.
type leanCall struct {
	id     jsonrpc.ID
	method string
	params leanParams
	meta   leanMeta
	// modern is set for protocol 2026-07-28 and later, whose requests
	// carry their protocol version and client capabilities in _meta.
	modern bool
	// elicit is set when the request's client capabilities declare form
	// elicitation (modern requests only: a stateless request of an older
	// version has no capabilities).
	elicit bool
}

// leanMessage is a request as the lean path takes it: nothing but these
// members.
type leanMessage struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// leanParams are the params of a tools/list (only _meta) or tools/call
// the lean path takes: a cursor, an elicitation's answer or any other
// member sends the request to the SDK.
type leanParams struct {
	Name      *string         `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Meta      json.RawMessage `json:"_meta"`
}

// serveLean answers a tools/list or tools/call request and reports
// whether it did; when it did not, nothing was written and the SDK serves
// the request.
func (h *Handler) serveLean(w http.ResponseWriter, r *http.Request, body []byte, as *agentServer) bool {
	c, ok := parseLean(r.Header, body)
	if !ok {
		return false
	}
	result := as.list[boolIndex(c.modern)]
	if c.method == "tools/call" {
		p, ok := as.callParams(c)
		if !ok {
			return false
		}
		res, err := as.ts.run(r.Context(), p, c.elicit)
		if err != nil {
			return false
		}
		if result, err = as.encodeCall(res, c.modern); err != nil {
			return false
		}
	}
	id, err := json.Marshal(c.id.Raw())
	if err != nil {
		return false
	}
	msg := make([]byte, 0, len(result)+len(id)+32)
	msg = append(msg, `{"jsonrpc":"2.0","id":`...)
	msg = append(msg, id...)
	msg = append(msg, `,"result":`...)
	msg = append(msg, result...)
	msg = append(msg, '}')
	hd := w.Header()
	hd.Set("Cache-Control", "no-cache, no-transform")
	hd.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(msg)
	return true
}

// leanMeta holds the members of a request's _meta that the protocol and
// the tool call read, still encoded; the tool call reads no others.
type leanMeta struct {
	ProtocolVersion    json.RawMessage `json:"io.modelcontextprotocol/protocolVersion"`
	ClientInfo         json.RawMessage `json:"io.modelcontextprotocol/clientInfo"`
	ClientCapabilities json.RawMessage `json:"io.modelcontextprotocol/clientCapabilities"`
	ConversationID     json.RawMessage `json:"actiongate/conversation_id"`
	CallID             json.RawMessage `json:"actiongate/call_id"`
	Contact            json.RawMessage `json:"actiongate/contact"`
	Vars               json.RawMessage `json:"actiongate/vars"`
}

// sdkDecoding are the flags of the SDK's own decoder (field names match
// exactly), plus refusing members the lean path does not know.
// The decoded strings and raw members share the body's memory, which is
// never written.
const sdkDecoding = sdkjson.DontMatchCaseInsensitiveStructFields | sdkjson.DisallowUnknownFields | sdkjson.ZeroCopy

// decodeStrict decodes the JSON text data into v as the SDK's decoder
// does, refusing unknown members and trailing data.
func decodeStrict(data []byte, v any) bool {
	rest, err := sdkjson.Parse(data, v, sdkDecoding)
	return err == nil && len(rest) == 0
}

// parseLean decodes body as one tools/list or tools/call request in the
// plain shape the lean path answers; ok is false for anything else.
func parseLean(header http.Header, body []byte) (c leanCall, ok bool) {
	if len(header.Values(headerLastEventID)) > 0 || hasParamHeaders(header) {
		return c, false
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' || !shallow(body, sdkMaxDepth) || !json.Valid(body) {
		return c, false
	}
	var msg leanMessage
	if !decodeStrict(body, &msg) || msg.JSONRPC != "2.0" || (msg.Method != "tools/list" && msg.Method != "tools/call") {
		return c, false
	}
	c.method = msg.Method
	if c.id, ok = leanID(msg.ID); !ok {
		return c, false
	}
	switch p := bytes.TrimSpace(msg.Params); {
	case len(p) == 0 && c.method == "tools/list":
	case len(p) == 0 || p[0] != '{' || !decodeStrict(p, &c.params):
		return c, false
	case c.method == "tools/list" && (c.params.Name != nil || c.params.Arguments != nil):
		return c, false
	case c.method == "tools/call" && c.params.Name == nil:
		return c, false
	}
	if m := bytes.TrimSpace(c.params.Meta); len(m) > 0 && (m[0] != '{' || !decodeMember(m, &c.meta)) {
		return c, false
	}
	return c, c.version(header)
}

// leanID decodes a request id as the SDK does; it is false for a missing
// id (a notification) or one the JSON-RPC check refuses.
func leanID(raw json.RawMessage) (jsonrpc.ID, bool) {
	if raw == nil {
		return jsonrpc.ID{}, false
	}
	if _, why := checkID(raw); why != "" {
		return jsonrpc.ID{}, false
	}
	var v any
	if !decodeStrict(raw, &v) {
		return jsonrpc.ID{}, false
	}
	id, err := jsonrpc.MakeID(v)
	return id, err == nil && id.IsValid()
}

// hasParamHeaders reports whether the request carries Mcp-Param-* headers,
// which the SDK checks against the tool's schema.
func hasParamHeaders(header http.Header) bool {
	for k := range header {
		if len(k) > len(headerParamPrefix) && strings.EqualFold(k[:len(headerParamPrefix)], headerParamPrefix) {
			return true
		}
	}
	return false
}

// version works out the request's protocol from the Mcp-Protocol-Version
// header and _meta, and reports whether the lean path takes it: a request
// of an older version without a protocol version in _meta, or a modern
// request whose header and _meta agree on a supported version, with valid
// client information and capabilities and the Mcp-Method (and, for
// tools/call, Mcp-Name) headers matching the body.
func (c *leanCall) version(header http.Header) bool {
	hv := header.Get(headerProtocolVersion)
	mv := c.meta.ProtocolVersion
	if hv < perRequestProtocol {
		return mv == nil && (hv == "" || slices.Contains(mcp.SupportedProtocolVersions(), hv))
	}
	if string(mv) != `"`+hv+`"` || !slices.Contains(mcp.SupportedProtocolVersions(), hv) || header.Get(headerMethod) != c.method ||
		(c.method == "tools/call" && header.Get(headerName) != *c.params.Name) {
		return false
	}
	if raw := c.meta.ClientInfo; raw != nil {
		var info *mcp.Implementation
		if !decodeMember(raw, &info) || info == nil {
			return false
		}
	}
	// The capabilities as the SDK decodes them, roots in their newer
	// shape.
	var caps *struct {
		mcp.ClientCapabilities
		Roots *struct {
			ListChanged bool `json:"listChanged"`
		} `json:"roots"`
	}
	if !decodeMember(c.meta.ClientCapabilities, &caps) || caps == nil {
		return false
	}
	c.modern, c.elicit = true, formElicitation(&caps.ClientCapabilities)
	return true
}

// decodeMember decodes a _meta member as the SDK does (unknown fields
// ignored); a missing member is false.
func decodeMember(raw json.RawMessage, out any) bool {
	if raw == nil {
		return false
	}
	rest, err := sdkjson.Parse(raw, out, sdkjson.DontMatchCaseInsensitiveStructFields)
	return err == nil && len(rest) == 0
}

// callMeta decodes the _meta members the tool call reads (the gateway's
// own, see MetaConversationID).
func callMeta(m leanMeta) (mcp.Meta, bool) {
	var out mcp.Meta
	for _, kv := range [...]struct {
		key string
		raw json.RawMessage
	}{{MetaConversationID, m.ConversationID}, {MetaCallID, m.CallID}, {MetaContact, m.Contact}, {MetaVars, m.Vars}} {
		if kv.raw == nil {
			continue
		}
		var v any
		if !decodeStrict(kv.raw, &v) {
			return nil, false
		}
		if out == nil {
			out = mcp.Meta{}
		}
		out[kv.key] = v
	}
	return out, true
}

// callParams returns the params of a tools/call the lean path answers: a
// tool of the agent.
func (as *agentServer) callParams(c leanCall) (*mcp.CallToolParamsRaw, bool) {
	name := *c.params.Name
	meta, ok := callMeta(c.meta)
	if !as.tools[name] || !ok {
		return nil, false
	}
	p := &mcp.CallToolParamsRaw{Name: name, Meta: meta, Arguments: c.params.Arguments}
	if string(bytes.TrimSpace(p.Arguments)) == "null" {
		p.Arguments = nil
	}
	return p, true
}

// encodeCall encodes a tools/call result as the SDK does: content never
// null, and on modern requests the result type and the server's
// information in _meta.
func (as *agentServer) encodeCall(res *mcp.CallToolResult, modern bool) ([]byte, error) {
	if b, ok := as.appendText(nil, res, modern); ok {
		return b, nil
	}
	if !modern {
		if res.Content == nil {
			res.Content = []mcp.Content{}
		}
		return json.Marshal(res)
	}
	resultType := `"complete"`
	if res.InputRequests != nil {
		resultType = `"input_required"`
	} else if res.Content == nil {
		res.Content = []mcp.Content{}
	}
	if res.Meta == nil {
		res.Meta = mcp.Meta{}
	}
	res.Meta[mcp.MetaKeyServerInfo] = as.impl
	b, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	return withMember(b, "resultType", resultType), nil
}

// appendText appends the JSON of the results tools/call gives nearly
// always (one text, string members in _meta, no input requests) without
// reflection, the same members as encodeCall's; ok is false for any other
// result.
func (as *agentServer) appendText(b []byte, res *mcp.CallToolResult, modern bool) ([]byte, bool) {
	if len(res.Content) != 1 || res.StructuredContent != nil || res.InputRequests != nil || res.RequestState != "" {
		return nil, false
	}
	text, ok := res.Content[0].(*mcp.TextContent)
	if !ok || text.Meta != nil || text.Annotations != nil {
		return nil, false
	}
	keys := make([]string, 0, len(res.Meta))
	for k, v := range res.Meta {
		if _, ok := v.(string); !ok || k == mcp.MetaKeyServerInfo {
			return nil, false
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	if modern {
		b = append(b, `"resultType":"complete",`...)
	}
	b = append(b, `"_meta":{`...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, res.Meta[k].(string))
	}
	if modern {
		if len(keys) > 0 {
			b = append(b, ',')
		}
		b = appendString(b, mcp.MetaKeyServerInfo)
		b = append(b, ':')
		b = append(b, as.implJSON...)
	}
	b = append(b, `},"content":[{"type":"text","text":`...)
	b = appendString(b, text.Text)
	b = append(b, "}]"...)
	if res.IsError {
		b = append(b, `,"isError":true`...)
	}
	return append(b, '}'), true
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

// withMember adds "key":value to the JSON object obj.
func withMember(obj []byte, key, value string) []byte {
	var b bytes.Buffer
	b.Grow(len(obj) + len(key) + len(value) + 4)
	b.WriteString(`{"` + key + `":` + value)
	if rest := bytes.TrimSpace(obj[1:]); len(rest) > 0 && rest[0] != '}' {
		b.WriteByte(',')
	}
	b.Write(obj[1:])
	return b.Bytes()
}

// shallow reports whether the JSON text nests objects and arrays at most
// max deep.
func shallow(data []byte, max int) bool {
	depth := 0
	inString, escaped := false, false
	for _, b := range data {
		switch {
		case escaped:
			escaped = false
		case inString && b == '\\':
			escaped = true
		case b == '"':
			inString = !inString
		case inString:
		case b == '{' || b == '[':
			if depth++; depth > max {
				return false
			}
		case b == '}' || b == ']':
			depth--
		}
	}
	return true
}

// boolIndex is 1 for true, 0 for false.
func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
