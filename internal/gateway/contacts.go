package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/store"
)

// Bounds of contacts.
const (
	// DefaultContactLimit is the page size of ListContacts when none is asked for.
	DefaultContactLimit = store.DefaultContactLimit
	// MaxContactLimit is the largest page ListContacts returns.
	MaxContactLimit = store.MaxContactLimit
	// MaxContactName bounds a contact's name, in characters.
	MaxContactName = 200
	// MaxContactEmail bounds an email address, in bytes.
	MaxContactEmail = 320
	// MaxContactPhone bounds a phone number, in characters.
	MaxContactPhone = 40
	// MaxContactLocale bounds a locale tag, in characters.
	MaxContactLocale = 35
	// MaxExternalID bounds an external id, in characters.
	MaxExternalID = 200
	// MaxAttributes is how many attributes a contact (or vars a
	// conversation) may have.
	MaxAttributes = 100
	// MaxAttributeKey bounds an attribute's name, in characters.
	MaxAttributeKey = 64
	// MaxAttributesBytes bounds a contact's attributes (or a
	// conversation's vars) encoded as one JSON object.
	MaxAttributesBytes = 16 << 10
	// MaxAttributeDepth is how many levels an attribute's value may nest:
	// {"a":{"b":1}} is one level, {"a":{"b":[1]}} two.
	MaxAttributeDepth = 3
	// MaxContactQuery bounds a contact search, in characters.
	MaxContactQuery = 200
)

// CreateContact validates and stores a new contact. An agent token's
// contact is marked as created by that agent (CreatedBy), which alone may
// reach it besides admins; c.CreatedBy as given is ignored. An external id
// in use is ErrConflict.
func (g *Gateway) CreateContact(ctx context.Context, p *Principal, c *Contact) (*Contact, error) {
	out, err := g.newContact(p, c)
	if err != nil {
		return nil, err
	}
	if err := g.storeContact(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// storeContact stores a validated new contact.
func (g *Gateway) storeContact(ctx context.Context, c *Contact) error {
	if err := g.store.CreateContact(ctx, c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("gateway: creating contact: external_id %q is already in use: %w", c.ExternalID, ErrConflict)
		}
		return fmt.Errorf("gateway: creating contact: %w", err)
	}
	g.emit(ctx, contactEvent(action.EventContactCreated, c, c.ID))
	return nil
}

// newContact returns the contact to store for c: validated, normalized,
// marked with its creator.
func (g *Gateway) newContact(p *Principal, c *Contact) (*Contact, error) {
	if !p.Admin && p.Agent == "" {
		return nil, fmt.Errorf("gateway: creating contact: this principal reaches no contacts: %w", ErrNotFound)
	}
	out := *c
	out.ID, out.CreatedBy = "", ""
	if !p.Admin {
		out.CreatedBy = p.Agent
	}
	var errs action.Errors
	fields := contactFieldsOf(&out)
	for _, f := range fields {
		errs = append(errs, validateContactField(f.path, f.value)...)
	}
	if l, ok := canonicalLocale(out.Locale); ok {
		out.Locale = l
	}
	attrs, attrErrs := normalizeValues("attributes", out.Attributes, false, true)
	errs = append(errs, attrErrs...)
	if len(attrErrs) == 0 {
		errs = append(errs, boundValues("attributes", attrs)...)
	}
	if err := errs.Err(); err != nil {
		return nil, fmt.Errorf("gateway: creating contact: %w", err)
	}
	out.Attributes = attrs
	return &out, nil
}

// contactField is one standard field of a contact, by JSON path.
type contactField struct {
	path  string
	value string
}

func contactFieldsOf(c *Contact) []contactField {
	return []contactField{{"external_id", c.ExternalID}, {"name", c.Name}, {"email", c.Email}, {"phone", c.Phone}, {"locale", c.Locale}}
}

// Contact returns a contact p reaches; ErrNotFound otherwise.
func (g *Gateway) Contact(ctx context.Context, p *Principal, id string) (*Contact, error) {
	c, err := g.store.GetContact(ctx, id)
	if err == nil && !reachesContact(p, c) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: contact %q: %w", id, err)
	}
	return c, nil
}

