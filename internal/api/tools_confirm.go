package api

import "net/http"

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
	if err := canDecide(r, info.Agent); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, info)
	return nil
}

// decide approves or rejects a confirmation and answers the tool result:
// the sent request's result on approval, a rejection otherwise. The request
// is sent at most once; deciding again answers the recorded result.
func (h *toolHandlers) decide(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	c, err := h.g.Confirmation(r.Context(), id)
	if err != nil {
		return err
	}
	if err := canDecide(r, c.Agent); err != nil {
		return err
	}
	var body decideRequest
	if err := DecodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.Approve == nil {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "approve: required, true to send the request or false to reject it",
			Fields: map[string]string{"approve": "required: true or false"}}
	}
	res, err := h.g.Decide(r.Context(), id, *body.Approve)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}

// canDecide reports a 403 unless the request's token is an admin token or
// one of the confirmation's agent.
func canDecide(r *http.Request, agent string) error {
	if p := PrincipalFrom(r.Context()); p == nil || !p.CanUseAgent(agent) {
		return Errorf(http.StatusForbidden, CodeForbidden, "this token does not reach the confirmations of agent %q", agent)
	}
	return nil
}
