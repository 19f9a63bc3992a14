package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runtime"
)

// chatSearchShown is how many contacts a playground search lists.
const chatSearchShown = 10

// chatRecentShown is how many of the agent's conversations the playground
// offers to continue.
const chatRecentShown = 10

// chatStartForm is the playground's start form, as typed.
type chatStartForm struct {
	Query      string
	ContactID  string
	Name       string
	Email      string
	ExternalID string
	Vars       []kv
}

// chatData is the playground's model.
type chatData struct {
	Agent *action.Agent
	// Providers names the providers there are, for the no-model hint.
	Providers []string
	Form      *chatStartForm
	Errors    fieldErrors
	Found     []gateway.Contact
	Recent    []conversationRow

	Conversation *gateway.Conversation
	Contact      string
	Transcript   *transcript
	// Decide is where the transcript's Approve and Reject buttons post.
	Decide string
	// Turn is the outcome of the turn just run without script.
	Turn *runtime.TurnResult
	// Problem says why a message or a decision was not taken.
	Problem string
	CSRF    string
}

// chatAgent reads the agent the path names, answering for it when it
// does not exist.
func (c *Console) chatAgent(w http.ResponseWriter, r *http.Request) (*action.Agent, []string, bool) {
	snap, ag, ok := c.pathAgent(w, r)
	if !ok {
		return nil, nil, false
	}
	return ag, slices.Sorted(maps.Keys(snap.Providers)), true
}

// pathAgent reads the configuration and the agent the path names,
// answering for it when it cannot be read or does not exist.
func (c *Console) pathAgent(w http.ResponseWriter, r *http.Request) (*gateway.Snapshot, *action.Agent, bool) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return nil, nil, false
	}
	ag := snap.Agents[r.PathValue("name")]
	if ag == nil {
		c.notFound(w, r, "The agent "+r.PathValue("name"))
		return nil, nil, false
	}
	return snap, ag, true
}

// chatPage shows the playground's start form: pick or create a contact,
// set vars, start talking.
func (c *Console) chatPage(w http.ResponseWriter, r *http.Request, s *session) {
	q, ok := c.search(w, r, r.URL.Query().Get("q"))
	if !ok {
		return
	}
	c.showChatStart(w, r, s, http.StatusOK, &chatStartForm{Query: q, Vars: []kv{{}, {}, {}}}, fieldErrors{})
}

func (c *Console) showChatStart(w http.ResponseWriter, r *http.Request, s *session, status int, f *chatStartForm, errs fieldErrors) {
	ag, providers, ok := c.chatAgent(w, r)
	if !ok {
		return
	}
	d := &chatData{Agent: ag, Providers: providers, Form: f, Errors: errs, CSRF: s.CSRF}
	if ag.Model != nil && c.rt != nil {
		found, _, err := c.g.ListContacts(r.Context(), s.Principal, gateway.ContactFilter{Query: f.Query, Limit: chatSearchShown})
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		d.Found = found
		recent, _, err := c.g.ListConversations(r.Context(), s.Principal, gateway.ConversationFilter{Agent: ag.Name, Limit: chatRecentShown})
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		labels := map[string]string{}
		for _, conv := range recent {
			d.Recent = append(d.Recent, conversationRow{Conversation: conv, Contact: c.contactName(r, s, conv.ContactID, labels)})
		}
	}
	c.render(w, r, status, "chat", s, d)
}

// chatStart starts a conversation (channel console) with the picked or
// the new contact and the vars typed.
func (c *Console) chatStart(w http.ResponseWriter, r *http.Request, s *session) {
	if _, _, ok := c.chatAgent(w, r); !ok {
		return
	}
	errs := fieldErrors{}
	form := r.PostForm
	f := &chatStartForm{
		Query:      strings.TrimSpace(form.Get("q")),
		ContactID:  strings.TrimSpace(form.Get("contact_id")),
		Name:       strings.TrimSpace(form.Get("contact.name")),
		Email:      strings.TrimSpace(form.Get("contact.email")),
		ExternalID: strings.TrimSpace(form.Get("contact.external_id")),
		Vars:       pairsFromForm(form, "vars", errs),
	}
	vars := map[string]any{}
	for k, v := range pairsMap("vars", f.Vars, errs) {
		vars[k] = v
	}
	req := runtime.StartRequest{Agent: r.PathValue("name"), ContactID: f.ContactID, Vars: vars, Channel: gateway.ChannelConsole}
	switch {
	case f.ContactID != "":
	case f.Name != "" || f.Email != "" || f.ExternalID != "":
		req.Contact = &gateway.Contact{Name: f.Name, Email: f.Email, ExternalID: f.ExternalID}
	default:
		errs.add("contact_id", "pick a contact, or give the new contact's name, email or external id")
	}
	if len(errs) == 0 {
		conv, err := c.rt.Start(r.Context(), s.Principal, req)
		if err == nil {
			http.Redirect(w, r, chatURL(req.Agent, conv.ID), http.StatusSeeOther)
			return
		}
		if !startErrors(err, f, errs) {
			c.chatFailure(w, r, err)
			return
		}
	}
	f.Vars = append(f.Vars, kv{})
	c.showChatStart(w, r, s, http.StatusUnprocessableEntity, f, errs)
}

