package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// conversationRow is one line of the conversations list.
type conversationRow struct {
	gateway.Conversation
	Contact string
}

// conversationsData is the conversations list's model.
type conversationsData struct {
	Agent   string
	Contact string
	Agents  []string
	Rows    []conversationRow
	Next    string
	Invalid bool
}

// conversationsList shows conversations, newest first, a page at a time,
// optionally of one agent or one contact.
func (c *Console) conversationsList(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d := &conversationsData{Agent: q.Get("agent"), Contact: q.Get("contact"), Agents: slices.Sorted(maps.Keys(snap.Agents))}
	list, next, err := c.g.ListConversations(r.Context(), s.Principal, gateway.ConversationFilter{Agent: d.Agent, ContactID: d.Contact, Cursor: q.Get("cursor")})
	switch {
	case errors.Is(err, gateway.ErrInvalidCursor):
		d.Invalid = true
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	labels := map[string]string{}
	for _, conv := range list {
		d.Rows = append(d.Rows, conversationRow{Conversation: conv, Contact: c.contactName(r, s, conv.ContactID, labels)})
	}
	if next != "" {
		v := url.Values{"cursor": {next}}
		for k, val := range map[string]string{"agent": d.Agent, "contact": d.Contact} {
			if val != "" {
				v.Set(k, val)
			}
		}
		d.Next = "/conversations?" + v.Encode()
	}
	c.render(w, r, http.StatusOK, "conversations", s, d)
}

// contactName returns a contact's label, reading each contact once per
// page through seen; a contact that cannot be read shows as its id.
func (c *Console) contactName(r *http.Request, s *session, id string, seen map[string]string) string {
	if l, ok := seen[id]; ok {
		return l
	}
	l := id
	if ct, err := c.g.Contact(r.Context(), s.Principal, id); err == nil {
		l = contactLabel(ct)
	}
	seen[id] = l
	return l
}

// toolView is one tool call of a transcript.
type toolView struct {
	ID             string
	Name           string
	Arguments      string
	Status         string
	RunID          string
	RawTokens      int
	OutputTokens   int
	ConfirmationID string
	// Pending is true for the call a waiting conversation waits on.
	Pending bool
	// Result is the tool result the model read.
	Result string
}

// stepView is one step of a turn: the agent's words or a tool call.
type stepView struct {
	Text string
	Tool *toolView
}

// turnView is one turn of a transcript.
type turnView struct {
	N     int
	User  string
	Steps []stepView
	Usage gateway.Usage
}

// transcript is a conversation's messages, by turn.
type transcript struct {
	Turns []turnView
	// Pending is the confirmation the conversation waits on, "" for none.
	Pending string
}

// buildTranscript groups a conversation's messages by turn. A call an
// answer asked for but whose result is not stored yet shows without a
// status.
func buildTranscript(conv *gateway.Conversation) *transcript {
	t := &transcript{}
	answered := map[string]bool{}
	for _, m := range conv.Messages {
		if m.Role == gateway.RoleTool {
			answered[m.ToolCallID] = true
		}
	}
	var cur *turnView
	for _, m := range conv.Messages {
		if cur == nil || cur.N != m.Turn {
			t.Turns = append(t.Turns, turnView{N: m.Turn})
			cur = &t.Turns[len(t.Turns)-1]
		}
		switch m.Role {
		case gateway.RoleUser:
			cur.User = m.Content
		case gateway.RoleAssistant:
			if m.Usage != nil {
				cur.Usage.InputTokens += m.Usage.InputTokens
				cur.Usage.OutputTokens += m.Usage.OutputTokens
			}
			if m.Content != "" {
				cur.Steps = append(cur.Steps, stepView{Text: m.Content})
			}
			for _, tc := range m.ToolCalls {
				if !answered[tc.ID] {
					cur.Steps = append(cur.Steps, stepView{Tool: &toolView{ID: tc.ID, Name: tc.Name, Arguments: prettyJSON(string(tc.Arguments))}})
				}
			}
		case gateway.RoleTool:
			tv := &toolView{ID: m.ToolCallID, Name: m.Name, Arguments: prettyJSON(string(m.Arguments)), Status: m.Status, RunID: m.RunID,
				RawTokens: m.RawTokens, OutputTokens: m.OutputTokens, ConfirmationID: m.ConfirmationID, Result: m.Content}
			if conv.Status == gateway.ConversationWaiting && m.Status == toolresult.StatusConfirmationRequired && m.ConfirmationID != "" {
				tv.Pending = true
				t.Pending = m.ConfirmationID
			}
			cur.Steps = append(cur.Steps, stepView{Tool: tv})
		}
	}
	return t
}

// conversationData is the transcript page's model.
type conversationData struct {
	Conversation *gateway.Conversation
	Contact      string
	Transcript   *transcript
	// Chat is true when the agent has a model, so the conversation can go
	// on in the playground.
	Chat bool
}

// conversationPage shows one conversation's transcript.
func (c *Console) conversationPage(w http.ResponseWriter, r *http.Request, s *session) {
	conv, ok := c.loadConversation(w, r, s, "")
	if !ok {
		return
	}
	d := &conversationData{Conversation: conv, Contact: c.contactName(r, s, conv.ContactID, map[string]string{}), Transcript: buildTranscript(conv)}
	if snap, err := c.g.Snapshot(r.Context()); err == nil {
		ag := snap.Agents[conv.Agent]
		d.Chat = ag != nil && ag.Model != nil
	}
	c.render(w, r, http.StatusOK, "conversation", s, d)
}

// loadConversation reads the conversation the path names (of agent, when
// set), answering for it when it cannot.
func (c *Console) loadConversation(w http.ResponseWriter, r *http.Request, s *session, agent string) (*gateway.Conversation, bool) {
	id := r.PathValue("id")
	conv, err := c.g.Conversation(r.Context(), s.Principal, id)
	switch {
	case errors.Is(err, gateway.ErrNotFound) || (err == nil && agent != "" && conv.Agent != agent):
		c.notFound(w, r, "The conversation "+id)
		return nil, false
	case err != nil:
		c.serverError(w, r, err)
		return nil, false
	}
	return conv, true
}
