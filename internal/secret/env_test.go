package secret

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestEnvName(t *testing.T) {
	for in, want := range map[string]string{
		"shop_token": "ACTIONGATE_SECRET_SHOP_TOKEN",
		"shop-token": "ACTIONGATE_SECRET_SHOP_TOKEN",
		"StripeKey2": "ACTIONGATE_SECRET_STRIPEKEY2",
		"UPPER":      "ACTIONGATE_SECRET_UPPER",
		"a-b_c-d":    "ACTIONGATE_SECRET_A_B_C_D",
	} {
		if got := EnvName(in); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnvSourceLookup(t *testing.T) {
	src := EnvSource{Getenv: mapEnv(map[string]string{"ACTIONGATE_SECRET_SHOP_TOKEN": "tok-123"})}
	ctx := context.Background()
	for _, name := range []string{"shop_token", "shop-token", "SHOP_TOKEN"} {
		v, err := src.LookupSecret(ctx, name)
		if err != nil || v != "tok-123" {
			t.Errorf("LookupSecret(%q) = %q, %v", name, v, err)
		}
	}
	_, err := src.LookupSecret(ctx, "missing-one")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"missing-one"`) ||
		!strings.Contains(err.Error(), "ACTIONGATE_SECRET_MISSING_ONE") {
		t.Fatalf("missing secret: %v", err)
	}
	if _, err := src.LookupSecret(ctx, "bad.name"); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("invalid name: %v", err)
	}
	if _, err := src.LookupSecret(ctx, strings.Repeat("a", 65)); err == nil {
		t.Fatal("65-character name accepted")
	}
}

func TestEnvSourceResolve(t *testing.T) {
	src := EnvSource{Getenv: mapEnv(map[string]string{
		"SHOP_API_TOKEN":          "env-tok",
		"ACTIONGATE_SECRET_SHOP":  "sec-tok",
		"ACTIONGATE_MASTER_KEY":   "master-canary",
		"ACTIONGATE_DATABASE_URL": "postgres://u:pw-canary@db/x",
	})}
	ctx := context.Background()
	if v, err := src.ResolveSecret(ctx, action.SecretRef{Env: "SHOP_API_TOKEN"}); err != nil || v != "env-tok" {
		t.Fatalf("{env}: %q, %v", v, err)
	}
	if v, err := src.ResolveSecret(ctx, action.SecretRef{Secret: "shop"}); err != nil || v != "sec-tok" {
		t.Fatalf("{secret}: %q, %v", v, err)
	}
	if v, err := src.ResolveSecret(ctx, action.SecretRef{Env: "ACTIONGATE_SECRET_SHOP"}); err != nil || v != "sec-tok" {
		t.Fatalf("{env: ACTIONGATE_SECRET_*}: %q, %v", v, err)
	}
	for _, ref := range []action.SecretRef{{Env: "ACTIONGATE_MASTER_KEY"}, {Env: "ACTIONGATE_DATABASE_URL"}} {
		v, err := src.ResolveSecret(ctx, ref)
		if err == nil || v != "" || !strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), "canary") {
			t.Errorf("%s: got %q, %v; want a refusal", ref, v, err)
		}
	}
	_, err := src.ResolveSecret(ctx, action.SecretRef{Env: "NOT_SET_VAR"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "NOT_SET_VAR") {
		t.Fatalf("unset env: %v", err)
	}
	if _, err := src.ResolveSecret(ctx, action.SecretRef{}); err == nil {
		t.Fatal("empty reference accepted")
	}
	if _, err := src.ResolveSecret(ctx, action.SecretRef{Env: "SHOP_API_TOKEN", Secret: "shop"}); err == nil {
		t.Fatal("reference with both env and secret accepted")
	}
}

func TestNilGetenvReadsProcessEnvironment(t *testing.T) {
	t.Setenv("ACTIONGATE_SECRET_FROM_OS", "os-value")
	ctx := context.Background()
	if v, err := (EnvSource{}).LookupSecret(ctx, "from-os"); err != nil || v != "os-value" {
		t.Fatalf("EnvSource: %q, %v", v, err)
	}
	if v, err := NewResolver(nil, nil, nil).LookupSecret(ctx, "from_os"); err != nil || v != "os-value" {
		t.Fatalf("Resolver: %q, %v", v, err)
	}
}
