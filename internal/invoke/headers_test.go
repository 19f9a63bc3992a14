package invoke

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/redact"
)

// TestRunKeepsResponseHeadersMasked calls an upstream that echoes the
// action's secret in a response header, sets a cookie and sends more and
// longer headers than a run keeps: the run has the headers, the secret
// and the cookie masked, within the bounds.
func TestRunKeepsResponseHeadersMasked(t *testing.T) {
	const secret = "s3cr3t-header-value-42"
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", "key="+r.Header.Get("X-Key"))
		w.Header().Set("Set-Cookie", "session=upstream-session-id; HttpOnly")
		w.Header().Set("X-Long", strings.Repeat("é", 2000))
		for i := range 100 {
			w.Header().Set(fmt.Sprintf("X-Many-%03d", i), "v")
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer up.Close()
	as, _ := decode(t, "kind: Action\nname: h\nmethod: GET\nurl: "+up.URL+"/\nheaders: {X-Key: \"{{secret.K}}\"}\n")
	e := newTestEngine(t, map[string]string{"ACTIONGATE_SECRET_K": secret})
	run := e.Invoke(context.Background(), &Call{Action: as["h"]}).Run
	h := run.ResponseHeaders
	if got := h["X-Echo"]; len(got) != 1 || got[0] != "key="+redact.Mask {
		t.Errorf("X-Echo kept as %q, want the secret masked", got)
	}
	if got := h["Set-Cookie"]; len(got) != 1 || got[0] != redact.Mask {
		t.Errorf("Set-Cookie kept as %q, want it masked", got)
	}
	if got := h["Content-Type"]; len(got) != 1 || got[0] != "application/json" {
		t.Errorf("Content-Type kept as %q", got)
	}
	if len(h) != MaxResponseHeaders {
		t.Errorf("the run keeps %d headers, want %d", len(h), MaxResponseHeaders)
	}
	if long := h["X-Long"]; len(long) != 1 || len(long[0]) > maxResponseHeaderValue+len("…") || !strings.HasSuffix(long[0], "…") {
		t.Errorf("the long header is kept as %d bytes", len(long[0]))
	}
	for name, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, secret) || strings.Contains(v, "upstream-session-id") {
				t.Errorf("header %s keeps a secret: %q", name, v)
			}
		}
	}
}
