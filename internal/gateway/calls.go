package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
	"github.com/actiongate/actiongate/internal/toolresult"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// Errors callers branch on; they map to HTTP statuses in the API.
var (
	// ErrUnknownAgent: no agent has that name.
	ErrUnknownAgent = errors.New("unknown agent")
	// ErrUnknownAction: no action has that name.
	ErrUnknownAction = errors.New("unknown action")
	// ErrNotActivated: the action exists but is not activated for the agent.
	ErrNotActivated = errors.New("action not activated for this agent")
	// ErrUnknownConfirmation: no confirmation has that id.
	ErrUnknownConfirmation = errors.New("unknown confirmation")
)

// Tool result statuses, as toolresult names them.
const (
	StatusOK                   = toolresult.StatusOK
	StatusError                = toolresult.StatusError
	StatusConfirmationRequired = toolresult.StatusConfirmationRequired
)

// Tokens counts a result's tokens before and after filtering.
type Tokens struct {
	Raw    int `json:"raw"`
	Output int `json:"output"`
}

// ToolResult is what an agent receives for one tool call.
type ToolResult struct {
	Status string `json:"status"`
	// Output is the text for the model.
	Output         string `json:"output"`
	RunID          string `json:"run_id,omitempty"`
	Tokens         Tokens `json:"tokens"`
	ConfirmationID string `json:"confirmation_id,omitempty"`
	// Handle continues a result the token budget cut, with more_results.
	Handle string `json:"handle,omitempty"`
	// Preview is the request waiting for confirmation (secrets masked).
	Preview *runlog.Request `json:"preview,omitempty"`
}

// CallContext is what a caller knows about the conversation around a call.
type CallContext struct {
	Contact        map[string]any `json:"contact,omitempty"`
	Vars           map[string]any `json:"vars,omitempty"`
	ConversationID string         `json:"conversation_id,omitempty"`
	CallID         string         `json:"call_id,omitempty"`
}

// TestRequest is a call made by an operator (CLI, admin API, console),
// which reaches every action whether or not an agent has it activated.
type TestRequest struct {
	// Action names the stored action to call; unused with Draft.
	Action string
	// Draft, when set, is called instead of a stored action: an action as
	// an editor holds it, saved or not. It is validated together with the
	// stored resources exactly as saving it would be, and an invalid
	// draft is an error wrapping action.Errors (nothing is called or
	// recorded); a valid one takes the same path as a stored action, and
	// its run is recorded like any test run.
	Draft     *action.Action
	Caller    string
	Arguments map[string]any
	Contact   map[string]any
	Vars      map[string]any
	DryRun    bool
	// Confirm sends writes; without it a write stops at confirmation_required.
	Confirm bool
	// Refused is set when the caller's decoding of the arguments refused
	// them (toolresult.DecodeArgument): the run is recorded as refused and
	// nothing is sent.
	Refused *toolresult.Error
	// KeepBody keeps the masked response body in the result's Body.
	KeepBody bool
}

// Test runs an action for an operator and records the run.
func (g *Gateway) Test(ctx context.Context, req TestRequest) (*invoke.Result, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	a := snap.Actions[req.Action]
	if req.Draft != nil {
		if err := checkDraft(snap, req.Draft); err != nil {
			return nil, err
		}
		a = req.Draft
	}
	if a == nil {
		return nil, fmt.Errorf("gateway: %w: %q", ErrUnknownAction, req.Action)
	}
	contact, refusal, err := g.checkOperatorCall(ctx, req.Caller, a, req.Arguments, req.Contact, req.Refused)
	if refusal != nil || err != nil {
		return refusal, err
	}
	req.Contact = contact
	res := g.invoke(ctx, &invoke.Call{
		Action:     a,
		Credential: snap.Credentials[a.Auth],
		Caller:     req.Caller,
		Args:       req.Arguments,
		Contact:    req.Contact,
		Vars:       req.Vars,
		DryRun:     req.DryRun,
		Confirmed:  req.Confirm,
		KeepBody:   req.KeepBody,
	}, "")
	if err := g.record(ctx, res.Run); err != nil {
		return nil, err
	}
	return res, nil
}

// checkDraft validates a draft action with the snapshot's resources, in
// place of the stored action of its name, as PutResource validates a
// resource before storing it.
func checkDraft(snap *Snapshot, draft *action.Action) error {
	r := action.Resource{Kind: action.KindAction, Action: draft}
	set := slices.DeleteFunc(snap.Resources(), func(o action.Resource) bool { return o.Key() == r.Key() })
	if errs := action.Validate(append(set, r)); len(errs) > 0 {
		return fmt.Errorf("gateway: validating the draft of %s: %w", draft.Name, errs)
	}
	return nil
}

