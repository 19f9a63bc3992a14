package web

import (
	"errors"
	"net/http"

	"github.com/actiongate/actiongate/internal/gateway"
)

// confirmationsData is the confirmations page's model: what waits for a
// person (pending, and unknown after a server stopped while sending).
type confirmationsData struct {
	Pending []*gateway.ConfirmationInfo
	Unknown []*gateway.ConfirmationInfo
}

// confirmationsList shows the confirmations waiting for a decision.
func (c *Console) confirmationsList(w http.ResponseWriter, r *http.Request, s *session) {
	d := &confirmationsData{}
	for state, into := range map[string]*[]*gateway.ConfirmationInfo{gateway.ConfirmationPending: &d.Pending, gateway.ConfirmationUnknown: &d.Unknown} {
		list, err := c.g.ListConfirmations(r.Context(), state, 100)
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		for _, info := range list {
			if info.State == state {
				*into = append(*into, info)
			}
		}
	}
	c.render(w, r, http.StatusOK, "confirmations", s, d)
}

// confirmationDecide approves or rejects a pending confirmation, or
// retries or closes one whose outcome is unknown, as the signed-in admin.
func (c *Console) confirmationDecide(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, id := r.Context(), r.PathValue("id")
	var err error
	done := r.PostForm.Get("do")
	switch done {
	case "approve", "reject":
		_, _, err = c.rt.Decide(ctx, s.Principal, id, done == "approve", nil)
	case "retry":
		_, err = c.g.RetryConfirmation(ctx, s.Principal, id)
	case "close":
		_, err = c.g.CloseConfirmation(ctx, s.Principal, id)
	default:
		c.badRequest(w, r, "Choose approve, reject, retry or close.")
		return
	}
	var state *gateway.StateError
	switch {
	case errors.Is(err, gateway.ErrUnknownConfirmation):
		c.notFound(w, r, "The confirmation "+id)
	case errors.Is(err, gateway.ErrExpired):
		c.message(w, r, http.StatusGone, "Expired", "This confirmation expired before it was decided; nothing was sent.")
	case errors.As(err, &state):
		c.message(w, r, http.StatusConflict, "Already decided", state.Message()+".")
	case err != nil:
		c.serverError(w, r, err)
	default:
		redirectDone(w, r, "/confirmations", "confirmation-"+done)
	}
}
