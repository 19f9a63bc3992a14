package egress

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// newTestClient returns a Client whose name resolution answers from hosts
// (names not listed go to the system resolver), with short backoff.
func newTestClient(t *testing.T, cfg Config, hosts map[string][]string) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	system := c.dialer.lookup
	c.dialer.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		addrs, ok := hosts[host]
		if !ok {
			return system(ctx, host)
		}
		out := make([]netip.Addr, len(addrs))
		for i, a := range addrs {
			out[i] = netip.MustParseAddr(a)
		}
		return out, nil
	}
	c.backoffBase = 5 * time.Millisecond
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func mustAllow(t *testing.T, s string) []netip.Prefix {
	t.Helper()
	p, err := ParseAllow(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// loopback starts h on loopback and returns a client allowed to reach it.
func loopback(t *testing.T, h http.Handler, cfg Config) (*httptest.Server, *Client) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.Allow = append(cfg.Allow, mustAllow(t, "127.0.0.0/8")...)
	return srv, newTestClient(t, cfg, nil)
}

func httpbinServer(t *testing.T, cfg Config) (*httptest.Server, *Client) {
	t.Helper()
	return loopback(t, httpbin.New(), cfg)
}

func wantKind(t *testing.T, err error, kind Kind) *Error {
	t.Helper()
	e, ok := AsError(err)
	if !ok || e.Kind != kind {
		t.Fatalf("error = %v, want kind %s", err, kind)
	}
	return e
}

func TestDoStatusCodesAreResponses(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	for _, code := range []int{200, 201, 204, 400, 404, 418, 500} {
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, fmt.Sprintf("%s/status/%d", srv.URL, code)), Retries: 2})
		if err != nil {
			t.Fatalf("status %d: %v", code, err)
		}
		if resp.Status != code || resp.Attempts != 1 {
			t.Errorf("status %d: got status %d attempts %d", code, resp.Status, resp.Attempts)
		}
	}
}

func TestDoGetEchoesRequest(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	resp, err := c.Do(context.Background(), &Request{
		URL:    mustURL(t, srv.URL+"/get?q=a+b"),
		Header: http.Header{"X-Trace": {"t1"}, "Host": {"evil.example"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Args    map[string][]string `json:"args"`
		Headers map[string][]string `json:"headers"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		t.Fatalf("%v: %s", err, resp.Body)
	}
	if got := body.Args["q"]; len(got) != 1 || got[0] != "a b" {
		t.Errorf("args q = %v", got)
	}
	if got := body.Headers["User-Agent"]; len(got) != 1 || got[0] != DefaultUserAgent {
		t.Errorf("User-Agent = %v", got)
	}
	if got := body.Headers["X-Trace"]; len(got) != 1 || got[0] != "t1" {
		t.Errorf("X-Trace = %v", got)
	}
	if got := body.Headers["Host"]; len(got) == 1 && got[0] == "evil.example" {
		t.Error("the caller's Host header was sent")
	}
	if !strings.HasPrefix(resp.ContentType, "application/json") || resp.FinalURL.Path != "/get" || resp.Duration <= 0 {
		t.Errorf("content type %q final %v duration %v", resp.ContentType, resp.FinalURL, resp.Duration)
	}
}

func TestDoTimeout(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	start := time.Now()
	_, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/delay/3"), Timeout: 200 * time.Millisecond, Retries: 3})
	e := wantKind(t, err, KindTimeout)
	if elapsed := time.Since(start); elapsed > 1500*time.Millisecond {
		t.Errorf("timeout took %v", elapsed)
	}
	if !strings.Contains(e.Message, "timed out after 200ms") || !strings.Contains(e.Message, "try again later") {
		t.Errorf("message %q", e.Message)
	}

	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/delay/100ms"), Timeout: 3 * time.Second})
	if err != nil || resp.Status != 200 {
		t.Fatalf("short delay: %v %v", resp, err)
	}
}

func TestDoCanceled(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := c.Do(ctx, &Request{URL: mustURL(t, srv.URL+"/delay/3")})
	wantKind(t, err, KindCanceled)
}

func TestDoIdempotencyHeaderNeedsKey(t *testing.T) {
	c := newTestClient(t, Config{}, nil)
	_, err := c.Do(context.Background(), &Request{Method: "POST", URL: mustURL(t, "https://api.example/"), IdempotencyHeader: "Idempotency-Key"})
	wantKind(t, err, KindInvalidRequest)
}

func TestDoRejectsUnknownMethod(t *testing.T) {
	c := newTestClient(t, Config{}, nil)
	_, err := c.Do(context.Background(), &Request{Method: "TRACE", URL: mustURL(t, "https://api.example/")})
	wantKind(t, err, KindInvalidRequest)
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{MaxResponseBytes: -1}); err == nil {
		t.Error("negative MaxResponseBytes accepted")
	}
	if _, err := New(Config{Allow: []netip.Prefix{{}}}); err == nil {
		t.Error("invalid prefix accepted")
	}
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.transport.Proxy != nil || c.maxBytes != DefaultMaxResponseBytes || c.transport.MaxIdleConnsPerHost < 16 {
		t.Errorf("transport not configured as documented")
	}
}

func TestDoConcurrentCallsReuseConnections(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.0/8")}, nil)
	call := func() {
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL)})
		if err != nil || resp.Status != 200 {
			t.Errorf("%v %v", resp, err)
		}
	}
	for range 50 {
		call()
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 50 sequential calls, want 1", n)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				call()
			}
		})
	}
	wg.Wait()
	// The transport may dial a spare connection while another frees up, but
	// connections must be reused rather than opened per call.
	if n := conns.Load(); n > 40 {
		t.Errorf("%d connections for 250 calls from up to 8 goroutines", n)
	}
}

func TestDoHTTPS(t *testing.T) {
	srv := httptest.NewUnstartedServer(httpbin.New())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.0/8")}, nil)

	_, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/get")})
	if e := wantKind(t, err, KindConnect); !strings.Contains(e.Message, "certificate") {
		t.Errorf("untrusted certificate: message %q", e.Message)
	}

	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c.transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	c.CloseIdleConnections()
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/gzip")})
	if err != nil || resp.Status != 200 || !bytes.Contains(resp.Body, []byte(`"gzipped": true`)) {
		t.Fatalf("%v %v %s", resp, err, resp.Body)
	}
}
