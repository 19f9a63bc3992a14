package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/actiongate/actiongate/internal/gateway"
)

// Send runs one turn on the contact's message content. emit (which may be
// nil) receives the turn's events as they happen. A turn that fails (the
// provider, a limit) is a TurnResult with TurnFailed, not an error; so is
// one whose provider cannot be used (its key unset), which stores nothing;
// errors
// are for the request itself (unknown conversation, ErrBusy, ErrWaiting,
// ErrNoModel, an invalid message as action.Errors).
func (r *Runtime) Send(ctx context.Context, p *gateway.Principal, conversationID, content string, emit func(Event)) (*TurnResult, error) {
	if errs := checkContent(content); len(errs) > 0 {
		return nil, errs
	}
	claimed, m, settledSeqs, err := r.claim(ctx, p, conversationID)
	var unusable *gateway.ProviderError
	if errors.As(err, &unusable) {
		return unusableTurn(conversationID, unusable, emit), nil
	}
	if err != nil {
		return nil, err
	}
	t, err := r.newTurn(ctx, claimed, m, emit)
	if err != nil {
		r.release(ctx, claimed, settledSeqs)
		return nil, err
	}
	for _, seq := range settledSeqs {
		t.dirty[seq] = true
	}
	t.number = claimed.Turns + 1
	t.add(gateway.Message{Role: gateway.RoleUser, Content: content})
	return t.run(ctx), nil
}

