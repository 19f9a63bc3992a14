package store

import "time"

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
