package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
)

// Cookie names.
const (
	sessionCookie = "ag_session"
	// signInCookie carries the CSRF token of the sign-in form, which is
	// posted before any session exists.
	signInCookie = "ag_signin"
)

// sessionAAD binds sealed session cookies to their purpose, so no other
// ciphertext made with the master key opens as a session. The colon keeps
// it apart from every secret name.
const sessionAAD = "actiongate:console-session"

// csrfField is the form field, and csrfHeader the header of script
// requests, carrying the CSRF token.
const (
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

// session is one signed-in browser.
type session struct {
	// Token is the admin token the session acts with; it never leaves the
	// server except sealed in the cookie.
	Token string `json:"t"`
	// CSRF is the session's anti-forgery token.
	CSRF string `json:"c"`
	// Expires is the session's end, in Unix seconds.
	Expires int64 `json:"e"`
	// Principal is who the token authenticates as, filled per request.
	Principal *gateway.Principal `json:"-"`
}

// randomToken returns 256 random bits, base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// secure reports whether the request arrived over TLS, so cookies get the
// Secure attribute.
func (c *Console) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return c.opts.TrustForwardedProto && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// origin returns the server's origin as the browser sees it.
func (c *Console) origin(r *http.Request) string {
	scheme := "http"
	if c.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// setCookie writes an HttpOnly, SameSite=Strict cookie; maxAge < 0
// deletes it.
func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   c.secure(r),
		SameSite: http.SameSiteStrictMode,
	})
}

// seal encrypts a session into a cookie value.
func (c *Console) seal(s *session) (string, error) {
	plain, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("web: encoding session: %w", err)
	}
	ct, err := c.g.Seal(sessionAAD, plain)
	clear(plain)
	if err != nil {
		return "", fmt.Errorf("web: sealing session: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(ct), nil
}

// errNoSession means the request carries no valid session.
var errNoSession = errors.New("web: no valid session")

// session opens the request's session cookie and authenticates its token
// again, so a revoked token or an expired session fails at once.
func (c *Console) session(r *http.Request) (*session, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, errNoSession
	}
	ct, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return nil, errNoSession
	}
	plain, err := c.g.Unseal(sessionAAD, ct)
	if err != nil {
		return nil, errNoSession
	}
	var s session
	err = json.Unmarshal(plain, &s)
	clear(plain)
	if err != nil || c.now().Unix() >= s.Expires || s.CSRF == "" {
		return nil, errNoSession
	}
	p, err := c.g.Authenticate(r.Context(), s.Token)
	if errors.Is(err, gateway.ErrUnauthorized) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("web: checking session: %w", err)
	}
	if !p.Admin {
		return nil, errNoSession
	}
	s.Principal = p
	return &s, nil
}

// handler is a console handler that runs with a valid session.
type handler func(w http.ResponseWriter, r *http.Request, s *session)

// page wraps a GET handler: without a session the browser goes to the
// sign-in page and comes back afterwards.
func (c *Console) page(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.noCache(w)
		s, err := c.session(r)
		switch {
		case errors.Is(err, errNoSession):
			c.toSignIn(w, r, r.URL.RequestURI())
			return
		case err != nil:
			c.serverError(w, r, err)
			return
		}
		h(w, r, s)
	})
}

// post wraps a state-changing handler: it needs a session, a same-origin
// (or allowed-origin) request and the session's CSRF token in the form
// field or, for script requests, the header. Its body is bounded by
// maxFormBytes.
func (c *Console) post(h handler) http.Handler {
	return c.postUpTo(maxFormBytes, "The form is larger than "+itoa(maxFormBytes>>20)+" MiB and was refused.", h)
}

