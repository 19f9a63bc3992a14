package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store"
)

func newKey(t *testing.T) []byte {
	t.Helper()
	k, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// value resolves a stored secret the way calls do.
func value(t *testing.T, g *gateway.Gateway, name string) string {
	t.Helper()
	if !g.SecretRefSet(context.Background(), action.SecretRef{Secret: name}) {
		t.Fatalf("secret %s does not resolve", name)
	}
	ct, err := g.Store().GetSecret(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := g.Keyring().Decrypt(name, ct)
	if err != nil {
		t.Fatal(err)
	}
	return string(plain)
}

func TestSetListDeleteSecret(t *testing.T) {
	ctx := context.Background()
	g := mustOpen(t, t.TempDir(), "")
	if ch, err := g.SetSecret(ctx, "api", []byte("v1")); err != nil || ch != store.Created {
		t.Fatalf("SetSecret: %v %v", ch, err)
	}
	if ch, err := g.SetSecret(ctx, "api", []byte("v2")); err != nil || ch != store.Updated {
		t.Fatalf("SetSecret again: %v %v", ch, err)
	}
	if v := value(t, g, "api"); v != "v2" {
		t.Fatalf("value %q", v)
	}
	for _, tc := range []struct{ name, value, want string }{
		{"api", "", "empty"},
		{"bad name", "v", "invalid name"},
	} {
		if _, err := g.SetSecret(ctx, tc.name, []byte(tc.value)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetSecret(%q, %q): %v", tc.name, tc.value, err)
		}
	}
	infos, err := g.ListSecrets(ctx)
	if err != nil || len(infos) != 1 || infos[0].Name != "api" || infos[0].UpdatedAt.IsZero() {
		t.Fatalf("ListSecrets: %+v %v", infos, err)
	}
	if err := g.DeleteSecret(ctx, "api"); err != nil {
		t.Fatal(err)
	}
	if err := g.DeleteSecret(ctx, "api"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestRotateKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	oldKey, nextKey := secret.EncodeKey(newKey(t)), newKey(t)
	g := mustOpen(t, dir, oldKey)
	want := map[string]string{"a": "value-a", "b": "value-b"}
	for n, v := range want {
		if _, err := g.SetSecret(ctx, n, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.RotateKey(ctx, mustParse(t, oldKey)); !errors.Is(err, gateway.ErrSameKey) {
		t.Fatalf("rotating to the same key: %v", err)
	}
	if err := g.RotateKey(ctx, nextKey); err != nil {
		t.Fatal(err)
	}
	g.Close()

	if _, err := openKeyed(t, dir, oldKey); err == nil || !errors.Is(err, secret.ErrWrongKey) {
		t.Fatalf("the old key still opens the database: %v", err)
	}
	g = mustOpen(t, dir, secret.EncodeKey(nextKey))
	for n, v := range want {
		if got := value(t, g, n); got != v {
			t.Fatalf("after rotation %s = %q, want %q", n, got, v)
		}
	}
}

func mustParse(t *testing.T, s string) []byte {
	t.Helper()
	k, err := secret.ParseMasterKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRotateKeyFailureChangesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	oldKey := secret.EncodeKey(newKey(t))
	g := mustOpen(t, dir, oldKey)
	if _, err := g.SetSecret(ctx, "a", []byte("value-a")); err != nil {
		t.Fatal(err)
	}
	foreign, err := secret.NewKeyring(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := foreign.Encrypt("z", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Store().PutSecret(ctx, "z", ct); err != nil {
		t.Fatal(err)
	}
	err = g.RotateKey(ctx, newKey(t))
	if !errors.Is(err, secret.ErrWrongKey) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("RotateKey with an undecryptable secret: %v", err)
	}
	g.Close()
	g = mustOpen(t, dir, oldKey)
	if v := value(t, g, "a"); v != "value-a" {
		t.Fatalf("a = %q after a failed rotation", v)
	}

	// A key that changed under the gateway is refused too.
	g.Config().MasterKey = secret.EncodeKey(newKey(t))
	if err := g.RotateKey(ctx, newKey(t)); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Fatalf("RotateKey after the key changed: %v", err)
	}
}
