package api

import (
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runtime"
)

// MaxConversationBody bounds the body of a conversation request; the
// runtime bounds a message's content (runtime.MaxContentBytes) and vars.
const MaxConversationBody = 64 << 10

// RegisterConversations mounts the conversations API on mux. Routes that
// name an agent take an admin token or a token of that agent; the others
// take any token, and an agent token reaches only its agent's
// conversations (any other is 404, as if it did not exist).
//
//	POST /api/v1/agents/{agent}/conversations   start one with a contact
//	GET  /api/v1/agents/{agent}/conversations   list the agent's
//	GET  /api/v1/conversations                  list (?agent=&contact_id=&cursor=&limit=)
//	GET  /api/v1/conversations/{id}             one, with its transcript
//	POST /api/v1/conversations/{id}/messages    run a turn on the contact's message
//
// A turn answers 200 whatever became of it (completed,
// waiting_confirmation or failed); with "stream": true it answers
// Server-Sent Events, one per runtime event, ending with
// message.completed or error. A client that goes away cancels its turn.
func RegisterConversations(mux *http.ServeMux, g *gateway.Gateway, rt *runtime.Runtime) {
	h := &conversationHandlers{g: g, rt: rt}
	toolRoute(mux, g, "POST /api/v1/agents/{agent}/conversations", httpkit.RequireAgent, h.create)
	toolRoute(mux, g, "GET /api/v1/agents/{agent}/conversations", httpkit.RequireAgent, h.listOfAgent)
	toolRoute(mux, g, "GET /api/v1/conversations", httpkit.RequireToken, h.list)
	toolRoute(mux, g, "GET /api/v1/conversations/{id}", httpkit.RequireToken, h.get)
	toolRoute(mux, g, "POST /api/v1/conversations/{id}/messages", httpkit.RequireToken, h.send)
}

// conversationHandlers serve the conversations API.
type conversationHandlers struct {
	g  *gateway.Gateway
	rt *runtime.Runtime
}

// contactInput is a contact as a request names it: found by its
// external_id, or created.
type contactInput struct {
	ExternalID string         `json:"external_id"`
	Name       string         `json:"name"`
	Email      string         `json:"email"`
	Phone      string         `json:"phone"`
	Locale     string         `json:"locale"`
	Attributes map[string]any `json:"attributes"`
}

// contact returns c as a gateway contact, nil for nil.
func (c *contactInput) contact() *gateway.Contact {
	if c == nil {
		return nil
	}
	return &gateway.Contact{ExternalID: c.ExternalID, Name: c.Name, Email: c.Email,
		Phone: c.Phone, Locale: c.Locale, Attributes: c.Attributes}
}

// startRequest is the body of POST /api/v1/agents/{agent}/conversations.
type startRequest struct {
	ContactID string         `json:"contact_id"`
	Contact   *contactInput  `json:"contact"`
	Vars      map[string]any `json:"vars"`
	Channel   string         `json:"channel"`
}

// messageRequest is the body of POST /api/v1/conversations/{id}/messages.
type messageRequest struct {
	Content string `json:"content"`
	Stream  bool   `json:"stream"`
}

// create starts a conversation of the agent with the contact named by
// contact_id, or found by contact.external_id, or created from contact,
// and answers it with 201.
func (h *conversationHandlers) create(w http.ResponseWriter, r *http.Request) error {
	var body startRequest
	if err := decodeBounded(w, r, MaxConversationBody, &body); err != nil {
		return err
	}
	req := runtime.StartRequest{Agent: r.PathValue("agent"), ContactID: body.ContactID, Contact: body.Contact.contact(),
		Vars: body.Vars, Channel: body.Channel}
	conv, err := h.rt.Start(r.Context(), httpkit.PrincipalFrom(r.Context()), req)
	if errors.Is(err, gateway.ErrNotFound) && body.ContactID != "" {
		return notFound("no contact with id %q", body.ContactID)
	}
	if err != nil {
		return turnRequestError(err)
	}
	httpkit.WriteJSON(w, http.StatusCreated, conv)
	return nil
}

// listOfAgent lists the conversations of the agent in the path.
func (h *conversationHandlers) listOfAgent(w http.ResponseWriter, r *http.Request) error {
	agent := r.PathValue("agent")
	if _, err := h.g.Agent(r.Context(), agent); err != nil {
		return err
	}
	return h.answerList(w, r, agent)
}

// list lists conversations, of one agent when ?agent= names it; an agent
// token lists only its agent's.
func (h *conversationHandlers) list(w http.ResponseWriter, r *http.Request) error {
	return h.answerList(w, r, "")
}

// answerList answers {"conversations":[...],"next_cursor":"..."}, newest
// first, filtered by the query; agent, when set, is the path's agent.
func (h *conversationHandlers) answerList(w http.ResponseWriter, r *http.Request, agent string) error {
	f, err := conversationFilter(r, agent)
	if err != nil {
		return err
	}
	list, next, err := h.g.ListConversations(r.Context(), httpkit.PrincipalFrom(r.Context()), f)
	if errors.Is(err, gateway.ErrInvalidCursor) {
		return badParam("cursor", "not a cursor this server issued; pass next_cursor from a previous page")
	}
	if err != nil {
		return err
	}
	if list == nil {
		list = []gateway.Conversation{}
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"conversations": list, "next_cursor": next})
	return nil
}

