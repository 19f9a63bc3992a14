package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/redact"
	"github.com/actiongate/actiongate/internal/runlog"
)

const canaryResources = `kind: Credential
name: canary_cred
type: bearer
hosts: [127.0.0.1]
token: {secret: canary_token}
---
kind: Action
name: echo_ok
description: Echoes the request, which carries the secret in a header, the query and the bearer token.
method: GET
url: http://HOST/anything/echo
query:
  key: "{{secret.canary_token}}"
  q: "{{q}}"
headers:
  X-Canary: "{{secret.canary_token}}"
auth: canary_cred
params:
  q: {type: string, required: true, max_length: 10}
---
kind: Action
name: echo_fail
description: Fails with 500, echoing the headers and query back.
method: GET
url: http://HOST/fail
query:
  key: "{{secret.canary_token}}"
headers:
  X-Canary: "{{secret.canary_token}}"
auth: canary_cred
retries: 0
---
kind: Action
name: echo_slow
description: Times out.
method: GET
url: http://HOST/delay/2
query:
  key: "{{secret.canary_token}}"
headers:
  X-Canary: "{{secret.canary_token}}"
auth: canary_cred
timeout: 150ms
retries: 0
---
kind: Action
name: echo_write
description: Posts the secret in the body and echoes it back.
method: POST
url: http://HOST/anything/write
headers:
  X-Canary: "{{secret.canary_token}}"
auth: canary_cred
body:
  type: json
  content: {token: "{{secret.canary_token}}", note: "{{note}}"}
params:
  note: {type: string, required: true}
---
kind: Agent
name: canary_agent
description: Uses every canary action.
actions: [echo_ok, echo_fail, echo_slow, echo_write]
`

// captureProcessOutput sends the process's own stdout and stderr, where
// anything logging outside the command's streams ends up, to a file until
// the test ends, and returns a function reading what was written.
func captureProcessOutput(t *testing.T) func() []byte {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "process-output-*")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = f, f
	restored := false
	restore := func() {
		if !restored {
			os.Stdout, os.Stderr = stdout, stderr
			restored = true
		}
	}
	t.Cleanup(func() { restore(); f.Close() })
	return func() []byte {
		restore()
		return readFile(t, f.Name())
	}
}