// checkOperatorCall finds what stops an operator's or a workflow step's
// call of a before anything is sent: refused, when the caller's decoding
// of the arguments already refused them; arguments too large or deep; a
// required contact input missing. A refusal is recorded and returned as
// the result; otherwise contact is the contact the call sends.
func (g *Gateway) checkOperatorCall(ctx context.Context, caller string, a *action.Action, args, contact map[string]any, refused *toolresult.Error) (map[string]any, *invoke.Result, error) {
	decoded := refused != nil
	if refused == nil {
		refused = toolresult.CheckArguments(args)
	}
	if refused == nil {
		contact, refused = contactInputs(a, contact, false)
	}
	if refused == nil {
		return contact, nil, nil
	}
	run := &runlog.Run{Caller: caller, Action: a.Name, Arguments: args}
	if decoded {
		run.Arguments = refusedArguments()
	}
	if err := g.refuse(ctx, run, a, refused); err != nil {
		return nil, nil, err
	}
	return nil, &invoke.Result{Run: run, Options: respfilter.OptionsFrom(a.Filter())}, nil
}

// record stores a run and counts it in the metrics, keeping a bounded part
// of its arguments (runlog.BoundArguments). With Options.AsyncRuns,
// agent calls hand the run to the recorder and answer at once; operator
// calls (CLI, admin API, console) always wait until it is committed.
func (g *Gateway) record(ctx context.Context, r *runlog.Run) error {
	return g.recordCut(ctx, r, nil)
}

// recordCut is record for a run whose result was cut: h, the handle made
// for the rest (nil when none), is stored in the same commit as the run.
func (g *Gateway) recordCut(ctx context.Context, r *runlog.Run, h *store.Handle) error {
	g.metrics.observe(r)
	r.Arguments = runlog.BoundArguments(r.Arguments)
	if r.ID == "" {
		r.ID = g.store.NewID()
	}
	wait := !g.asyncRuns || r.Caller == runlog.CallerCLI || r.Caller == runlog.CallerAPI || r.Caller == runlog.CallerConsole
	if err := g.runs.record(ctx, r, h, wait); err != nil {
		return fmt.Errorf("gateway: recording run: %w", err)
	}
	g.emitRunFailed(ctx, r)
	level := slog.LevelInfo
	if r.Outcome == runlog.OutcomeError {
		level = slog.LevelWarn
	}
	g.log.LogAttrs(ctx, level, "call",
		slog.String("run", r.ID), slog.String("action", r.Action), slog.String("agent", r.Agent),
		slog.String("caller", r.Caller), slog.String("outcome", r.Outcome), slog.Int("status", r.Status),
		slog.Float64("ms", r.DurationMS), slog.Int("raw_tokens", r.RawTokens), slog.Int("output_tokens", r.OutputTokens))
	return nil
}

// ToolsFor returns the actions activated for the named agent.
func (g *Gateway) ToolsFor(ctx context.Context, agentName string) ([]*action.Action, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	ag, err := snap.Agent(agentName)
	if err != nil {
		return nil, err
	}
	return snap.AgentActions(ag), nil
}

// Agent returns the named agent.
func (g *Gateway) Agent(ctx context.Context, name string) (*action.Agent, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return snap.Agent(name)
}

// pendingCall is what a confirmation executes on approval.
type pendingCall struct {
	Agent     string         `json:"agent"`
	Action    string         `json:"action"`
	Caller    string         `json:"caller"`
	Arguments map[string]any `json:"arguments,omitempty"`
	Context   CallContext    `json:"context"`
	// Preview is the rendered request (secrets masked) shown to the person
	// who decides.
	Preview *runlog.Request `json:"preview,omitempty"`
}

