package gateway

import (
	"context"
	"fmt"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// RefuseTool answers a tool call of an agent whose arguments the surface
// refused while decoding them (toolresult.DecodeArguments): after the
// checks CallTool makes (the agent exists, the tool is more_results or
// activated for it), it records the refused run, sends nothing and returns
// the result the model reads, the same as CallTool's for arguments it
// refuses itself.
func (g *Gateway) RefuseTool(ctx context.Context, caller, agentName, tool string, cc CallContext, refused *toolresult.Error) (*ToolResult, error) {
	snap, err := g.toolOf(ctx, agentName, tool)
	if err != nil {
		return nil, err
	}
	run := &runlog.Run{Caller: caller, Agent: agentName, Action: tool, Arguments: refusedArguments(),
		ConversationID: cc.ConversationID, CallID: cc.CallID}
	if err := g.refuse(ctx, run, snap.Actions[tool], refused); err != nil {
		return nil, err
	}
	return toolResult(run), nil
}

// toolOf returns the snapshot in which the named agent may call tool: the
// built-in more_results or an action activated for it.
func (g *Gateway) toolOf(ctx context.Context, agentName, tool string) (*Snapshot, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	ag, err := snap.Agent(agentName)
	if err != nil {
		return nil, err
	}
	if tool != toolschema.MoreResultsTool && !snap.Activated(ag, tool) {
		if snap.Actions[tool] == nil {
			return nil, fmt.Errorf("gateway: %w: %q", ErrUnknownAction, tool)
		}
		return nil, fmt.Errorf("gateway: %w: %q", ErrNotActivated, tool)
	}
	return snap, nil
}

// refuse records run as refused without running it. The answer fits the
// token budget of a, or the default budget when a is nil (the built-in
// tools).
func (g *Gateway) refuse(ctx context.Context, run *runlog.Run, a *action.Action, refused *toolresult.Error) error {
	var f action.ResponseFilter
	if a != nil {
		f = a.Filter()
	}
	fr := g.engine.Filter().Failure(refused.Kind, refused.Message, respfilter.OptionsFrom(f))
	run.StartedAt = g.now().UTC()
	run.Outcome = runlog.OutcomeError
	run.Error = string(refused.Kind)
	run.Output, run.OutputTokens = fr.Output, fr.OutputTokens
	return g.record(ctx, run)
}

// refusedArguments stands in the run record for arguments refused before
// they were decoded.
func refusedArguments() map[string]any {
	return map[string]any{runlog.TruncatedKey: "not kept: the arguments were refused before they were decoded"}
}