// reachesContact reports whether p may see and change c: admins reach
// every contact, an agent token those its agent created.
func reachesContact(p *Principal, c *Contact) bool {
	return p.Admin || p.Agent != "" && c.CreatedBy == p.Agent
}

// FindOrCreateContact returns the contact with c.ExternalID when there is
// one (created false), and otherwise creates c (created true); without an
// external id it always creates. c is validated either way; a found
// contact is returned as stored, not changed. An external id taken by a
// contact p does not reach is ErrConflict.
func (g *Gateway) FindOrCreateContact(ctx context.Context, p *Principal, c *Contact) (*Contact, bool, error) {
	nc, err := g.newContact(p, c)
	if err != nil {
		return nil, false, err
	}
	if nc.ExternalID == "" {
		if err := g.storeContact(ctx, nc); err != nil {
			return nil, false, err
		}
		return nc, true, nil
	}
	// Two callers creating the same contact at once: the loser finds the
	// winner's contact on its second look.
	for range 2 {
		found, err := g.store.ContactByExternalID(ctx, nc.ExternalID)
		switch {
		case err == nil && reachesContact(p, found):
			return found, false, nil
		case err == nil:
			return nil, false, fmt.Errorf("gateway: contact with external_id %q: in use by a contact this token does not reach: %w", nc.ExternalID, ErrConflict)
		case !errors.Is(err, store.ErrNotFound):
			return nil, false, fmt.Errorf("gateway: finding contact: %w", err)
		}
		err = g.store.CreateContact(ctx, nc)
		if err == nil {
			g.emit(ctx, contactEvent(action.EventContactCreated, nc, nc.ID))
			return nc, true, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return nil, false, fmt.Errorf("gateway: creating contact: %w", err)
		}
	}
	return nil, false, fmt.Errorf("gateway: contact with external_id %q: created and deleted while looking: %w", nc.ExternalID, ErrConflict)
}

// ListContacts returns the contacts p reaches that match f, newest first,
// and the cursor of the next page ("" at the end). Agent tokens see only
// the contacts their agent created, whatever f.CreatedBy says.
func (g *Gateway) ListContacts(ctx context.Context, p *Principal, f ContactFilter) ([]Contact, string, error) {
	if !p.Admin {
		if p.Agent == "" {
			return nil, "", nil
		}
		f.CreatedBy = p.Agent
	}
	var errs action.Errors
	if n := utf8.RuneCountInString(f.Query); n > MaxContactQuery {
		errs = append(errs, &action.FieldError{Path: "q", Message: fmt.Sprintf("is %d characters; at most %d", n, MaxContactQuery)})
	}
	if f.Limit < 0 || f.Limit > MaxContactLimit {
		errs = append(errs, &action.FieldError{Path: "limit", Message: fmt.Sprintf("must be from 1 to %d", MaxContactLimit)})
	}
	if err := errs.Err(); err != nil {
		return nil, "", fmt.Errorf("gateway: listing contacts: %w", err)
	}
	list, next, err := g.store.ListContacts(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("gateway: %w", err)
	}
	return list, next, nil
}

// UpdateContact applies patch to a contact p reaches and returns it as
// stored: nil fields stay, "" clears a field, attributes merge and a nil
// attribute value removes the attribute. The merged attributes must stay
// within MaxAttributes and MaxAttributesBytes. An external id in use by
// another contact is ErrConflict; a contact p does not reach is ErrNotFound.
func (g *Gateway) UpdateContact(ctx context.Context, p *Principal, id string, patch ContactPatch) (*Contact, error) {
	return g.updateContact(ctx, p, id, patch, true)
}