// CallTool runs one tool call of an agent: the built-in more_results or an
// activated action. Calls carrying a conversation and call id are answered
// once: a repeat returns the recorded result.
func (g *Gateway) CallTool(ctx context.Context, caller, agentName, tool string, args map[string]any, cc CallContext) (*ToolResult, error) {
	snap, err := g.toolOf(ctx, agentName, tool)
	if err != nil {
		return nil, err
	}
	if refused := toolresult.CheckArguments(args); refused != nil {
		run := &runlog.Run{Caller: caller, Agent: agentName, Action: tool, Arguments: args, ConversationID: cc.ConversationID, CallID: cc.CallID}
		if err := g.refuse(ctx, run, snap.Actions[tool], refused); err != nil {
			return nil, err
		}
		return toolResult(run), nil
	}
	dedupe := cc.ConversationID != "" && cc.CallID != ""
	if dedupe {
		prev, claimed, err := g.store.ClaimCall(ctx, agentName, cc.ConversationID, cc.CallID)
		switch {
		case errors.Is(err, store.ErrInProgress):
			return &ToolResult{Status: StatusError, Output: toolresult.Output(toolresult.KindInProgress, "This tool call (same conversation_id and call_id) is still running. Wait for its result instead of calling again.")}, nil
		case err != nil:
			return nil, fmt.Errorf("gateway: %w", err)
		case !claimed:
			var tr ToolResult
			if err := json.Unmarshal(prev, &tr); err != nil {
				return nil, fmt.Errorf("gateway: decoding recorded result: %w", err)
			}
			return &tr, nil
		}
	}
	var tr *ToolResult
	if tool == toolschema.MoreResultsTool {
		tr, err = g.more(ctx, caller, agentName, args, cc)
	} else {
		tr, err = g.callAction(ctx, snap, caller, agentName, snap.Actions[tool], args, cc)
	}
	if dedupe {
		if err != nil {
			_ = g.store.ReleaseCall(context.WithoutCancel(ctx), agentName, cc.ConversationID, cc.CallID)
			return nil, err
		}
		b, _ := json.Marshal(tr)
		if cerr := g.store.CompleteCall(context.WithoutCancel(ctx), agentName, cc.ConversationID, cc.CallID, b); cerr != nil {
			return nil, fmt.Errorf("gateway: %w", cerr)
		}
	}
	return tr, err
}

// callAction runs an activated action for an agent. A call whose contact
// lacks a required contact input is refused (nothing is sent), telling the
// model what to ask the contact for.
func (g *Gateway) callAction(ctx context.Context, snap *Snapshot, caller, agentName string, a *action.Action, args map[string]any, cc CallContext) (*ToolResult, error) {
	contact, missing := contactInputs(a, cc.Contact, caller == runlog.CallerRuntime)
	if missing != nil {
		run := &runlog.Run{Caller: caller, Agent: agentName, Action: a.Name, Arguments: args, ConversationID: cc.ConversationID, CallID: cc.CallID}
		if err := g.refuse(ctx, run, a, missing); err != nil {
			return nil, err
		}
		return toolResult(run), nil
	}
	cc.Contact = contact
	res := g.invoke(ctx, &invoke.Call{
		Action:         a,
		Credential:     snap.Credentials[a.Auth],
		Caller:         caller,
		Agent:          agentName,
		ConversationID: cc.ConversationID,
		CallID:         cc.CallID,
		Args:           args,
		Contact:        cc.Contact,
		Vars:           cc.Vars,
	}, "")
	run := res.Run
	if run.Outcome == runlog.OutcomeConfirmationRequired {
		payload, err := json.Marshal(pendingCall{Agent: agentName, Action: a.Name, Caller: caller, Arguments: args, Context: cc, Preview: run.Request})
		if err != nil {
			return nil, fmt.Errorf("gateway: encoding confirmation: %w", err)
		}
		now := g.now()
		c := &store.Confirmation{ID: "cf_" + randomID(), Agent: agentName, Action: a.Name, Payload: payload, CreatedAt: now, ExpiresAt: now.Add(ConfirmationTTL)}
		if err := g.store.CreateConfirmation(ctx, c); err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
		run.ConfirmationID = c.ID
		g.appendOutput(run, confirmationNote(c.ID))
	}
	h := g.keepRest(agentName, res)
	if err := g.recordCut(ctx, run, h); err != nil {
		return nil, err
	}
	tr := toolResult(run)
	if h != nil {
		tr.Handle = h.ID
	}
	if run.ConfirmationID != "" {
		tr.Preview = run.Request
	}
	return tr, nil
}

// Confirmation returns a confirmation's state and the call it holds.
func (g *Gateway) Confirmation(ctx context.Context, id string) (*store.Confirmation, error) {
	c, err := g.store.GetConfirmation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("gateway: %w: %q", ErrUnknownConfirmation, id)
	}
	return c, err
}

// handlePayload is what a result handle stores.
type handlePayload struct {
	Action  string             `json:"action"`
	Rest    json.RawMessage    `json:"rest"`
	Options respfilter.Options `json:"options"`
}

