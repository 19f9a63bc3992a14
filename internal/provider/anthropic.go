package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/actiongate/actiongate/internal/action"
)

// anthropicBackend speaks the Messages API through the official SDK.
type anthropicBackend struct {
	svc anthropic.MessageService
}

// newAnthropic builds the Messages service for p, without any ANTHROPIC_*
// environment variable or profile file taking part, and without tracing
// (spans would carry the conversation).
func newAnthropic(p *action.Provider, apiKey string, hc *http.Client, mw option.Middleware) *anthropicBackend {
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithoutOpenTelemetry(),
		option.WithHTTPClient(hc),
		option.WithBaseURL(p.BaseURL),
		option.WithMaxRetries(0),
		option.WithMiddleware(mw),
	}
	for k, v := range p.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	if apiKey != "" {
		opts = append(opts, option.WithAPIKey(apiKey))
	}
	return &anthropicBackend{svc: anthropic.NewClient(opts...).Messages}
}

// stream implements backend.
func (b *anthropicBackend) stream(ctx context.Context, req *Request, a *answer) error {
	params, err := anthropicParams(req)
	if err != nil {
		return err
	}
	s := b.svc.NewStreaming(ctx, params)
	defer s.Close()
	r := anthropicReader{a: a, blocks: map[int64]int{}}
	for s.Next() {
		if err := r.event(s.Current()); err != nil {
			return err
		}
	}
	if err := s.Err(); err != nil {
		return anthropicStreamErr(err)
	}
	if !r.finished {
		return errIncomplete
	}
	return nil
}

// anthropicStreamErr turns an error event of the stream into a streamError.
func anthropicStreamErr(err error) error {
	var ae *anthropic.Error
	if errors.As(err, &ae) {
		return &streamError{typ: string(ae.Type()), message: ae.Message}
	}
	if rest, ok := strings.CutPrefix(err.Error(), "received error while streaming: "); ok {
		typ, msg := parseErrorBody([]byte(rest))
		return &streamError{typ: typ, message: msg}
	}
	return err
}

// anthropicReader folds stream events into an answer.
type anthropicReader struct {
	a *answer
	// blocks maps a tool_use content block's index to its call position.
	blocks map[int64]int
	// started holds a tool_use block's input given at its start.
	started  map[int]string
	finished bool
}

// event folds one stream event in.
func (r *anthropicReader) event(ev anthropic.MessageStreamEventUnion) error {
	switch ev.Type {
	case "message_start":
		u := ev.Message.Usage
		r.a.usage.InputTokens = int(u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens)
		r.a.usage.OutputTokens = int(u.OutputTokens)
	case "content_block_start":
		return r.blockStart(ev)
	case "content_block_delta":
		switch ev.Delta.Type {
		case "text_delta":
			return r.a.addText(ev.Delta.Text)
		case "input_json_delta":
			if i, ok := r.blocks[ev.Index]; ok {
				return r.a.addArgs(i, ev.Delta.PartialJSON)
			}
		}
	case "content_block_stop":
		if i, ok := r.blocks[ev.Index]; ok && r.a.args[i].Len() == 0 && r.started[i] != "" {
			return r.a.addArgs(i, r.started[i])
		}
	case "message_delta":
		if ev.Delta.StopReason != "" {
			r.a.stop = string(ev.Delta.StopReason)
		}
		if u := ev.Usage; u.InputTokens > 0 {
			r.a.usage.InputTokens = int(u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens)
		}
		if ev.Usage.OutputTokens > 0 {
			r.a.usage.OutputTokens = int(ev.Usage.OutputTokens)
		}
	case "message_stop":
		r.finished = true
	}
	return nil
}

// blockStart opens a text or tool_use content block.
func (r *anthropicReader) blockStart(ev anthropic.MessageStreamEventUnion) error {
	cb := ev.ContentBlock
	switch cb.Type {
	case "text":
		return r.a.addText(cb.Text)
	case "tool_use":
		i, err := r.a.newCall(cb.ID, cb.Name)
		if err != nil {
			return err
		}
		r.blocks[ev.Index] = i
		if in, ok := cb.Input.(map[string]any); ok && len(in) > 0 {
			raw, err := json.Marshal(in)
			if err != nil {
				return err
			}
			if r.started == nil {
				r.started = map[int]string{}
			}
			r.started[i] = string(raw)
		}
	}
	return nil
}

