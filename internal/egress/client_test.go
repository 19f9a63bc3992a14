package egress

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// flaky answers with statuses in order, then 200, recording each request.
type flaky struct {
	mu       sync.Mutex
	statuses []int
	header   http.Header
	seen     []*http.Request
	bodies   []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.seen = append(f.seen, r)
	f.bodies = append(f.bodies, string(b))
	n := len(f.seen)
	f.mu.Unlock()
	if n <= len(f.statuses) {
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.WriteHeader(f.statuses[n-1])
		_, _ = fmt.Fprintf(w, "attempt %d failed", n)
		return
	}
	_, _ = fmt.Fprintf(w, "attempt %d ok", n)
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}

func TestDoRetriesRetryableStatuses(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504} {
		f := &flaky{statuses: []int{status, status}}
		srv, c := loopback(t, f, Config{})
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL), Retries: 2})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 200 || resp.Attempts != 3 || f.count() != 3 || string(resp.Body) != "attempt 3 ok" {
			t.Errorf("%d: status %d attempts %d server saw %d body %q", status, resp.Status, resp.Attempts, f.count(), resp.Body)
		}
	}
}

func TestDoReturnsLastResponseWhenRetriesRunOut(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/status/503"), Retries: 2})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 503 || resp.Attempts != 3 {
		t.Errorf("status %d attempts %d, want 503 after 3", resp.Status, resp.Attempts)
	}
	resp, err = c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/status/500"), Retries: 2})
	if err != nil || resp.Attempts != 1 {
		t.Errorf("500 is not retried: %v attempts %d", err, resp.Attempts)
	}
}

func TestDoRetriesStayWithinTheDeadline(t *testing.T) {
	f := &flaky{statuses: make([]int, 1000)}
	for i := range f.statuses {
		f.statuses[i] = 503
	}
	srv, c := loopback(t, f, Config{})
	c.backoffBase = 100 * time.Millisecond
	start := time.Now()
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL), Retries: 10, Timeout: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 400*time.Millisecond {
		t.Errorf("took %v, over the 400ms budget", elapsed)
	}
	if resp.Status != 503 || resp.Attempts < 2 || resp.Attempts != f.count() {
		t.Errorf("status %d attempts %d server %d", resp.Status, resp.Attempts, f.count())
	}
}

func TestDoRetryAfter(t *testing.T) {
	t.Run("seconds", func(t *testing.T) {
		f := &flaky{statuses: []int{429}, header: http.Header{"Retry-After": {"1"}}}
		srv, c := loopback(t, f, Config{})
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL), Retries: 1, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 200 || resp.Attempts != 2 || resp.Duration < time.Second {
			t.Errorf("status %d attempts %d duration %v, want 200 after waiting 1s", resp.Status, resp.Attempts, resp.Duration)
		}
	})
	t.Run("date in the past", func(t *testing.T) {
		f := &flaky{statuses: []int{503}, header: http.Header{"Retry-After": {time.Now().Add(-time.Minute).UTC().Format(http.TimeFormat)}}}
		srv, c := loopback(t, f, Config{})
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL), Retries: 1})
		if err != nil || resp.Status != 200 || resp.Attempts != 2 {
			t.Fatalf("%v %+v", err, resp)
		}
	})
	t.Run("beyond the deadline", func(t *testing.T) {
		f := &flaky{statuses: []int{429}, header: http.Header{"Retry-After": {"30"}}}
		srv, c := loopback(t, f, Config{})
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL), Retries: 3, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 429 || resp.Attempts != 1 || resp.Duration > time.Second || resp.Header.Get("Retry-After") != "30" {
			t.Errorf("status %d attempts %d duration %v, want the 429 at once", resp.Status, resp.Attempts, resp.Duration)
		}
	})
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"99999999999999", maxRetryAfter, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tc := range cases {
		got, ok := retryAfter(http.Header{"Retry-After": {tc.v}}, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffDelayIsJitteredAndBounded(t *testing.T) {
	base := 100 * time.Millisecond
	for n := 1; n <= 12; n++ {
		ceiling := min(base<<(n-1), maxBackoff)
		distinct := map[time.Duration]bool{}
		for range 50 {
			d := backoffDelay(base, n)
			if d < 0 || d >= ceiling {
				t.Fatalf("retry %d: delay %v outside [0, %v)", n, d, ceiling)
			}
			distinct[d] = true
		}
		if len(distinct) < 10 {
			t.Errorf("retry %d: only %d distinct delays in 50, not jittered", n, len(distinct))
		}
	}
}

func TestDoRetriesConnectErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.0/8")}, nil)
	_, err = c.Do(context.Background(), &Request{URL: mustURL(t, "http://"+addr+"/"), Retries: 2})
	e := wantKind(t, err, KindConnect)
	if e.Attempts != 3 || !strings.Contains(e.Message, "connection refused") {
		t.Errorf("attempts %d message %q", e.Attempts, e.Message)
	}
}

func TestDoWriteWithoutKeyIsNotRetried(t *testing.T) {
	for _, method := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		f := &flaky{statuses: []int{503, 503}}
		srv, c := loopback(t, f, Config{})
		resp, err := c.Do(context.Background(), &Request{Method: method, URL: mustURL(t, srv.URL), Body: []byte(`{"a":1}`), Retries: 3})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 503 || resp.Attempts != 1 || f.count() != 1 {
			t.Errorf("%s: status %d attempts %d server saw %d, want one attempt", method, resp.Status, resp.Attempts, f.count())
		}
	}
}

