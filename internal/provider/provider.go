// Package provider talks to LLM providers behind one small interface: an
// OpenAI Chat Completions–compatible server (OpenAI, Azure OpenAI,
// OpenRouter, Ollama, vLLM, LM Studio, llama.cpp) or Anthropic's Messages
// API, each through its official Go SDK over the HTTP client the caller
// gives (actiongate's egress client, so the SSRF guard holds for providers
// too). A request carries the conversation so far and the tools; the
// answer is streamed as text deltas and ends with the text, the tool calls
// the model asks for and the tokens it used.
package provider

import (
	"context"
	"encoding/json"
)

// Roles of a Message.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	// RoleTool carries the result of one tool call (ToolCallID).
	RoleTool = "tool"
)

// Message is one entry of the conversation sent to the model.
type Message struct {
	Role    string
	Content string
	// ToolCalls are the calls an assistant message asked for.
	ToolCalls []ToolCall
	// ToolCallID is the call a RoleTool message answers.
	ToolCallID string
	// ToolError marks a RoleTool result that reports a failure.
	ToolError bool
}

// ToolCall is one tool call the model asks for.
type ToolCall struct {
	ID   string
	Name string
	// Arguments is the JSON text the model wrote (it may be invalid JSON).
	Arguments string
}

// Tool is one tool the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is the tool's input JSON Schema (an object schema).
	Parameters json.RawMessage
}

// Request is one model call.
type Request struct {
	Model string
	// System is the system prompt (the agent's rendered instructions).
	System   string
	Messages []Message
	Tools    []Tool
	// Temperature is sent when not nil.
	Temperature *float64
	// MaxOutputTokens bounds the answer; 0 leaves the provider's default.
	MaxOutputTokens int
}

// Usage counts the model tokens of one call.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Response is the model's whole answer to one Request.
type Response struct {
	Content   string
	ToolCalls []ToolCall
	Usage     Usage
	// StopReason is the provider's own word for why the answer ended.
	StopReason string
}

// Client sends requests to one provider. Implementations are safe for
// concurrent use.
type Client interface {
	// Complete sends req and streams the answer: onText (which may be nil)
	// receives each piece of text as it arrives. Provider failures come
	// back as *Error; ctx ends the call.
	Complete(ctx context.Context, req *Request, onText func(string)) (*Response, error)
}
