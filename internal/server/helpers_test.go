package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// sharedTokenizer loads the token counter once for the whole test binary.
var sharedTokenizer = sync.OnceValues(respfilter.NewTokenizer)

// testConfig is a configuration on a fresh SQLite database in a temporary
// directory, allowed to call loopback upstreams, listening on a free port.
func testConfig(t *testing.T) *config.Config {
	cfg := gatewaytest.Config(t)
	cfg.Addr = "127.0.0.1:0"
	return cfg
}

// openGateway opens a gateway on cfg, closed at the end of the test.
func openGateway(t *testing.T, cfg *config.Config, log *slog.Logger) *gateway.Gateway {
	t.Helper()
	tok, err := sharedTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	return gatewaytest.Open(t, cfg, gateway.Options{Tokenizer: tok, Logger: log})
}

// adminToken issues an admin token.
func adminToken(t *testing.T, g *gateway.Gateway) string {
	t.Helper()
	plain, _, err := g.CreateToken(context.Background(), "test-admin", true, "")
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// putAction stores a GET action on url with no params.
func putAction(t *testing.T, g *gateway.Gateway, name, url string) {
	t.Helper()
	r, errs := action.FromSpecJSON(action.KindAction, []byte(`{"name":"`+name+`","method":"GET","url":"`+url+`"}`))
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := g.PutResource(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// call sends one request to base+path and decodes a JSON answer.
func call(t *testing.T, h http.Handler, method, path, token, body string, header ...string) (*http.Response, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://actiongate.test"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Result(), out
}

// errorCode returns error.code of a decoded error answer.
func errorCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// newPongUpstream is a loopback upstream answering "pong".
func newPongUpstream(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "pong")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
