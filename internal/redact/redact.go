// Package redact masks secret values in text shown to people and models:
// rendered request previews, run records, logs and error messages.
package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
)

// Mask is what a secret value is replaced with.
const Mask = "••••"

// minSecretLen is the shortest value masked; shorter values would mask
// ordinary words and digits.
const minSecretLen = 4

// Redactor replaces every known secret value, in the spellings it takes when
// escaped for URLs, JSON or basic auth, with Mask. The zero value is ready to
// use; it is not safe for concurrent mutation.
type Redactor struct {
	values []string
	sorted bool
}

// Add registers a secret value and its common encodings.
func (r *Redactor) Add(secret string) {
	if len(secret) < minSecretLen {
		if secret != "" {
			r.values = append(r.values, secret)
			r.sorted = false
		}
		return
	}
	jsonQuoted, _ := json.Marshal(secret)
	variants := []string{
		secret,
		url.QueryEscape(secret),
		url.PathEscape(secret),
		string(jsonQuoted[1 : len(jsonQuoted)-1]),
		base64.StdEncoding.EncodeToString([]byte(secret)),
	}
	for _, v := range variants {
		if v != "" {
			r.values = append(r.values, v)
		}
	}
	r.sorted = false
}

// AddBasic registers the base64 form of a basic-auth pair.
func (r *Redactor) AddBasic(user, password string) {
	r.values = append(r.values, base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	r.sorted = false
}

// Empty reports whether no secret is registered.
func (r *Redactor) Empty() bool { return r == nil || len(r.values) == 0 }

// String returns s with every registered secret replaced by Mask.
func (r *Redactor) String(s string) string {
	if r.Empty() || s == "" {
		return s
	}
	if !r.sorted {
		// Longest first, so a secret containing another is masked whole.
		sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
		r.sorted = true
	}
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Mask)
		}
	}
	return s
}

// Bytes is String for byte slices.
func (r *Redactor) Bytes(b []byte) []byte {
	if r.Empty() {
		return b
	}
	return []byte(r.String(string(b)))
}
