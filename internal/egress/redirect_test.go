package egress

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

func TestDoRedirects(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/redirect/3")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || resp.FinalURL.Path != "/get" {
		t.Errorf("status %d final %v", resp.Status, resp.FinalURL)
	}
	_, err = c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/redirect/4")})
	wantKind(t, err, KindRedirect)

	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	for _, target := range []string{
		"http://localhost:" + port + "/get", // same server, other host name
		"http://127.0.0.2:" + port + "/get", // another loopback host
		"http://169.254.169.254/latest/meta-data/",
		"http://127.0.0.1:1/get", // same host, other port
		"file:///etc/passwd",
	} {
		_, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/redirect-to?url="+url.QueryEscape(target))})
		e := wantKind(t, err, KindRedirect)
		if !strings.Contains(e.Message, "not followed") {
			t.Errorf("%s: message %q", target, e.Message)
		}
	}
}

func TestDoRedirectToLoopbackIsRefused(t *testing.T) {
	// The upstream is reachable by name (only its address is allowed) and
	// redirects to loopback addresses that are not allowed.
	srv := httptest.NewServer(httpbin.New())
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.1")}, map[string][]string{"api.test": {"127.0.0.1"}})
	base := "http://api.test:" + port
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, base+"/redirect-to?url=/get")})
	if err != nil || resp.Status != 200 {
		t.Fatalf("same-host redirect: %v", err)
	}
	for _, target := range []string{"http://127.0.0.2:" + port + "/get", "http://[::1]:" + port + "/get", "http://2130706433:" + port + "/"} {
		_, err := c.Do(context.Background(), &Request{URL: mustURL(t, base+"/redirect-to?url="+url.QueryEscape(target))})
		wantKind(t, err, KindRedirect)
	}
}

func TestDoRedirectKeepsTheBodyOf307(t *testing.T) {
	var got atomic.Value
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(r.Method + " " + string(b))
	})
	srv, c := loopback(t, mux, Config{})
	if _, err := c.Do(context.Background(), &Request{Method: "POST", URL: mustURL(t, srv.URL+"/old"), Body: []byte("payload")}); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "POST payload" {
		t.Errorf("redirected request = %v", got.Load())
	}
}

func TestSameOrigin(t *testing.T) {
	cases := []struct {
		from, to string
		want     bool
	}{
		{"http://api.test/a", "http://api.test/b", true},
		{"http://api.test/a", "http://API.test:80/b", true},
		{"http://api.test/a", "https://api.test/b", true},
		{"http://api.test:8080/a", "https://api.test/b", true},
		{"http://api.test:8080/a", "http://api.test:8081/b", false},
		{"https://api.test/a", "http://api.test/b", false},
		{"http://api.test/a", "https://api.test:8443/b", false},
		{"http://api.test/a", "http://other.test/b", false},
		{"http://api.test/a", "http://sub.api.test/b", false},
	}
	for _, tc := range cases {
		if got := sameOrigin(mustURL(t, tc.from), mustURL(t, tc.to)); got != tc.want {
			t.Errorf("sameOrigin(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}
