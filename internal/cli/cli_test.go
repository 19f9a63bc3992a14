package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/redact/redacttest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// upstreamRequest is what the test upstream received.
type upstreamRequest struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   string
}

// upstream is a loopback HTTP API: go-httpbin, plus /fail, which echoes
// the request's headers and query back with status 500, and /echo, which
// echoes a secret behind padding (redacttest.Echo). It records every
// request it receives.
type upstream struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []upstreamRequest
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{}
	bin, echo := httpbin.New(), redacttest.Echo()
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, upstreamRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
		u.mu.Unlock()
		if r.URL.Path == "/fail" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": "boom", "headers": r.Header, "query": r.URL.Query()})
			return
		}
		if r.URL.Path == "/echo" {
			echo.ServeHTTP(w, r)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		bin.ServeHTTP(w, r)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

// host returns the upstream's host:port.
func (u *upstream) host() string { return strings.TrimPrefix(u.srv.URL, "http://") }

// requests returns a copy of what the upstream received so far.
func (u *upstream) requests() []upstreamRequest {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]upstreamRequest(nil), u.reqs...)
}

// cliHarness runs the command line in-process against a fresh data
// directory and a loopback upstream.
type cliHarness struct {
	t    *testing.T
	dir  string
	vars map[string]string
	up   *upstream
}

func newCLI(t *testing.T) *cliHarness {
	t.Helper()
	dir := t.TempDir()
	return &cliHarness{
		t:   t,
		dir: dir,
		vars: map[string]string{
			"ACTIONGATE_DATA_DIR":     filepath.Join(dir, "data"),
			"ACTIONGATE_EGRESS_ALLOW": "127.0.0.0/8",
		},
		up: newUpstream(t),
	}
}

// result is one command line's outcome.
type result struct {
	code           int
	stdout, stderr string
}

// run executes `actiongate args...` with stdin and returns its outcome.
func (h *cliHarness) run(stdin string, args ...string) result {
	h.t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(k string) string { return h.vars[k] }}
	code := run(context.Background(), args, e)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// ok runs a command that must succeed.
