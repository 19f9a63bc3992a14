package httpkit

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/actiongate/actiongate/internal/gateway"
)

type principalKey struct{}

// PrincipalFrom returns the authenticated principal of a request's context.
func PrincipalFrom(ctx context.Context) *gateway.Principal {
	p, _ := ctx.Value(principalKey{}).(*gateway.Principal)
	return p
}

// withPrincipal returns ctx carrying p, for PrincipalFrom.
func withPrincipal(ctx context.Context, p *gateway.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// bearer extracts the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// Authenticate resolves the request's bearer token. Missing, unknown and
// revoked tokens are 401.
func Authenticate(g *gateway.Gateway, r *http.Request) (*gateway.Principal, error) {
	tok := bearer(r)
	if tok == "" {
		return nil, Errorf(http.StatusUnauthorized, CodeUnauthorized, "missing bearer token: send Authorization: Bearer <token>")
	}
	p, err := g.Authenticate(r.Context(), tok)
	if errors.Is(err, gateway.ErrUnauthorized) {
		return nil, Errorf(http.StatusUnauthorized, CodeUnauthorized, "unknown or revoked token")
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// RequireToken wraps h so it runs for any valid token, with its principal
// in the request's context; the handler checks what the token reaches.
func RequireToken(g *gateway.Gateway, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := Authenticate(g, r)
		if err != nil {
			WriteError(w, err)
			return
		}
		h.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// RequireAdmin wraps h so it runs only for admin tokens; agent tokens get 403.
func RequireAdmin(g *gateway.Gateway, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := Authenticate(g, r)
		if err != nil {
			WriteError(w, err)
			return
		}
		if !p.Admin {
			WriteError(w, Errorf(http.StatusForbidden, CodeForbidden, "this token reaches only the tools of agent %q", p.Agent))
			return
		}
		h.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// RequireAgent wraps h so it runs only for admin tokens or a token of the
// agent named by the {agent} path value; others get 403.
func RequireAgent(g *gateway.Gateway, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := Authenticate(g, r)
		if err != nil {
			WriteError(w, err)
			return
		}
		if agent := r.PathValue("agent"); !p.CanUseAgent(agent) {
			WriteError(w, Errorf(http.StatusForbidden, CodeForbidden, "this token does not reach agent %q", agent))
			return
		}
		h.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}
