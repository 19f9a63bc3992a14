package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/provider"
)

// turn is one turn of a conversation while it runs: the conversation as
// claimed, the transcript with the messages this run added, and the
// result so far.
type turn struct {
	r       *Runtime
	conv    *gateway.Conversation
	model   *gateway.Model
	contact *gateway.Contact
	// tools are the definitions the model gets, made once per turn.
	tools  []provider.Tool
	number int
	// msgs is the transcript: stored messages (Seq > 0) then new ones.
	msgs []gateway.Message
	// dirty holds the Seq of stored messages this run changed.
	dirty map[int]bool
	// paused is the state kept while the turn waits for confirmations.
	paused paused
	// spent is the model usage not yet added to the conversation's.
	spent  gateway.Usage
	result TurnResult
	emitMu sync.Mutex
	emitFn func(Event)
}

// paused is what a turn waiting for confirmations keeps in the database,
// so that whichever replica receives the decision continues it.
type paused struct {
	Turn  int           `json:"turn"`
	Usage gateway.Usage `json:"usage"`
	Calls []ToolCall    `json:"calls"`
	// Used counts the turn's tool calls against its limit.
	Used int `json:"used"`
	// Waiting lists the undecided confirmations; the tool message of each
	// carries its id.
	Waiting []string `json:"waiting"`
}

// emit hands an event to the caller's callback, one at a time.
func (t *turn) emit(e Event) {
	if t.emitFn == nil {
		return
	}
	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	t.emitFn(e)
}

// newTurn prepares a run of turn number over the claimed conversation.
func (r *Runtime) newTurn(ctx context.Context, conv *gateway.Conversation, m *gateway.Model, emit func(Event)) (*turn, error) {
	contact, err := r.g.Contact(ctx, gateway.Operator(), conv.ContactID)
	if err != nil {
		return nil, err
	}
	t := &turn{r: r, conv: conv, model: m, contact: contact, tools: tools(m.Actions), msgs: conv.Messages, dirty: map[int]bool{}, emitFn: emit}
	t.result = TurnResult{ConversationID: conv.ID, ToolCalls: []ToolCall{}, Message: AssistantMessage{Role: gateway.RoleAssistant}}
	return t, nil
}

// add appends a new message of this turn to the transcript.
func (t *turn) add(m gateway.Message) {
	m.Turn = t.number
	m.CreatedAt = t.r.now().UTC()
	t.msgs = append(t.msgs, m)
}

// run asks the model, runs the tool calls it asks for and asks again,
// until the model answers, a limit stops the turn or calls wait for
// confirmation. Whatever happens is stored before run returns.
func (t *turn) run(ctx context.Context) *TurnResult {
	ctx, cancel := context.WithTimeout(ctx, t.model.Agent.TurnTimeoutDuration())
	defer cancel()
	for {
		resp, err := t.ask(ctx)
		if err != nil {
			return t.fail(ctx, err)
		}
		if len(resp.ToolCalls) == 0 {
			t.result.Message.Content = resp.Content
			return t.finish(ctx, TurnCompleted)
		}
		if limit := t.model.Agent.TurnTokenLimit(); limit > 0 && t.result.Usage.InputTokens+t.result.Usage.OutputTokens > limit {
			t.skipCalls(resp.ToolCalls, "Not run: this turn used up its model token budget.")
			return t.fail(ctx, fmt.Errorf("the turn used %d model tokens, more than its limit of %d (limits.max_turn_tokens)",
				t.result.Usage.InputTokens+t.result.Usage.OutputTokens, limit))
		}
		if t.paused.Used >= t.model.Agent.ToolCallLimit() {
			t.skipCalls(resp.ToolCalls, "Not run: this turn already made as many tool calls as it may.")
			return t.fail(ctx, fmt.Errorf("the model asked for more tool calls than the turn's limit of %d (limits.max_tool_calls_per_turn)",
				t.model.Agent.ToolCallLimit()))
		}
		t.callTools(ctx, resp.ToolCalls)
		if err := ctx.Err(); err != nil {
			return t.fail(ctx, err)
		}
		if len(t.paused.Waiting) > 0 {
			return t.pause(ctx)
		}
	}
}