func (h *cliHarness) ok(stdin string, args ...string) result {
	h.t.Helper()
	r := h.run(stdin, args...)
	if r.code != 0 {
		h.t.Fatalf("actiongate %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// fails runs a command that must exit with code 1.
func (h *cliHarness) fails(stdin string, args ...string) result {
	h.t.Helper()
	r := h.run(stdin, args...)
	if r.code != 1 {
		h.t.Fatalf("actiongate %s: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// file writes a file in the test directory, replacing HOST with the
// upstream's host:port, and returns its path.
func (h *cliHarness) file(name, content string) string {
	h.t.Helper()
	p := filepath.Join(h.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(content, "HOST", h.up.host())), 0o644); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// gateway opens the data directory the way the commands do; the caller
// closes it.
func (h *cliHarness) gateway() *gateway.Gateway {
	h.t.Helper()
	g, err := gateway.Open(context.Background(), h.config(), gateway.Options{Getenv: func(k string) string { return h.vars[k] }})
	if err != nil {
		h.t.Fatal(err)
	}
	return g
}

// config loads the configuration the commands see.
func (h *cliHarness) config() *config.Config {
	h.t.Helper()
	cfg, err := config.Load(func(k string) string { return h.vars[k] }, "")
	if err != nil {
		h.t.Fatal(err)
	}
	return cfg
}

// runs returns every recorded run, newest first.
func (h *cliHarness) runs() []runlog.Run {
	h.t.Helper()
	st := gatewaytest.OpenStore(h.t, h.config())
	rs, _, err := st.ListRuns(context.Background(), gateway.RunFilter{Limit: gateway.MaxRunLimit})
	if err != nil {
		h.t.Fatal(err)
	}
	return rs
}

// The resources most tests apply: a bearer credential
// using a stored secret, a read, a write and a failing action, and an agent.
const credentialYAML = `kind: Credential
name: bin
type: bearer
hosts: [127.0.0.1]
token: {secret: bin_token}
`

const actionsYAML = `kind: Action
name: get_thing
description: Fetch one thing by id.
method: GET
url: http://HOST/anything/things/{{id}}
query:
  q: "{{q}}"
auth: bin
params:
  id: {type: string, required: true, description: The thing's id}
  q: {type: string, default: all}
response:
  select: "{method, url, args}"
---
kind: Action
name: create_thing
description: Create a thing.
method: POST
url: http://HOST/anything/things
auth: bin
body:
  type: json
  content: {name: "{{name}}"}
params:
  name: {type: string, required: true}
---
kind: Action
name: teapot
description: Always fails.
method: GET
url: http://HOST/status/418
`

const agentYAML = `kind: Agent
name: helper
description: Helps.
actions: [get_thing, create_thing]
`

// resourceDir writes the standard resources into dir/res and returns it.
func (h *cliHarness) resourceDir() string {
	h.t.Helper()
	h.file("res/1-credential.yaml", credentialYAML)
	h.file("res/2-actions.yaml", actionsYAML)
	h.file("res/3-agent.yaml", agentYAML)
	return filepath.Join(h.dir, "res")
}

func TestUnknownCommandExitsNonZero(t *testing.T) {
	h := newCLI(t)
	r := h.fails("", "frobnicate")
	if !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("stderr = %q", r.stderr)
	}
}

func TestValidateExitCodesAndOutput(t *testing.T) {
	h := newCLI(t)
	dir := h.resourceDir()
	r := h.ok("", "validate", dir)
	if strings.TrimSpace(r.stdout) != "ok: 5 resource(s) valid" || r.stderr != "" {
		t.Fatalf("validate of valid files: %+v", r)
	}
	broken := h.file("broken.yaml", brokenYAML)
	r = h.fails("", "validate", broken)
	for _, want := range []string{broken + ":4:9: actions[broken].method: must be one of", broken + ":7:", "problem(s) found"} {
		if !strings.Contains(r.stderr, want) {
			t.Fatalf("validate stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Fatalf("validate of broken files wrote to stdout: %q", r.stdout)
	}
	h.fails("", "validate", filepath.Join(h.dir, "missing.yaml"))
	// validate never touches the database.
	if _, err := os.Stat(h.vars["ACTIONGATE_DATA_DIR"]); err == nil {
		t.Fatal("validate created the data directory")
	}
}

// fileTestResources are resources for `action test -f`: file mode reads
// secrets from ACTIONGATE_SECRET_* variables.
func (h *cliHarness) fileTestResources() string {
	h.t.Helper()
	h.vars["ACTIONGATE_SECRET_BIN_TOKEN"] = "file-mode-token"
	return h.file("res.yaml", credentialYAML+"---\n"+actionsYAML)
}

func TestActionTestFromFileHumanOutput(t *testing.T) {
	h := newCLI(t)
	res := h.fileTestResources()
	r := h.ok("", "action", "test", "get_thing", "-f", res, "--arg", "id=42")
	for _, want := range []string{
		"→ GET http://" + h.up.host() + "/anything/things/42?q=all",
		"Authorization: Bearer ••••",
		"← 200 OK",
		"What the model receives",
		`"method":"GET"`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "file-mode-token") {
		t.Fatalf("the secret appears in the output:\n%s", r.stdout)
	}
	reqs := h.up.requests()
	if len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer file-mode-token" {
		t.Fatalf("upstream received %+v", reqs)
	}
}

// testJSON runs `action test --json` and decodes the record.
func (h *cliHarness) testJSON(wantCode int, args ...string) map[string]any {
	h.t.Helper()
	r := h.run("", append([]string{"action", "test", "--json"}, args...)...)
	if r.code != wantCode {
		h.t.Fatalf("action test %v: exit %d, want %d\n%s\n%s", args, r.code, wantCode, r.stdout, r.stderr)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		h.t.Fatalf("--json output is not one JSON object: %v\n%s", err, r.stdout)
	}
	return rec
}

func TestActionTestJSONFieldsAndExitCodes(t *testing.T) {
	h := newCLI(t)
	res := h.fileTestResources()

	rec := h.testJSON(0, "get_thing", "-f", res, "--arg", "id=7", "--arg", "q=blue")
	for _, field := range []string{"request", "status", "duration_ms", "raw_bytes", "raw_tokens", "output_tokens", "output"} {
		if _, ok := rec[field]; !ok {
			t.Fatalf("--json lacks %q: %v", field, rec)
		}
	}
	if rec["status"] != float64(200) || rec["outcome"] != "ok" || rec["raw_bytes"].(float64) <= 0 || rec["output_tokens"].(float64) <= 0 {
		t.Fatalf("record: %v", rec)
	}
	if req := rec["request"].(map[string]any); !strings.HasSuffix(req["url"].(string), "/anything/things/7?q=blue") {
		t.Fatalf("request: %v", req)
	}

	// 4xx: exit 1, with the status and an error in the record.
	rec = h.testJSON(1, "teapot", "-f", res)
	if rec["status"] != float64(418) || rec["error"] == "" || rec["error"] == nil {
		t.Fatalf("teapot record: %v", rec)
	}

	// Invalid arguments: exit 1, nothing sent.
	sent := len(h.up.requests())
	rec = h.testJSON(1, "get_thing", "-f", res)
	if rec["outcome"] != "error" || !strings.Contains(rec["output"].(string), "invalid_arguments") {
		t.Fatalf("missing argument record: %v", rec)
	}

	// A write without --yes sends nothing and exits 1.
	rec = h.testJSON(1, "create_thing", "-f", res, "--arg", "name=x")
	if rec["outcome"] != "dry_run" || rec["status"] != float64(0) {
		t.Fatalf("write without --yes: %v", rec)
	}
	r := h.fails("", "action", "test", "create_thing", "-f", res, "--arg", "name=x")
	if !strings.Contains(r.stdout, "Re-run with --yes") {
		t.Fatalf("write without --yes, human output:\n%s", r.stdout)
	}
	// --dry-run sends nothing and succeeds.
	r = h.ok("", "action", "test", "get_thing", "-f", res, "--arg", "id=1", "--dry-run")
	if !strings.Contains(r.stdout, "Dry run: nothing was sent.") {
		t.Fatalf("dry run output:\n%s", r.stdout)
	}
	if n := len(h.up.requests()); n != sent {
		t.Fatalf("%d request(s) reached the upstream without --yes or with --dry-run", n-sent)
	}
	// With --yes the write is sent.
	rec = h.testJSON(0, "create_thing", "-f", res, "--arg", "name=x", "--yes")
	reqs := h.up.requests()
	if rec["status"] != float64(200) || len(reqs) != sent+1 || reqs[sent].Method != http.MethodPost || reqs[sent].Body != `{"name":"x"}` {
		t.Fatalf("write with --yes: %v, upstream %+v", rec, reqs[sent:])
	}
}

func TestActionTestStoredRecordsRun(t *testing.T) {
	h := newCLI(t)
	h.ok("stored-token\n", "secret", "set", "bin_token")
	h.ok("", "apply", h.resourceDir())

	r := h.ok("", "action", "test", "get_thing", "--arg", "id=99")
	m := regexp.MustCompile(`Recorded as run (\S+)\.`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no run id in output:\n%s", r.stdout)
	}
	reqs := h.up.requests()
	if len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer stored-token" || reqs[0].Path != "/anything/things/99" {
		t.Fatalf("upstream received %+v", reqs)
	}

	runs := h.runs()
	if len(runs) != 1 {
		t.Fatalf("%d runs recorded, want 1", len(runs))
	}
	run := runs[0]
	if run.ID != m[1] || run.Action != "get_thing" || run.Caller != runlog.CallerCLI || run.Status != 200 || run.Outcome != runlog.OutcomeOK {
		t.Fatalf("recorded run: %+v", run)
	}
	if run.Arguments["id"] != "99" || run.Request == nil || run.Request.Headers["Authorization"][0] != "Bearer ••••" {
		t.Fatalf("recorded run request: %+v %+v", run.Arguments, run.Request)
	}

	// A failing stored action exits 1 and is recorded too.
	h.fails("", "action", "test", "teapot")
	if runs := h.runs(); len(runs) != 2 || runs[0].Status != 418 || runs[0].Outcome != runlog.OutcomeError {
		t.Fatalf("runs after teapot: %+v", runs)
	}
	// An unknown stored action is a clear error and records nothing.
	r = h.fails("", "action", "test", "nope")
	if !strings.Contains(r.stderr, `no stored action named "nope"`) {
		t.Fatalf("stderr: %s", r.stderr)
	}
}
