package web

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
)

// maxSearch bounds a typed search, in bytes.
const maxSearch = 200

// search returns the typed search raw holds, trimmed, or writes the 400
// for one over maxSearch and reports false.
func (c *Console) search(w http.ResponseWriter, r *http.Request, raw string) (string, bool) {
	q := strings.TrimSpace(raw)
	if len(q) > maxSearch {
		c.badRequest(w, r, "The search is longer than "+strconv.Itoa(maxSearch)+" bytes.")
		return "", false
	}
	return q, true
}

// contactsData is the contacts list's model.
type contactsData struct {
	Query    string
	Contacts []gateway.Contact
	// Next links the following page, "" on the last one.
	Next string
	// Invalid is true when the page link's cursor was not accepted.
	Invalid bool
}

// contactsList shows the contacts matching a search, a page at a time.
func (c *Console) contactsList(w http.ResponseWriter, r *http.Request, s *session) {
	q, ok := c.search(w, r, r.URL.Query().Get("q"))
	if !ok {
		return
	}
	d := &contactsData{Query: q}
	list, next, err := c.g.ListContacts(r.Context(), s.Principal, gateway.ContactFilter{Query: q, Cursor: r.URL.Query().Get("cursor")})
	switch {
	case errors.Is(err, gateway.ErrInvalidCursor):
		d.Invalid = true
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	d.Contacts = list
	if next != "" {
		d.Next = "/contacts?" + url.Values{"q": {q}, "cursor": {next}}.Encode()
	}
	c.render(w, r, http.StatusOK, "contacts", s, d)
}

// contactForm is the contact editor's state, every field as typed.
type contactForm struct {
	ExternalID string
	Name       string
	Email      string
	Phone      string
	Locale     string
	Attributes []kv
}

// contactPageData is the contact page's model (and the new contact's).
type contactPageData struct {
	Contact       *gateway.Contact
	Form          *contactForm
	Errors        fieldErrors
	IsNew         bool
	Conversations []gateway.Conversation
	// MoreConversations is true when the contact has more than are shown.
	MoreConversations bool
}

// contactNew shows an empty contact form.
func (c *Console) contactNew(w http.ResponseWriter, r *http.Request, s *session) {
	c.render(w, r, http.StatusOK, "contact", s, &contactPageData{Form: &contactForm{Attributes: []kv{{}}}, Errors: fieldErrors{}, IsNew: true})
}

// contactCreate creates a contact from the form.
func (c *Console) contactCreate(w http.ResponseWriter, r *http.Request, s *session) {
	errs := fieldErrors{}
	f := contactFormFrom(r.PostForm, errs)
	ct := &gateway.Contact{ExternalID: f.ExternalID, Name: f.Name, Email: f.Email, Phone: f.Phone, Locale: f.Locale, Attributes: f.attributes(nil, errs)}
	if len(errs) == 0 {
		created, err := c.g.CreateContact(r.Context(), s.Principal, ct)
		if err == nil {
			redirectDone(w, r, "/contacts/"+url.PathEscape(created.ID), "created")
			return
		}
		if !contactErrors(err, f, errs) {
			c.serverError(w, r, err)
			return
		}
	}
	f.Attributes = append(f.Attributes, kv{})
	c.render(w, r, http.StatusUnprocessableEntity, "contact", s, &contactPageData{Form: f, Errors: errs, IsNew: true})
}

// contactErrors turns the gateway's refusal of a contact into problems by
// form field; it returns false for an error that is not the form's.
func contactErrors(err error, f *contactForm, errs fieldErrors) bool {
	var verrs action.Errors
	switch {
	case errors.Is(err, gateway.ErrConflict):
		errs.add("external_id", "another contact has this external id")
		return true
	case !errors.As(err, &verrs):
		return false
	}
	for _, e := range verrs {
		errs.add(f.fieldKey(e.Path), e.Message)
	}
	return true
}

// fieldKey maps a contact field path ("email", "attributes.plan") to its
// form field; "" for none.
func (f *contactForm) fieldKey(path string) string {
	switch path {
	case "external_id", "name", "email", "phone", "locale":
		return path
	}
	if name, ok := strings.CutPrefix(path, "attributes."); ok {
		for i, a := range f.Attributes {
			if a.Key == name {
				return "attributes." + strconv.Itoa(i) + ".key"
			}
		}
	}
	if strings.HasPrefix(path, "attributes") {
		return "attributes"
	}
	return ""
}

func contactFormFrom(form url.Values, errs fieldErrors) *contactForm {
	return &contactForm{
		ExternalID: strings.TrimSpace(form.Get("external_id")),
		Name:       strings.TrimSpace(form.Get("name")),
		Email:      strings.TrimSpace(form.Get("email")),
		Phone:      strings.TrimSpace(form.Get("phone")),
		Locale:     strings.TrimSpace(form.Get("locale")),
		Attributes: pairsFromForm(form, "attributes", errs),
	}
}

// attributes converts the attribute rows to values: text, except that an
// attribute whose stored value was not text and whose row still shows it
// unchanged keeps its value.
func (f *contactForm) attributes(old map[string]any, errs fieldErrors) map[string]any {
	rows := pairsMap("attributes", f.Attributes, errs)
	if len(rows) == 0 {
		return nil
	}
	out := make(map[string]any, len(rows))
	for k, v := range rows {
		if prev, ok := old[k]; ok && attributeText(prev) == v {
			out[k] = prev
			continue
		}
		out[k] = v
	}
	return out
}

// attributeText shows an attribute value: text as is, anything else as JSON.
func attributeText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func contactFormOf(ct *gateway.Contact) *contactForm {
	f := &contactForm{ExternalID: ct.ExternalID, Name: ct.Name, Email: ct.Email, Phone: ct.Phone, Locale: ct.Locale}
	for _, k := range slices.Sorted(maps.Keys(ct.Attributes)) {
		f.Attributes = append(f.Attributes, kv{Key: k, Value: attributeText(ct.Attributes[k])})
	}
	return f
}

// contactPage shows a contact with its conversations and the edit form.
func (c *Console) contactPage(w http.ResponseWriter, r *http.Request, s *session) {
	ct, ok := c.loadContact(w, r, s)
	if !ok {
		return
	}
	c.showContact(w, r, s, http.StatusOK, ct, contactFormOf(ct), fieldErrors{})
}

// loadContact reads the contact the path names, answering for it when it
// cannot.
func (c *Console) loadContact(w http.ResponseWriter, r *http.Request, s *session) (*gateway.Contact, bool) {
	ct, err := c.g.Contact(r.Context(), s.Principal, r.PathValue("id"))
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		c.notFound(w, r, "The contact "+r.PathValue("id"))
		return nil, false
	case err != nil:
		c.serverError(w, r, err)
		return nil, false
	}
	return ct, true
}