// anthropicParams maps a Request to Messages parameters. Temperature is
// not sent: the API version the SDK speaks refuses sampling parameters.
func anthropicParams(req *Request) (anthropic.MessageNewParams, error) {
	p := anthropic.MessageNewParams{
		Model:     anthropic.Model(req.Model),
		MaxTokens: int64(req.MaxOutputTokens),
		Messages:  anthropicMessages(req.Messages),
	}
	if p.MaxTokens <= 0 {
		p.MaxTokens = action.DefaultMaxOutputTokens
	}
	if req.System != "" {
		p.System = []anthropic.TextBlockParam{{Text: req.System}}
	}
	for _, t := range req.Tools {
		schema, err := schemaObject(t)
		if err != nil {
			return p, err
		}
		tp := anthropic.ToolParam{Name: t.Name, InputSchema: inputSchema(schema)}
		if t.Description != "" {
			tp.Description = anthropic.String(t.Description)
		}
		p.Tools = append(p.Tools, anthropic.ToolUnionParam{OfTool: &tp})
	}
	return p, nil
}

// inputSchema splits a JSON Schema object into the SDK's fields; what it
// has no field for goes along as it is.
func inputSchema(schema map[string]any) anthropic.ToolInputSchemaParam {
	var s anthropic.ToolInputSchemaParam
	extra := map[string]any{}
	for k, v := range schema {
		switch k {
		case "type":
		case "properties":
			s.Properties = v
		case "required":
			req, ok := stringList(v)
			if !ok {
				extra[k] = v
				continue
			}
			s.Required = req
		default:
			extra[k] = v
		}
	}
	if len(extra) > 0 {
		s.ExtraFields = extra
	}
	return s
}

// stringList reads a JSON array of strings.
func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// anthropicMessages maps the conversation: a tool result is a tool_result
// block of a user message, and consecutive messages of one side are
// merged into one (the API alternates user and assistant).
func anthropicMessages(msgs []Message) []anthropic.MessageParam {
	var out []anthropic.MessageParam
	for _, m := range msgs {
		blocks := anthropicBlocks(m)
		if len(blocks) == 0 {
			continue
		}
		assistant := m.Role == RoleAssistant
		if n := len(out); n > 0 && (out[n-1].OfAssistant != nil) == assistant {
			if assistant {
				out[n-1].OfAssistant.Content = append(out[n-1].OfAssistant.Content, blocks...)
			} else {
				out[n-1].OfUser.Content = append(out[n-1].OfUser.Content, blocks...)
			}
			continue
		}
		if assistant {
			out = append(out, anthropic.NewAssistantMessage(blocks...))
		} else {
			out = append(out, anthropic.NewUserMessage(blocks...))
		}
	}
	return out
}

// anthropicBlocks returns the content blocks of one message; empty text is
// left out (the API refuses empty text blocks).
func anthropicBlocks(m Message) []anthropic.ContentBlockParamUnion {
	var blocks []anthropic.ContentBlockParamUnion
	switch m.Role {
	case RoleTool:
		tr := anthropic.ToolResultBlockParam{ToolUseID: m.ToolCallID}
		if m.Content != "" {
			tr.Content = []anthropic.ToolResultBlockParamContentUnion{{OfText: &anthropic.TextBlockParam{Text: m.Content}}}
		}
		if m.ToolError {
			tr.IsError = anthropic.Bool(true)
		}
		return append(blocks, anthropic.ContentBlockParamUnion{OfToolResult: &tr})
	case RoleAssistant:
		if m.Content != "" {
			blocks = append(blocks, anthropic.NewTextBlock(m.Content))
		}
		for _, tc := range m.ToolCalls {
			blocks = append(blocks, anthropic.NewToolUseBlock(tc.ID, toolInput(tc.Arguments), tc.Name))
		}
		return blocks
	}
	if m.Content != "" {
		blocks = append(blocks, anthropic.NewTextBlock(m.Content))
	}
	return blocks
}

// toolInput is a call's arguments as the JSON object the API wants; a
// model's arguments that are not an object go back as an empty one.
func toolInput(args string) any {
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(args), &obj) != nil || obj == nil {
		return map[string]any{}
	}
	return json.RawMessage(args)
}
