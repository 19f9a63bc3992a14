package egress

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

const localTestHost = "demo.test.invalid"

// localTestHandler answers with the path and the API key it was sent,
// counting its requests.
func localTestHandler(hits *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"path":"` + r.URL.Path + `","key":"` + r.Header.Get("X-Api-Key") + `","host":"` + r.Host + `"}`))
	})
}

func TestLocalHostIsServedInProcess(t *testing.T) {
	var hits atomic.Int64
	// The name resolves to loopback here, as a hostile resolver might
	// answer: the in-process route must not depend on resolution.
	c := newTestClient(t, Config{Local: map[string]http.Handler{localTestHost: localTestHandler(&hits)}},
		map[string][]string{localTestHost: {"127.0.0.1"}})
	for i := range 3 {
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, "http://"+localTestHost+"/v1/orders")})
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if resp.Status != 200 || !strings.Contains(string(resp.Body), `"path":"/v1/orders"`) || !strings.Contains(string(resp.Body), `"host":"`+localTestHost+`"`) {
			t.Fatalf("call %d: %d %s", i, resp.Status, resp.Body)
		}
	}
	if hits.Load() != 3 {
		t.Fatalf("the handler saw %d requests, want 3", hits.Load())
	}
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, "http://DEMO.test.invalid./x")})
	if err != nil || resp.Status != 200 {
		t.Fatalf("the host in capitals with a trailing dot: %v", err)
	}
}

func TestLocalHostOpensNothingElse(t *testing.T) {
	srv, upstreamHits := countingServer(t)
	var hits atomic.Int64
	c := newTestClient(t, Config{Local: map[string]http.Handler{localTestHost: localTestHandler(&hits)}},
		map[string][]string{"other.test.invalid": {"127.0.0.1"}})
	for _, u := range []string{srv.URL, "http://localhost:" + mustURL(t, srv.URL).Port(), "http://other.test.invalid:" + mustURL(t, srv.URL).Port()} {
		_, err := c.Do(context.Background(), &Request{URL: mustURL(t, u), Timeout: 2 * time.Second})
		wantKind(t, err, KindBlocked)
	}
	if upstreamHits.Load() != 0 || hits.Load() != 0 {
		t.Fatalf("refused calls reached the loopback server %d times and the local handler %d times", upstreamHits.Load(), hits.Load())
	}
	_, err := c.Do(context.Background(), &Request{URL: mustURL(t, "https://"+localTestHost+"/v1")})
	if e := wantKind(t, err, KindInvalidRequest); !strings.Contains(e.Message, "http://"+localTestHost) {
		t.Fatalf("https to the local host: %q", e.Message)
	}
}

func TestLocalHostOffIsAnOrdinaryName(t *testing.T) {
	srv, upstreamHits := countingServer(t)
	// Without Local the name is resolved like any other: here to
	// loopback, which the guard refuses.
	c := newTestClient(t, Config{}, map[string][]string{localTestHost: {"127.0.0.1"}})
	_, err := c.Do(context.Background(), &Request{URL: mustURL(t, "http://"+localTestHost+":"+mustURL(t, srv.URL).Port()+"/v1")})
	wantKind(t, err, KindBlocked)
	if upstreamHits.Load() != 0 {
		t.Fatal("the loopback server was reached")
	}
}

func TestLocalHostKeepsCredentialBinding(t *testing.T) {
	var hits atomic.Int64
	c := newTestClient(t, Config{Local: map[string]http.Handler{localTestHost: localTestHandler(&hits)}}, nil)
	bound, _ := resolve(t, &action.Credential{Name: "demo", Type: action.CredAPIKey, Hosts: []string{localTestHost},
		APIKey: &action.APIKey{In: "header", Name: "X-Api-Key", Value: env("KEY")}}, secrets{"env:KEY": "demo-key-123"})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, "http://"+localTestHost+"/v1"), Credential: bound})
	if err != nil || !strings.Contains(string(resp.Body), `"key":"demo-key-123"`) {
		t.Fatalf("the bound credential was not applied: %v %s", err, resp.Body)
	}
	other, _ := resolve(t, &action.Credential{Name: "elsewhere", Type: action.CredBearer, Hosts: []string{"api.example.com"}, Token: env("TOK")}, secrets{"env:TOK": "tok"})
	_, err = c.Do(context.Background(), &Request{URL: mustURL(t, "http://"+localTestHost+"/v1"), Credential: other})
	wantKind(t, err, KindCredentialHost)
	if hits.Load() != 1 {
		t.Fatalf("the handler saw %d requests, want 1", hits.Load())
	}
}
