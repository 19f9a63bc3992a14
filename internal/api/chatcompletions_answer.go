package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runtime"
)

// chatCall is one chat completion request being answered.
type chatCall struct {
	h       *openAIHandlers
	w       http.ResponseWriter
	r       *http.Request
	p       *gateway.Principal
	req     runtime.CompletionRequest
	body    *chatRequest
	id      string
	created int64
}

// chatUsage is a completion's tokens in OpenAI's words.
type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// chatOutcome is the answer's actiongate object: which conversation the
// turn belongs to and what it did.
type chatOutcome struct {
	ConversationID string             `json:"conversation_id"`
	Status         string             `json:"status"`
	ToolCalls      []runtime.ToolCall `json:"tool_calls"`
	ConfirmationID string             `json:"confirmation_id,omitempty"`
}

// chatCompletion is the answer of a request without stream.
type chatCompletion struct {
	ID         string       `json:"id"`
	Object     string       `json:"object"`
	Created    int64        `json:"created"`
	Model      string       `json:"model"`
	Choices    []chatChoice `json:"choices"`
	Usage      chatUsage    `json:"usage"`
	ActionGate *chatOutcome `json:"actiongate"`
}

// chatChoice is the one choice of a chat completion.
type chatChoice struct {
	Index        int                      `json:"index"`
	Message      runtime.AssistantMessage `json:"message"`
	FinishReason string                   `json:"finish_reason"`
}

// chatChunk is one event of a streamed answer.
type chatChunk struct {
	ID         string        `json:"id"`
	Object     string        `json:"object"`
	Created    int64         `json:"created"`
	Model      string        `json:"model"`
	Choices    []chunkChoice `json:"choices"`
	Usage      *chatUsage    `json:"usage,omitempty"`
	ActionGate *chatOutcome  `json:"actiongate,omitempty"`
}

// chunkChoice is the choice of a chunk: a piece of the answer, and at the
// end why it ended.
type chunkChoice struct {
	Index        int        `json:"index"`
	Delta        chunkDelta `json:"delta"`
	FinishReason *string    `json:"finish_reason"`
}

// chunkDelta is what a chunk adds to the answer.
type chunkDelta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

// outcomeOf is the actiongate object of a turn's result.
func outcomeOf(res *runtime.TurnResult) *chatOutcome {
	calls := res.ToolCalls
	if calls == nil {
		calls = []runtime.ToolCall{}
	}
	return &chatOutcome{ConversationID: res.ConversationID, Status: res.Status, ToolCalls: calls, ConfirmationID: res.ConfirmationID}
}

// usageOf is a turn's usage in OpenAI's words.
func usageOf(res *runtime.TurnResult) chatUsage {
	in, out := res.Usage.InputTokens, res.Usage.OutputTokens
	return chatUsage{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out}
}

// completion is the chat.completion answering res.
func (c *chatCall) completion(res *runtime.TurnResult) chatCompletion {
	msg := runtime.AssistantMessage{Role: gateway.RoleAssistant, Content: res.Message.Content}
	return chatCompletion{ID: c.id, Object: "chat.completion", Created: c.created, Model: c.body.Model,
		Choices: []chatChoice{{Index: 0, Message: msg, FinishReason: "stop"}},
		Usage:   usageOf(res), ActionGate: outcomeOf(res)}
}

// chunk is a chat.completion.chunk with one choice.
func (c *chatCall) chunk(d chunkDelta, finish *string) chatChunk {
	return chatChunk{ID: c.id, Object: "chat.completion.chunk", Created: c.created, Model: c.body.Model,
		Choices: []chunkChoice{{Index: 0, Delta: d, FinishReason: finish}}}
}

