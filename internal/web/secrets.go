package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/secret"
)

// secretNameRule is what a secret name may be, for people.
const secretNameRule = "secret names are 1 to 64 letters, digits, _ or -"

// secretRow is one stored secret, never its value.
type secretRow struct {
	Name    string
	Updated time.Time
}

// secretsData is the secrets page's model.
type secretsData struct {
	Rows   []secretRow
	Name   string
	Errors fieldErrors
}

// secretsList shows the stored secrets' names and a form to set one, its
// name filled from ?name= (where a page needing a secret links).
func (c *Console) secretsList(w http.ResponseWriter, r *http.Request, s *session) {
	c.showSecrets(w, r, s, http.StatusOK, strings.TrimSpace(r.URL.Query().Get("name")), fieldErrors{})
}

func (c *Console) showSecrets(w http.ResponseWriter, r *http.Request, s *session, status int, name string, errs fieldErrors) {
	infos, err := c.g.ListSecrets(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d := &secretsData{Name: name, Errors: errs}
	for _, si := range infos {
		d.Rows = append(d.Rows, secretRow{Name: si.Name, Updated: si.UpdatedAt})
	}
	c.render(w, r, status, "secrets", s, d)
}

// secretSet stores a secret value, encrypted with the master key.
func (c *Console) secretSet(w http.ResponseWriter, r *http.Request, s *session) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	value := r.PostForm.Get("value")
	errs := fieldErrors{}
	if secret.ValidateName(name) != nil {
		errs.add("name", secretNameRule)
	}
	if value == "" {
		errs.add("value", "required")
	}
	if len(errs) == 0 {
		if err := c.storeSecret(r, name, value); err != nil {
			errs.add("name", err.Error())
		}
	}
	if len(errs) > 0 {
		c.showSecrets(w, r, s, http.StatusUnprocessableEntity, name, errs)
		return
	}
	redirectDone(w, r, "/secrets", "secret-set")
}

// storeSecret encrypts and stores one secret value; an empty value, which
// the caller reports, stores nothing. Its errors name the problem without
// the value.
func (c *Console) storeSecret(r *http.Request, name, value string) error {
	if err := secret.ValidateName(name); err != nil {
		return errors.New(secretNameRule)
	}
	if value == "" {
		return nil
	}
	if _, err := c.g.SetSecret(r.Context(), name, []byte(value)); err != nil {
		c.g.Logger().Error("storing secret from the console", "name", name, "err", err)
		return errors.New("the secret could not be stored; the details are in the server log")
	}
	return nil
}

// secretDelete removes a stored secret.
func (c *Console) secretDelete(w http.ResponseWriter, r *http.Request, _ *session) {
	err := c.g.DeleteSecret(r.Context(), r.PathValue("name"))
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		c.notFound(w, r, "The secret "+r.PathValue("name"))
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	redirectDone(w, r, "/secrets", "deleted")
}
