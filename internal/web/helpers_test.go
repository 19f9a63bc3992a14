package web

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// sharedTokenizer loads the tokenizer ranks once for the whole test binary.
var sharedTokenizer = sync.OnceValues(respfilter.NewTokenizer)

// env is a console on a real gateway over SQLite, behind a real HTTP server.
type env struct {
	t     *testing.T
	g     *gateway.Gateway
	cfg   *config.Config
	srv   *httptest.Server
	admin string
	// console is the mounted console, for tests that set its clock
	// before the first request.
	console *Console
}

// newEnv opens a gateway in a temporary directory, mounts the console (and
// any extra mounts) and creates the first admin token.
func newEnv(t *testing.T, mounts ...func(*http.ServeMux, *gateway.Gateway)) *env {
	t.Helper()
	return newEnvWith(t, func(*gateway.Gateway) Options { return Options{} }, mounts...)
}

// newEnvWith is newEnv with the console's options made from the gateway
// (a runtime over it, for the chat playground).
func newEnvWith(t *testing.T, options func(*gateway.Gateway) Options, mounts ...func(*http.ServeMux, *gateway.Gateway)) *env {
	t.Helper()
	return newEnvOn(t, gateway.Options{}, options, mounts...)
}

// newEnvOn is newEnvWith on a gateway opened with gopts (a logger to read),
// the shared tokenizer added.
func newEnvOn(t *testing.T, gopts gateway.Options, options func(*gateway.Gateway) Options, mounts ...func(*http.ServeMux, *gateway.Gateway)) *env {
	t.Helper()
	tok, err := sharedTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	gopts.Tokenizer = tok
	cfg := gatewaytest.Config(t)
	g := gatewaytest.Open(t, cfg, gopts)
	admin, err := g.BootstrapAdminToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	c := newConsole(g, options(g))
	c.routes(mux)
	for _, m := range mounts {
		m(mux, g)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{t: t, g: g, cfg: cfg, srv: srv, admin: admin, console: c}
}

// stored returns the stored resource of kind named name, or an error
// wrapping gateway.ErrNotFound.
func (e *env) stored(kind action.Kind, name string) (*action.Resource, error) {
	rs, err := e.g.Resources(context.Background(), kind)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if rs[i].Name() == name {
			return &rs[i], nil
		}
	}
	return nil, fmt.Errorf("no stored %s named %q: %w", kind, name, gateway.ErrNotFound)
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	e      *env
	client *http.Client
	csrf   string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a fetched response with its body.
type response struct {
	status   int
	location string
	body     string
	header   http.Header
}

var csrfAttr = regexp.MustCompile(`(?:data-csrf="|name="csrf" value=")([^"]+)"`)

func (b *browser) do(req *http.Request) *response {
	b.e.t.Helper()
	if req.Method == http.MethodPost && req.Header.Get("Origin") == "" && req.Header.Get("Sec-Fetch-Site") == "" {
		req.Header.Set("Origin", b.e.srv.URL)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	p := &response{status: res.StatusCode, location: res.Header.Get("Location"), body: string(body), header: res.Header}
	if m := csrfAttr.FindStringSubmatch(p.body); m != nil {
		b.csrf = html.UnescapeString(m[1])
	}
	return p
}

func (b *browser) get(path string) *response {
	b.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form with the current CSRF token (unless the form sets one).
func (b *browser) post(path string, form url.Values) *response {
	b.e.t.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn signs in with token and fails the test unless it works.
func (b *browser) signIn(token string) {
	b.e.t.Helper()
	b.get("/sign-in")
	p := b.post("/sign-in", url.Values{"token": {token}})
	if p.status != http.StatusSeeOther || p.location != "/actions" {
		b.e.t.Fatalf("sign-in: status %d, location %q, body:\n%s", p.status, p.location, p.body)
	}
	b.get("/actions")
}

// putAction stores an action decoded from YAML the way `apply` reads it.
func (e *env) putYAML(doc string) {
	e.t.Helper()
	rs, errs := action.Decode("test.yaml", []byte(doc))
	if len(errs) > 0 {
		e.t.Fatal(errs)
	}
	for _, r := range rs {
		if _, err := e.g.PutResource(context.Background(), r); err != nil {
			e.t.Fatal(err)
		}
	}
}