// TestSecretCanary stores a secret with a unique value, runs actions that
// use it in a bearer credential, a header, a query parameter and a body
// through every success and failure path, against an upstream that echoes
// the request back, and then searches everything actiongate wrote: command
// output, logs, run records, tool results and the database files.
func TestSecretCanary(t *testing.T) {
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		t.Fatal(err)
	}
	canary := "cnry" + hex.EncodeToString(raw[:])
	// The spellings a leak could take: plain (also its URL and JSON forms,
	// the value being alphanumeric) and base64.
	spellings := []string{canary, base64.StdEncoding.EncodeToString([]byte(canary)), base64.RawURLEncoding.EncodeToString([]byte(canary))}
	leaks := func(what string, b []byte) {
		t.Helper()
		for _, s := range spellings {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("the canary (as %q) appears in %s", s, what)
			}
		}
	}

	processOutput := captureProcessOutput(t)
	h := newCLI(t)
	h.vars["ACTIONGATE_LOG_LEVEL"] = "debug"
	var outputs []result
	cmd := func(wantCode int, stdin string, args ...string) result {
		t.Helper()
		r := h.run(stdin, args...)
		outputs = append(outputs, r)
		if r.code != wantCode {
			t.Fatalf("actiongate %s: exit %d, want %d\n%s\n%s", strings.Join(args, " "), r.code, wantCode, r.stdout, r.stderr)
		}
		return r
	}

	cmd(0, canary+"\n", "secret", "set", "canary_token")
	res := h.file("canary.yaml", canaryResources)
	cmd(0, "", "apply", res)

	// Stored actions, each recorded as a run, human and --json output.
	for _, mode := range [][]string{nil, {"--json"}} {
		tst := func(code int, args ...string) result {
			return cmd(code, "", append(append([]string{"action", "test"}, args...), mode...)...)
		}
		ok := tst(0, "echo_ok", "--arg", "q=hi")
		if !strings.Contains(ok.stdout, redact.Mask) {
			t.Fatalf("the echoed secret was not masked in the output, so the test would not notice a leak:\n%s", ok.stdout)
		}
		tst(1, "echo_fail")
		tst(1, "echo_slow")
		tst(1, "echo_ok")                                  // missing argument
		tst(1, "echo_ok", "--arg", "q=far-too-long-value") // invalid argument
		tst(0, "echo_ok", "--arg", "q=dry", "--dry-run")
		tst(1, "echo_write", "--arg", "note=unconfirmed") // write without --yes: not sent
		tst(0, "echo_write", "--arg", "note=confirmed", "--yes")
		tst(0, "echo_write", "--arg", "note=dry", "--dry-run", "--yes")
	}
	// The same from the file, the secret coming from the environment.
	h.vars["ACTIONGATE_SECRET_CANARY_TOKEN"] = canary
	cmd(0, "", "action", "test", "-f", res, "echo_ok", "--arg", "q=file")
	cmd(0, "", "action", "test", "-f", res, "echo_ok", "--arg", "q=file", "--json")
	cmd(1, "", "action", "test", "-f", res, "echo_fail", "--json")
	delete(h.vars, "ACTIONGATE_SECRET_CANARY_TOKEN")
	cmd(0, "", "secret", "list")
	cmd(0, "", "export")
	cmd(0, "", "token", "create", "--agent", "canary_agent", "--name", "canary")
	cmd(0, "", "token", "list")

	// Tool calls of the agent through the gateway, with its logs at debug
	// level; a write waits for confirmation, which is then approved.
	var logs bytes.Buffer
	g, err := gateway.Open(context.Background(), h.config(), gateway.Options{
		Getenv: func(k string) string { return h.vars[k] },
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	var tools []byte
	call := func(tool string, args map[string]any) *gateway.ToolResult {
		t.Helper()
		tr, err := g.CallTool(ctx, runlog.CallerTools, "canary_agent", tool, args, gateway.CallContext{})
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		b, _ := json.Marshal(tr)
		tools = append(tools, b...)
		return tr
	}
	if tr := call("echo_ok", map[string]any{"q": "tool"}); tr.Status != gateway.StatusOK {
		t.Fatalf("echo_ok tool call: %+v", tr)
	}
	call("echo_fail", nil)
	call("echo_slow", nil)
	call("echo_ok", map[string]any{"q": 42})
	pending := call("echo_write", map[string]any{"note": "tool"})
	if pending.Status != gateway.StatusConfirmationRequired {
		t.Fatalf("echo_write tool call: %+v", pending)
	}
	done, err := g.Decide(ctx, gateway.Operator(), pending.ConfirmationID, true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(done)
	tools = append(tools, b...)

	// The upstream did receive the secret, in every place it was put.
	var got struct{ auth, header, query, body bool }
	for _, r := range h.up.requests() {
		got.auth = got.auth || r.Header.Get("Authorization") == "Bearer "+canary
		got.header = got.header || r.Header.Get("X-Canary") == canary
		got.query = got.query || strings.Contains(r.Query, "key="+canary)
		got.body = got.body || strings.Contains(r.Body, `"token":"`+canary+`"`)
	}
	if !got.auth || !got.header || !got.query || !got.body {
		t.Fatalf("the upstream did not receive the canary everywhere (auth, header, query, body): %+v", got)
	}

	// Run records, listed and one by one.
	runs, _, err := g.ListRuns(ctx, gateway.RunFilter{Limit: gateway.MaxRunLimit})
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, r := range runs {
		outcomes[r.Outcome]++
		one, err := g.GetRun(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(one)
		leaks("run "+r.ID, b)
	}
	b, _ = json.Marshal(runs)
	leaks("the run list", b)
	if outcomes[runlog.OutcomeOK] == 0 || outcomes[runlog.OutcomeError] == 0 || outcomes[runlog.OutcomeDryRun] == 0 || outcomes[runlog.OutcomeConfirmationRequired] == 0 {
		t.Fatalf("runs do not cover every path: %v", outcomes)
	}

	leaks("tool results", tools)
	leaks("the gateway logs", logs.Bytes())
	for _, r := range outputs {
		leaks("command output", []byte(r.stdout+r.stderr))
	}
	if logs.Len() == 0 {
		t.Fatal("the gateway logged nothing, so the log search proves nothing")
	}

	// The database files, with the write-ahead log still open, then after
	// closing, and everything else in the data directory.
	searchDataDir(t, h.vars["ACTIONGATE_DATA_DIR"], "open:", true, leaks)
	g.Close()
	searchDataDir(t, h.vars["ACTIONGATE_DATA_DIR"], "closed:", false, leaks)

	leaks("the process's own stdout and stderr", processOutput())
}

// searchDataDir runs leaks on every file of the data directory dir; open
// says the database is open, so its write-ahead log must be there too.
func searchDataDir(t *testing.T, dir, when string, open bool, leaks func(what string, b []byte)) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "actiongate.db-wal")); open && err != nil {
		t.Fatalf("no write-ahead log while the database is open: %v", err)
	}
	seen := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		seen++
		leaks(when+" "+d.Name(), readFile(t, path))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("no data files found")
	}
}