// stream runs the turn with its answer streamed as chat.completion.chunk
// events: a first chunk with the role, one per piece of text, a last one
// with finish_reason "stop" and the actiongate object, then (with
// stream_options.include_usage) one with the usage and no choices, then
// [DONE]. A request error before anything was streamed answers a plain
// error; a failure after is an event holding the error, as OpenAI streams
// one.
func (c *chatCall) stream() {
	s := httpkit.NewEventStream(c.w, c.r, httpkit.HeartbeatInterval)
	var mu sync.Mutex
	opened, streamed := false, false
	open := func() {
		if !opened {
			opened = true
			empty := ""
			_ = s.Event("", c.chunk(chunkDelta{Role: gateway.RoleAssistant, Content: &empty}, nil))
		}
	}
	res, err := c.h.rt.Complete(c.r.Context(), c.p, c.req, func(ev runtime.Event) {
		if ev.Type != runtime.EventMessageDelta || ev.Delta == "" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		open()
		streamed = true
		delta := ev.Delta
		_ = s.Event("", c.chunk(chunkDelta{Content: &delta}, nil))
	})
	s.Close()
	mu.Lock()
	defer mu.Unlock()
	switch {
	case c.r.Context().Err() != nil:
		// The client went away: nothing to answer.
	case err != nil:
		c.streamError(s, c.requestError(err), nil)
	case res.Status == runtime.TurnFailed:
		c.streamError(s, failedTurn(res), outcomeOf(res))
	default:
		open()
		if !streamed && res.Message.Content != "" {
			content := res.Message.Content
			_ = s.Event("", c.chunk(chunkDelta{Content: &content}, nil))
		}
		c.finish(s, res)
	}
}

// finish writes the last chunk, the usage chunk when asked for, and
// [DONE].
func (c *chatCall) finish(s *httpkit.EventStream, res *runtime.TurnResult) {
	stop := "stop"
	last := c.chunk(chunkDelta{}, &stop)
	last.ActionGate = outcomeOf(res)
	_ = s.Event("", last)
	if c.body.StreamOptions != nil && c.body.StreamOptions.IncludeUsage {
		u := usageOf(res)
		_ = s.Event("", chatChunk{ID: c.id, Object: "chat.completion.chunk", Created: c.created, Model: c.body.Model,
			Choices: []chunkChoice{}, Usage: &u})
	}
	_ = s.Raw("", []byte("[DONE]"))
}

// streamError answers err in OpenAI's shape: as the response when the
// stream has not started, as an event holding it otherwise.
func (c *chatCall) streamError(s *httpkit.EventStream, err error, outcome *chatOutcome) {
	var oe *openAIError
	if !errors.As(err, &oe) {
		c.h.g.Logger().ErrorContext(c.r.Context(), "chat completions request failed", "path", c.r.URL.Path, "err", err)
		oe = openAIErrorOf(err)
	}
	if !s.Started() {
		writeOpenAIError(c.w, oe, outcome)
		return
	}
	_ = s.Event("", map[string]any{"error": oe})
}

// requestError turns the runtime's and the gateway's errors about the
// request into OpenAI's shape, naming the request's field at fault.
func (c *chatCall) requestError(err error) error {
	var errs action.Errors
	conflict := func(code, message string) error {
		return newOpenAIError(http.StatusConflict, openAIInvalidRequest, code, "", message)
	}
	switch {
	case errors.Is(err, gateway.ErrUnknownAgent), errors.Is(err, runtime.ErrNoModel):
		return modelNotFound(c.body.Model)
	case errors.Is(err, gateway.ErrNotFound) && c.req.ConversationID != "":
		return newOpenAIError(http.StatusNotFound, openAIInvalidRequest, "not_found", "actiongate.conversation_id",
			fmt.Sprintf("no conversation with id %q", c.req.ConversationID))
	case errors.Is(err, gateway.ErrNotFound) && c.req.Start.ContactID != "":
		return newOpenAIError(http.StatusNotFound, openAIInvalidRequest, "not_found", "actiongate.contact_id",
			fmt.Sprintf("no contact with id %q", c.req.Start.ContactID))
	case errors.Is(err, runtime.ErrBusy):
		return conflict("conversation_busy", "a turn of this conversation is already running; send the next message when it has ended")
	case errors.Is(err, runtime.ErrWaiting):
		return conflict("waiting_confirmation", "the conversation waits for a confirmation; approve or reject it (POST /api/v1/confirmations/{id}) first")
	case errors.Is(err, gateway.ErrConflict):
		return conflict("conflict", "the request clashes with a change made at the same time; send it again")
	case errors.As(err, &errs) && len(errs) > 0:
		return invalidParam(c.paramOf(errs[0].Path), "invalid request: "+errs.Error())
	}
	return err
}

// paramOf names the request field a runtime or gateway field path is
// about.
func (c *chatCall) paramOf(path string) string {
	ext := c.body.ActionGate
	switch {
	case path == "content":
		return fmt.Sprintf("messages[%d].content", len(c.body.Messages)-1)
	case path == "vars" || strings.HasPrefix(path, "vars."), path == "contact_id", path == "conversation_id":
		return "actiongate." + path
	case path == "external_id" && (ext == nil || ext.Contact == nil):
		return "user"
	case path == "":
		return ""
	}
	return "actiongate.contact." + path
}