// newHandle makes the handle of rest, the part of a result of actionName
// the token budget cut; it is stored with the run of the call that made it
// (recordCut). rest is the filter's own JSON, written into the payload as
// it is.
func (g *Gateway) newHandle(agent, actionName string, rest json.RawMessage, o respfilter.Options) *store.Handle {
	now := g.now()
	name, _ := json.Marshal(actionName)
	opts, _ := json.Marshal(o) // Options holds only numbers, strings and bools
	b := make([]byte, 0, len(rest)+len(name)+len(opts)+32)
	b = append(append(append(b, `{"action":`...), name...), `,"rest":`...)
	b = append(append(append(b, rest...), `,"options":`...), opts...)
	b = append(b, '}')
	return &store.Handle{ID: newHandleID(now), Agent: agent, Payload: b, ExpiresAt: now.Add(HandleTTL)}
}

// keepRest makes the handle of what the token budget cut from res (nil
// when nothing was cut) and tells the model in the run's output how to get
// it.
func (g *Gateway) keepRest(agent string, res *invoke.Result) *store.Handle {
	if len(res.Rest) == 0 {
		return nil
	}
	h := g.newHandle(agent, res.Run.Action, res.Rest, res.Options)
	g.appendOutput(res.Run, moreNote(h.ID, respfilter.Pending(res.Rest) > 0))
	return h
}

// more serves the built-in more_results tool: from a result the token
// budget cut, the next part, one item in full or some fields of it.
func (g *Gateway) more(ctx context.Context, caller, agent string, args map[string]any, cc CallContext) (*ToolResult, error) {
	start := g.now()
	run := &runlog.Run{Caller: caller, Agent: agent, Action: toolschema.MoreResultsTool, Arguments: args,
		ConversationID: cc.ConversationID, CallID: cc.CallID, StartedAt: start.UTC()}
	m, refused := moreArguments(args)
	var out *store.Handle
	if refused != nil {
		failed(run, refused)
	} else {
		payload, err := g.handle(ctx, m.handle, agent, start)
		switch {
		case errors.Is(err, store.ErrNotFound):
			failed(run, &toolresult.Error{Kind: toolresult.KindUnknownHandle, Message: "This handle is unknown. Use the handle exactly as given in a truncated result of this conversation."})
		case errors.Is(err, store.ErrExpired):
			failed(run, expiredHandle())
		case err != nil:
			return nil, err
		default:
			if out, err = g.readHandle(ctx, run, m, payload); err != nil {
				return nil, err
			}
		}
	}
	run.OutputTokens = g.engine.Tokenizer().Count(run.Output)
	run.DurationMS = float64(g.now().Sub(start).Microseconds()) / 1000
	if err := g.recordCut(ctx, run, out); err != nil {
		return nil, err
	}
	tr := toolResult(run)
	if out != nil {
		tr.Handle = out.ID
	}
	return tr, nil
}

// moreArgs are the checked arguments of more_results.
type moreArgs struct {
	handle string
	// item is an id or a position, "" for none.
	item string
	// fields are dotted field names, none for the whole items.
	fields []string
}

// moreArguments checks the arguments of more_results. A null or empty item
// or fields counts as absent (strict tool schemas send null), and an item
// may come as a number. What is wrong is worded for the model, naming the
// argument.
func moreArguments(args map[string]any) (moreArgs, *toolresult.Error) {
	refuse := func(format string, a ...any) (moreArgs, *toolresult.Error) {
		return moreArgs{}, toolresult.Errorf(toolresult.KindInvalidArguments, format, a...)
	}
	names := make([]string, 0, len(args))
	for k := range args {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if k != toolschema.MoreResultsParam && k != toolschema.MoreResultsItemParam && k != toolschema.MoreResultsFieldsParam {
			return refuse(`more_results has no argument %q: it takes "handle", and optionally "item" or "fields".`, k)
		}
	}
	var m moreArgs
	switch h := args[toolschema.MoreResultsParam].(type) {
	case string:
		m.handle = h
	case nil:
	default:
		return refuse(`"handle" must be a string: the handle from a truncated result, copied exactly.`)
	}
	if m.handle == "" {
		return refuse(`more_results needs "handle": the handle string from a truncated result.`)
	}
	switch v := args[toolschema.MoreResultsItemParam].(type) {
	case nil:
	case string:
		m.item = strings.TrimSpace(v)
	case json.Number:
		m.item = v.String()
	case float64:
		m.item = strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		m.item = strconv.Itoa(v)
	default:
		return refuse(`"item" must be an id or a position, as a string or a number, e.g. "1347" or 3.`)
	}
	if len(m.item) > respfilter.MaxDrillName {
		return refuse(`"item" is longer than %d characters: give one id or position.`, respfilter.MaxDrillName)
	}
	var fields []any
	switch v := args[toolschema.MoreResultsFieldsParam].(type) {
	case nil:
	case []any:
		fields = v
	case []string:
		for _, f := range v {
			fields = append(fields, f)
		}
	default:
		return refuse(`"fields" must be an array of field names, e.g. ["body","user.login"].`)
	}
	if len(fields) > respfilter.MaxDrillFields {
		return refuse(`"fields" lists %d names; ask for at most %d.`, len(fields), respfilter.MaxDrillFields)
	}
	for i, f := range fields {
		name, ok := f.(string)
		if !ok || strings.TrimSpace(name) == "" {
			return refuse(`"fields" item %d must be a field name (a non-empty string), e.g. "body" or "user.login".`, i+1)
		}
		if len(name) > respfilter.MaxDrillName {
			return refuse(`"fields" item %d is longer than %d characters.`, i+1, respfilter.MaxDrillName)
		}
		m.fields = append(m.fields, strings.TrimSpace(name))
	}
	return m, nil
}

