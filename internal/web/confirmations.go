package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
)

// confirmationRow is one confirmation with who asked for it, as the inbox
// shows it.
type confirmationRow struct {
	*gateway.ConfirmationInfo
	// Stored is true when the conversation that asked is one this server
	// keeps (so it has a page); ContactID and Contact name its person.
	Stored    bool
	ContactID string
	Contact   string
	// Left says how long a pending confirmation has before it expires.
	Left string
	// Label and Class name the state for people and its badge; Outcome
	// says what became of the request when no result was recorded.
	Label, Class, Outcome string
}

// confirmationStates words each confirmation state: its label, badge class
// and what became of the request.
var confirmationStates = map[string][3]string{
	gateway.ConfirmationPending:   {"waiting", "warn", "Nothing has been sent yet: approve to send the request once, or reject it."},
	gateway.ConfirmationExecuting: {"sending", "warn", "The request is being sent; reload in a moment for its result."},
	gateway.ConfirmationDone:      {"sent", "ok", "The request was sent; no result was recorded."},
	gateway.ConfirmationRejected:  {"rejected", "bad", "Rejected: nothing was sent."},
	gateway.ConfirmationExpired:   {"expired", "bad", "It expired before anyone decided; nothing was sent."},
	gateway.ConfirmationUnknown:   {"outcome unknown", "warn", "The server stopped while sending it, so the API may or may not have received it. Check with the API, then retry or close."},
	gateway.ConfirmationClosed:    {"closed", "none", "Closed after an unknown outcome, without sending again."},
}

// confirmationsData is the confirmations page's model: the inbox of what
// waits for a person (pending, and unknown after a server stopped while
// sending), or one confirmation with its outcome.
type confirmationsData struct {
	Pending []confirmationRow
	Unknown []confirmationRow
	// One is the confirmation of /confirmations/{id}, nil on the inbox.
	One *confirmationRow
	// Run is the run One's approval made, when it was sent.
	Run *runlog.Run
}

// confirmationsList shows the confirmations waiting for a decision, from
// every agent and conversation, newest first.
func (c *Console) confirmationsList(w http.ResponseWriter, r *http.Request, s *session) {
	d := &confirmationsData{}
	contacts := map[string]string{}
	for state, into := range map[string]*[]confirmationRow{gateway.ConfirmationPending: &d.Pending, gateway.ConfirmationUnknown: &d.Unknown} {
		list, err := c.g.ListConfirmations(r.Context(), state, 100)
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		for _, info := range list {
			if info.State == state {
				*into = append(*into, c.confirmationRow(r, s, info, contacts))
			}
		}
	}
	c.render(w, r, http.StatusOK, "confirmations", s, d)
}

// confirmationPage shows one confirmation: the decision it waits for, or
// its outcome (what approving sent and what the model read).
func (c *Console) confirmationPage(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	info, err := c.g.ConfirmationInfo(r.Context(), id)
	switch {
	case errors.Is(err, gateway.ErrUnknownConfirmation):
		c.notFound(w, r, "The confirmation "+id)
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	row := c.confirmationRow(r, s, info, map[string]string{})
	d := &confirmationsData{One: &row}
	if info.Result != nil && info.Result.RunID != "" {
		run, err := c.g.GetRun(r.Context(), info.Result.RunID)
		switch {
		case errors.Is(err, gateway.ErrNotFound):
		case err != nil:
			c.serverError(w, r, err)
			return
		default:
			d.Run = run
		}
	}
	c.render(w, r, http.StatusOK, "confirmations", s, d)
}

// confirmationRow adds to info the contact of its conversation and the
// time it has left; contacts caches contact labels by conversation.
func (c *Console) confirmationRow(r *http.Request, s *session, info *gateway.ConfirmationInfo, contacts map[string]string) confirmationRow {
	row := confirmationRow{ConfirmationInfo: info, Left: timeLeft(info.ExpiresAt.Sub(c.now()))}
	words := confirmationStates[info.State]
	row.Label, row.Class, row.Outcome = words[0], words[1], words[2]
	if row.Label == "" {
		row.Label, row.Class = info.State, "none"
	}
	if info.ConversationID == "" {
		return row
	}
	conv, err := c.g.Conversation(r.Context(), s.Principal, info.ConversationID)
	if err != nil {
		return row
	}
	row.Stored = true
	if conv.ContactID == "" {
		return row
	}
	row.ContactID = conv.ContactID
	row.Contact = c.contactName(r, s, conv.ContactID, contacts)
	return row
}

// timeLeft says how long until a confirmation expires, for people.
func timeLeft(d time.Duration) string {
	switch {
	case d <= 0:
		return "expired"
	case d < time.Minute:
		return "expires in under a minute"
	case d < time.Hour:
		return fmt.Sprintf("expires in %d min", int(d/time.Minute))
	}
	return fmt.Sprintf("expires in %d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// confirmationDecide approves or rejects a pending confirmation, or
// retries or closes one whose outcome is unknown, as the signed-in admin.
// Approving and retrying lead to the confirmation's page, which shows
// what was sent and what came back; a reload of it sends nothing.
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
	case done == "approve" || done == "retry":
		redirectDone(w, r, "/confirmations/"+url.PathEscape(id), "confirmation-"+done)
	default:
		redirectDone(w, r, "/confirmations", "confirmation-"+done)
	}
}
