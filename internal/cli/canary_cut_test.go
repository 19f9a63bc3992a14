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

// canaryCutAgent is the agent of the canary test, reaching the echo
// actions of redacttest.EchoActions.
const canaryCutAgent = `kind: Agent
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

// canaryServer is a real server over the CLI harness's data directory,
// with an admin and an agent token, and what each surface answered.
type canaryServer struct {
	t            *testing.T
	h            *cliHarness
	base         string
	admin, agent string
}

// toolsAPI makes every call through the tools API, following each handle
// with more_results, and returns the answers.
func (s *canaryServer) toolsAPI(cases []canaryCall) []byte {
	var seen []byte
	for _, c := range cases {
		b := httpJSON(s.t, &seen, "POST", s.base+"/api/v1/agents/cut_agent/tools/"+c.action, s.agent, map[string]any{"arguments": c.args})
		var tr struct{ Output, Handle string }
		if err := json.Unmarshal(b, &tr); err != nil {
			s.t.Fatal(err)
		}
		if (c.args["n"] == 0 || c.action == "echo_spelled") && !strings.Contains(tr.Output, redact.Mask) {
			s.t.Fatalf("%v: the echoed secret is not shown masked, so the test would not notice a leak: %s", c, tr.Output)
		}
		if tr.Handle != "" {
			httpJSON(s.t, &seen, "POST", s.base+"/api/v1/agents/cut_agent/tools/more_results", s.agent, map[string]any{"arguments": map[string]any{"handle": tr.Handle}})
		}
	}
	return seen
}

// mcp makes every call with the official MCP client and returns the
// results.
func (s *canaryServer) mcp(cases []canaryCall) []byte {
	client := mcp.NewClient(&mcp.Implementation{Name: "canary", Version: "1"}, nil)
	cs, err := client.Connect(s.t.Context(), &mcp.StreamableClientTransport{
		Endpoint: s.base + "/mcp/cut_agent", HTTPClient: &http.Client{Transport: bearer{s.agent}},
	}, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	defer cs.Close()
	var seen []byte
	for _, c := range cases {
		res, err := cs.CallTool(s.t.Context(), &mcp.CallToolParams{Name: c.action, Arguments: c.args})
		if err != nil {
			s.t.Fatal(err)
		}
		b, _ := json.Marshal(res)
		seen = append(seen, b...)
	}
	return seen
}

// testAPI makes every call through the test API, as an operator.
func (s *canaryServer) testAPI(cases []canaryCall) []byte {
	var seen []byte
	for _, c := range cases {
		httpJSON(s.t, &seen, "POST", s.base+"/api/v1/actions/"+c.action+"/test", s.admin, map[string]any{"arguments": c.args})
	}
	return seen
}

// cli runs action test, human and --json output, for some of the cuts
// inside the secret and the HTML spellings.
func (s *canaryServer) cli(cases []canaryCall) []byte {
	var seen []byte
	for i, c := range cases {
		if i%7 != 3 && !strings.HasPrefix(fmt.Sprint(c.args["spelling"]), "html") {
			continue
		}
		args := []string{"action", "test", c.action}
		for k, v := range c.args {
			args = append(args, "--arg", fmt.Sprintf("%s=%v", k, v))
		}
		wantCode := 0
		if c.args["form"] == "error" {
			wantCode = 1 // the upstream answered 400
		}
		for _, mode := range [][]string{nil, {"--json"}} {
			r := s.h.run("", append(args, mode...)...)
			seen = append(seen, r.stdout+r.stderr...)
			if r.code != wantCode {
				s.t.Fatalf("actiongate %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
			}
		}
	}
	return seen
}

// runsAPI reads every page of the run list and each run alone, and
// returns the answers and the number of runs.
func (s *canaryServer) runsAPI() ([]byte, int) {
	var seen []byte
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
		if err := json.Unmarshal(httpJSON(s.t, &seen, "GET", s.base+"/api/v1/runs?"+q.Encode(), s.admin, nil), &page); err != nil {
			s.t.Fatal(err)
		}
		for _, r := range page.Runs {
			httpJSON(s.t, &seen, "GET", s.base+"/api/v1/runs/"+r.ID, s.admin, nil)
			ids++
		}
		if cursor = page.NextCursor; cursor == "" {
			return seen, ids
		}
	}
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
	h.ok("", "apply", h.file("cut.yaml", redacttest.EchoActions("http://HOST", "canary_rich")+"---\n"+canaryCutAgent))
	tokenOf := regexp.MustCompile(`agt_[a-z0-9]+`)
	s := &canaryServer{t: t, h: h,
		admin: tokenOf.FindString(h.ok("", "token", "create", "--name", "adm", "--admin").stdout),
		agent: tokenOf.FindString(h.ok("", "token", "create", "--name", "cut", "--agent", "cut_agent").stdout),
	}
	if s.admin == "" || s.agent == "" {
		t.Fatal("no tokens printed")
	}
	h.vars["ACTIONGATE_ADDR"] = "127.0.0.1:0"
	base, serveOutput, stopServe := startServe(t, h.vars)
	stop := sync.OnceValue(stopServe)
	defer stop()
	s.base = base

	cases := cutCases(secret)
	leaks("tool results", s.toolsAPI(cases))
	leaks("MCP results", s.mcp(cases))
	leaks("test API answers", s.testAPI(cases))
	leaks("CLI output", s.cli(cases))
	runs, n := s.runsAPI()
	if n < 3*len(cases) {
		t.Fatalf("the runs API listed %d runs for %d calls per surface", n, len(cases))
	}
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
