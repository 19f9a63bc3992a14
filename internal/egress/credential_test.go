package egress

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/redact"
)

// secrets resolves references from a map keyed by "env:NAME"/"secret:NAME".
type secrets map[string]string

func (s secrets) ResolveSecret(_ context.Context, ref action.SecretRef) (string, error) {
	v, ok := s[ref.String()]
	if !ok {
		return "", fmt.Errorf("%s is not set", ref)
	}
	return v, nil
}

func env(name string) *action.SecretRef { return &action.SecretRef{Env: name} }

func resolve(t *testing.T, c *action.Credential, s secrets) (*Credential, *redact.Redactor) {
	t.Helper()
	var red redact.Redactor
	cred, err := ResolveCredential(context.Background(), c, s, &red)
	if err != nil {
		t.Fatal(err)
	}
	return cred, &red
}

func TestBasicAuth(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	cred, red := resolve(t, &action.Credential{Name: "b", Type: action.CredBasic, Hosts: []string{"127.0.0.1"}, Username: "ann", Password: env("PW")}, secrets{"env:PW": "s3cr3t-pw"})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/basic-auth/ann/s3cr3t-pw"), Credential: cred})
	if err != nil || resp.Status != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	resp, err = c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/basic-auth/ann/other"), Credential: cred})
	if err != nil || resp.Status != 401 {
		t.Fatalf("wrong password: %v %v", resp, err)
	}
	pair := base64.StdEncoding.EncodeToString([]byte("ann:s3cr3t-pw"))
	if got := red.String("Authorization: Basic " + pair + " pw=s3cr3t-pw"); strings.Contains(got, "s3cr3t") || strings.Contains(got, pair) {
		t.Errorf("redactor left a secret: %q", got)
	}
}

func TestBearerAuth(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	cred, _ := resolve(t, &action.Credential{Name: "t", Type: action.CredBearer, Hosts: []string{"127.0.0.1"}, Token: env("TOK")}, secrets{"env:TOK": "tok-123456"})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/bearer"), Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Authenticated bool   `json:"authenticated"`
		Token         string `json:"token"`
	}
	_ = json.Unmarshal(resp.Body, &body)
	if resp.Status != 200 || !body.Authenticated || body.Token != "tok-123456" {
		t.Errorf("status %d body %s", resp.Status, resp.Body)
	}
}

func TestAPIKeyInQuery(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	cred, _ := resolve(t, &action.Credential{
		Name: "k", Type: action.CredAPIKey, Hosts: []string{"127.0.0.1"},
		APIKey: &action.APIKey{In: "query", Name: "api_key", Value: env("KEY")},
	}, secrets{"env:KEY": "key&value=1"})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/redirect-to?url=%2Fget%3Fq%3D1"), Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Args map[string][]string `json:"args"`
	}
	_ = json.Unmarshal(resp.Body, &body)
	if got := body.Args["api_key"]; len(got) != 1 || got[0] != "key&value=1" {
		t.Errorf("api_key after redirect = %v (body %s)", got, resp.Body)
	}
	if got := body.Args["q"]; len(got) != 1 || got[0] != "1" {
		t.Errorf("q = %v", got)
	}
	if resp.FinalURL.Query().Get("api_key") != redact.Mask {
		t.Errorf("final URL api_key = %q, want the mask", resp.FinalURL.Query().Get("api_key"))
	}
}

func TestAPIKeyAndCustomHeaders(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	s := secrets{"env:KEY": "hdr-key-1", "env:ORG": "org-42", "env:TEAM": "team-7"}
	key, _ := resolve(t, &action.Credential{Name: "k", Type: action.CredAPIKey, Hosts: []string{"127.0.0.1"},
		APIKey: &action.APIKey{In: "header", Name: "X-Api-Key", Value: env("KEY")}}, s)
	hdrs, _ := resolve(t, &action.Credential{Name: "h", Type: action.CredHeaders, Hosts: []string{"127.0.0.1"},
		HeaderValues: map[string]*action.SecretRef{"X-Org": env("ORG"), "X-Team": env("TEAM")}}, s)
	for cred, want := range map[*Credential]map[string]string{
		key:  {"X-Api-Key": "hdr-key-1"},
		hdrs: {"X-Org": "org-42", "X-Team": "team-7"},
	} {
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/headers"), Credential: cred})
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Headers map[string][]string `json:"headers"`
		}
		_ = json.Unmarshal(resp.Body, &body)
		for k, v := range want {
			if got := body.Headers[k]; len(got) != 1 || got[0] != v {
				t.Errorf("%s: header %s = %v, want %s", cred.Name(), k, got, v)
			}
		}
	}
}

func TestCredentialNotSentToUncoveredHost(t *testing.T) {
	srv, hits := countingServer(t)
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.0/8")}, nil)
	cred, _ := resolve(t, &action.Credential{Name: "shop", Type: action.CredBearer, Hosts: []string{"api.shop.example", "*.shop.example"}, Token: env("TOK")}, secrets{"env:TOK": "tok-abcdef"})
	_, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL), Credential: cred})
	e := wantKind(t, err, KindCredentialHost)
	if hits.Load() != 0 {
		t.Error("the request was sent")
	}
	if !strings.Contains(e.Message, `"shop"`) || strings.Contains(e.Error(), "tok-abcdef") {
		t.Errorf("message %q", e.Message)
	}
}

