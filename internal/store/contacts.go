package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Contact is a person an agent talks with.
type Contact struct {
	ID string `json:"id"`
	// ExternalID is the caller's own id for the person; unique when set.
	ExternalID string `json:"external_id,omitempty"`
	Name       string `json:"name,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Locale     string `json:"locale,omitempty"`
	// Attributes are free key/values ({{contact.key}} in actions).
	Attributes map[string]any `json:"attributes,omitempty"`
	// CreatedBy is the agent whose token created the contact; empty when an
	// operator (admin token, console, command line) did.
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ContactPatch changes some fields of a contact: nil pointers leave a
// field as it is, an empty string clears it. Attributes are merged: a key
// with a nil value is removed.
type ContactPatch struct {
	ExternalID *string        `json:"external_id,omitempty"`
	Name       *string        `json:"name,omitempty"`
	Email      *string        `json:"email,omitempty"`
	Phone      *string        `json:"phone,omitempty"`
	Locale     *string        `json:"locale,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// ContactFilter selects and pages contacts for ListContacts.
type ContactFilter struct {
	// Query matches name, email, phone or external id, case-insensitively,
	// as a substring.
	Query string
	// CreatedBy, when set, keeps only the contacts that agent created.
	CreatedBy string
	// Cursor continues a listing where the previous page ended.
	Cursor string
	// Limit is the page size; 0 means DefaultContactLimit.
	Limit int
}

// Bounds of contact listings.
const (
	DefaultContactLimit = 50
	MaxContactLimit     = 500
)

// contactColumns are the columns scanContact reads, in its order.
const contactColumns = `id, external_id, name, email, phone, locale, attributes, created_by, created_at, updated_at`

// CreateContact stores a new contact, assigning its ID (see NewID) and its
// timestamps. An external id already in use is ErrConflict.
func (s *Store) CreateContact(ctx context.Context, c *Contact) error {
	attrs, err := encodeObject(c.Attributes)
	if err != nil {
		return fmt.Errorf("store: creating contact: attributes: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	id := s.NewID()
	_, err = s.exec(ctx, `INSERT INTO contacts (`+contactColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, nullString(c.ExternalID), c.Name, c.Email, c.Phone, c.Locale, attrs, c.CreatedBy, millis(now), millis(now))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: creating contact: external id %q: %w", c.ExternalID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: creating contact: %w", err)
	}
	c.ID, c.CreatedAt, c.UpdatedAt = id, now, now
	return nil
}

// GetContact returns one contact; ErrNotFound when there is none.
func (s *Store) GetContact(ctx context.Context, id string) (*Contact, error) {
	c, err := scanContact(s.rdb.QueryRowContext(ctx, s.q(`SELECT `+contactColumns+` FROM contacts WHERE id = ?`), id))
	if err != nil {
		return nil, fmt.Errorf("store: getting contact %q: %w", id, err)
	}
	return c, nil
}

// ContactByExternalID returns the contact with that external id;
// ErrNotFound when there is none.
func (s *Store) ContactByExternalID(ctx context.Context, externalID string) (*Contact, error) {
	c, err := scanContact(s.rdb.QueryRowContext(ctx, s.q(`SELECT `+contactColumns+` FROM contacts WHERE external_id = ?`), externalID))
	if err != nil {
		return nil, fmt.Errorf("store: getting contact by external id %q: %w", externalID, err)
	}
	return c, nil
}

// ListContacts returns the matching contacts newest first (by ID,
// descending) and the cursor of the next page, "" when this page is the
// last. Contacts created while a caller pages never cause duplicates or
// skipped contacts on later pages. The query is matched as a substring of
// name, email, phone and external id, folding case (ASCII letters only on
// SQLite, every letter on PostgreSQL). A cursor this store did not issue
// is ErrInvalidCursor.
func (s *Store) ListContacts(ctx context.Context, f ContactFilter) ([]Contact, string, error) {
	limit := pageLimit(f.Limit, DefaultContactLimit, MaxContactLimit)
	var where []string
	var args []any
	if f.Cursor != "" {
		if !validID(f.Cursor) {
			return nil, "", fmt.Errorf("store: listing contacts: %w", ErrInvalidCursor)
		}
		where, args = append(where, "id < ?"), append(args, f.Cursor)
	}
	if f.CreatedBy != "" {
		where, args = append(where, "created_by = ?"), append(args, f.CreatedBy)
	}
	if f.Query != "" {
		pat := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		where = append(where, `(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(email) LIKE ? ESCAPE '\' OR LOWER(phone) LIKE ? ESCAPE '\' OR LOWER(COALESCE(external_id, '')) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat, pat, pat)
	}
	query := `SELECT ` + contactColumns + ` FROM contacts`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit+1)
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: listing contacts: %w", err)
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, "", fmt.Errorf("store: listing contacts: %w", err)
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: listing contacts: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// escapeLike escapes the characters LIKE treats specially, for ESCAPE '\'.
func escapeLike(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	for _, c := range s {
		if c == '\\' || c == '%' || c == '_' {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// UpdateContact applies patch to a contact in one transaction and returns
// the contact as stored. Attributes are merged: a key with a nil value is
// removed. check, when not nil, sees the contact before the change (as
// read inside the transaction) and after it, and cancels the update by
// returning an error, which UpdateContact returns as it is. A missing
// contact is ErrNotFound; an external id in use by another contact is
// ErrConflict.
func (s *Store) UpdateContact(ctx context.Context, id string, patch ContactPatch, check func(before, after *Contact) error) (*Contact, error) {
	var out *Contact
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanContact(tx.QueryRowContext(ctx, s.q(`SELECT `+contactColumns+` FROM contacts WHERE id = ?`+s.forUpdate()), id))
		if err != nil {
			return err
		}
		after := applyContactPatch(before, patch)
		after.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
		if check != nil {
			if err := check(before, after); err != nil {
				return err
			}
		}
		attrs, err := encodeObject(after.Attributes)
		if err != nil {
			return fmt.Errorf("attributes: %w", err)
		}
		_, err = s.execIn(ctx, tx, `UPDATE contacts SET external_id = ?, name = ?, email = ?, phone = ?, locale = ?, attributes = ?, updated_at = ? WHERE id = ?`,
			nullString(after.ExternalID), after.Name, after.Email, after.Phone, after.Locale, attrs, millis(after.UpdatedAt), id)
		if isUniqueViolation(err) {
			return fmt.Errorf("external id %q: %w", after.ExternalID, ErrConflict)
		}
		out = after
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: updating contact %q: %w", id, err)
	}
	return out, nil
}

// applyContactPatch returns a copy of c with patch applied.
func applyContactPatch(c *Contact, patch ContactPatch) *Contact {
	out := *c
	for _, f := range []struct {
		dst *string
		src *string
	}{{&out.ExternalID, patch.ExternalID}, {&out.Name, patch.Name}, {&out.Email, patch.Email}, {&out.Phone, patch.Phone}, {&out.Locale, patch.Locale}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	out.Attributes = make(map[string]any, len(c.Attributes)+len(patch.Attributes))
	for k, v := range c.Attributes {
		out.Attributes[k] = v
	}
	for k, v := range patch.Attributes {
		if v == nil {
			delete(out.Attributes, k)
		} else {
			out.Attributes[k] = v
		}
	}
	if len(out.Attributes) == 0 {
		out.Attributes = nil
	}
	return &out
}

// DeleteContact deletes a contact with its conversations and their
// messages, in one transaction. When owner is set, only a contact that
// agent created is deleted. A missing contact (or another's) is
// ErrNotFound.
func (s *Store) DeleteContact(ctx context.Context, id, owner string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var createdBy string
		err := tx.QueryRowContext(ctx, s.q(`SELECT created_by FROM contacts WHERE id = ?`+s.forUpdate()), id).Scan(&createdBy)
		if errors.Is(err, sql.ErrNoRows) || err == nil && owner != "" && createdBy != owner {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := s.execIn(ctx, tx, `DELETE FROM messages WHERE conversation_id IN (SELECT id FROM conversations WHERE contact_id = ?)`, id); err != nil {
			return fmt.Errorf("deleting messages: %w", err)
		}
		if _, err := s.execIn(ctx, tx, `DELETE FROM conversations WHERE contact_id = ?`, id); err != nil {
			return fmt.Errorf("deleting conversations: %w", err)
		}
		_, err = s.execIn(ctx, tx, `DELETE FROM contacts WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: deleting contact %q: %w", id, err)
	}
	return nil
}

// rowScanner is what *sql.Row and *sql.Rows share.
type rowScanner interface {
	Scan(dest ...any) error
}

// scanContact reads one row of contactColumns; no row is ErrNotFound.
func scanContact(row rowScanner) (*Contact, error) {
	var (
		c                Contact
		ext              sql.NullString
		attrs            string
		created, updated int64
	)
	err := row.Scan(&c.ID, &ext, &c.Name, &c.Email, &c.Phone, &c.Locale, &attrs, &c.CreatedBy, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if c.Attributes, err = decodeObject(attrs); err != nil {
		return nil, fmt.Errorf("contact %s: attributes: %w", c.ID, err)
	}
	c.ExternalID, c.CreatedAt, c.UpdatedAt = ext.String, fromMillis(created), fromMillis(updated)
	return &c, nil
}

// nullString stores "" as NULL, for nullable unique columns.
func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// encodeObject encodes a JSON object column; nil is stored as {}.
func encodeObject(m map[string]any) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encoding: %w", err)
	}
	return string(b), nil
}

// decodeObject decodes a JSON object column, numbers as json.Number so
// integers stay exact; {} is nil.
func decodeObject(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// pageLimit is the page size of a listing: def when n is not positive, at
// most max.
func pageLimit(n, def, max int) int {
	if n <= 0 {
		return def
	}
	return min(n, max)
}
