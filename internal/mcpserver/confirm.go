package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// confirmInput is the id of the elicitation asking the user to confirm.
const confirmInput = "confirm"

// confirm answers a call waiting for a human: an elicitation asking the user
// when the client can show one and the server lets its answer approve,
// otherwise a result saying how a person approves it.
func (ts *toolset) confirm(tool string, elicit bool, res *gateway.ToolResult) *mcp.CallToolResult {
	if !elicit || !ts.g.ElicitationApproves() {
		return pendingResult(res.Output, res.ConfirmationID, res.Preview)
	}
	return &mcp.CallToolResult{
		InputRequests: mcp.InputRequestMap{confirmInput: &mcp.ElicitParams{
			Mode:            "form",
			Message:         elicitMessage(ts.agent, tool, res.Preview),
			RequestedSchema: map[string]any{"type": "object", "properties": map[string]any{}},
		}},
		// The confirmation id is all the retry needs; the gateway checks it
		// belongs to this agent and tool before deciding.
		RequestState: res.ConfirmationID,
	}
}

// canElicit reports whether the client declared form elicitation for the
// request's session.
func canElicit(ss *mcp.ServerSession) bool {
	if ss == nil {
		return false
	}
	p := ss.InitializeParams()
	if p == nil {
		return false
	}
	return formElicitation(p.Capabilities)
}

// formElicitation reports whether client capabilities declare form
// elicitation: an elicitation capability with form, or without any mode
// (which means form).
func formElicitation(caps *mcp.ClientCapabilities) bool {
	if caps == nil || caps.Elicitation == nil {
		return false
	}
	e := caps.Elicitation
	return e.Form != nil || e.URL == nil
}

// resume handles the retry of a call after the elicitation: accept
// approves, decline rejects, dismissing leaves the confirmation pending.
func (ts *toolset) resume(ctx context.Context, p *mcp.CallToolParamsRaw) (*mcp.CallToolResult, error) {
	id := p.RequestState
	info, err := ts.g.ConfirmationInfo(ctx, id)
	switch {
	case errors.Is(err, gateway.ErrUnknownConfirmation):
		return errorResult(&toolresult.Error{Kind: toolresult.KindUnknownConfirmation, Message: "This confirmation is unknown; nothing was sent. Call the tool again."}), nil
	case err != nil:
		ts.g.Logger().ErrorContext(ctx, "mcp confirmation failed", "agent", ts.agent, "confirmation", id, "err", err)
		return errorResult(&toolresult.Error{Kind: toolresult.KindInternal, Message: "The confirmation could not be read because of a server problem. Try again later."}), nil
	case info.Agent != ts.agent || info.Action != p.Name:
		return errorResult(&toolresult.Error{Kind: toolresult.KindUnknownConfirmation, Message: "This confirmation belongs to another call; nothing was sent. Call the tool again."}), nil
	}
	answer, _ := p.InputResponses[confirmInput].(*mcp.ElicitResult)
	if answer == nil || (answer.Action != "accept" && answer.Action != "decline") {
		return pendingResult("The user closed the confirmation without deciding; nothing was sent.", id, info.Preview), nil
	}
	// The person answered the client's own prompt; the gateway decides
	// whether that answer may approve (ACTIONGATE_CONFIRM_APPROVERS).
	res, err := ts.g.Decide(ctx, gateway.ElicitedUser(ts.agent), id, answer.Action == "accept")
	var forbidden *gateway.ForbiddenError
	switch {
	case errors.As(err, &forbidden):
		return pendingResult("The answer in the client does not approve requests on this server; nothing was sent.", id, info.Preview), nil
	case errors.Is(err, gateway.ErrExpired):
		return errorResult(&toolresult.Error{Kind: toolresult.KindExpired, Message: "The confirmation expired before the user decided; nothing was sent. Call the tool again if the user still wants it."}), nil
	case err != nil:
		ts.g.Logger().ErrorContext(ctx, "mcp confirmation failed", "agent", ts.agent, "confirmation", id, "err", err)
		return errorResult(&toolresult.Error{Kind: toolresult.KindInternal, Message: "The confirmation could not be completed because of a server problem. Try again later."}), nil
	}
	return toolResult(res), nil
}

// pendingResult tells the model the request waits for a person's approval,
// what it sends and how a person approves it. It is not an error: nothing
// went wrong, the call is waiting.
func pendingResult(output, id string, preview *runlog.Request) *mcp.CallToolResult {
	var b strings.Builder
	b.WriteString(output)
	if preview != nil {
		b.WriteString("\n\nWaiting for approval:\n")
		writePreview(&b, preview)
	}
	fmt.Fprintf(&b, "\n\nConfirmation id: %s. A person approves it in the actiongate console or with "+
		"POST /api/v1/confirmations/%s and the body {\"approve\":true} (an admin token, or this agent's token where the server allows it); "+
		"the request is then sent once. Tell the user it is waiting for approval.", id, id)
	return toolResult(&gateway.ToolResult{Status: gateway.StatusConfirmationRequired, Output: b.String(), ConfirmationID: id})
}

// elicitMessage asks the user to allow one request.
func elicitMessage(agent, tool string, preview *runlog.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Allow %s to run %s? This sends:\n\n", agent, tool)
	if preview != nil {
		writePreview(&b, preview)
	}
	b.WriteString("\n\nAccept sends it once; decline cancels it.")
	return b.String()
}

// writePreview writes the request line and body (secrets already masked).
func writePreview(b *strings.Builder, p *runlog.Request) {
	fmt.Fprintf(b, "%s %s", p.Method, p.URL)
	if p.Body != "" {
		b.WriteString("\n")
		b.WriteString(p.Body)
	}
}
