package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// ConfirmationExpired is the state ConfirmationInfo reports for a pending
// confirmation past its expiry; it can no longer be decided.
const ConfirmationExpired = "expired"

// ConfirmationInfo is a confirmation as shown to the person deciding it.
type ConfirmationInfo struct {
	ID     string `json:"id"`
	Agent  string `json:"agent"`
	Action string `json:"action"`
	// State is pending, executing, done, rejected, expired, unknown (the
	// server stopped while sending it; retry or close it) or closed.
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Preview is the request that approval sends, secrets masked.
	Preview *runlog.Request `json:"preview,omitempty"`
	// Result is the outcome once an approved request was sent.
	Result *ToolResult `json:"result,omitempty"`
	// ConversationID and CallID name the conversation turn's tool call
	// that waits for the decision, when a conversation made the call.
	ConversationID string `json:"conversation_id,omitempty"`
	CallID         string `json:"call_id,omitempty"`
}

// ConfirmationInfo returns a confirmation's state, the request it would
// send and, once done, its result.
func (g *Gateway) ConfirmationInfo(ctx context.Context, id string) (*ConfirmationInfo, error) {
	c, err := g.Confirmation(ctx, id)
	if err != nil {
		return nil, err
	}
	return g.confirmationInfo(c)
}

func (g *Gateway) confirmationInfo(c *store.Confirmation) (*ConfirmationInfo, error) {
	id := c.ID
	p, err := pendingOf(c)
	if err != nil {
		return nil, err
	}
	info := &ConfirmationInfo{
		ID: c.ID, Agent: c.Agent, Action: c.Action, State: c.State,
		CreatedAt: c.CreatedAt, ExpiresAt: c.ExpiresAt, Preview: p.Preview,
		ConversationID: p.Context.ConversationID, CallID: p.Context.CallID,
	}
	if c.State == store.ConfirmationPending && !g.now().Before(c.ExpiresAt) {
		info.State = ConfirmationExpired
	}
	if c.State == store.ConfirmationDone && len(c.Result) > 0 {
		info.Result = &ToolResult{}
		if err := json.Unmarshal(c.Result, info.Result); err != nil {
			return nil, fmt.Errorf("gateway: decoding result of confirmation %s: %w", id, err)
		}
	}
	return info, nil
}

// StateError means a confirmation is not in the state a request applies
// to: only one whose outcome is unknown is retried or closed.
type StateError struct {
	ID, State string
	// Verb is what was asked: "retried" or "closed".
	Verb string
}

// Error formats the problem as "gateway: " and Message.
func (e *StateError) Error() string { return "gateway: " + e.Message() }

// Message says what is wrong, for people.
func (e *StateError) Message() string {
	return fmt.Sprintf("confirmation %q is %s; only a confirmation whose outcome is unknown can be %s", e.ID, e.State, e.Verb)
}

// ForbiddenError means the principal may not do what it asked; Reason says
// why and what would allow it.
type ForbiddenError struct{ Reason string }

// Error formats the problem as "gateway: forbidden: " and the reason.
func (e *ForbiddenError) Error() string { return "gateway: forbidden: " + e.Reason }

// mayDecide checks that p may approve (or reject) a confirmation of agent.
// Anyone reaching the agent may reject, since nothing is sent. Approving
// takes an admin principal (a console session acts with an admin token);
// when ACTIONGATE_CONFIRM_APPROVERS is user or agent, also the person
// answering the agent's MCP client's own prompt; when it is agent, also a
// token of that agent. No tool approves: tool calls never reach Decide.
func (g *Gateway) mayDecide(p *Principal, agent string, approve bool) error {
	approvers := g.cfg.ConfirmApprovers
	switch {
	case p == nil || !p.CanUseAgent(agent):
		return &ForbiddenError{Reason: fmt.Sprintf("this token does not reach the confirmations of agent %q", agent)}
	case !approve || p.Admin || approvers == config.ApproversAgent:
		return nil
	case p.Elicited && g.ElicitationApproves():
		return nil
	case p.Elicited:
		return &ForbiddenError{Reason: "an answer in the MCP client may not approve confirmations (ACTIONGATE_CONFIRM_APPROVERS is admin): " +
			"approve with an admin token or in the console, or set ACTIONGATE_CONFIRM_APPROVERS=user to let the client's user approve"}
	}
	return &ForbiddenError{Reason: fmt.Sprintf("an agent token may not approve confirmations (ACTIONGATE_CONFIRM_APPROVERS is %s): ", approvers) +
		"approve with an admin token or in the console, or set ACTIONGATE_CONFIRM_APPROVERS=agent to let an agent's own tokens approve its confirmations"}
}

