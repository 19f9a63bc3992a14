package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/toolresult"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// RegisterTools mounts the agent-facing tools API on mux. Agent routes take
// an admin token or a token of the agent in the path; a confirmation is
// read or rejected with an admin token or a token of its agent, and
// approved as the gateway allows (ACTIONGATE_CONFIRM_APPROVERS), through
// rt, so that deciding a write a conversation's turn waits for resumes
// that turn.
//
//	GET  /api/v1/agents/{agent}/tools?format=openai|anthropic|mcp  tool definitions
//	POST /api/v1/agents/{agent}/tools/{action}                     one call
//	POST /api/v1/agents/{agent}/tools                              a batch of OpenAI tool_calls
//	GET  /api/v1/confirmations/{id}                                state and preview
//	POST /api/v1/confirmations/{id}                                approve or reject
//	GET  /api/v1/confirmations?state=unknown                       list (admin)
//	POST /api/v1/confirmations/{id}/retry                          send again after an unknown outcome (admin)
//	POST /api/v1/confirmations/{id}/close                          close after an unknown outcome (admin)
//
// A tool call answers 200 whatever the tool's outcome (status ok, error or
// confirmation_required): a failed call is a result for the model,
// arguments that are not one JSON object or nest too deeply included. Only
// transport problems (token, unknown agent or action, a malformed body
// around the arguments) are HTTP errors.
func RegisterTools(mux *http.ServeMux, g *gateway.Gateway, rt *runtime.Runtime) {
	h := &toolHandlers{g: g, rt: rt}
	toolRoute(mux, g, "GET /api/v1/agents/{agent}/tools", httpkit.RequireAgent, h.list)
	toolRoute(mux, g, "POST /api/v1/agents/{agent}/tools/{action}", httpkit.RequireAgent, h.call)
	toolRoute(mux, g, "POST /api/v1/agents/{agent}/tools", httpkit.RequireAgent, h.batch)
	toolRoute(mux, g, "GET /api/v1/confirmations/{id}", httpkit.RequireToken, h.confirmation)
	toolRoute(mux, g, "POST /api/v1/confirmations/{id}", httpkit.RequireToken, h.decide)
	toolRoute(mux, g, "GET /api/v1/confirmations", httpkit.RequireAdmin, h.listConfirmations)
	toolRoute(mux, g, "POST /api/v1/confirmations/{id}/retry", httpkit.RequireAdmin, h.retry)
	toolRoute(mux, g, "POST /api/v1/confirmations/{id}/close", httpkit.RequireAdmin, h.closeUnknown)
}

// toolHandlers serve the tools API.
type toolHandlers struct {
	g  *gateway.Gateway
	rt *runtime.Runtime
}

// callRequest is the body of POST /api/v1/agents/{agent}/tools/{action},
// its arguments kept raw for toolresult.DecodeArguments.
type callRequest struct {
	Arguments json.RawMessage     `json:"arguments"`
	Context   gateway.CallContext `json:"context"`
}

// toolRoute mounts fn at pattern behind guard, writing its error in the
// API's error shape; unexpected errors are logged and hidden behind a 500.
func toolRoute(mux *http.ServeMux, g *gateway.Gateway, pattern string, guard func(*gateway.Gateway, http.Handler) http.Handler, fn adminFunc) {
	mux.Handle(pattern, guard(g, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		err = toolError(r, err)
		var ae *httpkit.Error
		if !errors.As(err, &ae) {
			g.Logger().ErrorContext(r.Context(), "tools request failed", "path", r.URL.Path, "err", err)
		}
		httpkit.WriteError(w, err)
	})))
}

// toolError turns the gateway errors of a tools request into API errors
// naming what was not found.
func toolError(r *http.Request, err error) error {
	agent, name := r.PathValue("agent"), r.PathValue("action")
	var (
		forbidden *gateway.ForbiddenError
		state     *gateway.StateError
	)
	switch {
	case errors.As(err, &forbidden):
		return httpkit.Errorf(http.StatusForbidden, httpkit.CodeForbidden, "%s", forbidden.Reason)
	case errors.As(err, &state):
		return httpkit.Errorf(http.StatusConflict, httpkit.CodeConflict, "%s", state.Message())
	case errors.Is(err, gateway.ErrUnknownAgent):
		return notFound("no agent named %q", agent)
	case errors.Is(err, gateway.ErrNotActivated):
		return notFound("action %q is not activated for agent %q", name, agent)
	case errors.Is(err, gateway.ErrUnknownAction):
		return notFound("no action named %q", name)
	case errors.Is(err, gateway.ErrUnknownConfirmation):
		return notFound("no confirmation with id %q", r.PathValue("id"))
	case errors.Is(err, gateway.ErrExpired):
		return httpkit.Errorf(http.StatusGone, httpkit.CodeGone, "confirmation %q has expired; nothing was sent, and the call must be made again", r.PathValue("id"))
	}
	return err
}

// list answers {"tools":[...]}: the agent's activated actions and the
// built-in more_results tool, in the requested format (default openai).
func (h *toolHandlers) list(w http.ResponseWriter, r *http.Request) error {
	format := toolschema.FormatOpenAI
	if v := r.URL.Query().Get("format"); v != "" {
		f, err := toolschema.ParseFormat(v)
		if err != nil {
			return badParam("format", "must be openai, anthropic or mcp")
		}
		format = f
	}
	actions, err := h.g.ToolsFor(r.Context(), r.PathValue("agent"))
	if err != nil {
		return err
	}
	tools, err := toolschema.Tools(actions, format)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"tools": tools})
	return nil
}

// call runs one tool call. An empty body calls the tool without arguments.
func (h *toolHandlers) call(w http.ResponseWriter, r *http.Request) error {
	var body callRequest
	if r.ContentLength != 0 {
		if err := decodeCall(w, r, &body); err != nil {
			return err
		}
	}
	agent, tool := r.PathValue("agent"), r.PathValue("action")
	args, refused := toolresult.DecodeArguments(body.Arguments)
	var res *gateway.ToolResult
	var err error
	if refused != nil {
		res, err = h.g.RefuseTool(r.Context(), runlog.CallerTools, agent, tool, body.Context, refused)
	} else {
		res, err = h.g.CallTool(r.Context(), runlog.CallerTools, agent, tool, args, body.Context)
	}
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, res)
	return nil
}

// decodeCall decodes a call's body into body. The body around the
// arguments is held to DecodeJSON's rules; the arguments member is cut out
// first and kept raw, for the rules every surface shares
// (toolresult.DecodeArguments), so arguments a model nested too deeply are
// a result for the model rather than an HTTP error.
func decodeCall(w http.ResponseWriter, r *http.Request, body *callRequest) error {
	data, err := httpkit.ReadBody(w, r)
	if err != nil {
		return err
	}
	rest, args := toolresult.CutMember(data, "arguments")
	r.Body = io.NopCloser(bytes.NewReader(rest))
	if err := httpkit.DecodeJSON(w, r, body); err != nil {
		return err
	}
	body.Arguments = args
	return nil
}
