package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// MaxBatchCalls bounds the tool calls of one batch request.
const MaxBatchCalls = 64

// maxNameInMessage bounds how much of a tool call's type taken from the
// request an error message repeats.
const maxNameInMessage = 80

// batchConcurrency bounds how many calls of one batch run at once.
const batchConcurrency = 8

// batchRequest is the body of POST /api/v1/agents/{agent}/tools: the
// tool_calls of an OpenAI Chat Completions assistant message.
type batchRequest struct {
	ToolCalls []openAIToolCall `json:"tool_calls"`
	Context   batchCallContext `json:"context"`
}

// batchCallContext is the context shared by a batch; each call's id is its
// call id.
type batchCallContext struct {
	Contact        map[string]any `json:"contact,omitempty"`
	Vars           map[string]any `json:"vars,omitempty"`
	ConversationID string         `json:"conversation_id,omitempty"`
}

// openAIToolCall is one entry of an assistant message's tool_calls.
type openAIToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
		// Arguments is a JSON object encoded as a string, as the model
		// produced it.
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// toolMessage is a `role: tool` message answering one tool call.
type toolMessage struct {
	Role       string `json:"role"`
	ToolCallID string `json:"tool_call_id"`
	Content    string `json:"content"`
}

// batchResult is what the batch reports beside the messages for one call.
type batchResult struct {
	ToolCallID     string         `json:"tool_call_id"`
	Status         string         `json:"status"`
	RunID          string         `json:"run_id,omitempty"`
	Tokens         gateway.Tokens `json:"tokens"`
	ConfirmationID string         `json:"confirmation_id,omitempty"`
	Handle         string         `json:"handle,omitempty"`
}

// batch runs the tool calls of one assistant message concurrently and
// answers {"messages":[...], "results":[...]} in the order of the calls:
// messages are the `role: tool` messages ready to append to the
// conversation, results the status and run of each. A call the gateway
// cannot run (unknown or not activated tool, arguments that are not a JSON
// object) is answered by a model-readable error in its message.
func (h *toolHandlers) batch(w http.ResponseWriter, r *http.Request) error {
	var body batchRequest
	if err := httpkit.DecodeJSON(w, r, &body); err != nil {
		return err
	}
	if err := checkBatch(body.ToolCalls); err != nil {
		return err
	}
	agent := r.PathValue("agent")
	if _, err := h.g.Agent(r.Context(), agent); err != nil {
		return err
	}
	messages := make([]toolMessage, len(body.ToolCalls))
	results := make([]batchResult, len(body.ToolCalls))
	sem := make(chan struct{}, batchConcurrency)
	var wg sync.WaitGroup
	for i, tc := range body.ToolCalls {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			res := h.batchCall(r.Context(), agent, tc, body.Context)
			messages[i] = toolMessage{Role: "tool", ToolCallID: tc.ID, Content: res.Output}
			results[i] = batchResult{ToolCallID: tc.ID, Status: res.Status, RunID: res.RunID, Tokens: res.Tokens,
				ConfirmationID: res.ConfirmationID, Handle: res.Handle}
		})
	}
	wg.Wait()
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"messages": messages, "results": results})
	return nil
}

// checkBatch refuses batches that cannot be answered message by message.
func checkBatch(calls []openAIToolCall) error {
	switch {
	case len(calls) == 0:
		return &httpkit.Error{Status: http.StatusBadRequest, Code: httpkit.CodeBadRequest, Message: "tool_calls: must hold at least one tool call",
			Fields: map[string]string{"tool_calls": "must hold at least one tool call"}}
	case len(calls) > MaxBatchCalls:
		return &httpkit.Error{Status: http.StatusBadRequest, Code: httpkit.CodeBadRequest, Message: fmt.Sprintf("tool_calls: at most %d tool calls per request", MaxBatchCalls),
			Fields: map[string]string{"tool_calls": fmt.Sprintf("at most %d tool calls", MaxBatchCalls)}}
	}
	seen := make(map[string]bool, len(calls))
	for i, tc := range calls {
		field := fmt.Sprintf("tool_calls[%d].id", i)
		switch {
		case tc.ID == "":
			return &httpkit.Error{Status: http.StatusBadRequest, Code: httpkit.CodeBadRequest, Message: field + ": must not be empty",
				Fields: map[string]string{field: "must not be empty"}}
		case seen[tc.ID]:
			return &httpkit.Error{Status: http.StatusBadRequest, Code: httpkit.CodeBadRequest, Message: fmt.Sprintf("%s: %q is used by an earlier tool call", field, tc.ID),
				Fields: map[string]string{field: "duplicate id"}}
		}
		seen[tc.ID] = true
	}
	return nil
}

// batchCall runs one call of a batch, turning every failure into a result
// the model can read.
func (h *toolHandlers) batchCall(ctx context.Context, agent string, tc openAIToolCall, bc batchCallContext) *gateway.ToolResult {
	name := tc.Function.Name
	if tc.Type != "" && tc.Type != "function" {
		return errorResult(toolresult.Errorf(toolresult.KindUnsupportedToolCall, "Tool calls of type %q are not supported; only function calls are.", jsonlimit.Shorten(tc.Type, maxNameInMessage)))
	}
	cc := gateway.CallContext{Contact: bc.Contact, Vars: bc.Vars, ConversationID: bc.ConversationID, CallID: tc.ID}
	var (
		res *gateway.ToolResult
		err error
	)
	if args, refused := toolresult.DecodeArguments([]byte(tc.Function.Arguments)); refused != nil {
		res, err = h.g.RefuseTool(ctx, runlog.CallerTools, agent, name, cc, refused)
	} else {
		res, err = h.g.CallTool(ctx, runlog.CallerTools, agent, name, args, cc)
	}
	switch {
	case errors.Is(err, gateway.ErrUnknownAction), errors.Is(err, gateway.ErrNotActivated):
		return errorResult(toolresult.UnknownTool(name))
	case err != nil:
		h.g.Logger().ErrorContext(ctx, "batch tool call failed", "agent", agent, "tool", name, "err", err)
		return errorResult(toolresult.Internal())
	}
	return res
}

// errorResult is a failed call's result: the model-readable error.
func errorResult(e *toolresult.Error) *gateway.ToolResult {
	return &gateway.ToolResult{Status: gateway.StatusError, Output: e.Output()}
}
