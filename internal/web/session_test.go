package web

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestSignInAndOut(t *testing.T) {
	e := newEnv(t)
	b := e.browser()

	p := b.get("/runs")
	if p.status != http.StatusSeeOther || p.location != "/sign-in?next=%2Fruns" {
		t.Fatalf("without a session: %d %q", p.status, p.location)
	}
	b.get("/sign-in")
	if p := b.post("/sign-in", url.Values{"token": {"agt_wrong"}}); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "unknown or revoked") {
		t.Fatalf("wrong token: %d", p.status)
	}
	agentTok := e.agentToken("support")
	b.get("/sign-in")
	if p := b.post("/sign-in", url.Values{"token": {agentTok}}); p.status != http.StatusForbidden || !strings.Contains(p.body, "agent token") {
		t.Fatalf("agent token: %d", p.status)
	}

	b.get("/sign-in")
	p = b.post("/sign-in", url.Values{"token": {e.admin}, "next": {"/runs"}})
	if p.status != http.StatusSeeOther || p.location != "/runs" {
		t.Fatalf("sign-in: %d %q", p.status, p.location)
	}
	var session *http.Cookie
	for _, ck := range b.client.Jar.Cookies(mustURL(e.srv.URL)) {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(session.Value)
	if strings.Contains(session.Value, e.admin) || strings.Contains(string(raw), e.admin) {
		t.Fatal("the session cookie carries the token in the clear")
	}
	for _, h := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(h, sessionCookie+"=") && (!strings.Contains(h, "HttpOnly") || !strings.Contains(h, "SameSite=Strict") || strings.Contains(h, "Secure")) {
			t.Fatalf("session cookie attributes over plain HTTP: %s", h)
		}
	}
	if p := b.get("/runs"); p.status != http.StatusOK || !strings.Contains(p.body, "Sign out") {
		t.Fatalf("signed in: %d", p.status)
	}

	if p := b.post("/sign-out", url.Values{}); p.status != http.StatusSeeOther || p.location != "/sign-in" {
		t.Fatalf("sign-out: %d %q", p.status, p.location)
	}
	if p := b.get("/runs"); p.status != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", p.status)
	}
}

func TestSignInRedirectStaysOnSite(t *testing.T) {
	for next, want := range map[string]string{"/agents": "/agents", "//evil.example/x": "/actions", "https://evil.example": "/actions", `/\evil.example`: "/actions", "": "/actions"} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestCookiesAreSecureOverTLS(t *testing.T) {
	e := newEnv(t)
	mux := http.NewServeMux()
	Register(mux, e.g, Options{})
	req := httptest.NewRequest(http.MethodGet, "https://console.example/sign-in", nil)
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	h := rec.Header().Get("Set-Cookie")
	if !strings.Contains(h, "Secure") || !strings.Contains(h, "HttpOnly") || !strings.Contains(h, "SameSite=Strict") {
		t.Fatalf("cookie over TLS: %s", h)
	}
}

func TestRevokingTheTokenEndsTheSession(t *testing.T) {
	e := newEnv(t)
	tok, rec, err := e.g.CreateToken(context.Background(), "laptop", true, "")
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn(tok)
	if p := b.get("/actions"); p.status != http.StatusOK {
		t.Fatalf("signed in: %d", p.status)
	}
	if err := e.g.RevokeToken(context.Background(), rec.ID); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/actions"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/sign-in") {
		t.Fatalf("after revoking: %d %q", p.status, p.location)
	}
	if p := b.post("/agents", url.Values{"name": {"ghost"}}); p.status != http.StatusSeeOther {
		t.Fatalf("post after revoking: %d", p.status)
	}
	if _, err := e.g.Agent(context.Background(), "ghost"); err == nil {
		t.Fatal("a revoked session created an agent")
	}
}

func TestCSRFRejected(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	form := func(csrf string) url.Values { return url.Values{"name": {"support"}, "csrf": {csrf}} }

	if p := b.post("/agents", form("")); p.status != http.StatusForbidden {
		t.Errorf("no token: %d", p.status)
	}
	if p := b.post("/agents", form("forged")); p.status != http.StatusForbidden {
		t.Errorf("wrong token: %d", p.status)
	}
	other := e.browser()
	other.signIn(e.admin)
	if p := b.post("/agents", form(other.csrf)); p.status != http.StatusForbidden {
		t.Errorf("another session's token: %d", p.status)
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/agents", strings.NewReader(form(b.csrf).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := b.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-site request with a valid token: %d", p.status)
	}
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/console/refilter", strings.NewReader(`{"body":"{}"}`))
	req.Header.Set("Content-Type", "application/json")
	if p := b.do(req); p.status != http.StatusForbidden {
		t.Errorf("script request without the header: %d", p.status)
	}
	if _, err := e.g.Agent(context.Background(), "support"); err == nil {
		t.Fatal("a forged request created the agent")
	}
	if p := b.post("/agents", form(b.csrf)); p.status != http.StatusSeeOther {
		t.Fatalf("valid request: %d\n%s", p.status, p.body)
	}
	if _, err := e.g.Agent(context.Background(), "support"); err != nil {
		t.Fatal(err)
	}

	// The sign-in form has its own token, tied to a cookie.
	fresh := e.browser()
	if p := fresh.post("/sign-in", url.Values{"token": {e.admin}, "csrf": {"guess"}}); p.status != http.StatusForbidden {
		t.Errorf("sign-in without the form's cookie: %d", p.status)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// agentToken creates an agent and a token for it.
func (e *env) agentToken(agent string) string {
	e.t.Helper()
	e.putYAML("kind: Agent\nname: " + agent + "\n")
	tok, _, err := e.g.CreateToken(context.Background(), agent+"-token", false, agent)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}
