package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/store"
)

// tokenItem describes an access token: never its hash or plaintext.
type tokenItem struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Admin      bool       `json:"admin"`
	Agent      string     `json:"agent,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

func newTokenItem(t *store.Token) tokenItem {
	return tokenItem{ID: t.ID, Name: t.Name, Admin: t.Admin, Agent: t.Agent,
		CreatedAt: t.CreatedAt, RevokedAt: t.RevokedAt, LastUsedAt: t.LastUsedAt}
}

type tokenHandlers struct{ g *gateway.Gateway }

func registerTokens(mux *http.ServeMux, g *gateway.Gateway) {
	h := &tokenHandlers{g: g}
	adminRoute(mux, g, "GET /api/v1/tokens", h.list)
	adminRoute(mux, g, "POST /api/v1/tokens", h.create)
	adminRoute(mux, g, "DELETE /api/v1/tokens/{id}", h.revoke)
}

// list answers {"tokens": [...]}, revoked ones included, oldest first.
func (h *tokenHandlers) list(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.g.Store().ListTokens(r.Context())
	if err != nil {
		return err
	}
	items := make([]tokenItem, len(ts))
	for i := range ts {
		items[i] = newTokenItem(&ts[i])
	}
	WriteJSON(w, http.StatusOK, map[string]any{"tokens": items})
	return nil
}

// create issues {"name":"x","admin":true} or {"name":"x","agent":"support"}
// and answers the plaintext token, shown this once.
func (h *tokenHandlers) create(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name  string `json:"name"`
		Admin bool   `json:"admin"`
		Agent string `json:"agent"`
	}
	if err := DecodeJSON(w, r, &body); err != nil {
		return err
	}
	body.Name = strings.TrimSpace(body.Name)
	switch {
	case body.Name == "":
		return invalidField("name", "required")
	case body.Admin && body.Agent != "":
		return invalidField("agent", "an admin token reaches every agent; set admin or agent, not both")
	case !body.Admin && body.Agent == "":
		return invalidField("agent", `required unless "admin": true; names the agent the token reaches`)
	}
	plain, t, err := h.g.CreateToken(r.Context(), body.Name, body.Admin, body.Agent)
	switch {
	case errors.Is(err, gateway.ErrUnknownAgent):
		return invalidField("agent", "no agent named "+body.Agent)
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: CodeConflict,
			Message: "a token named " + body.Name + " exists already; revoke it or choose another name",
			Fields:  map[string]string{"name": "already in use"}}
	case err != nil:
		return err
	}
	WriteJSON(w, http.StatusCreated, struct {
		Token string `json:"token"`
		tokenItem
		Note string `json:"note"`
	}{plain, newTokenItem(t), "This token is shown only once; store it now."})
	return nil
}

// revoke revokes a token by id or name; it stops working at once.
func (h *tokenHandlers) revoke(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	err := h.g.RevokeToken(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no active token with id or name %q", id)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