// postUpTo is post with its own bound on the body, for a route whose form
// carries more than maxFormBytes; a body over limit is refused with 413
// and the tooLarge message, before it is read when its length is declared.
// Multipart forms are parsed in memory up to the bound, so their CSRF
// field is checked like any other.
func (c *Console) postUpTo(limit int64, tooLarge string, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.noCache(w)
		if err := c.cop.Check(r); err != nil {
			c.forbidden(w, r, "This request came from another site and was refused.")
			return
		}
		s, err := c.session(r)
		switch {
		case errors.Is(err, errNoSession):
			if isScript(r) {
				httpkit.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "Your session has ended. Sign in again."})
				return
			}
			c.toSignIn(w, r, "")
			return
		case err != nil:
			c.serverError(w, r, err)
			return
		}
		if r.ContentLength > limit {
			c.tooLarge(w, r, tooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		// The script's JSON requests carry the token in a header instead.
		if err := parseForm(r, limit); err != nil {
			if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
				c.tooLarge(w, r, tooLarge)
				return
			}
			c.badRequest(w, r, "The form could not be read.")
			return
		}
		tok := r.Header.Get(csrfHeader)
		if tok == "" {
			tok = r.PostForm.Get(csrfField)
		}
		if subtle.ConstantTimeCompare([]byte(tok), []byte(s.CSRF)) != 1 {
			c.forbidden(w, r, "The form's security token is missing or out of date. Go back, reload the page and try again.")
			return
		}
		h(w, r, s)
	})
}

// parseForm reads a url-encoded or, held in memory up to limit, a
// multipart form body into r.PostForm; other bodies are left to the
// handler.
func parseForm(r *http.Request, limit int64) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(limit); err != nil {
			return fmt.Errorf("web: reading a multipart form: %w", err)
		}
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("web: reading a form: %w", err)
	}
	return nil
}

// maxFormBytes bounds console request bodies; the re-filter endpoint
// receives a whole response body.
const maxFormBytes = 8 << 20

// isScript reports whether the console's script sent the request.
func isScript(r *http.Request) bool { return r.Header.Get(csrfHeader) != "" }

// toSignIn sends the browser to the sign-in page, clearing a stale session
// cookie; next is where to go after signing in.
func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request, next string) {
	if _, err := r.Cookie(sessionCookie); err == nil {
		c.setCookie(w, r, sessionCookie, "", -1)
	}
	target := "/sign-in"
	if next != "" && next != "/" {
		target += "?next=" + urlQueryEscape(next)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// noCache keeps pages showing private data out of shared caches.
func (c *Console) noCache(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// signInData is the sign-in page's model.
type signInData struct {
	CSRF  string
	Next  string
	Error string
}

// signInPage shows the sign-in form.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	c.noCache(w)
	if s, err := c.session(r); err == nil && s != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	c.renderSignIn(w, r, http.StatusOK, "")
}

func (c *Console) renderSignIn(w http.ResponseWriter, r *http.Request, status int, msg string) {
	tok := randomToken()
	c.setCookie(w, r, signInCookie, tok, 600)
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostForm.Get("next")
	}
	c.render(w, r, status, "signin", nil, &signInData{CSRF: tok, Next: safeNext(next), Error: msg})
}

// signIn checks an admin token and starts a session.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	c.noCache(w)
	if err := c.cop.Check(r); err != nil {
		c.forbidden(w, r, "This request came from another site and was refused.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.badRequest(w, r, "The form could not be read.")
		return
	}
	ck, err := r.Cookie(signInCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostForm.Get(csrfField))) != 1 {
		c.renderSignIn(w, r, http.StatusForbidden, "The sign-in form expired. Please try again.")
		return
	}
	token := strings.TrimSpace(r.PostForm.Get("token"))
	p, err := c.g.Authenticate(r.Context(), token)
	switch {
	case errors.Is(err, gateway.ErrUnauthorized):
		c.renderSignIn(w, r, http.StatusUnauthorized, "That token is unknown or revoked.")
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	case !p.Admin:
		c.renderSignIn(w, r, http.StatusForbidden, "That is an agent token. Sign in with an admin token.")
		return
	}
	s := &session{Token: token, CSRF: randomToken(), Expires: c.now().Add(c.opts.SessionTTL).Unix()}
	v, err := c.seal(s)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.setCookie(w, r, signInCookie, "", -1)
	c.setCookie(w, r, sessionCookie, v, int(c.opts.SessionTTL/time.Second))
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

// signOut ends the session in this browser.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, _ *session) {
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

// safeNext keeps post-sign-in redirects on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/actions"
	}
	return next
}
