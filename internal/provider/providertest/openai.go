package providertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// openaiFlavor is the Chat Completions wire format.
type openaiFlavor struct{}

func (openaiFlavor) path() string { return "/v1/chat/completions" }

// openaiRequest is the part of a Chat Completions request captured.
type openaiRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role       string          `json:"role"`
		Content    json.RawMessage `json:"content"`
		ToolCallID string          `json:"tool_call_id"`
		ToolCalls  []struct {
			ID       string `json:"id"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	} `json:"messages"`
	Tools []struct {
		Function struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
}

func (openaiFlavor) capture(c *Captured) error {
	var req openaiRequest
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return fmt.Errorf("the body is not a chat completion request: %w", err)
	}
	_ = json.Unmarshal(c.Body, &c.JSON)
	c.Model, c.Stream = req.Model, req.Stream
	var system []string
	for _, m := range req.Messages {
		text := contentText(m.Content)
		if m.Role == "system" || m.Role == "developer" {
			system = append(system, text)
			continue
		}
		msg := Message{Role: m.Role, Content: text, ToolCallID: m.ToolCallID}
		for _, tc := range m.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, Call{ID: tc.ID, Name: tc.Function.Name, Args: tc.Function.Arguments})
		}
		c.Messages = append(c.Messages, msg)
	}
	c.System = strings.Join(system, "\n")
	for _, t := range req.Tools {
		c.Tools = append(c.Tools, Tool{Name: t.Function.Name, Description: t.Function.Description, Schema: t.Function.Parameters})
	}
	return nil
}

// contentText is a message content's text: a string, or the text parts of
// an array of parts.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &parts)
	var out []string
	for _, p := range parts {
		if p.Type == "text" {
			out = append(out, p.Text)
		}
	}
	return strings.Join(out, "")
}

func (openaiFlavor) writeError(w http.ResponseWriter, r Reply) {
	writeJSONBody(w, r.Status, map[string]any{"error": map[string]any{
		"message": errorMessage(r), "type": errorType(r), "param": nil, "code": nil,
	}})
}

// openaiCallID is the id of call i of reply n.
func openaiCallID(tc Call, n, i int) string {
	if tc.ID != "" {
		return tc.ID
	}
	return fmt.Sprintf("call_%d_%d", n, i+1)
}

// openaiFinish is the finish reason of r.
func openaiFinish(r Reply) string {
	switch {
	case r.StopReason != "":
		return r.StopReason
	case len(r.ToolCalls) > 0:
		return "tool_calls"
	}
	return "stop"
}

func openaiUsage(u Usage) map[string]any {
	return map[string]any{"prompt_tokens": u.InputTokens, "completion_tokens": u.OutputTokens, "total_tokens": u.InputTokens + u.OutputTokens}
}

func (openaiFlavor) writeJSON(w http.ResponseWriter, c *Captured, r Reply, n int) {
	msg := map[string]any{"role": "assistant", "content": nil}
	if r.Text != "" {
		msg["content"] = r.Text
	}
	var calls []map[string]any
	for i, tc := range r.ToolCalls {
		calls = append(calls, map[string]any{"id": openaiCallID(tc, n, i), "type": "function",
			"function": map[string]any{"name": tc.Name, "arguments": tc.Args}})
	}
	if calls != nil {
		msg["tool_calls"] = calls
	}
	writeJSONBody(w, http.StatusOK, map[string]any{
		"id": fmt.Sprintf("chatcmpl-%d", n), "object": "chat.completion", "created": time.Now().Unix(), "model": c.Model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "logprobs": nil, "finish_reason": openaiFinish(r)}},
		"usage":   openaiUsage(usage(c, r)),
	})
}

func (openaiFlavor) writeStream(sw *sseWriter, c *Captured, r Reply, n int) {
	id, created := fmt.Sprintf("chatcmpl-%d", n), time.Now().Unix()
	chunk := func(delta map[string]any, finish any) {
		sw.event("", map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": created, "model": c.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}},
			"usage":   nil,
		})
	}
	chunk(map[string]any{"role": "assistant", "content": ""}, nil)
	for _, piece := range chunks(r.Text, r.ChunkSize) {
		sw.pause()
		chunk(map[string]any{"content": piece}, nil)
	}
	switch {
	case r.Hang:
		return
	case r.StreamError != "":
		sw.event("", map[string]any{"error": map[string]any{"message": "the server had an error while streaming", "type": r.StreamError}})
		return
	case r.Drop:
		sw.drop()
		return
	}
	for i, tc := range r.ToolCalls {
		sw.pause()
		chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i, "id": openaiCallID(tc, n, i), "type": "function",
			"function": map[string]any{"name": tc.Name, "arguments": ""}}}}, nil)
		for _, piece := range chunks(tc.Args, r.ChunkSize) {
			sw.pause()
			chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i, "function": map[string]any{"arguments": piece}}}}, nil)
		}
	}
	chunk(map[string]any{}, openaiFinish(r))
	if opts, _ := c.JSON["stream_options"].(map[string]any); opts["include_usage"] == true {
		sw.event("", map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": created, "model": c.Model,
			"choices": []any{}, "usage": openaiUsage(usage(c, r)),
		})
	}
	sw.raw("", "[DONE]")
}
