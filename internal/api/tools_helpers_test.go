package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runtime"
)

// toolsTokenizer loads the token counter once for the tools API tests.
var toolsTokenizer = sync.OnceValues(respfilter.NewTokenizer)

// toolsEnv is the tools API on a loopback server over a gateway fixture,
// with tokens of both standard agents.
type toolsEnv struct {
	*gatewaytest.Fixture
	srv     *httptest.Server
	support string
	sales   string
}

func newToolsEnv(t *testing.T) *toolsEnv {
	t.Helper()
	tok, err := toolsTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	e := &toolsEnv{Fixture: gatewaytest.New(t, tok)}
	mux := http.NewServeMux()
	api.RegisterTools(mux, e.G, runtime.New(e.G, runtime.Options{}))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.support = e.Token("support")
	e.sales = e.Token("sales")
	return e
}

// send makes one request with a bearer token ("" for none) and returns the
// status and the decoded JSON object answered.
func (e *toolsEnv) send(method, path, token, body string) (int, map[string]any) {
	e.T.Helper()
	status, raw := roundTrip(e.T, method, e.srv.URL+path, token, body)
	return status, decodeObject(e.T, method, path, raw)
}

// ok is send that fails the test unless the status is 200.
func (e *toolsEnv) ok(method, path, token, body string) map[string]any {
	e.T.Helper()
	status, out := e.send(method, path, token, body)
	if status != http.StatusOK {
		e.T.Fatalf("%s %s: status %d, want 200: %v", method, path, status, out)
	}
	return out
}

// toolsDig follows a dotted path of object keys and array indexes into v.
func toolsDig(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch c := v.(type) {
		case map[string]any:
			v = c[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// toolsText returns the string at path, "" when there is none.
func toolsText(v any, path string) string {
	s, _ := toolsDig(v, path).(string)
	return s
}

// toolsJSON encodes v.
func toolsJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
