package egress

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

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

func TestDoKeepsTheLastAnswerWhenARetryRunsOutOfTime(t *testing.T) {
	var n atomic.Int64
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv, c := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "busy")
			return
		}
		select { // the retry hangs past the budget
		case <-release:
		case <-r.Context().Done():
		}
	}), Config{})
	c.backoffBase = time.Millisecond
	start := time.Now()
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, srv.URL), Retries: 3, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("the 503 the upstream gave was lost to the retry's timeout: %v", err)
	}
	if resp.Status != 503 || string(resp.Body) != "busy" || resp.Attempts != 2 || n.Load() != 2 {
		t.Errorf("status %d body %q attempts %d server saw %d, want the first 503 after 2 attempts", resp.Status, resp.Body, resp.Attempts, n.Load())
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("took %v for a 300ms budget", elapsed)
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