// failed makes run a failure the model reads as e; its Error names the kind.
func failed(run *runlog.Run, e *toolresult.Error) {
	run.Outcome, run.Error, run.Output = runlog.OutcomeError, string(e.Kind), e.Output()
}

// readHandle fills run with what m asks of the result a handle holds: the
// next part, or an item or fields of it (respfilter.Filter.Drill). It
// returns the handle of what is left after it (nil when nothing is). An
// item or field the result does not have fails the run, naming what there
// is.
func (g *Gateway) readHandle(ctx context.Context, run *runlog.Run, m moreArgs, payload []byte) (*store.Handle, error) {
	var p handlePayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, fmt.Errorf("gateway: decoding handle: %w", err)
	}
	fr, err := g.engine.Filter().Drill(ctx, p.Rest, m.item, m.fields, p.Options)
	var de *respfilter.DrillError
	if errors.As(err, &de) {
		arg := toolschema.MoreResultsFieldsParam
		if errors.Is(err, respfilter.ErrNoItem) {
			arg = toolschema.MoreResultsItemParam
		}
		failed(run, toolresult.Errorf(toolresult.KindInvalidArguments, "%q: %s. Call more_results again with the same handle.", arg, de.Detail))
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: reading handle %s: %w", m.handle, err)
	}
	run.Outcome = runlog.OutcomeOK
	run.Output = fr.Output
	run.RawTokens, run.RawTokensEstimated = fr.RawTokens, fr.RawEstimated
	run.RecordsKept, run.RecordsTotal = fr.RecordsKept, fr.RecordsTotal
	if len(fr.Rest) == 0 {
		return nil, nil
	}
	h := g.newHandle(run.Agent, p.Action, fr.Rest, p.Options)
	run.Output += moreNote(h.ID, respfilter.Pending(fr.Rest) > 0)
	return h, nil
}

// appendOutput adds text to what the model receives and recounts its tokens.
func (g *Gateway) appendOutput(r *runlog.Run, text string) {
	r.Output += text
	r.OutputTokens = g.engine.Tokenizer().Count(r.Output)
}

// moreNote tells the model, in one line, how to read what was cut from a
// result: the next items when some are pending, one item or some fields
// in full.
func moreNote(handle string, pending bool) string {
	if pending {
		return fmt.Sprintf("\n\n[More: call %s with {\"handle\":%q} for the next items, or add \"item\" (an id or position) for one full record or \"fields\" (names) for those fields of every item.]", toolschema.MoreResultsTool, handle)
	}
	return fmt.Sprintf("\n\n[Cut to fit: call %s with {\"handle\":%q} and \"item\" (an id or position) for one full record, or \"fields\" (names) for those fields of every item.]", toolschema.MoreResultsTool, handle)
}

// toolResult turns a run into what the agent receives.
func toolResult(r *runlog.Run) *ToolResult {
	tr := &ToolResult{Output: r.Output, RunID: r.ID, Tokens: Tokens{Raw: r.RawTokens, Output: r.OutputTokens}, ConfirmationID: r.ConfirmationID}
	switch r.Outcome {
	case runlog.OutcomeOK:
		tr.Status = StatusOK
	case runlog.OutcomeConfirmationRequired:
		tr.Status = StatusConfirmationRequired
	default:
		tr.Status = StatusError
	}
	return tr
}

// randomID returns 128 random bits, base32 without padding, lower case.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}
