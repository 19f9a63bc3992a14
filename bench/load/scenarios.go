package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// batchSize is the number of tool calls in one OpenAI tool_calls batch.
const batchSize = 4

// callID is the id carried by request n (and its k-th call in a batch).
func callID(n int64, k int) string {
	if k < 0 {
		return "call-" + strconv.FormatInt(n, 10)
	}
	return "call-" + strconv.FormatInt(n, 10) + "." + strconv.Itoa(k)
}

// checkText checks what the model reads for a call of p with id: the
// payload of that call, and a more_results note when p is cut.
func checkText(p *payload, id, text string) error {
	if !strings.Contains(text, `"`+id+`"`) {
		return fmt.Errorf("the result does not hold the payload of call %s: %.300q", id, text)
	}
	if p != nil && p.cut && !strings.Contains(text, "more_results") {
		return fmt.Errorf("the result of call %s is cut but names no more_results handle: %.300q", id, text)
	}
	return nil
}

// send makes one request and returns the body of a 200 answer.
func send(ctx context.Context, c *http.Client, method, u, token string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: HTTP %d: %.300s", method, req.URL.Path, resp.StatusCode, b)
	}
	return b, nil
}

// directOp calls the upstream itself.
func directOp(c *http.Client, upstream string, p *payload) op {
	return func(ctx context.Context, n int64) (int, error) {
		id := callID(n, -1)
		b, err := send(ctx, c, http.MethodGet, upstream+"/p/"+p.name+"/"+id, "", nil)
		if err != nil {
			return 0, err
		}
		if !bytes.Contains(b, []byte(`"`+id+`"`)) {
			return 0, fmt.Errorf("the upstream's answer does not hold id %s: %.200q", id, b)
		}
		return 1, nil
	}
}

// toolResult is the answer of the invoke API, and one result of a batch.
type toolResult struct {
	Status string `json:"status"`
	Output string `json:"output"`
	RunID  string `json:"run_id"`
	Handle string `json:"handle"`
}

// check checks a tool result of a call of p with id.
func (r *toolResult) check(p *payload, id string) error {
	if r.Status != "ok" {
		return fmt.Errorf("call %s: status %q, want ok: %.300q", id, r.Status, r.Output)
	}
	if r.RunID == "" {
		return fmt.Errorf("call %s: the result names no run", id)
	}
	if p.cut != (r.Handle != "") {
		return fmt.Errorf("call %s: handle %q, but the payload is cut: %v", id, r.Handle, p.cut)
	}
	return checkText(p, id, r.Output)
}

// invokeCall makes one call of p's action through the invoke API.
func invokeCall(ctx context.Context, c *http.Client, g *gate, p *payload, id string) (*toolResult, error) {
	body := []byte(`{"arguments":{"id":"` + id + `"}}`)
	b, err := send(ctx, c, http.MethodPost, g.base+"/api/v1/agents/"+agentName+"/tools/"+p.action, g.agent, body)
	if err != nil {
		return nil, err
	}
	var r toolResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("call %s: decoding the invoke answer: %w: %.200q", id, err, b)
	}
	return &r, r.check(p, id)
}

// invokeOp calls p's action through the invoke API.
func invokeOp(c *http.Client, g *gate, p *payload) op {
	return func(ctx context.Context, n int64) (int, error) {
		_, err := invokeCall(ctx, c, g, p, callID(n, -1))
		return 1, err
	}
}

// turnOp runs one agent turn per op: it starts a conversation (the same
// contact each time, found by its external id) and sends a message that
// makes the scripted model call p's action once, then answer.
func turnOp(c *http.Client, g *gate, p *payload) op {
	return func(ctx context.Context, n int64) (int, error) {
		id := callID(n, -1)
		var conv struct {
			ID string `json:"id"`
		}
		start := map[string]any{"contact": map[string]any{"external_id": "load"}}
		if err := callJSON(ctx, c, http.MethodPost, g.base+"/api/v1/agents/"+talkerName+"/conversations", g.admin, start, http.StatusCreated, &conv); err != nil {
			return 0, fmt.Errorf("turn %s: starting the conversation: %w", id, err)
		}
		b, err := send(ctx, c, http.MethodPost, g.base+"/api/v1/conversations/"+conv.ID+"/messages", g.admin,
			[]byte(`{"content":"`+p.action+` `+id+`"}`))
		if err != nil {
			return 0, fmt.Errorf("turn %s: %w", id, err)
		}
		if err := checkTurn(b, id); err != nil {
			return 0, err
		}
		return 1, nil
	}
}