// updateContact is UpdateContact; emit says whether workflows that start
// on contact.updated hear of it.
func (g *Gateway) updateContact(ctx context.Context, p *Principal, id string, patch ContactPatch, emit bool) (*Contact, error) {
	var errs action.Errors
	for _, f := range []struct {
		path  string
		value *string
	}{{"external_id", patch.ExternalID}, {"name", patch.Name}, {"email", patch.Email}, {"phone", patch.Phone}, {"locale", patch.Locale}} {
		if f.value != nil {
			errs = append(errs, validateContactField(f.path, *f.value)...)
		}
	}
	if patch.Locale != nil {
		if l, ok := canonicalLocale(*patch.Locale); ok {
			patch.Locale = &l
		}
	}
	attrs, attrErrs := normalizeValues("attributes", patch.Attributes, true, true)
	if err := append(errs, attrErrs...).Err(); err != nil {
		return nil, fmt.Errorf("gateway: updating contact %q: %w", id, err)
	}
	patch.Attributes = attrs
	c, err := g.store.UpdateContact(ctx, id, patch, func(before, after *Contact) error {
		if !reachesContact(p, before) {
			return store.ErrNotFound
		}
		return boundValues("attributes", after.Attributes).Err()
	})
	if err != nil {
		if errors.Is(err, store.ErrConflict) && patch.ExternalID != nil {
			return nil, fmt.Errorf("gateway: updating contact %q: external_id %q is already in use: %w", id, *patch.ExternalID, ErrConflict)
		}
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if emit {
		g.emit(ctx, contactEvent(action.EventContactUpdated, c, c.ID+"@"+strconv.FormatInt(c.UpdatedAt.UnixNano(), 10)))
	}
	return c, nil
}

// DeleteContact deletes a contact p reaches, with its conversations and
// their messages; ErrNotFound for one p does not reach.
func (g *Gateway) DeleteContact(ctx context.Context, p *Principal, id string) error {
	owner := ""
	if !p.Admin {
		if p.Agent == "" {
			return fmt.Errorf("gateway: deleting contact %q: %w", id, ErrNotFound)
		}
		owner = p.Agent
	}
	if err := g.store.DeleteContact(ctx, id, owner); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	return nil
}

// ContactValues returns what {{contact.x}} placeholders read for c: its
// attributes and its standard fields that are set (id, external_id, name,
// email, phone, locale). Attributes never take a standard field's name.
func ContactValues(c *Contact) map[string]any {
	out := make(map[string]any, len(c.Attributes)+6)
	for k, v := range c.Attributes {
		out[k] = v
	}
	for _, f := range append(contactFieldsOf(c), contactField{"id", c.ID}) {
		if f.value != "" {
			out[f.path] = f.value
		}
	}
	return out
}

// validateContactField checks one standard field of a contact; "" (unset)
// is always valid.
func validateContactField(path, v string) action.Errors {
	if v == "" {
		return nil
	}
	bad := func(format string, args ...any) action.Errors {
		return action.Errors{{Path: path, Message: fmt.Sprintf(format, args...)}}
	}
	if !utf8.ValidString(v) {
		return bad("is not valid UTF-8")
	}
	n := utf8.RuneCountInString(v)
	switch path {
	case "name", "external_id":
		limit := MaxContactName
		if path == "external_id" {
			limit = MaxExternalID
		}
		if n > limit {
			return bad("is %d characters; at most %d", n, limit)
		}
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return bad("must not contain control characters")
		}
		if strings.TrimSpace(v) != v {
			return bad("must not start or end with spaces")
		}
	case "email":
		return validateEmail(path, v)
	case "phone":
		if n > MaxContactPhone {
			return bad("is %d characters; at most %d", n, MaxContactPhone)
		}
		if strings.Trim(v, "0123456789 +-().") != "" || !strings.ContainsAny(v, "0123456789") {
			return bad("must be digits, with spaces and + - ( ) . allowed, such as +1 (555) 010-9999")
		}
	case "locale":
		if _, ok := canonicalLocale(v); !ok || n > MaxContactLocale {
			return bad("must be a language tag (BCP 47) such as en, en-GB or pt-BR")
		}
	}
	return nil
}

