package mcpserver

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/httpkit"
)

// The SDK's StreamableHTTPHandler answers a request it cannot take (wrong
// method or media type, unsupported protocol version header, body over
// the limit, malformed JSON-RPC, a batch on a version without batches, an
// unknown method on versions before 2026-07-28) with http.Error, a
// plain-text body. frontHTTP checks these first and answers in the
// JSON-RPC shape with the standard codes; what passes, the SDK serves.

// defaultVersion is the protocol version assumed for an HTTP request
// without Mcp-Protocol-Version, as the specification says.
const defaultVersion = "2025-03-26"

// perRequestProtocol is the first protocol version in which every request
// carries its version and method-not-found is answered 404.
const perRequestProtocol = "2026-07-28"

// frontHTTP checks an authenticated request's method and headers before
// the SDK serves it, and reads its body; it answers the request and
// reports false when it cannot be served. version is the request's
// protocol version; checkBody checks the body. The body is kept for the
// SDK.
func frontHTTP(w http.ResponseWriter, r *http.Request) (version string, body []byte, ok bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeRPCError(w, http.StatusMethodNotAllowed, errorf(nil, jsonrpc.CodeInvalidRequest,
			"%s is not served: this endpoint is stateless, send each JSON-RPC message with POST", r.Method))
		return "", nil, false
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		writeRPCError(w, http.StatusUnsupportedMediaType, errorf(nil, jsonrpc.CodeInvalidRequest,
			"Content-Type must be application/json"))
		return "", nil, false
	}
	if !acceptsBoth(r.Header.Values("Accept")) {
		writeRPCError(w, http.StatusBadRequest, errorf(nil, jsonrpc.CodeInvalidRequest,
			"Accept must list both application/json and text/event-stream"))
		return "", nil, false
	}
	version = r.Header.Get("Mcp-Protocol-Version")
	supported := mcp.SupportedProtocolVersions()
	// Unknown versions from 2026-07-28 on pass, as in the SDK, which
	// answers them with the versions it supports.
	if version != "" && !slices.Contains(supported, version) && version < perRequestProtocol {
		writeRPCError(w, http.StatusBadRequest, errorf(nil, jsonrpc.CodeInvalidRequest,
			"unsupported Mcp-Protocol-Version %q; supported: %s", version, strings.Join(supported, ", ")))
		return "", nil, false
	}
	if version == "" {
		version = defaultVersion
	}
	body, ok = readBody(w, r)
	return version, body, ok
}

// readBody reads the body within httpkit.MaxBodyBytes and puts it back for
// the SDK. It answers and reports false when the body cannot be read.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpkit.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeRPCError(w, http.StatusRequestEntityTooLarge, errorf(nil, jsonrpc.CodeInvalidRequest,
			"the request body is larger than the limit of %d bytes", tooLarge.Limit))
		return nil, false
	case err != nil:
		writeRPCError(w, http.StatusBadRequest, errorf(nil, jsonrpc.CodeInvalidRequest, "reading the request body: %v", err))
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, true
}

// checkBody answers a body that is not JSON-RPC the server takes (see
// rpcStatus); a notification of an unknown method alone is dropped (202).
func checkBody(w http.ResponseWriter, body []byte, version string) bool {
	msgs, rerr := checkPayload(body, version)
	drop := false
	if rerr == nil {
		rerr, drop = refusal(msgs)
	}
	switch {
	case drop:
		w.WriteHeader(http.StatusAccepted)
		return false
	case rerr != nil:
		writeRPCError(w, rpcStatus(rerr, version), rerr)
		return false
	}
	return true
}

// rpcStatus is the HTTP status of an error answered in front of the SDK.
// Before 2026-07-28 an error about a request with an id (-32601, -32602)
// is the answer to that request, 200, as the SDK answers its own (a 404
// would tell the client its session is gone); from 2026-07-28 -32601 is
// 404 and -32602 400, as SEP-2575 requires. A malformed message or batch,
// and a refused notification, is 400.
func rpcStatus(rerr *rpcError, version string) int {
	modern := version >= perRequestProtocol
	switch {
	case rerr.id == nil:
		return http.StatusBadRequest
	case rerr.code == jsonrpc.CodeMethodNotFound && modern:
		return http.StatusNotFound
	case (rerr.code == jsonrpc.CodeMethodNotFound || rerr.code == jsonrpc.CodeInvalidParams) && !modern:
		return http.StatusOK
	}
	return http.StatusBadRequest
}

// isJSON reports whether a Content-Type is application/json, with or
// without parameters.
func isJSON(contentType string) bool {
	if contentType == "application/json" {
		return true
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/json"
}

// acceptsBoth reports whether Accept values take both JSON and event
// streams, as the transport requires of clients.
func acceptsBoth(values []string) bool {
	var jsonOK, streamOK bool
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			mt, _, _ := strings.Cut(item, ";")
			switch strings.ToLower(strings.TrimSpace(mt)) {
			case "application/json", "application/*":
				jsonOK = true
			case "text/event-stream", "text/*":
				streamOK = true
			case "*/*":
				jsonOK, streamOK = true, true
			}
		}
	}
	return jsonOK && streamOK
}

// writeRPCError writes a JSON-RPC error response with status.
func writeRPCError(w http.ResponseWriter, status int, rerr *rpcError) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(rerr.encode())
}
