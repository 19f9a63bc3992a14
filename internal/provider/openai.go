package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/shared"

	"github.com/actiongate/actiongate/internal/action"
)

// openaiBackend speaks Chat Completions through the official SDK.
type openaiBackend struct {
	svc openai.ChatCompletionService
}

// newOpenAI builds the Chat Completions service for p. The service is made
// directly, not through openai.NewClient, so that no OPENAI_* environment
// variable (a key, a base URL, extra headers) takes part.
func newOpenAI(p *action.Provider, apiKey string, hc *http.Client, mw option.Middleware) *openaiBackend {
	opts := []option.RequestOption{
		option.WithHTTPClient(hc),
		option.WithBaseURL(p.BaseURL),
		option.WithMaxRetries(0),
		option.WithMiddleware(mw),
	}
	for k, v := range p.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	switch {
	case apiKey == "":
	case azureHost(p.BaseURL):
		// Azure OpenAI takes its keys in an api-key header, not as a bearer token.
		opts = append(opts, option.WithHeader("api-key", apiKey))
	default:
		opts = append(opts, option.WithAPIKey(apiKey))
	}
	return &openaiBackend{svc: openai.NewChatCompletionService(opts...)}
}

// azureHost reports whether baseURL is an Azure OpenAI endpoint
// (RESOURCE.openai.azure.com, RESOURCE.cognitiveservices.azure.com or
// RESOURCE.services.ai.azure.com).
func azureHost(baseURL string) bool {
	u, err := url.Parse(baseURL)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, suffix := range []string{".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// stream implements backend.
func (b *openaiBackend) stream(ctx context.Context, req *Request, a *answer) error {
	params, err := openaiParams(req)
	if err != nil {
		return err
	}
	s := b.svc.NewStreaming(ctx, params)
	defer s.Close()
	r := openaiReader{a: a, slots: map[int64]int{}}
	for s.Next() {
		if err := r.chunk(s.Current()); err != nil {
			return err
		}
	}
	if err := s.Err(); err != nil {
		var se *ssestream.StreamError
		if errors.As(err, &se) {
			typ, msg := parseErrorBody(se.Event.Data)
			return &streamError{typ: typ, message: msg}
		}
		return err
	}
	if !r.finished {
		return errIncomplete
	}
	return nil
}

// openaiReader folds chunks into an answer.
type openaiReader struct {
	a *answer
	// slots maps a streamed tool-call index to its position in a.calls.
	slots    map[int64]int
	finished bool
}

// chunk folds one chunk in: text, tool-call deltas, finish reason, usage.
func (r *openaiReader) chunk(ch openai.ChatCompletionChunk) error {
	if ch.JSON.Usage.Valid() {
		r.a.usage = Usage{InputTokens: int(ch.Usage.PromptTokens), OutputTokens: int(ch.Usage.CompletionTokens)}
	}
	for _, choice := range ch.Choices {
		if choice.Index != 0 {
			continue
		}
		if err := r.a.addText(choice.Delta.Content); err != nil {
			return err
		}
		for _, d := range choice.Delta.ToolCalls {
			if err := r.toolDelta(d); err != nil {
				return err
			}
		}
		if choice.FinishReason != "" {
			r.a.stop, r.finished = choice.FinishReason, true
		}
	}
	return nil
}

// toolDelta folds one tool-call delta in. A delta with a new id at an
// index already in use starts a new call: some compatible servers number
// every call 0.
func (r *openaiReader) toolDelta(d openai.ChatCompletionChunkChoiceDeltaToolCall) error {
	i, ok := r.slots[d.Index]
	if !ok || (d.ID != "" && r.a.calls[i].ID != "" && d.ID != r.a.calls[i].ID) {
		var err error
		if i, err = r.a.newCall(d.ID, ""); err != nil {
			return err
		}
		r.slots[d.Index] = i
	} else if d.ID != "" && r.a.calls[i].ID == "" {
		r.a.calls[i].ID = d.ID
	}
	if err := r.a.addName(i, d.Function.Name); err != nil {
		return err
	}
	return r.a.addArgs(i, d.Function.Arguments)
}

// openaiParams maps a Request to Chat Completions parameters.
func openaiParams(req *Request) (openai.ChatCompletionNewParams, error) {
	p := openai.ChatCompletionNewParams{
		Model:         shared.ChatModel(req.Model),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: param.NewOpt(true)},
	}
	if req.System != "" {
		p.Messages = append(p.Messages, openai.SystemMessage(req.System))
	}
	for _, m := range req.Messages {
		p.Messages = append(p.Messages, openaiMessage(m))
	}
	for _, t := range req.Tools {
		schema, err := schemaObject(t)
		if err != nil {
			return p, err
		}
		def := shared.FunctionDefinitionParam{Name: t.Name, Parameters: shared.FunctionParameters(schema)}
		if t.Description != "" {
			def.Description = param.NewOpt(t.Description)
		}
		p.Tools = append(p.Tools, openai.ChatCompletionFunctionTool(def))
	}
	if req.Temperature != nil {
		p.Temperature = param.NewOpt(*req.Temperature)
	}
	if req.MaxOutputTokens > 0 {
		p.MaxCompletionTokens = param.NewOpt(int64(req.MaxOutputTokens))
	}
	return p, nil
}

// openaiMessage maps one Message; roles were checked before.
func openaiMessage(m Message) openai.ChatCompletionMessageParamUnion {
	switch m.Role {
	case RoleAssistant:
		var am openai.ChatCompletionAssistantMessageParam
		if m.Content != "" || len(m.ToolCalls) == 0 {
			am.Content.OfString = param.NewOpt(m.Content)
		}
		for _, tc := range m.ToolCalls {
			am.ToolCalls = append(am.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
				OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
					ID:       tc.ID,
					Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: tc.Name, Arguments: tc.Arguments},
				},
			})
		}
		return openai.ChatCompletionMessageParamUnion{OfAssistant: &am}
	case RoleTool:
		return openai.ToolMessage(m.Content, m.ToolCallID)
	}
	return openai.UserMessage(m.Content)
}

// schemaObject decodes a tool's JSON Schema as it is (numbers kept as
// written); an empty schema is an object without properties.
func schemaObject(t Tool) (map[string]any, error) {
	if len(bytes.TrimSpace(t.Parameters)) == 0 {
		return map[string]any{"type": "object", "properties": map[string]any{}}, nil
	}
	d := json.NewDecoder(bytes.NewReader(t.Parameters))
	d.UseNumber()
	var schema map[string]any
	if err := d.Decode(&schema); err != nil || schema == nil {
		return nil, fmt.Errorf("provider: tool %q: the parameters are not a JSON object schema", t.Name)
	}
	return keepNumbers(schema).(map[string]any), nil
}

// number is a JSON number kept as written. (The SDKs' encoders write a
// json.Number as a string.)
type number string

// MarshalJSON implements json.Marshaler.
func (n number) MarshalJSON() ([]byte, error) { return []byte(n), nil }

// keepNumbers replaces the json.Numbers in a decoded value by numbers.
func keepNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return number(x)
	case map[string]any:
		for k, e := range x {
			x[k] = keepNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = keepNumbers(e)
		}
	}
	return v
}
