// Package runtime runs the agents that talk: a conversation turn is the
// model, then the tool calls it asks for (each the same gateway call as the
// tools API, with the conversation's contact and vars), then the model
// again, until it answers, a limit stops it, or a write waits for a
// person's confirmation, which pauses the turn until it is decided.
//
// The runtime keeps no state of its own between requests: a conversation
// and a paused turn live in the database, so any replica continues them.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
)

// Errors callers branch on.
var (
	// ErrBusy: another turn of the conversation is running.
	ErrBusy = errors.New("a turn of this conversation is already running")
	// ErrNoModel: the agent has no model, so it is a tool server only.
	ErrNoModel = gateway.ErrNoModel
	// ErrWaiting: the conversation waits for a confirmation to be decided.
	ErrWaiting = errors.New("conversation is waiting for a confirmation")
)

// Bounds of what a conversation's callers send.
const (
	// MaxContentBytes bounds one message of the contact.
	MaxContentBytes = 32 << 10
	// MaxHistory is how many earlier messages a model request carries at
	// most; older ones are left out, cut at a message of the contact.
	MaxHistory = 200
)

// Options are optional parts of a Runtime.
type Options struct {
	// Logger receives a line per turn (never its content); nil means the
	// gateway's logger.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
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

// Start begins a conversation of an agent that has a model with a contact:
// req.ContactID names one, or req.Contact is found by its external id or
// created.
func (r *Runtime) Start(ctx context.Context, p *gateway.Principal, req StartRequest) (*gateway.Conversation, error) {
	if !p.CanUseAgent(req.Agent) {
		return nil, fmt.Errorf("runtime: %w: %q", gateway.ErrUnknownAgent, req.Agent)
	}
	ag, err := r.g.Agent(ctx, req.Agent)
	if err != nil {
		return nil, err
	}
	if ag.Model == nil {
		return nil, fmt.Errorf("runtime: agent %q: %w", ag.Name, ErrNoModel)
	}
	channel := req.Channel
	if channel == "" {
		channel = gateway.ChannelAPI
	}
	if errs := checkStart(req, channel); len(errs) > 0 {
		return nil, errs
	}
	contact, err := r.contactOf(ctx, p, req)
	if err != nil {
		return nil, err
	}
	c := &gateway.Conversation{
		Agent: ag.Name, ContactID: contact.ID, Channel: channel, Vars: req.Vars,
		Status: gateway.ConversationActive, CreatedBy: p.Agent,
	}
	if err := r.g.CreateConversation(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// contactOf returns the contact a conversation starts with.
func (r *Runtime) contactOf(ctx context.Context, p *gateway.Principal, req StartRequest) (*gateway.Contact, error) {
	if req.ContactID != "" {
		return r.g.Contact(ctx, p, req.ContactID)
	}
	c, _, err := r.g.FindOrCreateContact(ctx, p, req.Contact)
	return c, err
}

// checkStart finds what is wrong with a StartRequest, by field, before
// anything is created: the contact it names and the conversation's own
// fields (gateway.CheckConversation).
func checkStart(req StartRequest, channel string) action.Errors {
	var errs action.Errors
	add := func(path, msg string) { errs = append(errs, &action.FieldError{Path: path, Message: msg}) }
	switch {
	case req.ContactID == "" && req.Contact == nil:
		add("contact_id", "give contact_id, or contact to find by its external_id or create")
	case req.ContactID != "" && req.Contact != nil:
		add("contact", "give contact_id or contact, not both")
	}
	return append(errs, gateway.CheckConversation(&gateway.Conversation{Agent: req.Agent, Channel: channel, Vars: req.Vars})...)
}

// checkContent finds what is wrong with a message of the contact.
func checkContent(content string) action.Errors {
	switch {
	case strings.TrimSpace(content) == "":
		return action.Errors{&action.FieldError{Path: "content", Message: "is empty"}}
	case len(content) > MaxContentBytes:
		return action.Errors{&action.FieldError{Path: "content", Message: fmt.Sprintf("is longer than %d bytes", MaxContentBytes)}}
	case !utf8.ValidString(content):
		return action.Errors{&action.FieldError{Path: "content", Message: "is not valid UTF-8 text"}}
	}
	return nil
}
