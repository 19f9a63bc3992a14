package runtime

import (
	"encoding/json"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
)

// Turn statuses.
const (
	TurnCompleted = "completed"
	TurnWaiting   = "waiting_confirmation"
	TurnFailed    = "failed"
)

// Event types of a streamed turn.
const (
	EventMessageDelta         = "message.delta"
	EventToolCallStarted      = "tool_call.started"
	EventToolCallFinished     = "tool_call.finished"
	EventConfirmationRequired = "confirmation.required"
	EventMessageCompleted     = "message.completed"
	EventError                = "error"
)

// Event is one step of a turn as it happens, for streaming surfaces. Type
// says which field is set.
type Event struct {
	Type string `json:"type"`
	// Delta is a piece of the answer's text (message.delta).
	Delta string `json:"delta,omitempty"`
	// ToolCall is the call started or finished (tool_call.*), or the call
	// waiting for a person (confirmation.required).
	ToolCall *ToolCall `json:"tool_call,omitempty"`
	// Preview is the request waiting for confirmation, secrets masked
	// (confirmation.required).
	Preview *runlog.Request `json:"preview,omitempty"`
	// Turn is the whole result (message.completed, and error when the
	// turn failed).
	Turn *TurnResult `json:"turn,omitempty"`
	// Error says what went wrong (error).
	Error string `json:"error,omitempty"`
}

// ToolCall is one tool call of a turn and how it went.
type ToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	// Status is ok, error or confirmation_required (as tool results
	// say), or rejected when a person declined it.
	Status         string `json:"status,omitempty"`
	RunID          string `json:"run_id,omitempty"`
	RawTokens      int    `json:"raw_tokens,omitempty"`
	OutputTokens   int    `json:"output_tokens,omitempty"`
	ConfirmationID string `json:"confirmation_id,omitempty"`
}

// AssistantMessage is the agent's answer.
type AssistantMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// TurnResult is what one turn came to.
type TurnResult struct {
	ConversationID string `json:"conversation_id"`
	// Status is TurnCompleted, TurnWaiting or TurnFailed.
	Status    string           `json:"status"`
	Message   AssistantMessage `json:"message"`
	ToolCalls []ToolCall       `json:"tool_calls"`
	// Usage is the model's tokens over the whole turn.
	Usage gateway.Usage `json:"usage"`
	// ConfirmationID is the write the turn waits for (TurnWaiting).
	ConfirmationID string `json:"confirmation_id,omitempty"`
	// Error says why the turn failed (TurnFailed); it holds no secret.
	Error string `json:"error,omitempty"`
}

// StartRequest begins a conversation.
type StartRequest struct {
	Agent string
	// ContactID names an existing contact; or Contact is found by its
	// ExternalID, or created.
	ContactID string
	Contact   *gateway.Contact
	Vars      map[string]any
	// Channel is gateway.ChannelAPI, ChannelConsole or ChannelOpenAI.
	Channel string
}

// HistoryMessage is an earlier message a client replays (the
// OpenAI-compatible door, whose clients send the whole history).
type HistoryMessage struct {
	Role    string
	Content string
}

// CompletionRequest is one Chat Completions request to an agent.
type CompletionRequest struct {
	Start StartRequest
	// ConversationID continues a conversation instead of starting one.
	ConversationID string
	// History is what came before the last user message.
	History []HistoryMessage
	// Content is the last user message.
	Content string
}
