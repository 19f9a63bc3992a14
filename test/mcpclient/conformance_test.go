package mcpclient

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// conformanceScenarios are the scenarios of the MCP conformance suite
// (@modelcontextprotocol/conformance) that apply to a server serving
// tools only; the others call the suite's own reference tools, prompts
// and resources, or logging and completion, which this server does not
// declare. dns-rebinding-protection expects loopback servers to refuse a
// foreign Host; this server requires a token on every request instead
// and refuses foreign browser origins (see mcpserver.NewHandler).
var conformanceScenarios = []string{"server-initialize", "ping", "tools-list"}

// conformanceMinNode is the oldest Node.js major version the suite runs
// on (it uses fs.globSync).
const conformanceMinNode = 22

// TestConformance runs the MCP conformance suite's server scenarios
// against /mcp/{agent} and requires every check to succeed. The suite
// sends no token, so it reaches the server through a loopback proxy that
// adds the agent's.
func TestConformance(t *testing.T) {
	e := newEnv(t)
	suite := filepath.Join("node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js")
	if _, err := os.Stat(suite); err != nil {
		t.Skip("the MCP conformance suite is not installed: run `npm ci` in test/mcpclient")
	}
	node, from := e.node, "ACTIONGATE_TEST_NODE"
	if n := os.Getenv("ACTIONGATE_TEST_CONFORMANCE_NODE"); n != "" {
		node, from = n, "ACTIONGATE_TEST_CONFORMANCE_NODE"
	}
	if major := nodeMajor(t, node); major < conformanceMinNode {
		t.Skipf("the MCP conformance suite needs Node.js %d or later; %s is version %d (set ACTIONGATE_TEST_CONFORMANCE_NODE to a newer one; .ci/run installs one)", conformanceMinNode, from, major)
	}
	base, err := url.Parse(e.serve(t))
	if err != nil {
		t.Fatal(err)
	}
	token := e.token
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(base)
		r.Out.Header.Set("Authorization", "Bearer "+token)
	}}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	for _, scenario := range conformanceScenarios {
		t.Run(scenario, func(t *testing.T) {
			for _, c := range runConformance(t, node, suite, front.URL+"/mcp/"+agentName, scenario) {
				if c.Status != "SUCCESS" && c.Status != "INFO" {
					t.Errorf("check %s (%s): %s %s", c.ID, c.Description, c.Status, c.ErrorMessage)
				}
			}
		})
	}
}

// conformanceCheck is one check in the suite's checks.json.
type conformanceCheck struct {
	ID           string `json:"id"`
	Description  string `json:"description"`
	Status       string `json:"status"`
	ErrorMessage string `json:"errorMessage"`
}

// runConformance runs one scenario against url and returns its checks.
func runConformance(t *testing.T, node, suite, url, scenario string) []conformanceCheck {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), clientTimeout)
	defer cancel()
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, node, suite, "server", "--url", url, "--scenario", scenario, "--output-dir", dir)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	var checks []conformanceCheck
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, _ error) error {
		if d != nil && d.Name() == "checks.json" {
			b, rerr := os.ReadFile(path)
			if rerr == nil {
				var cs []conformanceCheck
				if json.Unmarshal(b, &cs) == nil {
					checks = append(checks, cs...)
				}
			}
		}
		return nil
	})
	if len(checks) == 0 {
		t.Fatalf("the suite reported no checks (%v):\n%s", err, out)
	}
	if err != nil {
		t.Errorf("the suite failed: %v\n%s", err, out)
	}
	return checks
}

// nodeMajor returns the major version of the Node.js binary node.
func nodeMajor(t *testing.T, node string) int {
	t.Helper()
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", node, err)
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		t.Fatalf("%s --version printed %q", node, out)
	}
	return n
}
