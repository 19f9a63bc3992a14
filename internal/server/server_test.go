package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/server"
)

func TestRoutesAnswerInTheErrorShape(t *testing.T) {
	cfg := testConfig(t)
	g := openGateway(t, cfg, nil)
	h := server.New(g, cfg, nil, func(m *http.ServeMux) { api.RegisterAdmin(m, g) }).Handler()
	tests := []struct {
		method, path string
		status       int
		code         string
		allow        string
	}{
		{"GET", "/healthz", 200, "", ""},
		{"GET", "/readyz", 200, "", ""},
		{"GET", "/api/v1/nothing-here", 404, "not_found", ""},
		{"GET", "/api/v2/actions", 404, "not_found", ""},
		{"GET", "/elsewhere", 404, "not_found", ""},
		{"DELETE", "/api/v1/runs", 405, "method_not_allowed", "GET, HEAD"},
		{"POST", "/api/v1/actions/x", 405, "method_not_allowed", "DELETE, GET, HEAD, PUT"},
		{"POST", "/healthz", 405, "method_not_allowed", "GET, HEAD"},
		{"GET", "/api/v1/actions", 401, "unauthorized", ""},
	}
	for _, tt := range tests {
		resp, out := call(t, h, tt.method, tt.path, "", "")
		if resp.StatusCode != tt.status || errorCode(out) != tt.code {
			t.Errorf("%s %s: %d %q, want %d %q (%v)", tt.method, tt.path, resp.StatusCode, errorCode(out), tt.status, tt.code, out)
		}
		if tt.code != "" && resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: Content-Type %q", tt.method, tt.path, resp.Header.Get("Content-Type"))
		}
		if got := resp.Header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
		for k, want := range map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Content-Security-Policy": "frame-ancestors 'none'",
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s %s: %s %q, want %q", tt.method, tt.path, k, got, want)
			}
		}
	}
}

func TestRequestIDs(t *testing.T) {
	cfg := testConfig(t)
	g := openGateway(t, cfg, nil)
	h := server.New(g, cfg, nil).Handler()
	resp, _ := call(t, h, "GET", "/healthz", "", "", "X-Request-Id", "trace-42.a_b")
	if got := resp.Header.Get("X-Request-Id"); got != "trace-42.a_b" {
		t.Errorf("a sane id is kept: got %q", got)
	}
	seen := map[string]bool{}
	for _, bad := range []string{"", "has space", "<script>", strings.Repeat("a", 129), "a\"b"} {
		resp, _ := call(t, h, "GET", "/healthz", "", "", "X-Request-Id", bad)
		got := resp.Header.Get("X-Request-Id")
		if got == "" || got == bad || seen[got] {
			t.Errorf("id %q: answered %q, want a fresh id", bad, got)
		}
		seen[got] = true
	}
}

