package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runtime"
)

// decideRequest is the body of POST /api/v1/confirmations/{id}.
type decideRequest struct {
	Approve *bool `json:"approve"`
}

// confirmation answers a confirmation's state, the request approval sends
// (secrets masked) and, once sent, its result.
func (h *toolHandlers) confirmation(w http.ResponseWriter, r *http.Request) error {
	info, err := h.g.ConfirmationInfo(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := canRead(r, info.Agent); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, info)
	return nil
}

// decideAnswer is the tool result of a decision and, when the
// confirmation paused a conversation's turn, what the resumed turn came to.
type decideAnswer struct {
	*gateway.ToolResult
	Turn *runtime.TurnResult `json:"turn,omitempty"`
}

// decide approves or rejects a confirmation and answers the tool result:
// the sent request's result on approval, a rejection otherwise, with
// "turn" the resumed turn's result when a conversation's turn waited for
// it. The request is sent at most once; deciding again answers the
// recorded result. The gateway decides who may approve
// (ACTIONGATE_CONFIRM_APPROVERS).
func (h *toolHandlers) decide(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var body decideRequest
	if err := httpkit.DecodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.Approve == nil {
		return &httpkit.Error{Status: http.StatusBadRequest, Code: httpkit.CodeBadRequest, Message: "approve: required, true to send the request or false to reject it",
			Fields: map[string]string{"approve": "required: true or false"}}
	}
	res, turn, err := h.rt.Decide(r.Context(), httpkit.PrincipalFrom(r.Context()), id, *body.Approve, nil)
	if err != nil {
		return turnRequestError(err)
	}
	httpkit.WriteJSON(w, http.StatusOK, decideAnswer{ToolResult: res, Turn: turn})
	return nil
}

// retry sends again a confirmation whose outcome is unknown (admin only)
// and answers the tool result.
func (h *toolHandlers) retry(w http.ResponseWriter, r *http.Request) error {
	res, err := h.g.RetryConfirmation(r.Context(), httpkit.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, res)
	return nil
}

// closeUnknown closes a confirmation whose outcome is unknown without
// sending it again (admin only) and answers the confirmation.
func (h *toolHandlers) closeUnknown(w http.ResponseWriter, r *http.Request) error {
	info, err := h.g.CloseConfirmation(r.Context(), httpkit.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, info)
	return nil
}

// listConfirmations answers {"confirmations":[...]}, newest first,
// optionally of one state (?state=unknown) and at most ?limit= of them.
func (h *toolHandlers) listConfirmations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	state := q.Get("state")
	if states := gateway.ConfirmationStates(); state != "" && !slices.Contains(states, state) {
		return badParam("state", "must be one of "+strings.Join(states, ", "))
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > gateway.MaxConfirmationList {
			return badParam("limit", "must be a number from 1 to "+strconv.Itoa(gateway.MaxConfirmationList))
		}
		limit = n
	}
	list, err := h.g.ListConfirmations(r.Context(), state, limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*gateway.ConfirmationInfo{}
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"confirmations": list})
	return nil
}

// canRead reports a 403 unless the request's token is an admin token or
// one of the confirmation's agent.
func canRead(r *http.Request, agent string) error {
	if p := httpkit.PrincipalFrom(r.Context()); p == nil || !p.CanUseAgent(agent) {
		return httpkit.Errorf(http.StatusForbidden, httpkit.CodeForbidden, "this token does not reach the confirmations of agent %q", agent)
	}
	return nil
}