// contactConversationsShown is how many conversations the contact page lists.
const contactConversationsShown = 50

func (c *Console) showContact(w http.ResponseWriter, r *http.Request, s *session, status int, ct *gateway.Contact, f *contactForm, errs fieldErrors) {
	convs, next, err := c.g.ListConversations(r.Context(), s.Principal, gateway.ConversationFilter{ContactID: ct.ID, Limit: contactConversationsShown})
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	shown := *f
	shown.Attributes = append(slices.Clone(f.Attributes), kv{})
	c.render(w, r, status, "contact", s, &contactPageData{Contact: ct, Form: &shown, Errors: errs, Conversations: convs, MoreConversations: next != ""})
}

// contactUpdate saves the edit form: every field as typed, attributes
// removed from the form removed from the contact.
func (c *Console) contactUpdate(w http.ResponseWriter, r *http.Request, s *session) {
	ct, ok := c.loadContact(w, r, s)
	if !ok {
		return
	}
	errs := fieldErrors{}
	f := contactFormFrom(r.PostForm, errs)
	attrs := f.attributes(ct.Attributes, errs)
	if len(errs) > 0 {
		c.showContact(w, r, s, http.StatusUnprocessableEntity, ct, f, errs)
		return
	}
	patch := gateway.ContactPatch{ExternalID: &f.ExternalID, Name: &f.Name, Email: &f.Email, Phone: &f.Phone, Locale: &f.Locale, Attributes: map[string]any{}}
	maps.Copy(patch.Attributes, attrs)
	for k := range ct.Attributes {
		if _, kept := attrs[k]; !kept {
			patch.Attributes[k] = nil
		}
	}
	_, err := c.g.UpdateContact(r.Context(), s.Principal, ct.ID, patch)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		c.notFound(w, r, "The contact "+ct.ID)
		return
	case err != nil && contactErrors(err, f, errs):
		c.showContact(w, r, s, http.StatusUnprocessableEntity, ct, f, errs)
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	redirectDone(w, r, "/contacts/"+url.PathEscape(ct.ID), "saved")
}

// contactDelete deletes a contact with its conversations.
func (c *Console) contactDelete(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	err := c.g.DeleteContact(r.Context(), s.Principal, id)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		c.notFound(w, r, "The contact "+id)
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	redirectDone(w, r, "/contacts", "deleted")
}

// contactLabel names a contact for people: name, else email, else
// external id, else its id.
func contactLabel(ct *gateway.Contact) string {
	for _, s := range []string{ct.Name, ct.Email, ct.ExternalID} {
		if s != "" {
			return s
		}
	}
	return ct.ID
}
