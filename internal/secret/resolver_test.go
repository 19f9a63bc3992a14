package secret

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

// errNoRow stands in for a store's own not-found sentinel.
var errNoRow = errors.New("store: not found")

// memStore holds ciphertexts by name like the store's secrets table.
type memStore struct {
	values map[string][]byte
	err    error
}

func (m memStore) GetSecret(_ context.Context, name string) ([]byte, error) {
	if m.err != nil {
		return nil, m.err
	}
	v, ok := m.values[name]
	if !ok {
		return nil, errNoRow
	}
	return v, nil
}

func TestResolverPrecedence(t *testing.T) {
	ctx := context.Background()
	k := mustKeyring(t, mustKey(t))
	stored, _ := k.Encrypt("shop_token", []byte("from-store"))
	st := memStore{values: map[string][]byte{"shop_token": stored}}
	env := mapEnv(map[string]string{
		"ACTIONGATE_SECRET_SHOP_TOKEN": "from-env",
		"ACTIONGATE_SECRET_ONLY_ENV":   "env-only",
	})
	r := NewResolver(st, k, env)
	r.IsNotFound = func(err error) bool { return errors.Is(err, errNoRow) }

	cases := []struct {
		name, want string
		lookup     func() (string, error)
	}{
		{"stored wins over env", "from-store", func() (string, error) { return r.LookupSecret(ctx, "shop_token") }},
		{"env fallback", "env-only", func() (string, error) { return r.LookupSecret(ctx, "only_env") }},
		{"credential {secret} stored", "from-store", func() (string, error) {
			return r.ResolveSecret(ctx, action.SecretRef{Secret: "shop_token"})
		}},
		{"credential {secret} env fallback", "env-only", func() (string, error) {
			return r.ResolveSecret(ctx, action.SecretRef{Secret: "only_env"})
		}},
		{"credential {env}", "from-env", func() (string, error) {
			return r.ResolveSecret(ctx, action.SecretRef{Env: "ACTIONGATE_SECRET_SHOP_TOKEN"})
		}},
	}
	for _, c := range cases {
		got, err := c.lookup()
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}

	_, err := r.LookupSecret(ctx, "nowhere")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	for _, want := range []string{`"nowhere"`, "actiongate secret set nowhere", "ACTIONGATE_SECRET_NOWHERE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing-secret error %q lacks %q", err, want)
		}
	}
}

func TestResolverDefaultNotFoundSentinel(t *testing.T) {
	st := memStore{err: errors.Join(errors.New("no rows"), ErrNotFound)}
	r := NewResolver(st, mustKeyring(t, mustKey(t)), mapEnv(map[string]string{"ACTIONGATE_SECRET_X": "v"}))
	if v, err := r.LookupSecret(context.Background(), "x"); err != nil || v != "v" {
		t.Fatalf("got %q, %v", v, err)
	}
}

func TestResolverStoreFailureDoesNotFallBack(t *testing.T) {
	ctx := context.Background()
	env := mapEnv(map[string]string{"ACTIONGATE_SECRET_X": "stale-env"})
	down := NewResolver(memStore{err: errors.New("connection refused")}, mustKeyring(t, mustKey(t)), env)
	if v, err := down.LookupSecret(ctx, "x"); err == nil || v != "" || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("store down: got %q, %v; want the store error", v, err)
	}

	writer := mustKeyring(t, mustKey(t))
	ct, _ := writer.Encrypt("x", []byte("canary-stored"))
	wrong := NewResolver(memStore{values: map[string][]byte{"x": ct}}, mustKeyring(t, mustKey(t)), env)
	wrong.IsNotFound = func(err error) bool { return errors.Is(err, errNoRow) }
	v, err := wrong.LookupSecret(ctx, "x")
	if !errors.Is(err, ErrWrongKey) || v != "" || strings.Contains(err.Error(), "canary") {
		t.Fatalf("wrong key: got %q, %v", v, err)
	}

	noKey := NewResolver(memStore{values: map[string][]byte{"x": ct}}, nil, env)
	if _, err := noKey.LookupSecret(ctx, "x"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("stored secret without keyring: %v", err)
	}
}

func TestResolverWithoutStore(t *testing.T) {
	r := NewResolver(nil, nil, mapEnv(map[string]string{"ACTIONGATE_SECRET_A": "1"}))
	if v, err := r.LookupSecret(context.Background(), "a"); err != nil || v != "1" {
		t.Fatalf("got %q, %v", v, err)
	}
	_, err := r.LookupSecret(context.Background(), "b")
	if !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), "secret set") {
		t.Fatalf("without a store the advice must be the env var only: %v", err)
	}
}