// logLines decodes JSON log output.
func logLines(t *testing.T, buf *syncBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestAccessLogsCarryRequestIDsAndNoSecrets(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"pong":true}`)
	}))
	defer upstream.Close()
	var buf syncBuffer
	cfg := testConfig(t)
	cfg.LogFormat = "json"
	log := server.NewLogger(&buf, cfg)
	g := openGateway(t, cfg, log)
	tok := adminToken(t, g)
	putAction(t, g, "ping", upstream.URL+"/ping")
	h := server.New(g, cfg, log, func(m *http.ServeMux) { api.RegisterAdmin(m, g) }).Handler()

	resp, out := call(t, h, "POST", "/api/v1/actions/ping/test?code=hunter2", tok, `{}`, "X-Request-Id", "req-1")
	if resp.StatusCode != 200 || out["outcome"] != "ok" {
		t.Fatalf("test call: %d %v", resp.StatusCode, out)
	}
	call(t, h, "GET", "/api/v1/nope", "", "", "X-Request-Id", "req-2")

	text := buf.String()
	for _, secret := range []string{tok, "hunter2", "Bearer"} {
		if strings.Contains(text, secret) {
			t.Errorf("the log holds %q:\n%s", secret, text)
		}
	}
	var access, calls int
	for _, l := range logLines(t, &buf) {
		if l["request_id"] == nil {
			t.Errorf("log line without request_id: %v", l)
		}
		switch l["msg"] {
		case "request":
			access++
			if l["request_id"] == "req-1" && (l["method"] != "POST" || l["path"] != "/api/v1/actions/ping/test" || l["status"] != 200.0 || l["ms"] == nil) {
				t.Errorf("access line: %v", l)
			}
			if l["request_id"] == "req-2" && l["status"] != 404.0 {
				t.Errorf("access line: %v", l)
			}
		case "call":
			calls++
			if l["request_id"] != "req-1" {
				t.Errorf("the gateway's call line lacks the request id: %v", l)
			}
		}
	}
	if access != 2 || calls != 1 {
		t.Errorf("%d access lines and %d call lines, want 2 and 1:\n%s", access, calls, text)
	}
}

func TestPanicsBecomeErrorShaped500s(t *testing.T) {
	var buf syncBuffer
	cfg := testConfig(t)
	cfg.LogFormat = "json"
	log := server.NewLogger(&buf, cfg)
	g := openGateway(t, cfg, log)
	h := server.New(g, cfg, log, func(m *http.ServeMux) {
		m.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	}).Handler()
	resp, out := call(t, h, "GET", "/boom", "", "", "X-Request-Id", "req-boom")
	if resp.StatusCode != 500 || errorCode(out) != "internal" {
		t.Fatalf("got %d %v", resp.StatusCode, out)
	}
	var found bool
	for _, l := range logLines(t, &buf) {
		if l["msg"] == "panic serving request" && l["panic"] == "kaboom" && l["request_id"] == "req-boom" {
			found = true
		}
	}
	if !found {
		t.Errorf("no panic line with the request id:\n%s", buf.String())
	}
	if resp, _ := call(t, h, "GET", "/healthz", "", ""); resp.StatusCode != 200 {
		t.Errorf("after a panic /healthz answered %d", resp.StatusCode)
	}
}

func TestReadyzFailsWhenTheDatabaseIsGone(t *testing.T) {
	cfg := testConfig(t)
	g := openGateway(t, cfg, nil)
	h := server.New(g, cfg, nil).Handler()
	if resp, _ := call(t, h, "GET", "/readyz", "", ""); resp.StatusCode != 200 {
		t.Fatalf("ready: %d", resp.StatusCode)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	resp, out := call(t, h, "GET", "/readyz", "", "")
	if resp.StatusCode != 503 || errorCode(out) != "unavailable" {
		t.Errorf("closed database: %d %v", resp.StatusCode, out)
	}
	if resp, _ := call(t, h, "GET", "/healthz", "", ""); resp.StatusCode != 200 {
		t.Errorf("/healthz answered %d; the process is alive", resp.StatusCode)
	}
}

func TestMetricsCountCalls(t *testing.T) {
	upstream := newPongUpstream(t)
	cfg := testConfig(t)
	g := openGateway(t, cfg, nil)
	tok := adminToken(t, g)
	putAction(t, g, "ping", upstream+"/ping")
	h := server.New(g, cfg, nil, func(m *http.ServeMux) { api.RegisterAdmin(m, g) }).Handler()
	if resp, out := call(t, h, "POST", "/api/v1/actions/ping/test", tok, ""); out["outcome"] != "ok" {
		t.Fatalf("test call: %d %v", resp.StatusCode, out)
	}
	resp, _ := call(t, h, "GET", "/metrics", "", "")
	body, _ := io.ReadAll(resp.Body)
	want := `actiongate_calls_total{action="ping",agent="",caller="api",outcome="ok"} 1`
	if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
		t.Errorf("/metrics %d lacks %s:\n%.2000s", resp.StatusCode, want, body)
	}
	if !strings.Contains(string(body), "actiongate_call_duration_seconds_bucket") {
		t.Error("/metrics lacks the latency histogram")
	}
}

// slowUpstream answers after release is closed, signalling each request
// on started.
func slowUpstream(t *testing.T) (srv *httptest.Server, started chan struct{}, release chan struct{}) {
	started, release = make(chan struct{}, 4), make(chan struct{})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "done")
	}))
	t.Cleanup(srv.Close)
	return srv, started, release
}

// serveInBackground runs Serve and returns its base URL and result.
func serveInBackground(t *testing.T, s *server.Server, ctx context.Context) (string, chan error) {
	t.Helper()
	ln, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), done
}

// post sends an authenticated POST and returns the decoded answer.
func post(url, token string) (int, map[string]any, error) {
	req, _ := http.NewRequest("POST", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	err = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, err
}

func TestShutdownLetsCallsInFlightFinish(t *testing.T) {
	upstream, started, release := slowUpstream(t)
	cfg := testConfig(t)
	g := openGateway(t, cfg, nil)
	tok := adminToken(t, g)
	putAction(t, g, "slow", upstream.URL+"/slow")
	s := server.New(g, cfg, nil, func(m *http.ServeMux) { api.RegisterAdmin(m, g) })
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	base, done := serveInBackground(t, s, ctx)

	type answer struct {
		status int
		out    map[string]any
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		st, out, err := post(base+"/api/v1/actions/slow/test", tok)
		answered <- answer{st, out, err}
	}()
	<-started
	stop()
	time.Sleep(50 * time.Millisecond) // let Shutdown close the listener
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("a new request was accepted after the stop signal")
	}
	select {
	case err := <-done:
		t.Fatalf("Serve returned while a call was in flight: %v", err)
	default:
	}
	close(release)
	a := <-answered
	if a.err != nil || a.status != 200 || a.out["outcome"] != "ok" || a.out["output"] != "done" {
		t.Errorf("in-flight call: %d %v %v", a.status, a.out, a.err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestShutdownCutsOffCallsAfterTheTimeout(t *testing.T) {
	upstream, started, _ := slowUpstream(t)
	cfg := testConfig(t)
	cfg.ShutdownTimeout = 100 * time.Millisecond
	g := openGateway(t, cfg, nil)
	tok := adminToken(t, g)
	putAction(t, g, "slow", upstream.URL+"/slow")
	s := server.New(g, cfg, nil, func(m *http.ServeMux) { api.RegisterAdmin(m, g) })
	ctx, stop := context.WithCancel(context.Background())
	base, done := serveInBackground(t, s, ctx)
	go func() { _, _, _ = post(base+"/api/v1/actions/slow/test", tok) }()
	<-started
	stop()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "cut off") {
			t.Errorf("Serve: %v, want an error saying requests were cut off", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the shutdown timeout")
	}
}

func TestListenNamesTheSetting(t *testing.T) {
	cfg := testConfig(t)
	cfg.Addr = "127.0.0.1:99999"
	g := openGateway(t, cfg, nil)
	err := server.New(g, cfg, nil).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ACTIONGATE_ADDR") {
		t.Errorf("Run: %v, want an error naming ACTIONGATE_ADDR", err)
	}
}
