// Package webhook signs and verifies Standard Webhooks requests: the
// headers webhook-id, webhook-timestamp and webhook-signature, an
// HMAC-SHA256 over "id.timestamp.body", written as space-separated
// "v1,BASE64" entries.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Bounds on what a request may send.
const (
	// MaxIDLength bounds the webhook-id header.
	MaxIDLength = 256
	// MaxSignatureLength bounds the webhook-signature header: room for
	// a few dozen signatures during key rotation.
	MaxSignatureLength = 4096
	// MaxSignatures bounds the entries of the webhook-signature header.
	MaxSignatures = 32
)

// secretPrefix marks a base64 secret.
const secretPrefix = "whsec_"

// Errors Verify returns (wrapped), for callers to tell them apart.
var (
	// ErrMissingHeader: a required header is absent or empty.
	ErrMissingHeader = errors.New("missing header")
	// ErrBadHeader: a header is malformed or too long.
	ErrBadHeader = errors.New("malformed header")
	// ErrTimestamp: the timestamp is outside the tolerance (a replay or a
	// wrong clock).
	ErrTimestamp = errors.New("timestamp outside the tolerance")
	// ErrSignature: no signature in the header matches.
	ErrSignature = errors.New("no matching signature")
)

// DecodeSecret reads a signing secret: "whsec_" followed by base64 gives
// the decoded bytes, any other string its own bytes. An empty secret is an
// error.
func DecodeSecret(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("webhook: decoding secret: empty")
	}
	b64, ok := strings.CutPrefix(s, secretPrefix)
	if !ok {
		return []byte(s), nil
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("webhook: decoding secret: after %s must come base64: %w", secretPrefix, err)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("webhook: decoding secret: empty after %s", secretPrefix)
	}
	return key, nil
}

// Sign returns the webhook-signature header value ("v1,BASE64") for a
// message with the given id, timestamp and body.
func Sign(secret []byte, id string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(secret, id, strconv.FormatInt(ts.Unix(), 10), body))
}

func mac(secret []byte, id, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a request's signature headers against body and returns
// its webhook-id. The timestamp must lie within tolerance of now either
// way; one v1 signature in the header must match, compared in constant
// time. Errors name the header at fault and wrap one of the Err values.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("webhook: verifying: no secret")
	}
	id := h.Get(HeaderID)
	switch {
	case id == "":
		return "", fmt.Errorf("webhook: verifying: %w %s", ErrMissingHeader, HeaderID)
	case len(id) > MaxIDLength:
		return "", fmt.Errorf("webhook: verifying: %w %s: longer than %d bytes", ErrBadHeader, HeaderID, MaxIDLength)
	}
	raw := h.Get(HeaderTimestamp)
	if raw == "" {
		return "", fmt.Errorf("webhook: verifying: %w %s", ErrMissingHeader, HeaderTimestamp)
	}
	secs, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || len(raw) > 19 {
		return "", fmt.Errorf("webhook: verifying: %w %s: must be whole seconds since 1970 (Unix time)", ErrBadHeader, HeaderTimestamp)
	}
	ts := time.Unix(secs, 0)
	switch {
	case ts.Before(now.Add(-tolerance)):
		return "", fmt.Errorf("webhook: verifying: %w: %s is %s old, more than the %s allowed", ErrTimestamp, HeaderTimestamp, now.Sub(ts).Round(time.Second), tolerance)
	case ts.After(now.Add(tolerance)):
		return "", fmt.Errorf("webhook: verifying: %w: %s is %s in the future, more than the %s allowed", ErrTimestamp, HeaderTimestamp, ts.Sub(now).Round(time.Second), tolerance)
	}
	sigs := h.Get(HeaderSignature)
	switch {
	case sigs == "":
		return "", fmt.Errorf("webhook: verifying: %w %s", ErrMissingHeader, HeaderSignature)
	case len(sigs) > MaxSignatureLength:
		return "", fmt.Errorf("webhook: verifying: %w %s: longer than %d bytes", ErrBadHeader, HeaderSignature, MaxSignatureLength)
	}
	want := mac(secret, id, raw, body)
	entries := strings.Fields(sigs)
	if len(entries) > MaxSignatures {
		return "", fmt.Errorf("webhook: verifying: %w %s: more than %d signatures", ErrBadHeader, HeaderSignature, MaxSignatures)
	}
	// A v1 signature is 32 bytes, 44 characters of base64; the buffer
	// has room for what a slightly longer entry decodes to, and longer
	// entries are skipped unread.
	var got [48]byte
	for _, e := range entries {
		version, sig, ok := strings.Cut(e, ",")
		if !ok || version != "v1" || base64.StdEncoding.DecodedLen(len(sig)) > len(got) {
			continue
		}
		n, err := base64.StdEncoding.Decode(got[:], []byte(sig))
		if err != nil || n != sha256.Size {
			continue
		}
		if hmac.Equal(got[:n], want) {
			return id, nil
		}
	}
	return "", fmt.Errorf("webhook: verifying: %w in %s", ErrSignature, HeaderSignature)
}
