// Package secret protects secret values: it encrypts stored secrets at rest
// with AES-256-GCM under a master key (with key ids and rotation), loads or
// generates that master key, and resolves the secret references used by
// actions and credentials from stored secrets and the environment. No error
// or string produced here ever contains a secret value or a key.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySize is the length of a master key in bytes (AES-256).
const KeySize = 32

const (
	formatVersion byte = 1
	keyIDSize          = 8
	nonceSize          = 12
	headerSize         = 1 + keyIDSize + nonceSize
	// checkName is the associated data of the check value; it cannot clash
	// with a secret name because ':' is not allowed in names.
	checkName      = "actiongate:check"
	checkPlaintext = "actiongate master key check v1"
)

type keyID [keyIDSize]byte

func (id keyID) String() string { return hex.EncodeToString(id[:]) }

// Keyring encrypts secrets with AES-256-GCM under its primary key and
// decrypts with the primary key or any older key it was given.
//
// Ciphertext format: a version byte (1), the key id (the first 8 bytes of
// SHA-256 of the key), a random 12-byte nonce, then the sealed data. The
// secret's name is the associated data, so a ciphertext copied to another
// name fails to open. A Keyring is safe for concurrent use.
type Keyring struct {
	primary keyID
	aeads   map[keyID]cipher.AEAD
}

// NewKeyring returns a keyring that encrypts with primary and also decrypts
// data sealed with any of old. Every key must be KeySize bytes.
func NewKeyring(primary []byte, old ...[]byte) (*Keyring, error) {
	k := &Keyring{aeads: make(map[keyID]cipher.AEAD, 1+len(old))}
	id, err := k.add(primary)
	if err != nil {
		return nil, fmt.Errorf("secret: creating keyring: primary key: %w", err)
	}
	k.primary = id
	for i, key := range old {
		if _, err := k.add(key); err != nil {
			return nil, fmt.Errorf("secret: creating keyring: old key %d: %w", i+1, err)
		}
	}
	return k, nil
}

func (k *Keyring) add(key []byte) (keyID, error) {
	if len(key) != KeySize {
		return keyID{}, fmt.Errorf("key is %d bytes, want %d", len(key), KeySize)
	}
	id := idOf(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return keyID{}, fmt.Errorf("initialising AES: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keyID{}, fmt.Errorf("initialising GCM: %w", err)
	}
	k.aeads[id] = aead
	return id, nil
}

func idOf(key []byte) keyID {
	sum := sha256.Sum256(key)
	var id keyID
	copy(id[:], sum[:keyIDSize])
	return id
}

// KeyID returns the primary key's id as 16 hex characters. It identifies the
// key without revealing it.
func (k *Keyring) KeyID() string { return k.primary.String() }

// Encrypt seals plaintext for the secret called name under the primary key.
func (k *Keyring) Encrypt(name string, plaintext []byte) ([]byte, error) {
	out := make([]byte, headerSize, headerSize+len(plaintext)+k.aeads[k.primary].Overhead())
	out[0] = formatVersion
	copy(out[1:], k.primary[:])
	nonce := out[1+keyIDSize : headerSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("secret: encrypting %q: reading nonce: %w", name, err)
	}
	return k.aeads[k.primary].Seal(out, nonce, plaintext, []byte(name)), nil
}

// Decrypt opens a ciphertext made by Encrypt for the same name. A ciphertext
// sealed with a key the keyring does not hold gives an error wrapping
// ErrWrongKey that names the key id; an altered ciphertext, or one stored
// under another name, gives an error wrapping ErrCorrupt.
func (k *Keyring) Decrypt(name string, ciphertext []byte) ([]byte, error) {
	id, err := parseKeyID(ciphertext)
	if err != nil {
		return nil, fmt.Errorf("secret: decrypting %q: %w", name, err)
	}
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("secret: decrypting %q: sealed with key id %s, but the configured master key has id %s: %w",
			name, id, k.primary, ErrWrongKey)
	}
	if len(ciphertext) < headerSize+aead.Overhead() {
		return nil, fmt.Errorf("secret: decrypting %q: ciphertext is truncated: %w", name, ErrCorrupt)
	}
	plain, err := aead.Open(nil, ciphertext[1+keyIDSize:headerSize], ciphertext[headerSize:], []byte(name))
	if err != nil {
		return nil, fmt.Errorf("secret: decrypting %q: authentication failed (altered, or stored under another name): %w", name, ErrCorrupt)
	}
	return plain, nil
}

// Reencrypt opens ciphertext with whichever key sealed it and seals the
// plaintext again under the primary key. It is the step of a key rotation.
func (k *Keyring) Reencrypt(name string, ciphertext []byte) ([]byte, error) {
	plain, err := k.Decrypt(name, ciphertext)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	return k.Encrypt(name, plain)
}

// KeyIDOf returns the id (16 hex characters) of the key that sealed
// ciphertext, read from its header, so callers can tell which stored values
// still need re-encrypting.
func KeyIDOf(ciphertext []byte) (string, error) {
	id, err := parseKeyID(ciphertext)
	if err != nil {
		return "", fmt.Errorf("secret: reading key id: %w", err)
	}
	return id.String(), nil
}

func parseKeyID(ciphertext []byte) (keyID, error) {
	if len(ciphertext) < headerSize {
		return keyID{}, fmt.Errorf("ciphertext is %d bytes, shorter than its header: %w", len(ciphertext), ErrCorrupt)
	}
	if ciphertext[0] != formatVersion {
		return keyID{}, fmt.Errorf("unknown ciphertext format version %d: %w", ciphertext[0], ErrCorrupt)
	}
	var id keyID
	copy(id[:], ciphertext[1:1+keyIDSize])
	return id, nil
}

// CheckValue returns a value to store next to the encrypted secrets. On the
// next start VerifyCheck tells whether the configured master key is the one
// the data was written with, before anything is read or written.
func (k *Keyring) CheckValue() ([]byte, error) {
	v, err := k.Encrypt(checkName, []byte(checkPlaintext))
	if err != nil {
		return nil, fmt.Errorf("secret: creating check value: %w", err)
	}
	return v, nil
}

// VerifyCheck reports whether v, made by CheckValue, opens with this
// keyring. A mismatch gives an error wrapping ErrWrongKey that names both
// key ids and says what to do.
func (k *Keyring) VerifyCheck(v []byte) error {
	plain, err := k.Decrypt(checkName, v)
	switch {
	case errors.Is(err, ErrWrongKey):
		id, _ := parseKeyID(v)
		return fmt.Errorf("secret: the configured master key (id %s) is not the one the stored secrets were written with (id %s); set ACTIONGATE_MASTER_KEY or the key file to the original key: %w",
			k.primary, id, ErrWrongKey)
	case err != nil:
		return fmt.Errorf("secret: verifying master key: %w", err)
	case string(plain) != checkPlaintext:
		return fmt.Errorf("secret: verifying master key: check value has unexpected content: %w", ErrCorrupt)
	}
	return nil
}