// checkTurn checks the answer of a turn about record id: completed, with
// one tool call that went well and has its run, and an answer naming id.
func checkTurn(b []byte, id string) error {
	var turn struct {
		Status  string `json:"status"`
		Error   string `json:"error"`
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		ToolCalls []struct {
			Status string `json:"status"`
			RunID  string `json:"run_id"`
		} `json:"tool_calls"`
	}
	if err := json.Unmarshal(b, &turn); err != nil {
		return fmt.Errorf("turn %s: decoding the answer: %w: %.200q", id, err, b)
	}
	switch {
	case turn.Status != "completed":
		return fmt.Errorf("turn %s: status %q (%s)", id, turn.Status, turn.Error)
	case len(turn.ToolCalls) != 1 || turn.ToolCalls[0].Status != "ok" || turn.ToolCalls[0].RunID == "":
		return fmt.Errorf("turn %s: tool calls %+v, want one ok call with its run", id, turn.ToolCalls)
	case !strings.Contains(turn.Message.Content, `record `+id+`.`):
		return fmt.Errorf("turn %s: the answer %q does not name the record", id, turn.Message.Content)
	}
	return nil
}

// batchOp sends batchSize calls of p's action as the tool_calls of one
// OpenAI assistant message.
func batchOp(c *http.Client, g *gate, p *payload) op {
	return func(ctx context.Context, n int64) (int, error) {
		type call struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		}
		calls := make([]call, batchSize)
		for k := range calls {
			calls[k].ID, calls[k].Type = "tc"+strconv.Itoa(k), "function"
			calls[k].Function.Name = p.action
			calls[k].Function.Arguments = `{"id":"` + callID(n, k) + `"}`
		}
		body, _ := json.Marshal(map[string]any{"tool_calls": calls})
		b, err := send(ctx, c, http.MethodPost, g.base+"/api/v1/agents/"+agentName+"/tools", g.agent, body)
		if err != nil {
			return 0, err
		}
		var out struct {
			Messages []struct {
				Role       string `json:"role"`
				ToolCallID string `json:"tool_call_id"`
				Content    string `json:"content"`
			} `json:"messages"`
			Results []toolResult `json:"results"`
		}
		if err := json.Unmarshal(b, &out); err != nil {
			return 0, fmt.Errorf("decoding the batch answer: %w: %.200q", err, b)
		}
		if len(out.Messages) != batchSize || len(out.Results) != batchSize {
			return 0, fmt.Errorf("the batch answered %d messages and %d results for %d calls", len(out.Messages), len(out.Results), batchSize)
		}
		for k, m := range out.Messages {
			id := callID(n, k)
			if m.Role != "tool" || m.ToolCallID != calls[k].ID {
				return 0, fmt.Errorf("batch message %d: role %q, tool_call_id %q, want tool, %s", k, m.Role, m.ToolCallID, calls[k].ID)
			}
			r := out.Results[k]
			r.Output = m.Content
			if err := r.check(p, id); err != nil {
				return 0, fmt.Errorf("batch call %d: %w", k, err)
			}
		}
		return batchSize, nil
	}
}

// bearer adds a bearer token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// mcpConnect opens one session of the official Go SDK client on the MCP
// endpoint, kept for every call of one worker as real clients do, and
// returns an op calling tool (p's action, or the minimal server's tool
// when p is nil).
func mcpConnect(c *http.Client, endpoint, token, tool string, p *payload) func(context.Context) (op, func(), error) {
	return func(ctx context.Context) (op, func(), error) {
		hc := c
		if token != "" {
			hc = &http.Client{Transport: bearer{token: token, next: c.Transport}}
		}
		client := mcp.NewClient(&mcp.Implementation{Name: "actiongate-load", Version: "1.0.0"}, nil)
		cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc, MaxRetries: -1}, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("MCP session on %s: %w", endpoint, err)
		}
		o := func(ctx context.Context, n int64) (int, error) {
			id := callID(n, -1)
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"id": id}})
			if err != nil {
				return 0, fmt.Errorf("MCP tools/call %s: %w", tool, err)
			}
			return 1, checkMCP(res, p, id)
		}
		return o, func() { _ = cs.Close() }, nil
	}
}

// checkMCP checks an MCP tool result of call id.
func checkMCP(res *mcp.CallToolResult, p *payload, id string) error {
	if len(res.Content) != 1 {
		return fmt.Errorf("call %s: %d content items, want 1", id, len(res.Content))
	}
	tc, ok := res.Content[0].(*mcp.TextContent)
	if !ok {
		return fmt.Errorf("call %s: content is %T, want text", id, res.Content[0])
	}
	if res.IsError {
		return fmt.Errorf("call %s: isError: %.300q", id, tc.Text)
	}
	if p != nil {
		if h, _ := res.Meta["actiongate/handle"].(string); p.cut != (h != "") {
			return fmt.Errorf("call %s: handle %q in _meta, but the payload is cut: %v", id, h, p.cut)
		}
	}
	return checkText(p, id, tc.Text)
}