func TestErrorsNeverCarrySecrets(t *testing.T) {
	// A query credential ends up in the URL; transport errors must not echo it.
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.0/8")}, map[string][]string{"down.test": {"127.0.0.1"}})
	cred, _ := resolve(t, &action.Credential{Name: "k", Type: action.CredAPIKey, Hosts: []string{"down.test"},
		APIKey: &action.APIKey{In: "query", Name: "key", Value: env("KEY")}}, secrets{"env:KEY": "very-secret-key"})
	_, err := c.Do(context.Background(), &Request{URL: mustURL(t, "http://down.test:1/x"), Credential: cred, Retries: 1})
	e := wantKind(t, err, KindConnect)
	var chain []string
	for err := error(e); err != nil; err = unwrapOne(err) {
		chain = append(chain, err.Error())
	}
	if joined := strings.Join(chain, " | "); strings.Contains(joined, "very-secret-key") {
		t.Errorf("error chain carries the secret: %s", joined)
	}
}

func unwrapOne(err error) error {
	u, ok := err.(interface{ Unwrap() error })
	if !ok {
		return nil
	}
	return u.Unwrap()
}

func TestResolveCredentialErrors(t *testing.T) {
	cases := map[string]*action.Credential{
		"missing env":      {Name: "a", Type: action.CredBearer, Token: env("NOPE")},
		"no token":         {Name: "a", Type: action.CredBearer},
		"empty value":      {Name: "a", Type: action.CredBearer, Token: env("EMPTY")},
		"line break":       {Name: "a", Type: action.CredBearer, Token: env("CRLF")},
		"api key in body":  {Name: "a", Type: action.CredAPIKey, APIKey: &action.APIKey{In: "body", Name: "k", Value: env("OK")}},
		"unknown type":     {Name: "a", Type: "kerberos"},
		"oauth no url":     {Name: "a", Type: action.CredOAuth2Client, ClientID: "id", ClientSecret: env("OK")},
		"headers empty":    {Name: "a", Type: action.CredHeaders},
		"header line feed": {Name: "a", Type: action.CredHeaders, HeaderValues: map[string]*action.SecretRef{"X": env("CRLF")}},
	}
	s := secrets{"env:EMPTY": "", "env:CRLF": "abc\r\nX-Evil: 1", "env:OK": "fine-value"}
	for name, cred := range cases {
		_, err := ResolveCredential(context.Background(), cred, s, nil)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if strings.Contains(err.Error(), "X-Evil") || strings.Contains(err.Error(), "fine-value") {
			t.Errorf("%s: error shows a secret: %v", name, err)
		}
	}
}

func TestPreviewMasksSecrets(t *testing.T) {
	s := secrets{"env:A": "aaaa-secret", "env:B": "bbbb-secret"}
	creds := []*action.Credential{
		{Name: "bearer", Type: action.CredBearer, Token: env("A")},
		{Name: "basic", Type: action.CredBasic, Username: "u", Password: env("A")},
		{Name: "hkey", Type: action.CredAPIKey, APIKey: &action.APIKey{In: "header", Name: "X-Key", Value: env("A")}},
		{Name: "qkey", Type: action.CredAPIKey, APIKey: &action.APIKey{In: "query", Name: "key", Value: env("A")}},
		{Name: "oauth", Type: action.CredOAuth2Client, TokenURL: "https://auth.example/token", ClientID: "id", ClientSecret: env("A")},
		{Name: "headers", Type: action.CredHeaders, HeaderValues: map[string]*action.SecretRef{"X-A": env("A"), "X-B": env("B")}},
	}
	want := map[string]string{
		"bearer":  "Authorization=Bearer ••••",
		"basic":   "Authorization=Basic ••••",
		"hkey":    "X-Key=••••",
		"qkey":    "?key=••••",
		"oauth":   "Authorization=Bearer ••••",
		"headers": "X-A=•••• X-B=••••",
	}
	for _, ac := range creds {
		cred, _ := resolve(t, ac, s)
		h, q := http.Header{}, url.Values{}
		cred.Preview(h, q)
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(h)) {
			parts = append(parts, k+"="+h.Get(k))
		}
		if len(q) > 0 {
			parts = append(parts, "?"+q.Encode())
		}
		got, _ := url.QueryUnescape(strings.Join(parts, " "))
		if got != want[ac.Name] {
			t.Errorf("%s: preview %q, want %q", ac.Name, got, want[ac.Name])
		}
		if strings.Contains(got, "secret") || strings.Contains(fmt.Sprint(cred), "secret") {
			t.Errorf("%s: secret shown", ac.Name)
		}
	}
}

// tokenServer is an OAuth2 token endpoint plus an API that accepts the
// tokens it issued.
type tokenServer struct {
	mu        sync.Mutex
	issued    int
	requests  atomic.Int64
	revoked   map[string]bool
	expiresIn int
}

