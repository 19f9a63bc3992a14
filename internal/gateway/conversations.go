package gateway

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/store"
)

// Bounds of conversations.
const (
	// DefaultConversationLimit is the page size of ListConversations when
	// none is asked for.
	DefaultConversationLimit = store.DefaultConversationLimit
	// MaxConversationLimit is the largest page ListConversations returns.
	MaxConversationLimit = store.MaxConversationLimit
	// MaxMessages is the most messages Conversation returns (the newest).
	MaxMessages = store.MaxMessages
)

// Conversation returns a conversation p reaches, with its newest
// MaxMessages messages, oldest first. Agent tokens reach only their
// agent's conversations; others are ErrNotFound.
func (g *Gateway) Conversation(ctx context.Context, p *Principal, id string) (*Conversation, error) {
	c, err := g.store.GetConversation(ctx, id, true)
	if err == nil && !p.CanUseAgent(c.Agent) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: conversation %q: %w", id, err)
	}
	return c, nil
}

// ListConversations returns the conversations p reaches that match f,
// newest first and without their messages, and the cursor of the next
// page ("" at the end). Agent tokens get f.Agent forced to their agent.
func (g *Gateway) ListConversations(ctx context.Context, p *Principal, f ConversationFilter) ([]Conversation, string, error) {
	if !p.Admin {
		if p.Agent == "" {
			return nil, "", nil
		}
		f.Agent = p.Agent
	}
	if f.Limit < 0 || f.Limit > MaxConversationLimit {
		return nil, "", fmt.Errorf("gateway: listing conversations: %w",
			action.Errors{{Path: "limit", Message: fmt.Sprintf("must be from 1 to %d", MaxConversationLimit)}})
	}
	list, next, err := g.store.ListConversations(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("gateway: %w", err)
	}
	return list, next, nil
}

// CreateConversation stores a new conversation for the runtime, which has
// checked who may start it: the agent is named, the channel is one of the
// Channel* values, the vars are checked like contact attributes (names,
// MaxAttributes, MaxAttributesBytes, MaxAttributeDepth) and the contact
// must exist (ErrNotFound otherwise). It fills c's ID, status and
// timestamps.
func (g *Gateway) CreateConversation(ctx context.Context, c *Conversation) error {
	vars, errs := checkConversation(c)
	if err := errs.Err(); err != nil {
		return fmt.Errorf("gateway: creating conversation: %w", err)
	}
	c.Vars = vars
	if err := g.store.CreateConversation(ctx, c); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	g.emit(ctx, event{Type: action.EventConversationStarted, ID: c.ID, Agent: c.Agent, ContactID: c.ContactID, Data: map[string]any{
		"conversation_id": c.ID, "channel": c.Channel,
	}})
	return nil
}

// CheckConversation finds what CreateConversation would refuse in c, by
// field, so a caller can refuse a request before it creates anything else
// (its contact).
func CheckConversation(c *Conversation) action.Errors {
	_, errs := checkConversation(c)
	return errs
}

// checkConversation checks c's agent, channel and vars (the rules of
// contact attributes, names a placeholder can use) and returns the vars
// normalized.
func checkConversation(c *Conversation) (map[string]any, action.Errors) {
	var errs action.Errors
	if c.Agent == "" {
		errs = append(errs, &action.FieldError{Path: "agent", Message: "required"})
	}
	switch c.Channel {
	case ChannelAPI, ChannelConsole, ChannelOpenAI:
	default:
		errs = append(errs, &action.FieldError{Path: "channel", Message: fmt.Sprintf("%q: must be %s, %s or %s", c.Channel, ChannelAPI, ChannelConsole, ChannelOpenAI)})
	}
	vars, varErrs := normalizeValues("vars", c.Vars, false, false)
	errs = append(errs, varErrs...)
	if len(varErrs) == 0 {
		errs = append(errs, boundValues("vars", vars)...)
	}
	return vars, errs
}

// TurnLeaseSlack is how long past its agent's turn timeout a running turn
// counts as alive (its last tool call finishing, the turn being saved);
// after that, ClaimConversation takes the conversation from it.
const TurnLeaseSlack = time.Minute

// ClaimConversation starts a turn for the runtime: it makes a
// conversation p reaches running, for its agent's turn timeout plus
// TurnLeaseSlack, when its status is from, or when it is running with a
// lease that has passed (a turn whose server stopped), and returns it with
// its messages. Of many claimers at once exactly one wins, on every
// replica; the others get ErrConflict. A missing conversation, or one p
// does not reach, is ErrNotFound and is left as it is.
func (g *Gateway) ClaimConversation(ctx context.Context, p *Principal, id, from string) (*Conversation, error) {
	head, err := g.store.GetConversation(ctx, id, false)
	if err == nil && !p.CanUseAgent(head.Agent) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: conversation %q: %w", id, err)
	}
	lease := action.DefaultTurnTimeout
	if snap, err := g.Snapshot(ctx); err == nil && snap.Agents[head.Agent] != nil {
		lease = snap.Agents[head.Agent].TurnTimeoutDuration()
	}
	now := g.now()
	c, err := g.store.ClaimConversation(ctx, id, from, now.Add(lease+TurnLeaseSlack), now)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return c, nil
}

// SaveConversation stores a turn's outcome for the runtime in one
// transaction: c's status, pending turn, vars, usage and turns, the time,
// and the lease cleared. It appends add, numbering their Seq after the
// conversation's last message and writing each Seq back into add, and
// rewrites the messages of update by their Seq.
func (g *Gateway) SaveConversation(ctx context.Context, c *Conversation, add []Message, update []Message) error {
	if err := g.store.SaveConversation(ctx, c, add, update, g.now()); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	for i, m := range add {
		if m.Role == RoleUser {
			g.emit(ctx, event{Type: action.EventMessageReceived, ID: c.ID + "#" + strconv.Itoa(c.Turns) + "." + strconv.Itoa(i), Agent: c.Agent, ContactID: c.ContactID, Data: map[string]any{
				"conversation_id": c.ID, "text": m.Content,
			}})
		}
	}
	return nil
}
