package providertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// anthropicFlavor is the Messages wire format.
type anthropicFlavor struct{}

func (anthropicFlavor) path() string { return "/v1/messages" }

// anthropicBlock is one content block of a Messages request.
type anthropicBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	IsError   bool            `json:"is_error"`
	Content   json.RawMessage `json:"content"`
}

// anthropicRequest is the part of a Messages request captured.
type anthropicRequest struct {
	Model    string          `json:"model"`
	Stream   bool            `json:"stream"`
	System   json.RawMessage `json:"system"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Tools []struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"input_schema"`
	} `json:"tools"`
}

func (anthropicFlavor) capture(c *Captured) error {
	var req anthropicRequest
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return fmt.Errorf("the body is not a messages request: %w", err)
	}
	_ = json.Unmarshal(c.Body, &c.JSON)
	c.Model, c.Stream = req.Model, req.Stream
	c.System = blocksText(req.System)
	for _, m := range req.Messages {
		msg := Message{Role: m.Role}
		var text []string
		for _, b := range blocks(m.Content) {
			switch b.Type {
			case "text":
				text = append(text, b.Text)
			case "tool_use":
				msg.ToolCalls = append(msg.ToolCalls, Call{ID: b.ID, Name: b.Name, Args: string(b.Input)})
			case "tool_result":
				msg.ToolResults = append(msg.ToolResults, ToolResult{ToolUseID: b.ToolUseID, Content: blocksText(b.Content), IsError: b.IsError})
			}
		}
		msg.Content = strings.Join(text, "")
		c.Messages = append(c.Messages, msg)
	}
	for _, t := range req.Tools {
		c.Tools = append(c.Tools, Tool{Name: t.Name, Description: t.Description, Schema: t.InputSchema})
	}
	return nil
}

// blocks reads a content that is a string or an array of blocks.
func blocks(raw json.RawMessage) []anthropicBlock {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []anthropicBlock{{Type: "text", Text: s}}
	}
	var out []anthropicBlock
	_ = json.Unmarshal(raw, &out)
	return out
}

// blocksText joins the text of a content.
func blocksText(raw json.RawMessage) string {
	var out []string
	for _, b := range blocks(raw) {
		if b.Type == "text" {
			out = append(out, b.Text)
		}
	}
	return strings.Join(out, "")
}

func (anthropicFlavor) writeError(w http.ResponseWriter, r Reply) {
	writeJSONBody(w, r.Status, map[string]any{"type": "error", "error": map[string]any{
		"type": errorType(r), "message": errorMessage(r),
	}})
}

// anthropicCallID is the id of call i of reply n.
func anthropicCallID(tc Call, n, i int) string {
	if tc.ID != "" {
		return tc.ID
	}
	return fmt.Sprintf("toolu_%d_%d", n, i+1)
}

// anthropicStop is the stop reason of r.
func anthropicStop(r Reply) string {
	switch {
	case r.StopReason != "":
		return r.StopReason
	case len(r.ToolCalls) > 0:
		return "tool_use"
	}
	return "end_turn"
}

func (anthropicFlavor) writeJSON(w http.ResponseWriter, c *Captured, r Reply, n int) {
	content := []any{}
	if r.Text != "" {
		content = append(content, map[string]any{"type": "text", "text": r.Text})
	}
	for i, tc := range r.ToolCalls {
		content = append(content, map[string]any{"type": "tool_use", "id": anthropicCallID(tc, n, i), "name": tc.Name, "input": argsObject(tc.Args)})
	}
	u := usage(c, r)
	writeJSONBody(w, http.StatusOK, map[string]any{
		"id": fmt.Sprintf("msg_%d", n), "type": "message", "role": "assistant", "model": c.Model,
		"content": content, "stop_reason": anthropicStop(r), "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": u.InputTokens, "output_tokens": u.OutputTokens},
	})
}

func (anthropicFlavor) writeStream(sw *sseWriter, c *Captured, r Reply, n int) {
	u := usage(c, r)
	sw.event("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": fmt.Sprintf("msg_%d", n), "type": "message", "role": "assistant", "model": c.Model,
		"content": []any{}, "stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": u.InputTokens, "output_tokens": 1},
	}})
	sw.event("ping", map[string]any{"type": "ping"})
	index := 0
	if r.Text != "" || r.Hang || r.StreamError != "" || r.Drop {
		sw.event("content_block_start", map[string]any{"type": "content_block_start", "index": index, "content_block": map[string]any{"type": "text", "text": ""}})
		for _, piece := range chunks(r.Text, r.ChunkSize) {
			sw.pause()
			sw.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": index, "delta": map[string]any{"type": "text_delta", "text": piece}})
		}
		switch {
		case r.Hang:
			return
		case r.StreamError != "":
			sw.event("error", map[string]any{"type": "error", "error": map[string]any{"type": r.StreamError, "message": "the server had an error while streaming"}})
			return
		case r.Drop:
			sw.drop()
			return
		}
		sw.event("content_block_stop", map[string]any{"type": "content_block_stop", "index": index})
		index++
	}
	for i, tc := range r.ToolCalls {
		sw.pause()
		sw.event("content_block_start", map[string]any{"type": "content_block_start", "index": index, "content_block": map[string]any{
			"type": "tool_use", "id": anthropicCallID(tc, n, i), "name": tc.Name, "input": map[string]any{}}})
		for _, piece := range chunks(tc.Args, r.ChunkSize) {
			sw.pause()
			sw.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": index, "delta": map[string]any{"type": "input_json_delta", "partial_json": piece}})
		}
		sw.event("content_block_stop", map[string]any{"type": "content_block_stop", "index": index})
		index++
	}
	sw.event("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": anthropicStop(r), "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": u.OutputTokens}})
	sw.event("message_stop", map[string]any{"type": "message_stop"})
}
