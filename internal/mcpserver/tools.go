package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// Keys of a tools/call request's _meta that carry the conversation around
// the call. A call with both MetaConversationID and MetaCallID is answered
// once: a repeat gets the recorded result. MetaContact and MetaVars fill
// {{contact.*}} and {{vars.*}} placeholders.
const (
	MetaConversationID = "actiongate/conversation_id"
	MetaCallID         = "actiongate/call_id"
	MetaContact        = "actiongate/contact"
	MetaVars           = "actiongate/vars"
)

// Keys of a tool result's _meta.
const (
	metaRunID          = "actiongate/run_id"
	metaStatus         = "actiongate/status"
	metaConfirmationID = "actiongate/confirmation_id"
	metaHandle         = "actiongate/handle"
)

// sdkTools returns the MCP tools of actions and the built-in more_results,
// with raw input schemas: the SDK does not infer or validate them, the
// gateway validates arguments with model-readable messages.
func sdkTools(actions []*action.Action) ([]*mcp.Tool, error) {
	defs, err := toolschema.Tools(actions, toolschema.FormatMCP)
	if err != nil {
		return nil, fmt.Errorf("mcpserver: %w", err)
	}
	out := make([]*mcp.Tool, 0, len(defs))
	for _, d := range defs {
		t := d.(toolschema.MCPTool)
		schema, err := json.Marshal(t.InputSchema)
		if err != nil {
			return nil, fmt.Errorf("mcpserver: encoding schema of %s: %w", t.Name, err)
		}
		out = append(out, &mcp.Tool{
			Name:        t.Name,
			Title:       t.Title,
			Description: t.Description,
			InputSchema: json.RawMessage(schema),
			Annotations: sdkAnnotations(t.Annotations),
		})
	}
	return out, nil
}

// sdkAnnotations converts toolschema.Annotations to the SDK's type.
func sdkAnnotations(m map[string]any) *mcp.ToolAnnotations {
	a := &mcp.ToolAnnotations{}
	a.Title, _ = m["title"].(string)
	a.ReadOnlyHint, _ = m["readOnlyHint"].(bool)
	a.IdempotentHint, _ = m["idempotentHint"].(bool)
	if v, ok := m["destructiveHint"].(bool); ok {
		a.DestructiveHint = &v
	}
	if v, ok := m["openWorldHint"].(bool); ok {
		a.OpenWorldHint = &v
	}
	return a
}

// toolset answers tools/call for one agent.
type toolset struct {
	g     *gateway.Gateway
	agent string
}

// call runs one tools/call the SDK serves through the gateway.
func (ts *toolset) call(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return ts.run(ctx, req.Params, canElicit(req.Session))
}

// run runs one tools/call through the gateway; elicit tells whether the
// client declared form elicitation for the request.
func (ts *toolset) run(ctx context.Context, p *mcp.CallToolParamsRaw, elicit bool) (*mcp.CallToolResult, error) {
	if p.RequestState != "" {
		return ts.resume(ctx, p)
	}
	cc, err := callContext(p.Meta)
	if err != nil {
		return errorResult(&toolresult.Error{Kind: toolresult.KindInvalidMeta, Message: err.Error()}), nil
	}
	var res *gateway.ToolResult
	if args, refused := toolresult.DecodeArguments(p.Arguments); refused != nil {
		res, err = ts.g.RefuseTool(ctx, runlog.CallerMCP, ts.agent, p.Name, cc, refused)
	} else {
		res, err = ts.g.CallTool(ctx, runlog.CallerMCP, ts.agent, p.Name, args, cc)
	}
	switch {
	case errors.Is(err, gateway.ErrUnknownAction), errors.Is(err, gateway.ErrNotActivated):
		return errorResult(toolresult.UnknownTool(p.Name)), nil
	case errors.Is(err, gateway.ErrUnknownAgent):
		return errorResult(toolresult.Errorf(toolresult.KindUnknownAgent, "The agent %q no longer exists, so its tools cannot be used.", ts.agent)), nil
	case err != nil:
		ts.g.Logger().ErrorContext(ctx, "mcp tool call failed", "agent", ts.agent, "tool", p.Name, "err", err)
		return errorResult(toolresult.Internal()), nil
	}
	if res.Status == gateway.StatusConfirmationRequired {
		return ts.confirm(p.Name, elicit, res), nil
	}
	return toolResult(res), nil
}

// toolResult turns a gateway result into an MCP tool result: the output as
// text, isError unless it succeeded, and the run in _meta.
func toolResult(res *gateway.ToolResult) *mcp.CallToolResult {
	meta := mcp.Meta{metaStatus: res.Status}
	if res.RunID != "" {
		meta[metaRunID] = res.RunID
	}
	if res.ConfirmationID != "" {
		meta[metaConfirmationID] = res.ConfirmationID
	}
	if res.Handle != "" {
		meta[metaHandle] = res.Handle
	}
	return &mcp.CallToolResult{
		Meta:    meta,
		Content: []mcp.Content{&mcp.TextContent{Text: res.Output}},
		IsError: res.Status == gateway.StatusError,
	}
}

// errorResult is an isError result with the model-readable error.
func errorResult(e *toolresult.Error) *mcp.CallToolResult {
	return toolResult(&gateway.ToolResult{Status: gateway.StatusError, Output: e.Output()})
}

// callContext reads the conversation context from a request's _meta.
func callContext(meta mcp.Meta) (gateway.CallContext, error) {
	var cc gateway.CallContext
	var ok bool
	if v, set := meta[MetaConversationID]; set {
		if cc.ConversationID, ok = v.(string); !ok {
			return cc, fmt.Errorf("_meta %q must be a string", MetaConversationID)
		}
	}
	if v, set := meta[MetaCallID]; set {
		if cc.CallID, ok = v.(string); !ok {
			return cc, fmt.Errorf("_meta %q must be a string", MetaCallID)
		}
	}
	if v, set := meta[MetaContact]; set {
		if cc.Contact, ok = v.(map[string]any); !ok {
			return cc, fmt.Errorf("_meta %q must be an object", MetaContact)
		}
	}
	if v, set := meta[MetaVars]; set {
		if cc.Vars, ok = v.(map[string]any); !ok {
			return cc, fmt.Errorf("_meta %q must be an object", MetaVars)
		}
	}
	return cc, nil
}
