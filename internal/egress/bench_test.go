package egress

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	body := []byte(`{"id":42,"status":"shipped","items":[{"sku":"A1","qty":2}]}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkDo measures one guarded call to a loopback server; compare with
// BenchmarkPlainHTTPClient for the overhead of the guard, limits and
// credential handling.
func BenchmarkDo(b *testing.B) {
	srv := benchServer(b)
	allow, _ := ParseAllow("127.0.0.0/8")
	c, err := New(Config{Allow: allow})
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseIdleConnections()
	u, err := url.Parse(srv.URL + "/orders/42?expand=items")
	if err != nil {
		b.Fatal(err)
	}
	req := &Request{URL: u, Header: http.Header{"Accept": {"application/json"}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Do(ctx, req)
		if err != nil || resp.Status != 200 {
			b.Fatal(resp, err)
		}
	}
}

// BenchmarkPlainHTTPClient is the same call with a bare http.Client.
func BenchmarkPlainHTTPClient(b *testing.B) {
	srv := benchServer(b)
	t := &http.Transport{MaxIdleConnsPerHost: 64}
	defer t.CloseIdleConnections()
	hc := &http.Client{Transport: t}
	u := srv.URL + "/orders/42?expand=items"
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadAll(resp.Body); err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
	}
}
