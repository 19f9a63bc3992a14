package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/provider"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// Statuses of tool calls beyond the tool results' own.
const (
	// StatusRejected: a person declined the call.
	StatusRejected = "rejected"
)

// tools returns the definitions the model gets: the agent's activated
// actions, more_results, and remember_contact_input when an action
// declares contact inputs. Each comes from the same schema as the tools
// API's.
func tools(actions []*action.Action) []provider.Tool {
	list := slices.Clone(actions)
	list = append(list, toolschema.MoreResultsAction())
	if in := rememberAction(actions); in != nil {
		list = append(list, in)
	}
	out := make([]provider.Tool, 0, len(list))
	for _, a := range list {
		schema, _ := json.Marshal(toolschema.InputSchema(a))
		out = append(out, provider.Tool{Name: a.Name, Description: toolschema.Description(a), Parameters: schema})
	}
	return out
}

// rememberAction is the remember_contact_input tool as an action (for its
// schema), naming the contact inputs the agent's actions declare; nil when
// none does.
func rememberAction(actions []*action.Action) *action.Action {
	names := map[string]bool{}
	for _, a := range actions {
		for k := range a.ContactInputs {
			names[k] = true
		}
	}
	if len(names) == 0 {
		return nil
	}
	enum := make([]any, 0, len(names))
	for _, k := range slices.Sorted(maps.Keys(names)) {
		enum = append(enum, k)
	}
	return &action.Action{
		Name: gateway.RememberContactInputTool,
		Description: "Store what the contact told you for an input a tool result asked for, " +
			"then call that tool again. Use it only with the contact's own answer.",
		Method: action.MethodPost,
		Params: action.Params{
			{Name: "name", Param: &action.Param{Type: "string", Required: true, Enum: enum, Description: "The input's name, as the tool result gave it."}},
			{Name: "value", Param: &action.Param{Type: "string", Required: true, Description: "The contact's answer."}},
		},
	}
}

// request is the model request for the transcript so far.
func (t *turn) request() *provider.Request {
	ag := t.model.Agent
	req := &provider.Request{
		Model:           ag.Model.Name,
		System:          instructions(ag.Instructions, gateway.ContactValues(t.contact), t.conv.Vars),
		Messages:        history(t.msgs),
		Tools:           t.tools,
		Temperature:     ag.Model.Temperature,
		MaxOutputTokens: ag.Model.MaxOutputTokens,
	}
	if req.MaxOutputTokens == 0 {
		req.MaxOutputTokens = action.DefaultMaxOutputTokens
	}
	return req
}

// callTools runs the model's tool calls side by side, adding each result to
// the transcript in the order the model asked for them. Calls past the
// turn's limit are answered without being run.
func (t *turn) callTools(ctx context.Context, calls []provider.ToolCall) {
	results := make([]gateway.Message, len(calls))
	infos := make([]ToolCall, len(calls))
	var wg sync.WaitGroup
	limit := t.model.Agent.ToolCallLimit()
	remembered := false
	for i, c := range calls {
		infos[i] = ToolCall{ID: c.ID, Name: c.Name, Arguments: rawArguments(c.Arguments)}
		if t.paused.Used >= limit {
			results[i] = toolMessage(infos[i], &gateway.ToolResult{Status: gateway.StatusError,
				Output: toolresult.Output(toolresult.KindInvalidArguments, "Not run: this turn reached its limit of "+strconv.Itoa(limit)+" tool calls. Answer with what you have.")})
			infos[i].Status = gateway.StatusError
			continue
		}
		t.paused.Used++
		remembered = remembered || c.Name == gateway.RememberContactInputTool
		callID := strconv.Itoa(t.number) + "." + strconv.Itoa(t.paused.Used) + ":" + c.ID
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.emit(Event{Type: EventToolCallStarted, ToolCall: &infos[i]})
			tr := t.call(ctx, c, callID)
			results[i] = toolMessage(infos[i], tr)
			infos[i] = callInfo(infos[i], tr)
			t.emit(Event{Type: EventToolCallFinished, ToolCall: &infos[i]})
			if tr.ConfirmationID != "" {
				t.emit(Event{Type: EventConfirmationRequired, ToolCall: &infos[i], Preview: tr.Preview})
			}
		}()
	}
	wg.Wait()
	for i := range results {
		t.add(results[i])
		if id := infos[i].ConfirmationID; id != "" && infos[i].Status == gateway.StatusConfirmationRequired {
			t.paused.Waiting = append(t.paused.Waiting, id)
		}
	}
	t.result.ToolCalls = append(t.result.ToolCalls, infos...)
	if remembered {
		if c, err := t.r.g.Contact(ctx, gateway.Operator(), t.contact.ID); err == nil {
			t.contact = c
		}
	}
}

