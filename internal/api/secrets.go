package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/secret"
)

// secretItem describes a stored secret: never its value.
type secretItem struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type secretHandlers struct{ g *gateway.Gateway }

func registerSecrets(mux *http.ServeMux, g *gateway.Gateway) {
	h := &secretHandlers{g: g}
	adminRoute(mux, g, "GET /api/v1/secrets", h.list)
	adminRoute(mux, g, "PUT /api/v1/secrets/{name}", h.put)
	adminRoute(mux, g, "DELETE /api/v1/secrets/{name}", h.remove)
}

// list answers {"secrets": [{name, created_at, updated_at}]}.
func (h *secretHandlers) list(w http.ResponseWriter, r *http.Request) error {
	infos, err := h.g.ListSecrets(r.Context())
	if err != nil {
		return err
	}
	items := make([]secretItem, len(infos))
	for i, si := range infos {
		items[i] = secretItem{Name: si.Name, CreatedAt: si.CreatedAt, UpdatedAt: si.UpdatedAt}
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"secrets": items})
	return nil
}

// put stores {"value": "..."} encrypted under the secret's name; the answer
// says only whether it was created or updated.
func (h *secretHandlers) put(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := secret.ValidateName(name); err != nil {
		return invalidField("name", strings.TrimPrefix(err.Error(), "secret: "))
	}
	var body struct {
		Value *string `json:"value"`
	}
	if err := httpkit.DecodeJSON(w, r, &body); err != nil {
		return err
	}
	switch {
	case body.Value == nil:
		return invalidField("value", "required: the secret's value as a string")
	case *body.Value == "":
		return invalidField("value", "must not be empty")
	}
	ch, err := h.g.SetSecret(r.Context(), name, []byte(*body.Value))
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, changeStatus(ch), map[string]any{"change": ch, "secret": map[string]string{"name": name}})
	return nil
}

// remove deletes a stored secret.
func (h *secretHandlers) remove(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	err := h.g.DeleteSecret(r.Context(), name)
	if errors.Is(err, gateway.ErrNotFound) {
		return notFound("no stored secret named %q", name)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
