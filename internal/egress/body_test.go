package egress

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

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