// call runs one tool call: the built-in remember_contact_input here, every
// other tool through the gateway, as the tools API does.
func (t *turn) call(ctx context.Context, c provider.ToolCall, callID string) *gateway.ToolResult {
	args, refused := toolresult.DecodeArguments([]byte(c.Arguments))
	if c.Arguments == "" {
		args, refused = map[string]any{}, nil
	}
	if c.Name == gateway.RememberContactInputTool && rememberAction(t.model.Actions) != nil {
		if refused != nil {
			return refusal(refused)
		}
		return t.remember(ctx, args)
	}
	cc := gateway.CallContext{Contact: gateway.ContactValues(t.contact), Vars: t.conv.Vars, ConversationID: t.conv.ID, CallID: callID}
	var (
		tr  *gateway.ToolResult
		err error
	)
	if refused != nil {
		tr, err = t.r.g.RefuseTool(ctx, runlog.CallerRuntime, t.conv.Agent, c.Name, cc, refused)
	} else {
		tr, err = t.r.g.CallTool(ctx, runlog.CallerRuntime, t.conv.Agent, c.Name, args, cc)
	}
	switch {
	case errors.Is(err, gateway.ErrUnknownAction), errors.Is(err, gateway.ErrNotActivated):
		return refusal(toolresult.UnknownTool(c.Name))
	case err != nil:
		t.r.log.ErrorContext(ctx, "tool call failed", "conversation", t.conv.ID, "tool", c.Name, "err", err)
		return refusal(toolresult.Internal())
	}
	return tr
}

// remember serves remember_contact_input.
func (t *turn) remember(ctx context.Context, args map[string]any) *gateway.ToolResult {
	name, _ := args["name"].(string)
	problem, err := t.r.g.RememberContactInput(ctx, t.conv.Agent, t.contact.ID, name, args["value"])
	switch {
	case err != nil:
		t.r.log.ErrorContext(ctx, "remembering a contact input failed", "conversation", t.conv.ID, "err", err)
		return refusal(toolresult.Internal())
	case problem != nil:
		return refusal(problem)
	}
	return &gateway.ToolResult{Status: gateway.StatusOK,
		Output: "Stored the contact's " + name + ". Call the tool that asked for it again."}
}

// refusal is the result of a call the runtime answers itself with an error.
func refusal(e *toolresult.Error) *gateway.ToolResult {
	return &gateway.ToolResult{Status: gateway.StatusError, Output: e.Output()}
}

// toolMessage is the transcript entry of a call's result.
func toolMessage(c ToolCall, tr *gateway.ToolResult) gateway.Message {
	return gateway.Message{
		Role: gateway.RoleTool, ToolCallID: c.ID, Name: c.Name, Arguments: c.Arguments,
		Content: tr.Output, Status: tr.Status, RunID: tr.RunID,
		RawTokens: tr.Tokens.Raw, OutputTokens: tr.Tokens.Output, ConfirmationID: tr.ConfirmationID,
	}
}

// callInfo is c with the outcome tr.
func callInfo(c ToolCall, tr *gateway.ToolResult) ToolCall {
	c.Status, c.RunID, c.ConfirmationID = tr.Status, tr.RunID, tr.ConfirmationID
	c.RawTokens, c.OutputTokens = tr.Tokens.Raw, tr.Tokens.Output
	return c
}
