package secret

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// settingsEnvPrefix starts actiongate's own settings, which hold the master
// key and database credentials.
const settingsEnvPrefix = "ACTIONGATE_"

// Getter reads the stored ciphertext of a secret by name. The store
// satisfies it; a secret that is not stored gives an error that the
// Resolver's IsNotFound recognises.
type Getter interface {
	GetSecret(ctx context.Context, name string) ([]byte, error)
}

// Resolver resolves secret references for the platform.
//
// {{secret.NAME}} and {secret: NAME} resolve alike: first the stored secret
// NAME, decrypted with the keyring; when none is stored, the environment
// variable EnvName(NAME). Stored secrets win because they are what an
// operator manages with `actiongate secret set` and sees in `secret list`;
// the environment remains a fallback for deployments that keep secrets
// there. Any other error from the store (an unreachable database, a value
// that does not decrypt) is returned rather than falling back, so a call
// never runs with a value the operator did not intend.
//
// {env: VAR} reads VAR from the environment.
type Resolver struct {
	store   Getter
	keyring *Keyring
	env     EnvSource
	// IsNotFound reports whether an error from the store means the secret is
	// not stored. Nil means errors.Is(err, ErrNotFound).
	IsNotFound func(error) bool
}

// NewResolver returns a resolver over stored secrets and the environment.
// store and k may be nil (environment only; a stored secret then cannot be
// decrypted); getenv nil means os.Getenv.
func NewResolver(store Getter, k *Keyring, getenv func(string) string) *Resolver {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &Resolver{store: store, keyring: k, env: EnvSource{Getenv: getenv}}
}

// LookupSecret returns the value of {{secret.NAME}}. A secret set nowhere
// gives an error wrapping ErrNotFound that names it and says how to set it.
func (r *Resolver) LookupSecret(ctx context.Context, name string) (string, error) {
	if err := ValidateName(name); err != nil {
		return "", err
	}
	if r.store != nil {
		ct, err := r.store.GetSecret(ctx, name)
		switch {
		case err == nil:
			return r.open(name, ct)
		case !r.notFound(err):
			return "", fmt.Errorf("secret: reading stored secret %q: %w", name, err)
		}
	}
	if v := r.env.getenv(EnvName(name)); v != "" {
		return v, nil
	}
	return "", notSetError(name, r.store != nil)
}

// ResolveSecret returns the value a credential field refers to. {env: VAR}
// may not name actiongate's own ACTIONGATE_* settings (other than
// ACTIONGATE_SECRET_* variables), so the master key or database URL can
// never be sent to an API.
func (r *Resolver) ResolveSecret(ctx context.Context, ref action.SecretRef) (string, error) {
	return resolveRef(ctx, ref, r.env.getenv, r.LookupSecret)
}

func (r *Resolver) open(name string, ct []byte) (string, error) {
	if r.keyring == nil {
		return "", fmt.Errorf("secret: %q is stored but no master key is configured to decrypt it: %w", name, ErrWrongKey)
	}
	plain, err := r.keyring.Decrypt(name, ct)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

func (r *Resolver) notFound(err error) bool {
	if r.IsNotFound != nil {
		return r.IsNotFound(err)
	}
	return errors.Is(err, ErrNotFound)
}

// resolveRef resolves a credential field's reference: env through getenv,
// secret through lookup.
func resolveRef(ctx context.Context, ref action.SecretRef, getenv func(string) string,
	lookup func(context.Context, string) (string, error)) (string, error) {
	switch {
	case ref.Env != "" && ref.Secret != "":
		return "", errors.New("secret: a reference sets both env and secret; use exactly one")
	case ref.Env != "":
		if strings.HasPrefix(ref.Env, settingsEnvPrefix) && !strings.HasPrefix(ref.Env, EnvPrefix) {
			return "", fmt.Errorf("secret: {env: %s} is refused: actiongate's own settings are never sent to APIs; use {secret: NAME} or another variable", ref.Env)
		}
		if v := getenv(ref.Env); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("secret: environment variable %s (referenced as {env: %s}) is not set: %w", ref.Env, ref.Env, ErrNotFound)
	case ref.Secret != "":
		return lookup(ctx, ref.Secret)
	}
	return "", errors.New("secret: an empty reference: set env or secret")
}