// ElicitationApproves reports whether the person answering an MCP client's
// own confirmation prompt may approve (ACTIONGATE_CONFIRM_APPROVERS user or
// agent). When it may not, MCP clients are not asked; they get the
// confirmation id for an admin to approve.
func (g *Gateway) ElicitationApproves() bool {
	return g.cfg.ConfirmApprovers == config.ApproversUser || g.cfg.ConfirmApprovers == config.ApproversAgent
}

// Decide approves or rejects a pending confirmation on behalf of p (see
// mayDecide for who may). An approval executes the call exactly once;
// deciding again returns the recorded result.
func (g *Gateway) Decide(ctx context.Context, p *Principal, id string, approve bool) (*ToolResult, error) {
	c, err := g.Confirmation(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := g.mayDecide(p, c.Agent, approve); err != nil {
		return nil, err
	}
	c, won, err := g.store.ClaimConfirmation(ctx, id, approve, g.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("gateway: %w: %q", ErrUnknownConfirmation, id)
	case err != nil:
		return nil, fmt.Errorf("gateway: %w", err)
	case !won:
		return settled(c)
	}
	pc, err := pendingOf(c)
	if err != nil {
		return nil, err
	}
	if !approve {
		run := &runlog.Run{
			Caller: pc.Caller, Agent: pc.Agent, Action: pc.Action, Arguments: pc.Arguments,
			ConversationID: pc.Context.ConversationID, CallID: pc.Context.CallID,
			Outcome: runlog.OutcomeRejected, StartedAt: g.now().UTC(), ConfirmationID: id,
			Output: toolresult.Output(toolresult.KindRejected, declined),
		}
		if err := g.record(ctx, run); err != nil {
			return nil, err
		}
		return toolResult(run), nil
	}
	return g.execute(ctx, id, pc)
}

// declined is what the model reads about a call a person rejected.
const declined = "The user declined this request; it was not sent."

// pendingOf decodes the call a confirmation holds.
func pendingOf(c *store.Confirmation) (*pendingCall, error) {
	var pc pendingCall
	if err := json.Unmarshal(c.Payload, &pc); err != nil {
		return nil, fmt.Errorf("gateway: decoding confirmation %s: %w", c.ID, err)
	}
	return &pc, nil
}

// ConfirmationOutcome returns what the model reads about a confirmation
// that is settled: decided, expired undecided, or of unknown outcome. It
// returns false while the confirmation is pending or being sent.
func (g *Gateway) ConfirmationOutcome(ctx context.Context, id string) (*ToolResult, bool, error) {
	c, err := g.Confirmation(ctx, id)
	if err != nil {
		return nil, false, err
	}
	switch {
	case c.State == store.ConfirmationPending && !g.now().Before(c.ExpiresAt):
		return &ToolResult{Status: StatusError, Output: toolresult.Output(toolresult.KindExpired,
			"Nobody approved this request in time; it was not sent.")}, true, nil
	case c.State == store.ConfirmationPending, c.State == store.ConfirmationExecuting:
		return nil, false, nil
	}
	tr, err := settled(c)
	return tr, err == nil, err
}

// settled answers a decision that lost the race or came late: the
// confirmation as it now stands.
func settled(c *store.Confirmation) (*ToolResult, error) {
	msg := func(kind toolresult.Kind, text string) (*ToolResult, error) {
		return &ToolResult{Status: StatusError, Output: toolresult.Output(kind, text)}, nil
	}
	switch c.State {
	case store.ConfirmationDone:
		var tr ToolResult
		if err := json.Unmarshal(c.Result, &tr); err != nil {
			return nil, fmt.Errorf("gateway: decoding confirmation result: %w", err)
		}
		return &tr, nil
	case store.ConfirmationRejected:
		return msg(toolresult.KindRejected, declined)
	case store.ConfirmationUnknown:
		return msg(toolresult.KindOutcomeUnknown, "The server stopped while sending this request, so whether it reached the API is unknown. A person will check and retry or close it; do not call the tool again for it.")
	case store.ConfirmationClosed:
		return msg(toolresult.KindClosed, "The server stopped while sending this request, and a person closed it after checking; it was not sent again.")
	}
	return msg(toolresult.KindInProgress, "This confirmed request is being sent right now.")
}

// execute sends the call of a confirmation that is now executing, records
// its run and completes the confirmation. The idempotency key is derived
// from the confirmation id, so a retry sends the same key.
func (g *Gateway) execute(ctx context.Context, id string, pc *pendingCall) (*ToolResult, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	a := snap.Actions[pc.Action]
	var tr *ToolResult
	if a == nil {
		tr = &ToolResult{Status: StatusError, Output: toolresult.Errorf(toolresult.KindUnknownAction, "The action %s no longer exists; nothing was sent.", pc.Action).Output()}
	} else {
		res := g.invoke(ctx, &invoke.Call{
			Action: a, Credential: snap.Credentials[a.Auth], Caller: pc.Caller, Agent: pc.Agent,
			ConversationID: pc.Context.ConversationID, CallID: pc.Context.CallID,
			Args: pc.Arguments, Contact: pc.Context.Contact, Vars: pc.Context.Vars, Confirmed: true,
			IdempotencyScope: "confirmation\x00" + id,
		}, id)
		res.Run.ConfirmationID = id
		h := g.keepRest(pc.Agent, res)
		if err := g.recordCut(ctx, res.Run, h); err != nil {
			return nil, err
		}
		tr = toolResult(res.Run)
		if h != nil {
			tr.Handle = h.ID
		}
	}
	b, _ := json.Marshal(tr)
	if err := g.store.CompleteConfirmation(context.WithoutCancel(ctx), id, b); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return tr, nil
}

// RetryConfirmation sends again, for an admin principal, a confirmation
// whose outcome is unknown, with the same idempotency key where the action
// has one. It is for a person who checked that the first attempt did not
// take effect (or that the API drops a repeated key).
func (g *Gateway) RetryConfirmation(ctx context.Context, p *Principal, id string) (*ToolResult, error) {
	if _, err := g.unknownConfirmation(ctx, p, id, "retried"); err != nil {
		return nil, err
	}
	c, won, err := g.store.RetryConfirmation(ctx, id, g.now())
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if !won {
		return nil, &StateError{ID: id, State: c.State, Verb: "retried"}
	}
	pc, err := pendingOf(c)
	if err != nil {
		return nil, err
	}
	return g.execute(ctx, id, pc)
}

// CloseConfirmation closes, for an admin principal, a confirmation whose
// outcome is unknown, without sending it again.
func (g *Gateway) CloseConfirmation(ctx context.Context, p *Principal, id string) (*ConfirmationInfo, error) {
	if _, err := g.unknownConfirmation(ctx, p, id, "closed"); err != nil {
		return nil, err
	}
	c, won, err := g.store.CloseConfirmation(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if !won {
		return nil, &StateError{ID: id, State: c.State, Verb: "closed"}
	}
	return g.ConfirmationInfo(ctx, id)
}

// unknownConfirmation returns confirmation id when p is an admin and its
// outcome is unknown; verb says what the caller is about to do.
func (g *Gateway) unknownConfirmation(ctx context.Context, p *Principal, id, verb string) (*store.Confirmation, error) {
	if p == nil || !p.Admin {
		return nil, &ForbiddenError{Reason: "only an admin token or the console may retry or close a confirmation"}
	}
	c, err := g.Confirmation(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.State != store.ConfirmationUnknown {
		return nil, &StateError{ID: id, State: c.State, Verb: verb}
	}
	return c, nil
}

// PendingConfirmations counts the confirmations waiting for a decision
// that have not expired.
func (g *Gateway) PendingConfirmations(ctx context.Context) (int, error) {
	n, err := g.store.CountPending(ctx, g.now())
	if err != nil {
		return 0, fmt.Errorf("gateway: %w", err)
	}
	return n, nil
}

// ListConfirmations returns up to limit confirmations in state (every state
// when empty), newest first.
func (g *Gateway) ListConfirmations(ctx context.Context, state string, limit int) ([]*ConfirmationInfo, error) {
	cs, err := g.store.ListConfirmations(ctx, state, limit)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	out := make([]*ConfirmationInfo, 0, len(cs))
	for _, c := range cs {
		info, err := g.confirmationInfo(c)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}
