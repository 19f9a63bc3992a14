package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

func importBody(t *testing.T, format, source string, apply bool) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"format": format, "source": source, "apply": apply})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestImportCurlAppliesWithoutAnsweringItsSecret(t *testing.T) {
	f := newAdminFixture(t)
	const token = "sk_live_import_canary_93a1"
	line := `curl -X POST ` + f.upstreamURL() + `/anything/orders -H 'Authorization: Bearer ` + token + `' --json '{"sku":"A-1","quantity":2}'`

	status, out := f.do("POST", "/api/v1/import", f.admin, importBody(t, "curl", line, false))
	if status != 200 {
		t.Fatalf("preview: %d %v", status, out)
	}
	if v, _ := jsonAt(out, "summary/imported/0"); v == nil {
		t.Fatalf("preview imported nothing: %v", out)
	}
	if y, _ := out["yaml"].(string); !strings.Contains(y, "kind: Action") || !strings.Contains(y, "{{sku}}") {
		t.Errorf("preview YAML:\n%s", y)
	}
	if v, _ := jsonAt(out, "unset_secrets/0"); v == nil {
		t.Errorf("the bearer token's secret is not listed as unset: %v", out)
	}
	if _, ok := out["applied"]; ok {
		t.Errorf("a preview applied: %v", out["applied"])
	}
	name, _ := jsonAt(out, "summary/imported/0")
	if st, _ := f.do("GET", "/api/v1/actions/"+name.(string), f.admin, ""); st != 404 {
		t.Errorf("a preview stored the action: %d", st)
	}

	status, out = f.do("POST", "/api/v1/import", f.admin, importBody(t, "curl", line, true))
	if status != 200 {
		t.Fatalf("apply: %d %v", status, out)
	}
	if v, _ := jsonAt(out, "applied/0/change"); v != "created" {
		t.Errorf("apply: %v", out["applied"])
	}
	if st, got := f.do("GET", "/api/v1/actions/"+name.(string), f.admin, ""); st != 200 {
		t.Errorf("the applied action: %d %v", st, got)
	}
	for _, b := range f.bodies {
		if strings.Contains(b, token) {
			t.Fatalf("an answer holds the cURL line's token:\n%s", b)
		}
	}
	if f.logs.String() == "" {
		t.Error("the gateway logged nothing: the log check below checks nothing")
	}
	if strings.Contains(f.logs.String(), token) {
		t.Errorf("the log holds the cURL line's token:\n%s", f.logs.String())
	}
	// The database (SQLite file and its write-ahead log) holds no copy.
	_ = filepath.WalkDir(f.cfg.DataDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the cURL line's token", p)
		}
		return nil
	})
}

func TestImportRefusals(t *testing.T) {
	f := newAdminFixture(t)
	ctx := context.Background()
	if _, err := f.g.Apply(ctx, []action.Resource{{Kind: action.KindAgent, Agent: &action.Agent{Name: "support"}}}); err != nil {
		t.Fatal(err)
	}
	agent, _, err := f.g.CreateToken(ctx, "bot", false, "support")
	if err != nil {
		t.Fatal(err)
	}
	line := `curl ` + f.upstreamURL() + `/anything`
	for _, c := range []struct {
		name, token, body string
		status            int
		field             string
	}{
		{"unknown format", f.admin, importBody(t, "wsdl", line, false), 400, "format"},
		{"unreadable source", f.admin, importBody(t, "curl", "curl 'http://unclosed", false), 400, "source"},
		{"no token", "", importBody(t, "curl", line, false), 401, ""},
		{"agent token", agent, importBody(t, "curl", line, false), 403, ""},
	} {
		status, out := f.do("POST", "/api/v1/import", c.token, c.body)
		if status != c.status {
			t.Errorf("%s: %d %v, want %d", c.name, status, out, c.status)
			continue
		}
		if c.field != "" {
			if v, _ := jsonAt(out, "error/fields/"+c.field); v == nil {
				t.Errorf("%s: the error does not name %s: %v", c.name, c.field, out)
			}
		}
	}
}

func TestImportBodyOverTheBoundIsRefusedEarly(t *testing.T) {
	f := newAdminFixture(t)
	big := `{"format":"openapi","source":"` + strings.Repeat("a", 70<<20) + `"}`
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	status, out := f.do("POST", "/api/v1/import", f.admin, big)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if status != 413 {
		t.Fatalf("a 70 MiB body: %d %v", status, out)
	}
	if elapsed > 5*time.Second {
		t.Errorf("refusing a 70 MiB body took %v", elapsed)
	}
	// The test holds the body (70 MiB) and the client copies it once; the
	// server must not hold a decoded copy on top.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 400<<20 {
		t.Errorf("refusing a 70 MiB body allocated %d MiB", grew>>20)
	}
}