func (ts *tokenServer) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		ts.requests.Add(1)
		id, secret, ok := r.BasicAuth()
		if !ok {
			_ = r.ParseForm()
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != "client-1" || secret != "client-secret-1" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = fmt.Fprintf(w, `{"error":"invalid_client","error_description":"bad secret %s"}`, secret)
			return
		}
		if r.FormValue("grant_type") != "client_credentials" || r.FormValue("scope") != "orders:read" {
			t.Errorf("token request form = %v", r.Form)
		}
		ts.mu.Lock()
		ts.issued++
		tok := fmt.Sprintf("access-%d", ts.issued)
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":%d}`, tok, ts.expiresIn)
	})
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		ts.mu.Lock()
		valid := ok && strings.HasPrefix(tok, "access-") && !ts.revoked[tok]
		ts.mu.Unlock()
		if !valid {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(tok))
	})
	return mux
}

func oauthCredential(t *testing.T, tokenURL, secret string) *Credential {
	cred, _ := resolve(t, &action.Credential{
		Name: "oauth", Type: action.CredOAuth2Client, Hosts: []string{"127.0.0.1"},
		TokenURL: tokenURL, ClientID: "client-1", ClientSecret: env("CS"), Scopes: []string{"orders:read"},
	}, secrets{"env:CS": secret})
	return cred
}

func TestOAuth2ClientCredentials(t *testing.T) {
	ts := &tokenServer{expiresIn: 3600, revoked: map[string]bool{}}
	srv := httptest.NewServer(ts.handler(t))
	t.Cleanup(srv.Close)
	// The token endpoint's name resolves only through the client's own
	// resolver: a token request sent any other way would fail.
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.0/8")}, map[string][]string{"auth.test": {"127.0.0.1"}})
	tokenURL := "http://auth.test:" + srv.URL[strings.LastIndexByte(srv.URL, ':')+1:] + "/token"
	clock := time.Now()
	var clockMu sync.Mutex
	c.now = func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return clock }
	cred := oauthCredential(t, tokenURL, "client-secret-1")
	call := func() string {
		t.Helper()
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/api"), Credential: cred})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 200 {
			return fmt.Sprint(resp.Status)
		}
		return string(resp.Body)
	}

	// Many calls, concurrent ones included, share one token.
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if got := call(); got != "access-1" {
				t.Errorf("call got %q", got)
			}
		})
	}
	wg.Wait()
	if n := ts.requests.Load(); n != 1 {
		t.Fatalf("%d token requests for 10 calls, want 1", n)
	}

	// A second resolution of the same credential shares the cache.
	again := oauthCredential(t, tokenURL, "client-secret-1")
	if _, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/api"), Credential: again}); err != nil || ts.requests.Load() != 1 {
		t.Fatalf("re-resolved credential fetched a new token: %v, %d", err, ts.requests.Load())
	}

	// Shortly before expiry the token is refreshed.
	clockMu.Lock()
	clock = clock.Add(3600*time.Second - 5*time.Second)
	clockMu.Unlock()
	if got := call(); got != "access-2" || ts.requests.Load() != 2 {
		t.Fatalf("after expiry got %q with %d token requests", got, ts.requests.Load())
	}
	clockMu.Lock()
	clock = time.Now()
	clockMu.Unlock()
	if got := call(); got != "access-2" || ts.requests.Load() != 2 {
		t.Fatalf("fresh token not reused: got %q with %d token requests", got, ts.requests.Load())
	}

	// A token the API refuses is dropped: the refusal is returned, the next
	// call fetches a fresh token.
	ts.mu.Lock()
	ts.revoked["access-2"] = true
	ts.mu.Unlock()
	if got := call(); got != "401" {
		t.Fatalf("revoked token: got %q", got)
	}
	if got := call(); got != "access-3" {
		t.Fatalf("after revocation got %q", got)
	}
}

func TestOAuth2TokenEndpointRefusal(t *testing.T) {
	ts := &tokenServer{expiresIn: 3600}
	srv, c := loopback(t, ts.handler(t), Config{})
	cred := oauthCredential(t, srv.URL+"/token", "wrong-secret-value")
	_, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/api"), Credential: cred})
	e := wantKind(t, err, KindCredential)
	if strings.Contains(e.Error(), "wrong-secret-value") || !strings.Contains(e.Message, "status 401") {
		t.Errorf("message %q", e.Message)
	}
}

func TestOAuth2TokenEndpointIsGuarded(t *testing.T) {
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.0/8")}, nil)
	for _, tokenURL := range []string{"http://169.254.169.254/token", "http://10.0.0.1/token", "file:///token"} {
		cred := oauthCredential(t, tokenURL, "client-secret-1")
		_, err := c.Do(context.Background(), &Request{URL: mustURL(t, "http://127.0.0.1:1/api"), Credential: cred})
		if e := wantKind(t, err, KindBlocked); e.Attempts != 0 {
			t.Errorf("%s: attempts %d, want 0", tokenURL, e.Attempts)
		}
	}
}
