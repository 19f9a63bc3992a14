package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store"
)

// ErrSameKey means a key rotation was asked to rotate to the key in use.
var ErrSameKey = errors.New("the new master key is the current one")

// SetSecret encrypts value under the master key, with the secret's name as
// associated data, and stores it, reporting whether the secret was created
// or updated. An empty value is refused. The value never appears in an
// error.
func (g *Gateway) SetSecret(ctx context.Context, name string, value []byte) (Change, error) {
	if err := secret.ValidateName(name); err != nil {
		return "", fmt.Errorf("gateway: %w", err)
	}
	if len(value) == 0 {
		return "", fmt.Errorf("gateway: storing secret %q: the value is empty", name)
	}
	ct, err := g.keyring.Encrypt(name, value)
	if err != nil {
		return "", fmt.Errorf("gateway: %w", err)
	}
	ch := Updated
	if _, err := g.store.GetSecret(ctx, name); errors.Is(err, store.ErrNotFound) {
		ch = Created
	} else if err != nil {
		return "", fmt.Errorf("gateway: %w", err)
	}
	if err := g.store.PutSecret(ctx, name, ct); err != nil {
		return "", fmt.Errorf("gateway: %w", err)
	}
	return ch, nil
}

// ListSecrets returns the names and dates of the stored secrets, never
// their values.
func (g *Gateway) ListSecrets(ctx context.Context) ([]SecretInfo, error) {
	out, err := g.store.ListSecrets(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return out, nil
}

// DeleteSecret removes a stored secret; ErrNotFound (wrapped) when
// there is none.
func (g *Gateway) DeleteSecret(ctx context.Context, name string) error {
	if err := g.store.DeleteSecret(ctx, name); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	return nil
}

// RotateKey re-encrypts every stored secret and the master key check value
// under newKey in one transaction: on any failure (a secret that does not
// open with the current key, a database error) nothing changes. The
// current key is read again from the configuration and must be the one the
// gateway was opened with.
//
// Afterwards this gateway, and every other process still holding the old
// key, can no longer open stored secrets: close it and start again with
// newKey.
func (g *Gateway) RotateKey(ctx context.Context, newKey []byte) error {
	old, err := LoadMasterKey(g.cfg)
	if err != nil {
		return err
	}
	defer clear(old)
	current, err := secret.NewKeyring(old)
	if err != nil {
		return fmt.Errorf("gateway: rotating master key: current key: %w", err)
	}
	if current.KeyID() != g.keyring.KeyID() {
		return fmt.Errorf("gateway: rotating master key: the configured key (id %s) changed since the database was opened with key id %s; nothing was changed",
			current.KeyID(), g.keyring.KeyID())
	}
	next, err := secret.NewKeyring(newKey, old)
	if err != nil {
		return fmt.Errorf("gateway: rotating master key: new key: %w", err)
	}
	if next.KeyID() == current.KeyID() {
		return fmt.Errorf("gateway: rotating master key: %w (id %s); nothing was changed", ErrSameKey, current.KeyID())
	}
	stored, err := g.store.GetMeta(ctx, metaKeyCheck)
	if err != nil {
		return fmt.Errorf("gateway: rotating master key: reading key check: %w", err)
	}
	if err := current.VerifyCheck(stored); err != nil {
		return fmt.Errorf("gateway: rotating master key: nothing was changed: %w", err)
	}
	check, err := next.CheckValue()
	if err != nil {
		return fmt.Errorf("gateway: rotating master key: %w", err)
	}
	if err := g.store.RewrapSecretsWithMeta(ctx, next.Reencrypt, map[string][]byte{metaKeyCheck: check}); err != nil {
		return fmt.Errorf("gateway: rotating master key: nothing was changed: %w", err)
	}
	return nil
}