// claim takes the conversation for a new turn, with the model of its
// agent. A conversation waiting for confirmations that are all settled is
// taken too (see claimSettled); claim then returns the Seq of the stored
// messages it changed, which the turn stores with its own.
func (r *Runtime) claim(ctx context.Context, p *gateway.Principal, id string) (*gateway.Conversation, *gateway.Model, []int, error) {
	var changed []int
	conv, err := r.g.ClaimConversation(ctx, p, id, gateway.ConversationActive)
	if errors.Is(err, gateway.ErrConflict) {
		conv, changed, err = r.claimSettled(ctx, p, id)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := r.g.Model(ctx, conv.Agent)
	if err != nil {
		r.release(ctx, conv, changed)
		return nil, nil, nil, err
	}
	return conv, m, changed, nil
}

// claimSettled takes a conversation that is not ready for a message when
// it waits for confirmations that are all settled (expired undecided, or
// decided without the turn resuming): their outcomes go into their calls'
// results, and it is taken as ready. Otherwise it is ErrBusy (a turn is
// running) or ErrWaiting.
func (r *Runtime) claimSettled(ctx context.Context, p *gateway.Principal, id string) (*gateway.Conversation, []int, error) {
	conv, err := r.g.Conversation(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	var pz paused
	if conv.Status != gateway.ConversationWaiting || json.Unmarshal(conv.Pending, &pz) != nil {
		return nil, nil, fmt.Errorf("runtime: conversation %s: %w", id, ErrBusy)
	}
	outcomes := make(map[string]*gateway.ToolResult, len(pz.Waiting))
	for _, cid := range pz.Waiting {
		tr, done, err := r.g.ConfirmationOutcome(ctx, cid)
		if err != nil {
			return nil, nil, err
		}
		if !done {
			return nil, nil, fmt.Errorf("runtime: conversation %s: %w", id, ErrWaiting)
		}
		outcomes[cid] = tr
	}
	conv, err = r.g.ClaimConversation(ctx, p, id, gateway.ConversationWaiting)
	if errors.Is(err, gateway.ErrConflict) {
		return nil, nil, fmt.Errorf("runtime: conversation %s: %w", id, ErrBusy)
	}
	if err != nil {
		return nil, nil, err
	}
	var changed []int
	for i := range conv.Messages {
		if m := &conv.Messages[i]; m.Role == gateway.RoleTool && outcomes[m.ConfirmationID] != nil {
			settle(m, outcomes[m.ConfirmationID])
			changed = append(changed, m.Seq)
		}
	}
	conv.Pending = nil
	return conv, changed, nil
}

// release gives back a conversation claimed for a turn that did not start,
// storing the messages of changed (Seq) that claiming it settled.
func (r *Runtime) release(ctx context.Context, conv *gateway.Conversation, changed []int) {
	conv.Status = gateway.ConversationActive
	if len(conv.Pending) > 0 {
		conv.Status = gateway.ConversationWaiting
	}
	var update []gateway.Message
	for _, m := range conv.Messages {
		if slices.Contains(changed, m.Seq) {
			update = append(update, m)
		}
	}
	if err := r.g.SaveConversation(context.WithoutCancel(ctx), conv, nil, update); err != nil {
		r.log.ErrorContext(ctx, "releasing a conversation failed", "conversation", conv.ID, "err", err)
	}
}

// settle writes a decided call's result into its tool message.
func settle(m *gateway.Message, tr *gateway.ToolResult) {
	m.Content, m.Status = tr.Output, tr.Status
	if tr.RunID != "" {
		m.RunID = tr.RunID
	}
	m.RawTokens, m.OutputTokens = tr.Tokens.Raw, tr.Tokens.Output
}

// Decide approves or rejects a confirmation. When the confirmation paused
// a conversation's turn, the turn resumes with the call's result (or the
// refusal) and its outcome is returned too; otherwise the TurnResult is nil.
func (r *Runtime) Decide(ctx context.Context, p *gateway.Principal, confirmationID string, approve bool, emit func(Event)) (*gateway.ToolResult, *TurnResult, error) {
	info, err := r.g.ConfirmationInfo(ctx, confirmationID)
	if err != nil {
		return nil, nil, err
	}
	tr, err := r.g.Decide(ctx, p, confirmationID, approve)
	if err != nil || info.ConversationID == "" || info.State != gateway.ConfirmationPending {
		return tr, nil, err
	}
	// Only a settled decision resumes the turn: a decision that lost the
	// race to another, still sending, leaves the resuming to the winner.
	after, err := r.g.ConfirmationInfo(ctx, confirmationID)
	if err != nil {
		return tr, nil, err
	}
	switch after.State {
	case gateway.ConfirmationDone, gateway.ConfirmationRejected:
	default:
		return tr, nil, nil
	}
	turn, err := r.resume(ctx, after, tr, after.State == gateway.ConfirmationRejected, emit)
	return tr, turn, err
}

// resume continues the turn that waited for the decided confirmation, once
// the gateway has sent (or refused) its call. A conversation that is not
// the runtime's, or no longer waits for it, is left alone.
func (r *Runtime) resume(ctx context.Context, info *gateway.ConfirmationInfo, tr *gateway.ToolResult, rejected bool, emit func(Event)) (*TurnResult, error) {
	m, err := r.g.Model(ctx, info.Agent)
	var unusable *gateway.ProviderError
	switch {
	case errors.Is(err, gateway.ErrNoModel) || errors.Is(err, gateway.ErrUnknownAgent):
		return nil, nil // no turn of this agent can be waiting
	case errors.As(err, &unusable):
		// The conversation keeps waiting; its next message records the
		// decided call in place (see claimSettled).
		return unusableTurn(info.ConversationID, unusable, emit), nil
	}
	if err != nil {
		return nil, err
	}
	conv, err := r.g.ClaimConversation(ctx, gateway.Operator(), info.ConversationID, gateway.ConversationWaiting)
	if errors.Is(err, gateway.ErrConflict) || errors.Is(err, gateway.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var pz paused
	if err := json.Unmarshal(conv.Pending, &pz); err != nil || !slices.Contains(pz.Waiting, info.ID) {
		r.release(ctx, conv, nil)
		return nil, nil
	}
	t, err := r.newTurn(ctx, conv, m, emit)
	if err != nil {
		r.release(ctx, conv, nil)
		return nil, err
	}
	t.restore(pz)
	t.decided(info.ID, tr, rejected)
	if len(t.paused.Waiting) > 0 {
		return t.pause(ctx), nil
	}
	t.conv.Pending = nil
	return t.run(ctx), nil
}

// restore takes up a paused turn's state.
func (t *turn) restore(pz paused) {
	t.paused = pz
	t.number = pz.Turn
	t.result.Usage = pz.Usage
	t.result.ToolCalls = pz.Calls
}

// decided writes a decided call's outcome into the transcript and the
// turn's calls.
func (t *turn) decided(id string, tr *gateway.ToolResult, rejected bool) {
	t.paused.Waiting = slices.DeleteFunc(t.paused.Waiting, func(w string) bool { return w == id })
	status := tr.Status
	if rejected {
		status = StatusRejected
	}
	for i := range t.msgs {
		if t.msgs[i].Role == gateway.RoleTool && t.msgs[i].ConfirmationID == id {
			settle(&t.msgs[i], tr)
			t.msgs[i].Status = status
			t.dirty[t.msgs[i].Seq] = true
		}
	}
	for i := range t.result.ToolCalls {
		if c := &t.result.ToolCalls[i]; c.ConfirmationID == id {
			*c = callInfo(*c, tr)
			c.ConfirmationID, c.Status = id, status
			t.emit(Event{Type: EventToolCallFinished, ToolCall: c})
		}
	}
}

// Complete runs the turn of one Chat Completions request: it continues
// req.ConversationID, or starts a conversation (channel openai) seeded
// with req.History, then runs the turn on req.Content.
func (r *Runtime) Complete(ctx context.Context, p *gateway.Principal, req CompletionRequest, emit func(Event)) (*TurnResult, error) {
	if req.ConversationID != "" {
		conv, err := r.g.Conversation(ctx, p, req.ConversationID)
		if err != nil {
			return nil, err
		}
		if conv.Agent != req.Start.Agent {
			return nil, fmt.Errorf("runtime: conversation %s is not agent %q's: %w", conv.ID, req.Start.Agent, gateway.ErrNotFound)
		}
		return r.Send(ctx, p, req.ConversationID, req.Content, emit)
	}
	if errs := checkContent(req.Content); len(errs) > 0 {
		return nil, errs
	}
	if len(req.History) > MaxHistory {
		req.History = req.History[len(req.History)-MaxHistory:]
	}
	start := req.Start
	start.Channel = gateway.ChannelOpenAI
	conv, err := r.Start(ctx, p, start)
	if err != nil {
		return nil, err
	}
	if len(req.History) > 0 {
		seed := make([]gateway.Message, 0, len(req.History))
		for _, h := range req.History {
			seed = append(seed, gateway.Message{Role: h.Role, Content: h.Content, CreatedAt: r.now().UTC()})
		}
		if err := r.g.SaveConversation(ctx, conv, seed, nil); err != nil {
			return nil, err
		}
	}
	return r.Send(ctx, p, conv.ID, req.Content, emit)
}

// unusableTurn is the failed turn of a conversation whose provider cannot
// be used; nothing of it is stored.
func unusableTurn(conversationID string, e *gateway.ProviderError, emit func(Event)) *TurnResult {
	res := &TurnResult{ConversationID: conversationID, Status: TurnFailed, ToolCalls: []ToolCall{},
		Message: AssistantMessage{Role: gateway.RoleAssistant}, Error: e.Message()}
	if emit != nil {
		emit(Event{Type: EventError, Error: res.Error, Turn: res})
	}
	return res
}
