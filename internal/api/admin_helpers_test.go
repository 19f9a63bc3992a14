package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// adminTokenizer loads the token counter once for the whole test binary.
var adminTokenizer = sync.OnceValues(respfilter.NewTokenizer)

// adminFixture is a gateway on a fresh SQLite database, the admin API on a
// loopback server, and a loopback upstream (go-httpbin) that counts hits.
type adminFixture struct {
	t        *testing.T
	g        *gateway.Gateway
	cfg      *config.Config
	api      *httptest.Server
	upstream *httptest.Server
	hits     atomic.Int64
	admin    string
	// bodies collects every response body, and logs every log line the
	// gateway wrote, for leak checks.
	bodies []string
	logs   gatewaytest.Logs
}

func newAdminFixture(t *testing.T) *adminFixture {
	t.Helper()
	tok, err := adminTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	f := &adminFixture{t: t}
	bin := httpbin.New()
	f.upstream = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		bin.ServeHTTP(w, r)
	}))
	t.Cleanup(f.upstream.Close)
	f.cfg = gatewaytest.Config(t)
	f.g = gatewaytest.Open(t, f.cfg, gateway.Options{Tokenizer: tok,
		Logger: f.logs.Logger()})
	if f.admin, err = f.g.BootstrapAdminToken(context.Background()); err != nil || f.admin == "" {
		t.Fatalf("bootstrap admin token: %q, %v", f.admin, err)
	}
	mux := http.NewServeMux()
	api.RegisterAdmin(mux, f.g)
	f.api = httptest.NewServer(mux)
	t.Cleanup(f.api.Close)
	return f
}

// upstreamURL is the upstream's base URL.
func (f *adminFixture) upstreamURL() string { return f.upstream.URL }

// do sends one request with a bearer token ("" for none) and returns the
// status and the decoded JSON body (nil when empty).
func (f *adminFixture) do(method, path, token, body string) (int, map[string]any) {
	f.t.Helper()
	status, raw := roundTrip(f.t, method, f.api.URL+path, token, body)
	f.bodies = append(f.bodies, string(raw))
	if len(bytes.TrimSpace(raw)) == 0 {
		return status, nil
	}
	return status, decodeObject(f.t, method, path, raw)
}

// roundTrip sends one request with a bearer token ("" for none) and a
// JSON body ("" for none), and returns the status and the raw answer.
func roundTrip(t testing.TB, method, url, token, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// decodeObject decodes an answer that must be one JSON object.
func decodeObject(t testing.TB, method, path string, raw []byte) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", method, path, err, raw)
	}
	return out
}

// jsonAt walks a decoded JSON value along a "/"-separated path whose
// segments are object keys or array indexes.
func jsonAt(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, seg := range strings.Split(path, "/") {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[seg]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// jsonText renders a decoded JSON value for comparison: strings as they are,
// everything else as compact JSON.
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