// startErrors turns a refused start into problems by form field; it
// returns false for an error that is not the form's.
func startErrors(err error, f *chatStartForm, errs fieldErrors) bool {
	var verrs action.Errors
	switch {
	case errors.Is(err, runtime.ErrNoModel):
		errs.add("", "This agent has no model yet; give it one in its settings.")
	case errors.Is(err, gateway.ErrConflict):
		errs.add("contact.external_id", "another contact has this external id; search for it and pick it instead")
	case errors.Is(err, gateway.ErrNotFound) && f.ContactID != "":
		errs.add("contact_id", "this contact no longer exists; pick another")
	case errors.As(err, &verrs):
		for _, e := range verrs {
			errs.add(startFieldKey(e.Path, f), e.Message)
		}
	default:
		return false
	}
	return true
}

// startFieldKey maps a refused start's field path to the form field.
func startFieldKey(path string, f *chatStartForm) string {
	p := strings.TrimPrefix(path, "contact.")
	switch {
	case path == "contact_id":
		return "contact_id"
	case p == "name" || p == "email" || p == "external_id":
		return "contact." + p
	case strings.HasPrefix(path, "vars."):
		name := strings.TrimPrefix(path, "vars.")
		for i, v := range f.Vars {
			if v.Key == name {
				return "vars." + itoa(i) + ".key"
			}
		}
		return "vars"
	case path == "vars":
		return "vars"
	}
	return ""
}

// chatFailure answers an error of the runtime that no form field explains.
func (c *Console) chatFailure(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, gateway.ErrNotFound), errors.Is(err, gateway.ErrUnknownAgent):
		c.notFound(w, r, "The agent or conversation")
	default:
		c.serverError(w, r, err)
	}
}

// chatURL is the playground page of one conversation.
func chatURL(agent, conversation string) string {
	return "/agents/" + url.PathEscape(agent) + "/chat/" + url.PathEscape(conversation)
}

// chatConversation shows a conversation in the playground: its transcript
// and the message box.
func (c *Console) chatConversation(w http.ResponseWriter, r *http.Request, s *session) {
	c.showChat(w, r, s, http.StatusOK, nil, "")
}

func (c *Console) showChat(w http.ResponseWriter, r *http.Request, s *session, status int, turn *runtime.TurnResult, problem string) {
	ag, providers, ok := c.chatAgent(w, r)
	if !ok {
		return
	}
	conv, ok := c.loadConversation(w, r, s, ag.Name)
	if !ok {
		return
	}
	d := &chatData{Agent: ag, Providers: providers, Conversation: conv, CSRF: s.CSRF,
		Contact: c.contactName(r, s, conv.ContactID, map[string]string{}), Transcript: buildTranscript(conv),
		Decide: chatURL(ag.Name, conv.ID) + "/decide", Turn: turn, Problem: problem}
	c.render(w, r, status, "chat", s, d)
}