// validateEmail checks that v looks like an email address: one @ between
// a local part and a domain, no spaces, at most MaxContactEmail bytes.
func validateEmail(path, v string) action.Errors {
	local, domain, ok := strings.Cut(v, "@")
	switch {
	case len(v) > MaxContactEmail:
		return action.Errors{{Path: path, Message: fmt.Sprintf("is %d bytes; at most %d", len(v), MaxContactEmail)}}
	case !ok || local == "" || domain == "" || strings.Contains(domain, "@") || strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return action.Errors{{Path: path, Message: "must be an email address such as ada@example.com (one @, no spaces)"}}
	}
	return nil
}

// canonicalLocale parses a BCP 47 tag and returns its canonical form.
func canonicalLocale(v string) (string, bool) {
	if v == "" {
		return "", true
	}
	tag, err := language.Parse(v)
	if err != nil {
		return "", false
	}
	return tag.String(), true
}

// normalizeValues checks the names and values of contact attributes or
// conversation vars (under path) and returns them re-decoded from their
// JSON, so numbers are json.Number and only JSON types remain. allowNil
// keeps nil values (a patch removing a key); reserved refuses the contact
// fields' names as keys.
func normalizeValues(path string, m map[string]any, allowNil, reserved bool) (map[string]any, action.Errors) {
	if len(m) == 0 {
		return nil, nil
	}
	if len(m) > MaxAttributes {
		return nil, action.Errors{{Path: path, Message: fmt.Sprintf("has %d keys; at most %d", len(m), MaxAttributes)}}
	}
	var errs action.Errors
	out := make(map[string]any, len(m))
	for k, v := range m {
		at := path + "." + jsonlimit.Shorten(k, MaxAttributeKey)
		if msg := checkKey(k, reserved); msg != "" {
			errs = append(errs, &action.FieldError{Path: at, Message: msg})
			continue
		}
		if v == nil {
			if !allowNil {
				errs = append(errs, &action.FieldError{Path: at, Message: "must not be null (null removes a key only when changing a contact)"})
			}
			out[k] = nil
			continue
		}
		nv, msg := normalizeValue(v)
		if msg != "" {
			errs = append(errs, &action.FieldError{Path: at, Message: msg})
			continue
		}
		out[k] = nv
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// checkKey returns what is wrong with an attribute name, "" when nothing.
func checkKey(k string, reserved bool) string {
	if k == "" || len(k) > MaxAttributeKey {
		return fmt.Sprintf("a name must have 1 to %d characters", MaxAttributeKey)
	}
	for i, c := range k {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter || !letter && c != '_' && !(c >= '0' && c <= '9') {
			return "a name must start with a letter and hold only letters, digits and underscores"
		}
	}
	if reserved {
		switch k {
		case "id", "external_id", "name", "email", "phone", "locale":
			return fmt.Sprintf("%q is a contact field, not an attribute; set it as the field", k)
		}
	}
	return ""
}

// normalizeValue encodes v and decodes it back; the message says what is
// wrong with it, "" when nothing.
func normalizeValue(v any) (any, string) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, "is not a JSON value"
	}
	if len(b) > MaxAttributesBytes {
		return nil, fmt.Sprintf("is %d bytes as JSON; at most %d", len(b), MaxAttributesBytes)
	}
	if err := jsonlimit.CheckDepth(b, MaxAttributeDepth); err != nil {
		return nil, fmt.Sprintf("nests deeper than %d levels", MaxAttributeDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, "is not a JSON value"
	}
	return out, ""
}

// boundValues checks the whole set of attributes or vars against
// MaxAttributes and MaxAttributesBytes.
func boundValues(path string, m map[string]any) action.Errors {
	if len(m) > MaxAttributes {
		return action.Errors{{Path: path, Message: fmt.Sprintf("has %d keys; at most %d", len(m), MaxAttributes)}}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return action.Errors{{Path: path, Message: "is not a JSON object"}}
	}
	if len(b) > MaxAttributesBytes {
		return action.Errors{{Path: path, Message: fmt.Sprintf("is %d bytes as JSON; at most %d", len(b), MaxAttributesBytes)}}
	}
	return nil
}