// ask sends the transcript to the model, streaming its text, and adds its
// answer to the transcript.
func (t *turn) ask(ctx context.Context) (*provider.Response, error) {
	req := t.request()
	resp, err := t.model.Client.Complete(ctx, req, func(s string) {
		t.emit(Event{Type: EventMessageDelta, Delta: s})
	})
	if err != nil {
		return nil, err
	}
	u := gateway.Usage{InputTokens: resp.Usage.InputTokens, OutputTokens: resp.Usage.OutputTokens}
	t.result.Usage.InputTokens += u.InputTokens
	t.result.Usage.OutputTokens += u.OutputTokens
	t.spent.InputTokens += u.InputTokens
	t.spent.OutputTokens += u.OutputTokens
	m := gateway.Message{Role: gateway.RoleAssistant, Content: resp.Content, Usage: &u}
	for _, c := range resp.ToolCalls {
		m.ToolCalls = append(m.ToolCalls, gateway.MessageToolCall{ID: c.ID, Name: c.Name, Arguments: rawArguments(c.Arguments)})
	}
	t.add(m)
	return resp, nil
}

// rawArguments keeps the model's arguments as JSON: as they are when they
// are valid JSON, as a JSON string of the text otherwise.
func rawArguments(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage(`{}`)
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

// skipCalls answers calls that the turn does not run, so that every call
// the model asked for has a result in the transcript.
func (t *turn) skipCalls(calls []provider.ToolCall, why string) {
	for _, c := range calls {
		t.add(gateway.Message{Role: gateway.RoleTool, ToolCallID: c.ID, Name: c.Name, Arguments: rawArguments(c.Arguments),
			Status: gateway.StatusError, Content: why})
	}
}

// finish stores a turn that ended and reports it.
func (t *turn) finish(ctx context.Context, status string) *TurnResult {
	t.result.Status = status
	t.conv.Status = gateway.ConversationActive
	t.conv.Pending = nil
	t.save(ctx)
	if status == TurnFailed {
		t.emit(Event{Type: EventError, Error: t.result.Error, Turn: &t.result})
	} else {
		t.emit(Event{Type: EventMessageCompleted, Turn: &t.result})
	}
	return &t.result
}

// fail ends the turn as failed, saying why in words without secrets.
func (t *turn) fail(ctx context.Context, err error) *TurnResult {
	t.result.Error = t.describe(ctx, err)
	return t.finish(ctx, TurnFailed)
}

// describe says why a turn failed.
func (t *turn) describe(ctx context.Context, err error) string {
	var pe *provider.Error
	switch {
	case errors.As(err, &pe):
		return pe.Error()
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("the turn took longer than its limit of %s (limits.turn_timeout)", t.model.Agent.TurnTimeoutDuration())
	case errors.Is(err, context.Canceled):
		return "the turn was canceled: the client went away"
	}
	return err.Error()
}

// pause stores a turn that waits for confirmations.
func (t *turn) pause(ctx context.Context) *TurnResult {
	t.result.Status = TurnWaiting
	t.result.ConfirmationID = t.paused.Waiting[0]
	t.paused.Turn = t.number
	t.paused.Usage = t.result.Usage
	t.paused.Calls = t.result.ToolCalls
	b, err := json.Marshal(t.paused)
	if err != nil {
		return t.fail(ctx, fmt.Errorf("runtime: encoding the paused turn: %w", err))
	}
	t.conv.Status = gateway.ConversationWaiting
	t.conv.Pending = b
	t.save(ctx)
	t.emit(Event{Type: EventMessageCompleted, Turn: &t.result})
	return &t.result
}

// save stores the conversation with this run's messages, whatever the
// caller's context says (a client that went away still gets its turn
// recorded), and counts the run in the metrics.
func (t *turn) save(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var add, update []gateway.Message
	start := len(t.msgs)
	for i, m := range t.msgs {
		if m.Seq == 0 {
			start = i
			break
		}
		if t.dirty[m.Seq] {
			update = append(update, m)
		}
	}
	add = t.msgs[start:]
	spent := t.spent
	t.conv.Turns = t.number
	t.conv.Usage.InputTokens += spent.InputTokens
	t.conv.Usage.OutputTokens += spent.OutputTokens
	t.spent = gateway.Usage{}
	if err := t.r.g.SaveConversation(ctx, t.conv, add, update); err != nil {
		t.r.log.ErrorContext(ctx, "storing a conversation turn failed", "conversation", t.conv.ID, "err", err)
		t.result.Status, t.result.Error = TurnFailed, "the turn could not be stored"
	}
	clear(t.dirty)
	t.r.g.Metrics().ObserveTurn(t.conv.Agent, t.model.Provider.Name, t.result.Status, len(t.result.ToolCalls), spent)
	t.r.log.InfoContext(ctx, "turn", "conversation", t.conv.ID, "agent", t.conv.Agent, "turn", t.number,
		"status", t.result.Status, "tool_calls", len(t.result.ToolCalls),
		"input_tokens", t.result.Usage.InputTokens, "output_tokens", t.result.Usage.OutputTokens)
}
