package secret

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// masterKeyForm is the advice every master key parse error ends with.
const masterKeyForm = "want 32 random bytes written as 64 hex characters or as base64 (e.g. the output of `openssl rand -base64 32`)"

// GenerateKey returns a new random master key of KeySize bytes.
func GenerateKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("secret: generating key: %w", err)
	}
	return key, nil
}

// EncodeKey writes key in the form ParseMasterKey reads back: padded
// standard base64.
func EncodeKey(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// ParseMasterKey decodes a master key written as 64 hex characters or as
// base64 (standard or URL alphabet, padded or not) of exactly KeySize bytes.
// Surrounding whitespace is ignored. The error says which form is expected
// and never repeats the value.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("secret: parsing master key: empty; %s", masterKeyForm)
	}
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			clear(key)
			return nil, fmt.Errorf("secret: parsing master key: decodes to %d bytes; %s", len(key), masterKeyForm)
		}
		return key, nil
	}
	return nil, fmt.Errorf("secret: parsing master key: %d characters that are neither hex nor base64; %s", len(s), masterKeyForm)
}