// conversationFilter reads a listing's query parameters; unknown ones are
// refused so a misspelt filter does not silently list everything. agent,
// when set, is fixed by the path and may not be given again.
func conversationFilter(r *http.Request, agent string) (gateway.ConversationFilter, error) {
	f := gateway.ConversationFilter{Agent: agent}
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch {
		case key == "agent" && agent == "":
			f.Agent = v
		case key == "contact_id":
			f.ContactID = v
		case key == "cursor":
			f.Cursor = v
		case key == "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > gateway.MaxConversationLimit {
				return f, badParam(key, "must be an integer from 1 to "+strconv.Itoa(gateway.MaxConversationLimit))
			}
			f.Limit = n
		default:
			known := "agent, contact_id, cursor and limit"
			if agent != "" {
				known = "contact_id, cursor and limit (the agent is the path's)"
			}
			return f, badParam(key, "unknown parameter; filters are "+known)
		}
	}
	return f, nil
}

// get answers one conversation with its transcript.
func (h *conversationHandlers) get(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	conv, err := h.g.Conversation(r.Context(), httpkit.PrincipalFrom(r.Context()), id)
	if errors.Is(err, gateway.ErrNotFound) {
		return notFound("no conversation with id %q", id)
	}
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, conv)
	return nil
}

// send runs one turn on the contact's message and answers the turn's
// result, or streams its events.
func (h *conversationHandlers) send(w http.ResponseWriter, r *http.Request) error {
	var body messageRequest
	if err := decodeBounded(w, r, MaxConversationBody, &body); err != nil {
		return err
	}
	id, p := r.PathValue("id"), httpkit.PrincipalFrom(r.Context())
	mapErr := func(err error) error {
		if errors.Is(err, gateway.ErrNotFound) {
			return notFound("no conversation with id %q", id)
		}
		return turnRequestError(err)
	}
	if body.Stream {
		h.stream(w, r, mapErr, func(emit func(runtime.Event)) (*runtime.TurnResult, error) {
			return h.rt.Send(r.Context(), p, id, body.Content, emit)
		})
		return nil
	}
	res, err := h.rt.Send(r.Context(), p, id, body.Content, nil)
	if err != nil {
		return mapErr(err)
	}
	httpkit.WriteJSON(w, http.StatusOK, res)
	return nil
}

// stream runs turn with its events written as Server-Sent Events, each
// `event: <type>` with the event as data, ending with message.completed
// or error. A request error the turn reports before anything was streamed
// is answered as a plain error (mapErr's); one reported later is an error
// event.
func (h *conversationHandlers) stream(w http.ResponseWriter, r *http.Request, mapErr func(error) error,
	turn func(emit func(runtime.Event)) (*runtime.TurnResult, error)) {
	s := httpkit.NewEventStream(w, r, httpkit.HeartbeatInterval)
	var ended atomic.Bool
	res, err := turn(func(ev runtime.Event) {
		if ev.Type == runtime.EventMessageCompleted || ev.Type == runtime.EventError {
			ended.Store(true)
		}
		_ = s.Event(ev.Type, ev)
	})
	s.Close()
	switch {
	case r.Context().Err() != nil:
		// The client went away: nothing to answer.
	case err != nil:
		h.streamError(w, r, s, mapErr(err))
	case !ended.Load():
		ev := runtime.Event{Type: runtime.EventMessageCompleted, Turn: res}
		if res.Status == runtime.TurnFailed {
			ev = runtime.Event{Type: runtime.EventError, Turn: res, Error: res.Error}
		}
		_ = s.Event(ev.Type, ev)
	}
}

// streamError reports err as a plain error when the stream has not
// started, as an error event otherwise; errors other than API errors are
// logged and their text hidden.
func (h *conversationHandlers) streamError(w http.ResponseWriter, r *http.Request, s *httpkit.EventStream, err error) {
	var ae *httpkit.Error
	if !errors.As(err, &ae) {
		h.g.Logger().ErrorContext(r.Context(), "conversation turn failed", "path", r.URL.Path, "err", err)
		ae = httpkit.Errorf(http.StatusInternalServerError, httpkit.CodeInternal, "internal error; see the server log")
	}
	if !s.Started() {
		httpkit.WriteError(w, ae)
		return
	}
	_ = s.Event(runtime.EventError, runtime.Event{Type: runtime.EventError, Error: ae.Message})
}

// turnRequestError turns the runtime's and the gateway's errors about a
// turn request into API errors.
func turnRequestError(err error) error {
	var errs action.Errors
	switch {
	case errors.Is(err, runtime.ErrBusy):
		return httpkit.Errorf(http.StatusConflict, httpkit.CodeConflict, "a turn of this conversation is already running; send the next message when it has ended")
	case errors.Is(err, runtime.ErrWaiting):
		return httpkit.Errorf(http.StatusConflict, httpkit.CodeConflict, "the conversation waits for a confirmation; approve or reject it (POST /api/v1/confirmations/{id}) first")
	case errors.Is(err, runtime.ErrNoModel):
		return invalidField("model", "the agent has no model, so it serves tools only; give it model: {provider, name} to talk")
	case errors.Is(err, gateway.ErrConflict):
		return httpkit.Errorf(http.StatusConflict, httpkit.CodeConflict, "the request clashes with a change made at the same time; send it again")
	case errors.As(err, &errs):
		return invalidRequest(errs)
	}
	return err
}

// invalidRequest is a 422 listing every problem of a request by field path.
func invalidRequest(errs action.Errors) *httpkit.Error {
	e := validationError(errs)
	e.Message = "invalid request: " + errs.Error()
	return e
}

// decodeBounded decodes a JSON body of at most limit bytes into v, with
// DecodeJSON's other rules.
func decodeBounded(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return httpkit.DecodeJSON(w, r, v)
}
