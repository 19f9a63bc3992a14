package httpkit

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSSEHeartbeatAndLazyStart checks the event stream's writer: no
// headers go out before the first event or heartbeat, a silent stream
// gets a comment line every interval, and each event is flushed as it is
// written.
func TestSSEHeartbeatAndLazyStart(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := NewEventStream(w, r, 40*time.Millisecond)
		defer s.Close()
		if s.Started() {
			t.Error("the stream started before anything was written")
		}
		if err := s.Event("first", map[string]any{"n": 1}); err != nil {
			t.Error(err)
		}
		<-release
		_ = s.Raw("", []byte("[DONE]"))
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", resp.Header)
	}
	sc := bufio.NewScanner(resp.Body)
	var lines []string
	beats := 0
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), ":") {
			if beats++; beats == 2 {
				close(release)
			}
		}
	}
	got := strings.Join(lines, "\n")
	if !strings.HasPrefix(got, "event: first\ndata: {\"n\":1}\n\n: keep-alive\n\n: keep-alive\n\n") || !strings.HasSuffix(got, "data: [DONE]\n") {
		t.Errorf("stream:\n%s", got)
	}
}

// TestSSEStopsWhenTheClientGoes checks that the heartbeat ends with the
// request and that writes after the client left report an error.
func TestSSEStopsWhenTheClientGoes(t *testing.T) {
	done := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := NewEventStream(w, r, 20*time.Millisecond)
		_ = s.Event("hello", map[string]any{})
		<-r.Context().Done()
		var err error
		for range 50 {
			if err = s.Event("late", map[string]any{"pad": strings.Repeat("x", 4096)}); err != nil {
				break
			}
		}
		s.Close()
		done <- err
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = bufio.NewReader(resp.Body).ReadString('\n')
	resp.Body.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("writing to a client that left did not fail")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not see the client go away")
	}
}
