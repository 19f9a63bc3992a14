// Package runtime runs the agents that talk: a conversation turn is the
// model, then the tool calls it asks for (each the same gateway call as the
// tools API, with the conversation's contact and vars), then the model
// again, until it answers, a limit stops it, or a write waits for a
// person's confirmation, which pauses the turn until it is decided.
package runtime

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
)

// Errors callers branch on.
var (
	// ErrBusy: another turn of the conversation is running.
	ErrBusy = errors.New("a turn of this conversation is already running")
	// ErrNoModel: the agent has no model, so it is a tool server only.
	ErrNoModel = errors.New("agent has no model")
	// ErrWaiting: the conversation waits for a confirmation to be decided.
	ErrWaiting = errors.New("conversation is waiting for a confirmation")
)

// Options are optional parts of a Runtime.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
}

// Runtime runs conversation turns. It is safe for concurrent use.
type Runtime struct {
	g   *gateway.Gateway
	log *slog.Logger
	now func() time.Time
}

// New returns a Runtime over g.
func New(g *gateway.Gateway, opts Options) *Runtime {
	if opts.Logger == nil {
		opts.Logger = g.Logger()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Runtime{g: g, log: opts.Logger, now: opts.Now}
}

// Start begins a conversation of an agent that has a model with a contact.
func (r *Runtime) Start(ctx context.Context, p *gateway.Principal, req StartRequest) (*gateway.Conversation, error) {
	panic("runtime: Start lands with the runtime")
}

// Send runs one turn on the contact's message content. emit (which may be
// nil) receives the turn's events as they happen. A turn that fails (the
// provider, a limit) is a TurnResult with TurnFailed, not an error; errors
// are for the request itself (unknown conversation, ErrBusy, ErrWaiting,
// ErrNoModel, an invalid message as action.Errors).
func (r *Runtime) Send(ctx context.Context, p *gateway.Principal, conversationID, content string, emit func(Event)) (*TurnResult, error) {
	panic("runtime: Send lands with the runtime")
}

// Decide approves or rejects a confirmation. When the confirmation paused
// a conversation's turn, the turn resumes with the call's result (or the
// refusal) and its outcome is returned too; otherwise the TurnResult is nil.
func (r *Runtime) Decide(ctx context.Context, p *gateway.Principal, confirmationID string, approve bool, emit func(Event)) (*gateway.ToolResult, *TurnResult, error) {
	panic("runtime: Decide lands with the runtime")
}

// Complete runs the turn of one Chat Completions request: it continues
// req.ConversationID, or starts a conversation (channel openai) seeded
// with req.History, then runs the turn on req.Content.
func (r *Runtime) Complete(ctx context.Context, p *gateway.Principal, req CompletionRequest, emit func(Event)) (*TurnResult, error) {
	panic("runtime: Complete lands with the runtime")
}
