package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
)

// maxContactBody bounds the body of a contact request.
const maxContactBody = 64 << 10

// RegisterContacts mounts the contacts API on mux. Every route takes any
// valid token: an admin token reaches every contact, an agent token only
// the contacts its agent created (others are 404).
//
//	POST   /api/v1/contacts                          create
//	GET    /api/v1/contacts?q=&cursor=&limit=        list, newest first
//	GET    /api/v1/contacts/{id}                     one contact
//	PATCH  /api/v1/contacts/{id}                     change some fields
//	DELETE /api/v1/contacts/{id}                     delete, with its conversations
func RegisterContacts(mux *http.ServeMux, g *gateway.Gateway) {
	h := &contactHandlers{g: g}
	contactRoute(mux, g, "POST /api/v1/contacts", h.create)
	contactRoute(mux, g, "GET /api/v1/contacts", h.list)
	contactRoute(mux, g, "GET /api/v1/contacts/{id}", h.get)
	contactRoute(mux, g, "PATCH /api/v1/contacts/{id}", h.update)
	contactRoute(mux, g, "DELETE /api/v1/contacts/{id}", h.remove)
}

type contactHandlers struct{ g *gateway.Gateway }

// contactRoute mounts fn at pattern behind httpkit.RequireToken, writing
// its error in the API's error shape; unexpected errors are logged and
// hidden behind a 500.
func contactRoute(mux *http.ServeMux, g *gateway.Gateway, pattern string, fn adminFunc) {
	mux.Handle(pattern, httpkit.RequireToken(g, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		err = contactError(r, err)
		var ae *httpkit.Error
		if !errors.As(err, &ae) {
			g.Logger().ErrorContext(r.Context(), "contacts request failed", "path", r.URL.Path, "err", err)
		}
		httpkit.WriteError(w, err)
	})))
}

// contactError turns the gateway's errors into API errors: a clash of
// external ids is 409 naming the field, a contact the token does not
// reach is 404.
func contactError(r *http.Request, err error) error {
	switch {
	case errors.Is(err, gateway.ErrConflict):
		return &httpkit.Error{Status: http.StatusConflict, Code: httpkit.CodeConflict,
			Message: "another contact has this external_id", Fields: map[string]string{"external_id": "already in use"}}
	case errors.Is(err, gateway.ErrInvalidCursor):
		return badParam("cursor", "not a cursor this server issued; pass next_cursor from a previous page")
	case errors.Is(err, gateway.ErrNotFound):
		return notFound("no contact with id %q", r.PathValue("id"))
	}
	return adminError(err)
}

// contactRequest is the body of POST /api/v1/contacts.
type contactRequest struct {
	ExternalID string         `json:"external_id"`
	Name       string         `json:"name"`
	Email      string         `json:"email"`
	Phone      string         `json:"phone"`
	Locale     string         `json:"locale"`
	Attributes map[string]any `json:"attributes"`
}

// decodeContactBody decodes a body of at most maxContactBody bytes.
func decodeContactBody(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxContactBody)
	return httpkit.DecodeJSON(w, r, v)
}

// create stores a contact and answers it with 201.
func (h *contactHandlers) create(w http.ResponseWriter, r *http.Request) error {
	var body contactRequest
	if err := decodeContactBody(w, r, &body); err != nil {
		return err
	}
	c, err := h.g.CreateContact(r.Context(), httpkit.PrincipalFrom(r.Context()), &gateway.Contact{
		ExternalID: body.ExternalID, Name: body.Name, Email: body.Email, Phone: body.Phone, Locale: body.Locale, Attributes: body.Attributes})
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusCreated, c)
	return nil
}

// list answers {"contacts": [...], "next_cursor": "..."}, newest first,
// matching q (a substring of name, email, phone or external id, any case).
func (h *contactHandlers) list(w http.ResponseWriter, r *http.Request) error {
	var f gateway.ContactFilter
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "q":
			f.Query = v
		case "cursor":
			f.Cursor = v
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > gateway.MaxContactLimit {
				return badParam(key, "must be an integer from 1 to "+strconv.Itoa(gateway.MaxContactLimit))
			}
			f.Limit = n
		default:
			return badParam(key, "unknown parameter; the parameters are q, cursor and limit")
		}
	}
	list, next, err := h.g.ListContacts(r.Context(), httpkit.PrincipalFrom(r.Context()), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []gateway.Contact{}
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"contacts": list, "next_cursor": next})
	return nil
}

// get answers one contact.
func (h *contactHandlers) get(w http.ResponseWriter, r *http.Request) error {
	c, err := h.g.Contact(r.Context(), httpkit.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, c)
	return nil
}

// update applies a patch: fields left out stay, "" clears a field,
// attributes merge and an attribute set to null is removed.
func (h *contactHandlers) update(w http.ResponseWriter, r *http.Request) error {
	var patch gateway.ContactPatch
	if err := decodeContactBody(w, r, &patch); err != nil {
		return err
	}
	c, err := h.g.UpdateContact(r.Context(), httpkit.PrincipalFrom(r.Context()), r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, c)
	return nil
}

// remove deletes a contact with its conversations and answers 204.
func (h *contactHandlers) remove(w http.ResponseWriter, r *http.Request) error {
	if err := h.g.DeleteContact(r.Context(), httpkit.PrincipalFrom(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
