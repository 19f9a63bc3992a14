package secret

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrWrongKey means a ciphertext was sealed with a key the keyring does
	// not hold, or a check value does not match the configured master key.
	ErrWrongKey = errors.New("wrong master key")
	// ErrCorrupt means a ciphertext failed authentication: it was altered,
	// truncated, or stored under a different secret name.
	ErrCorrupt = errors.New("corrupt or tampered ciphertext")
	// ErrNotFound means a secret is neither stored nor set in the environment.
	ErrNotFound = errors.New("secret not set")
)

// notSetError builds the error for a secret that has no value anywhere. It
// names the secret and says how to give it one; withStore adds the stored
// secret command to the advice.
func notSetError(name string, withStore bool) error {
	if withStore {
		return fmt.Errorf("secret: %q is not set: store it with `actiongate secret set %s` or set the environment variable %s: %w",
			name, name, EnvName(name), ErrNotFound)
	}
	return fmt.Errorf("secret: %q is not set: set the environment variable %s: %w", name, EnvName(name), ErrNotFound)
}
