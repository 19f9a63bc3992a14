package store

import (
	"encoding/json"
	"time"
)

// Conversation statuses.
const (
	// ConversationActive: ready for the contact's next message.
	ConversationActive = "active"
	// ConversationRunning: a turn is under way (until LeaseUntil).
	ConversationRunning = "running"
	// ConversationWaiting: a turn is paused until a person decides on a
	// write (Pending holds the paused turn).
	ConversationWaiting = "waiting_confirmation"
)

// Conversation channels.
const (
	ChannelAPI     = "api"
	ChannelConsole = "console"
	ChannelOpenAI  = "openai"
)

// Conversation is an agent talking with a contact.
type Conversation struct {
	ID        string         `json:"id"`
	Agent     string         `json:"agent"`
	ContactID string         `json:"contact_id"`
	Channel   string         `json:"channel"`
	Vars      map[string]any `json:"vars,omitempty"`
	// Status is one of the Conversation* statuses.
	Status string `json:"status"`
	// Turns counts the turns run so far.
	Turns int `json:"turns"`
	// Usage totals the model tokens of every turn.
	Usage Usage `json:"usage"`
	// CreatedBy is the agent whose token started the conversation; empty
	// for an operator.
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Messages is the transcript, oldest first; filled only when asked for.
	Messages []Message `json:"messages,omitempty"`
	// Pending is the runtime's encoding of a paused turn; nil unless the
	// status is ConversationWaiting.
	Pending json.RawMessage `json:"-"`
	// LeaseUntil is when a running turn counts as abandoned.
	LeaseUntil time.Time `json:"-"`
}

// Usage counts model tokens.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Message roles.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message is one entry of a transcript: the contact's message, the
// agent's answer (possibly asking for tool calls), or one tool call's
// result.
type Message struct {
	// Seq numbers the conversation's messages from 1.
	Seq int `json:"seq"`
	// Turn is the turn the message belongs to, from 1.
	Turn    int    `json:"turn"`
	Role    string `json:"role"`
	Content string `json:"content,omitempty"`
	// ToolCalls are the calls an assistant message asked for.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// Usage is the model's tokens for an assistant message.
	Usage *Usage `json:"usage,omitempty"`
	// For a tool message: the call it answers and how it went.
	ToolCallID     string          `json:"tool_call_id,omitempty"`
	Name           string          `json:"name,omitempty"`
	Arguments      json.RawMessage `json:"arguments,omitempty"`
	Status         string          `json:"status,omitempty"`
	RunID          string          `json:"run_id,omitempty"`
	RawTokens      int             `json:"raw_tokens,omitempty"`
	OutputTokens   int             `json:"output_tokens,omitempty"`
	ConfirmationID string          `json:"confirmation_id,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
}

// ToolCall is one call an assistant message asked for.
type ToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// ConversationFilter selects and pages conversations.
type ConversationFilter struct {
	Agent     string
	ContactID string
	// Cursor continues a listing where the previous page ended.
	Cursor string
	// Limit is the page size; 0 means DefaultConversationLimit.
	Limit int
}

// Bounds of conversations.
const (
	DefaultConversationLimit = 50
	MaxConversationLimit     = 500
	// MaxMessages is the most messages GetConversation returns (the
	// newest ones).
	MaxMessages = 2000
)
