package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/redact"
	"github.com/actiongate/actiongate/internal/redact/redacttest"
)

const canaryCutResources = `kind: Action
name: echo_cut
description: Echoes the padding it is given, then the stored secret.
method: GET
url: http://HOST/echo
query:
  k: "{{secret.canary_rich}}"
  form: "{{form}}"
  pad: "{{pad}}"
  n: "{{n}}"
params:
  form: {type: string, required: true}
  pad: {type: string, default: ""}
  n: {type: integer, default: 0}
response:
  max_string: 40
---
kind: Action
name: echo_spelled
description: Echoes the stored secret spelled in the given encoding.
method: GET
url: http://HOST/echo
query:
  k: "{{secret.canary_rich}}"
  form: "spell:{{spelling}}"
params:
  spelling: {type: string, required: true}
---
kind: Agent
name: cut_agent
description: Reads echoes.
actions: [echo_cut, echo_spelled]
`

// canaryCall is one tool call of the canary test.
type canaryCall struct {
	action string
	args   map[string]any
}

// cutCases are the calls that move the cut across the echoed secret
// (strings are cut at 40 characters, the secret has 39) in every response
// shape, move the end of the 64 KiB excerpt across it, and have the
// upstream spell it, whole, in every encoding.
func cutCases(secret string) []canaryCall {
	var cases []canaryCall
	for _, form := range []string{"json", "text", "html", "error", "list"} {
		for n := 0; n <= 42; n++ {
			cases = append(cases, canaryCall{"echo_cut", map[string]any{"form": form, "n": n}})
		}
	}
	for n := 65536 - len(secret); n <= 65536; n += 5 {
		cases = append(cases, canaryCall{"echo_cut", map[string]any{"form": "text", "n": n}})
	}
	for name := range redacttest.Spellings(secret) {
		cases = append(cases, canaryCall{"echo_spelled", map[string]any{"spelling": name}})
	}
	return cases
}

// httpJSON sends a JSON request with a bearer token, records the answer in
// *seen and returns it.
func httpJSON(t *testing.T, seen *[]byte, method, url, token string, body any) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	*seen = append(*seen, b...)
	return b
}

// bearer adds a bearer token to every request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestSecretCanaryThroughCutsAndEscapes runs a real server on a secret that
// the upstream echoes behind padding the caller moves across every cut, and
// spells in every encoding a body can carry, through every surface: the
// tools API with more_results, MCP through the official client, the test
// API, the CLI's action test in both output modes; then it searches the
// runs API, the logs, the process output and the database files.
func TestSecretCanaryThroughCutsAndEscapes(t *testing.T) {
	secret, head := redacttest.Canary()
	leaks := func(what string, b []byte) {
		t.Helper()
		if found := redacttest.Find(b, secret, head); len(found) > 0 {
			t.Errorf("the secret appears in %s as %s", what, strings.Join(found, ", "))
		}
	}
	processOutput := captureProcessOutput(t)
	h := newCLI(t)
	h.vars["ACTIONGATE_LOG_LEVEL"] = "debug"
	h.ok(secret+"\n", "secret", "set", "canary_rich")
	h.ok("", "apply", h.file("cut.yaml", canaryCutResources))
	tokenOf := regexp.MustCompile(`agt_[a-z0-9]+`)
	admin := tokenOf.FindString(h.ok("", "token", "create", "--name", "adm", "--admin").stdout)
	agent := tokenOf.FindString(h.ok("", "token", "create", "--name", "cut", "--agent", "cut_agent").stdout)
	if admin == "" || agent == "" {
		t.Fatal("no tokens printed")
	}
	h.vars["ACTIONGATE_ADDR"] = "127.0.0.1:0"
	base, serveOutput, stopServe := startServe(t, h.vars)
	stop := sync.OnceValue(stopServe)
	defer stop()
	var tools, mcpOut, tests, cli, runs []byte
	cases := cutCases(secret)

	// The tools API, following every handle with more_results.
	for _, c := range cases {
		b := httpJSON(t, &tools, "POST", base+"/api/v1/agents/cut_agent/tools/"+c.action, agent, map[string]any{"arguments": c.args})
		var tr struct{ Output, Handle string }
		if err := json.Unmarshal(b, &tr); err != nil {
			t.Fatal(err)
		}
		if (c.args["n"] == 0 || c.action == "echo_spelled") && !strings.Contains(tr.Output, redact.Mask) {
			t.Fatalf("%v: the echoed secret is not shown masked, so the test would not notice a leak: %s", c, tr.Output)
		}
		if tr.Handle != "" {
			httpJSON(t, &tools, "POST", base+"/api/v1/agents/cut_agent/tools/more_results", agent, map[string]any{"arguments": map[string]any{"handle": tr.Handle}})
		}
	}

	// MCP, through the official client.
	client := mcp.NewClient(&mcp.Implementation{Name: "canary", Version: "1"}, nil)
	cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{
		Endpoint: base + "/mcp/cut_agent", HTTPClient: &http.Client{Transport: bearer{agent}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	for _, c := range cases {
		res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: c.action, Arguments: c.args})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res)
		mcpOut = append(mcpOut, b...)
	}

	// The test API, as an operator.
	for _, c := range cases {
		httpJSON(t, &tests, "POST", base+"/api/v1/actions/"+c.action+"/test", admin, map[string]any{"arguments": c.args})
	}

	// The CLI, human and --json output, at some cuts inside the secret and
	// for the HTML spellings.
	for i, c := range cases {
		args := []string{"action", "test", c.action}
		for k, v := range c.args {
			args = append(args, "--arg", fmt.Sprintf("%s=%v", k, v))
		}
		if i%7 != 3 && !strings.HasPrefix(fmt.Sprint(c.args["spelling"]), "html") {
			continue
		}
		for _, mode := range [][]string{nil, {"--json"}} {
			r := h.run("", append(args, mode...)...)
			cli = append(cli, r.stdout+r.stderr...)
			wantCode := 0
			if c.args["form"] == "error" {
				wantCode = 1 // the upstream answered 400
			}
			if r.code != wantCode {
				t.Fatalf("actiongate %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
			}
		}
	}

	// The runs API: every page of the list, and each run alone.
	ids := 0
	for cursor := ""; ; {
		var page struct {
			Runs       []struct{ ID string }
			NextCursor string `json:"next_cursor"`
		}
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if err := json.Unmarshal(httpJSON(t, &runs, "GET", base+"/api/v1/runs?"+q.Encode(), admin, nil), &page); err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Runs {
			httpJSON(t, &runs, "GET", base+"/api/v1/runs/"+r.ID, admin, nil)
			ids++
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if ids < 3*len(cases) {
		t.Fatalf("the runs API listed %d runs for %d calls per surface", ids, len(cases))
	}

	leaks("tool results", tools)
	leaks("MCP results", mcpOut)
	leaks("test API answers", tests)
	leaks("CLI output", cli)
	leaks("runs API answers", runs)
	searchDataDir(t, h.vars["ACTIONGATE_DATA_DIR"], "open:", true, leaks)
	if code := stop(); code != 0 {
		t.Errorf("serve exited with %d", code)
	}
	if !strings.Contains(serveOutput.String(), `"call"`) && !strings.Contains(serveOutput.String(), "msg=call") {
		t.Fatalf("the server logged no calls, so the log search proves nothing:\n%s", serveOutput)
	}
	leaks("the server's logs", []byte(serveOutput.String()))
	searchDataDir(t, h.vars["ACTIONGATE_DATA_DIR"], "closed:", false, leaks)
	leaks("the process's own stdout and stderr", processOutput())
}
