package egress

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func TestHTTPClientFollowsOnlySameHostRedirects(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	hc := c.HTTPClient()
	resp, err := hc.Get(srv.URL + "/redirect/3")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/get" {
		t.Errorf("status %d final %v", resp.StatusCode, resp.Request.URL)
	}
	if _, err := hc.Get(srv.URL + "/redirect/4"); err == nil {
		t.Error("a fourth redirect was followed")
	} else {
		wantKind(t, err, KindRedirect)
	}
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	for _, target := range []string{
		"http://localhost:" + port + "/get",
		"http://169.254.169.254/latest/meta-data/",
		"http://127.0.0.1:1/get",
	} {
		_, err := hc.Get(srv.URL + "/redirect-to?url=" + url.QueryEscape(target))
		if err == nil {
			t.Errorf("redirect to %s was followed", target)
			continue
		}
		wantKind(t, err, KindRedirect)
	}
}

func TestHTTPClientRefusalIsBlocked(t *testing.T) {
	srv, _ := httpbinServer(t, Config{})
	c := newTestClient(t, Config{}, map[string][]string{"api.test": {"127.0.0.1"}})
	hc := c.HTTPClient()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	for _, tc := range []struct{ url, host string }{
		{srv.URL + "/get", "127.0.0.1"},
		{"http://api.test:" + port + "/get", "api.test"},
	} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, tc.url, nil)
		_, err := hc.Do(req)
		r, ok := IsBlocked(err)
		if !ok {
			t.Fatalf("%s: error %v is not a refusal", tc.url, err)
		}
		if r.Host != tc.host || r.Addr != netip.MustParseAddr("127.0.0.1") || r.Why != "127.0.0.1 is a loopback address" {
			t.Errorf("%s: refusal %+v", tc.url, r)
		}
	}
	if _, ok := IsBlocked(context.Canceled); ok {
		t.Error("a context error is a refusal")
	}
}