// wantsStream reports whether the playground's script asked for the turn's
// events as they happen.
func wantsStream(r *http.Request) bool {
	return isScript(r) && strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// chatSend runs one turn on the message typed: streamed as Server-Sent
// Events to the script, or run to its end and shown with the transcript.
func (c *Console) chatSend(w http.ResponseWriter, r *http.Request, s *session) {
	if _, ok := c.loadConversation(w, r, s, r.PathValue("name")); !ok {
		return
	}
	content := strings.TrimSpace(normalizeNewlines(r.PostForm.Get("content")))
	if content == "" {
		c.chatRefused(w, r, s, http.StatusUnprocessableEntity, "Type a message first.")
		return
	}
	id := r.PathValue("id")
	if wantsStream(r) {
		c.stream(w, r, func(emit func(runtime.Event)) (*runtime.TurnResult, error) {
			return c.rt.Send(r.Context(), s.Principal, id, content, emit)
		})
		return
	}
	turn, err := c.rt.Send(r.Context(), s.Principal, id, content, nil)
	c.afterTurn(w, r, s, turn, err)
}

// chatDecide approves or rejects the write a conversation waits on and
// resumes the turn, streamed or run to its end like a message.
func (c *Console) chatDecide(w http.ResponseWriter, r *http.Request, s *session) {
	if _, ok := c.loadConversation(w, r, s, r.PathValue("name")); !ok {
		return
	}
	cid, do := r.PostForm.Get("confirmation"), r.PostForm.Get("do")
	if cid == "" || (do != "approve" && do != "reject") {
		c.chatRefused(w, r, s, http.StatusBadRequest, "Choose approve or reject for a pending confirmation.")
		return
	}
	decide := func(emit func(runtime.Event)) (*runtime.TurnResult, error) {
		_, turn, err := c.rt.Decide(r.Context(), s.Principal, cid, do == "approve", emit)
		if err == nil && turn == nil {
			err = errNotInTurn
		}
		return turn, err
	}
	if wantsStream(r) {
		c.stream(w, r, decide)
		return
	}
	turn, err := decide(nil)
	c.afterTurn(w, r, s, turn, err)
}

// errNotInTurn means a decided confirmation paused no turn of the
// conversation, so there is nothing to resume.
var errNotInTurn = errors.New("web: the confirmation paused no conversation turn")

// afterTurn shows the conversation after a turn run without script, or
// why the turn did not run.
func (c *Console) afterTurn(w http.ResponseWriter, r *http.Request, s *session, turn *runtime.TurnResult, err error) {
	if err != nil {
		status, msg, ok := turnProblem(err)
		if !ok {
			c.chatFailure(w, r, err)
			return
		}
		c.showChat(w, r, s, status, nil, msg)
		return
	}
	c.showChat(w, r, s, http.StatusOK, turn, "")
}

// chatRefused answers a message or decision refused before any turn ran.
func (c *Console) chatRefused(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	if isScript(r) {
		httpkit.WriteJSON(w, status, map[string]string{"error": msg})
		return
	}
	c.showChat(w, r, s, status, nil, msg)
}

// turnProblem says why a turn did not run, for people, with the status
// that fits; ok is false for errors that are the server's.
func turnProblem(err error) (int, string, bool) {
	var verrs action.Errors
	var state *gateway.StateError
	switch {
	case errors.Is(err, runtime.ErrBusy):
		return http.StatusConflict, "A turn of this conversation is already running. Wait for it to finish.", true
	case errors.Is(err, runtime.ErrWaiting):
		return http.StatusConflict, "This conversation waits for a write to be approved or rejected. Decide it first.", true
	case errors.Is(err, runtime.ErrNoModel):
		return http.StatusUnprocessableEntity, "This agent has no model any more; give it one in its settings.", true
	case errors.Is(err, gateway.ErrUnknownConfirmation):
		return http.StatusNotFound, "That confirmation does not exist.", true
	case errors.Is(err, gateway.ErrExpired):
		return http.StatusGone, "This confirmation expired before it was decided; nothing was sent.", true
	case errors.As(err, &state):
		return http.StatusConflict, "Already decided: " + state.Message() + ".", true
	case errors.Is(err, errNotInTurn):
		return http.StatusConflict, "The confirmation was decided, but it paused no turn of this conversation.", true
	case errors.As(err, &verrs):
		return http.StatusUnprocessableEntity, verrs.Error(), true
	}
	return 0, "", false
}

// stream runs a turn and writes its events as Server-Sent Events
// ("event: <type>", "data: <the event as JSON>"), with a heartbeat while
// the turn is silent. A turn the runtime refuses is one error event; the
// stream ends with an event carrying the turn's result, sent here when the
// runtime sent none.
func (c *Console) stream(w http.ResponseWriter, r *http.Request, run func(emit func(runtime.Event)) (*runtime.TurnResult, error)) {
	es := httpkit.NewEventStream(w, r, httpkit.HeartbeatInterval)
	defer es.Close()
	var sawTurn atomic.Bool
	emit := func(ev runtime.Event) {
		if ev.Turn != nil {
			sawTurn.Store(true)
		}
		if err := es.Event(ev.Type, ev); err != nil {
			c.g.Logger().Debug("a chat event was not delivered", "type", ev.Type, "err", err)
		}
	}
	turn, err := run(emit)
	if err != nil {
		_, msg, ok := turnProblem(err)
		if !ok {
			c.g.Logger().Error("console chat turn", "path", r.URL.Path, "err", err)
			msg = "The server could not run this turn; the details are in the server log."
		}
		emit(runtime.Event{Type: runtime.EventError, Error: msg})
		return
	}
	if !sawTurn.Load() && turn != nil {
		ev := runtime.Event{Type: runtime.EventMessageCompleted, Turn: turn}
		if turn.Status == runtime.TurnFailed {
			ev.Type, ev.Error = runtime.EventError, turn.Error
		}
		emit(ev)
	}
}
