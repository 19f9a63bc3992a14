package mcpserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/httpkit"
)

// maxLineBytes bounds one stdio message, as httpkit.MaxBodyBytes bounds an
// HTTP request: a longer line is skipped, without being held in memory,
// and answered with an error.
const maxLineBytes = httpkit.MaxBodyBytes

// lineFilter stands between the client's input and the SDK's stdio
// transport, which ends the session on the first line it cannot decode:
// it reads the input line by line, answers a line that is not a JSON-RPC
// message the server takes with the JSON-RPC error (-32700 parse error,
// -32600 invalid request, -32601 method not found, -32602 invalid params)
// and passes the others on to feed. Replies share out with the SDK through
// one lock.
type lineFilter struct {
	in   io.Reader
	feed *io.PipeWriter
	out  *lockedWriter

	// version is the protocol version agreed by initialize ("" before);
	// initialized is set once the client sent initialize.
	version     string
	initialized bool
}

// run filters lines until the input ends or the SDK stops reading, then
// closes feed so the SDK sees the end of the input.
func (f *lineFilter) run() {
	br := bufio.NewReaderSize(f.in, 64<<10)
	for {
		line, tooLong, err := readLine(br, maxLineBytes)
		var werr error
		switch {
		case tooLong:
			werr = f.reply(errorf(nil, jsonrpc.CodeInvalidRequest,
				"message too long: one line may hold at most %d bytes; the line was skipped", maxLineBytes))
		case len(bytes.TrimSpace(line)) > 0:
			werr = f.handle(line)
		}
		if err != nil || werr != nil {
			f.feed.CloseWithError(err)
			return
		}
	}
}

// handle answers or passes on one non-empty line. An error means the SDK
// or the client stopped listening.
func (f *lineFilter) handle(line []byte) error {
	msgs, rerr := checkPayload(line, f.version)
	drop := false
	if rerr == nil {
		rerr, drop = refusal(msgs)
	}
	if rerr == nil && !drop {
		rerr = f.gate(msgs)
	}
	switch {
	case rerr != nil:
		return f.reply(rerr)
	case drop:
		return nil
	}
	_, err := f.feed.Write(append(bytes.TrimSpace(line), '\n'))
	return err
}

// gate follows the session's lifecycle: it records the version agreed by
// initialize (for batches) and refuses requests sent before initialize,
// which the SDK answers with an error of code 0. Ping, server/discover and
// requests that carry their protocol version in _meta (2026-07-28 and
// later, which need no initialize) pass.
func (f *lineFilter) gate(msgs []jsonrpc.Message) *rpcError {
	if f.initialized {
		return nil
	}
	req, ok := msgs[0].(*jsonrpc.Request)
	if !ok || !req.IsCall() {
		return nil
	}
	switch {
	case req.Method == "initialize":
		f.initialized = true
		f.version = agreedVersion(req.Params)
	case req.Method == "ping" || req.Method == "server/discover" || perRequestVersion(req.Params):
	default:
		id, _ := json.Marshal(req.ID.Raw())
		return errorf(id, jsonrpc.CodeInvalidRequest, "invalid request: %q before initialize; send initialize first", req.Method)
	}
	return nil
}

// agreedVersion is the version the SDK agrees to for initialize params:
// the client's when the SDK supports it, else the SDK's newest.
func agreedVersion(params json.RawMessage) string {
	var p struct {
		ProtocolVersion string `json:"protocolVersion"`
	}
	_ = json.Unmarshal(params, &p)
	supported := mcp.SupportedProtocolVersions()
	if slices.Contains(supported, p.ProtocolVersion) {
		return p.ProtocolVersion
	}
	return supported[0]
}

// perRequestVersion reports whether request params carry a protocol
// version of 2026-07-28 or later in _meta, as requests of those versions do.
func perRequestVersion(params json.RawMessage) bool {
	var p struct {
		Meta map[string]any `json:"_meta"`
	}
	_ = json.Unmarshal(params, &p)
	v, _ := p.Meta[mcp.MetaKeyProtocolVersion].(string)
	return v >= "2026-07-28"
}

// reply writes one error response line.
func (f *lineFilter) reply(rerr *rpcError) error {
	_, err := f.out.Write(append(rerr.encode(), '\n'))
	return err
}

// readLine reads one line without its newline. A line longer than max is
// read to its end and dropped: tooLong is set and line is nil. err is the
// read error (io.EOF at the end) after the last, possibly unterminated,
// line.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, rerr := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max+1 { // +1: the newline
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(rerr, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimSuffix(line, []byte("\n")), tooLong, rerr
	}
}

// lockedWriter serialises whole messages on out: the SDK writes each
// message (with its newline) in one Write call, and so does lineFilter.
// Writes after close are dropped, so nothing reaches out once ServeStdio
// has returned.
type lockedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

// Write writes p whole, unless the writer is closed.
func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, io.ErrClosedPipe
	}
	return w.w.Write(p)
}

// close stops later writes.
func (w *lockedWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}