func TestDoWriteWithKeyIsRetriedWithTheSameKey(t *testing.T) {
	f := &flaky{statuses: []int{502, 429}}
	srv, c := loopback(t, f, Config{})
	key := IdempotencyKey("conv-1", "create_ticket", map[string]any{"title": "x"})
	resp, err := c.Do(context.Background(), &Request{
		Method: "POST", URL: mustURL(t, srv.URL), Body: []byte(`{"title":"x"}`),
		Header:  http.Header{"Content-Type": {"application/json"}},
		Retries: 3, IdempotencyHeader: "X-Request-Key", IdempotencyKey: key,
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || resp.Attempts != 3 || f.count() != 3 {
		t.Fatalf("status %d attempts %d server saw %d", resp.Status, resp.Attempts, f.count())
	}
	for i, r := range f.seen {
		if got := r.Header.Get("X-Request-Key"); got != key {
			t.Errorf("attempt %d key %q, want %q", i+1, got, key)
		}
		if f.bodies[i] != `{"title":"x"}` || r.Method != "POST" {
			t.Errorf("attempt %d: %s %q", i+1, r.Method, f.bodies[i])
		}
	}
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

func TestDoGzip(t *testing.T) {
	srv, c := httpbinServer(t, Config{})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/gzip"), Header: http.Header{"Accept-Encoding": {"br"}}})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Gzipped bool                `json:"gzipped"`
		Headers map[string][]string `json:"headers"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		t.Fatalf("body not decompressed: %v", err)
	}
	if !body.Gzipped || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzipped %v content-encoding %q", body.Gzipped, resp.Header.Get("Content-Encoding"))
	}
	if got := body.Headers["Accept-Encoding"]; len(got) != 1 || got[0] != "gzip" {
		t.Errorf("Accept-Encoding sent = %v, want gzip", got)
	}
}

func TestDoSizeCap(t *testing.T) {
	srv, c := httpbinServer(t, Config{MaxResponseBytes: 1000})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+"/bytes/1000")})
	if err != nil || len(resp.Body) != 1000 {
		t.Fatalf("exactly the cap: %v", err)
	}
	for _, path := range []string{"/bytes/1001", "/bytes/50000", "/stream-bytes/50000"} {
		_, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL+path), Retries: 2})
		e := wantKind(t, err, KindTooLarge)
		if e.Attempts != 1 || !strings.Contains(e.Message, "larger than 1000 bytes") {
			t.Errorf("%s: attempts %d message %q", path, e.Attempts, e.Message)
		}
	}
	if !strings.Contains(tooLargeErr("h", DefaultMaxResponseBytes, 1).Message, "5 MiB") {
		t.Error("default cap not described as 5 MiB")
	}
}

func TestDoSizeCapStopsReadingEndlessBodies(t *testing.T) {
	var written atomic.Int64
	endless := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for r.Context().Err() == nil {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	srv, c := loopback(t, endless, Config{MaxResponseBytes: 64 << 10})
	start := time.Now()
	_, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL), Timeout: 5 * time.Second})
	wantKind(t, err, KindTooLarge)
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v to give up on an endless body", time.Since(start))
	}
}

func TestDoSizeCapAppliesAfterDecompression(t *testing.T) {
	var compressed bytes.Buffer
	zw := gzip.NewWriter(&compressed)
	_, _ = zw.Write(make([]byte, 4<<20)) // 4 MiB of zeros: a few KiB compressed
	_ = zw.Close()
	bomb := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(compressed.Bytes())
	})
	srv, c := loopback(t, bomb, Config{MaxResponseBytes: 1 << 20})
	_, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL)})
	e := wantKind(t, err, KindTooLarge)
	if !strings.Contains(e.Message, "1 MiB") {
		t.Errorf("message %q", e.Message)
	}
}

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
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL)})
				if err != nil || resp.Status != 200 {
					t.Errorf("%v %v", resp, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := conns.Load(); n > 8 {
		t.Errorf("%d connections for 200 calls from 8 goroutines, want at most 8", n)
	}
}
