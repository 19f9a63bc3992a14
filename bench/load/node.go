package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// driverScript is the TypeScript SDK load driver, written into the Node
// cache directory.
//
//go:embed driver.mjs
var driverScript []byte

// nodePackages are the npm packages of the Node scenarios, at exact
// versions: the OpenAPI-to-MCP server compared with ours and the official
// TypeScript SDK whose client drives both.
const nodePackages = `{
  "name": "actiongate-load-node",
  "private": true,
  "type": "module",
  "dependencies": {
    "@ivotoby/openapi-mcp-server": "1.16.1",
    "@modelcontextprotocol/sdk": "1.32.2"
  }
}
`

// nodeServerBin is the Node server's entry point inside the cache.
const nodeServerBin = "node_modules/@ivotoby/openapi-mcp-server/bin/mcp-server.js"

// installTimeout bounds npm install.
const installTimeout = 5 * time.Minute

// nodeEnv is a Node.js binary and a cache directory holding the Node
// packages and the driver.
type nodeEnv struct {
	node  string
	cache string
}

// findNode resolves the -node flag: "off" disables the Node scenarios,
// "auto" uses node from PATH when there is one, anything else is the path
// of the node binary. It returns "" when the Node scenarios do not run.
func findNode(flag string) (string, error) {
	switch flag {
	case "off":
		return "", nil
	case "auto":
		p, err := exec.LookPath("node")
		if err != nil {
			return "", nil
		}
		return p, nil
	}
	if _, err := os.Stat(flag); err != nil {
		return "", fmt.Errorf("-node: %w", err)
	}
	return flag, nil
}

// defaultNodeCache is where the Node packages are installed unless
// -node-cache says otherwise: the user's cache directory, outside the
// repository.
func defaultNodeCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "actiongate-load", "node")
}

// setupNode installs the packages into cache (once: npm install runs only
// when the server package is missing) and writes the driver.
func setupNode(ctx context.Context, node, cache string) (*nodeEnv, error) {
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, fmt.Errorf("node cache: %w", err)
	}
	if _, err := os.Stat(filepath.Join(cache, nodeServerBin)); err != nil {
		if err := os.WriteFile(filepath.Join(cache, "package.json"), []byte(nodePackages), 0o644); err != nil {
			return nil, fmt.Errorf("node cache: %w", err)
		}
		npm := filepath.Join(filepath.Dir(node), "npm")
		if _, err := os.Stat(npm); err != nil {
			if npm, err = exec.LookPath("npm"); err != nil {
				return nil, fmt.Errorf("installing the Node packages: npm is neither beside %s nor on PATH", node)
			}
		}
		ictx, cancel := context.WithTimeout(ctx, installTimeout)
		defer cancel()
		cmd := exec.CommandContext(ictx, npm, "install", "--no-audit", "--no-fund", "--no-save")
		cmd.Dir = cache
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("installing the Node packages into %s (npm install): %w\n%s", cache, err, b)
		}
	}
	if err := os.WriteFile(filepath.Join(cache, "driver.mjs"), driverScript, 0o644); err != nil {
		return nil, fmt.Errorf("node cache: %w", err)
	}
	return &nodeEnv{node: node, cache: cache}, nil
}

// openAPIDoc describes the upstream's payload endpoints as OpenAPI 3.0,
// one GET operation per payload named after its action, as a team would
// describe the API for an OpenAPI-to-MCP server.
func openAPIDoc(upstream string, ps map[string]*payload) ([]byte, error) {
	paths := map[string]any{}
	for _, n := range []string{"1k", "5k", "100k"} {
		p := ps[n]
		paths["/p/"+n+"/{id}"] = map[string]any{"get": map[string]any{
			"operationId": p.action,
			"summary":     "Fetch the " + n + " payload for an id.",
			"parameters": []any{map[string]any{"name": "id", "in": "path", "required": true,
				"description": "The record to fetch", "schema": map[string]any{"type": "string"}}},
			"responses": map[string]any{"200": map[string]any{"description": "The record.",
				"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{}}}}},
		}}
	}
	return json.MarshalIndent(map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Load upstream", "version": "1.0.0"},
		"servers": []any{map[string]any{"url": upstream}},
		"paths":   paths,
	}, "", "  ")
}

// startNodeServer starts @ivotoby/openapi-mcp-server over streamable HTTP
// on the upstream, with an OpenAPI document written into dir, and returns
// it with its MCP endpoint.
func (ne *nodeEnv) startNodeServer(upstream string, ps map[string]*payload, dir string) (*process, string, error) {
	doc, err := openAPIDoc(upstream, ps)
	if err != nil {
		return nil, "", err
	}
	spec := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(spec, doc, 0o644); err != nil {
		return nil, "", fmt.Errorf("node server: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(ne.node, filepath.Join(ne.cache, nodeServerBin),
		"--api-base-url", upstream, "--openapi-spec", spec, "--transport", "http",
		"--host", "127.0.0.1", "--port", port, "--verbose", "false", "--disable-abbreviation", "true")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	p, err := startProcess("the Node MCP server", cmd, filepath.Join(dir, "node-server.log"))
	if err != nil {
		return nil, "", err
	}
	addr := "127.0.0.1:" + port
	deadline := time.Now().Add(startTimeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return p, "http://" + addr + "/mcp", nil
		}
		if err := p.alive(); err != nil {
			return nil, "", err
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, "", fmt.Errorf("the Node MCP server did not listen on %s within %s%s", addr, startTimeout, p.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freePort returns a loopback port that was free a moment ago, for a
// server that cannot report the port it chose.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}

// nodePhase drives an MCP endpoint with the TypeScript SDK client, in a
// Node process of its own (driver.mjs).
type nodePhase struct {
	ne       *nodeEnv
	dir      string
	url      string
	token    string
	tool     string
	cut      bool
	conc     int
	warmup   time.Duration
	dur      time.Duration
	prefix   string
	proc     *process
	logIndex int // numbers the driver's log file
}

func (p *nodePhase) warm(context.Context) error {
	opts, _ := json.Marshal(map[string]any{"url": p.url, "tool": p.tool, "cut": p.cut, "concurrency": p.conc,
		"warmup_ms": p.warmup.Milliseconds(), "duration_ms": p.dur.Milliseconds(), "prefix": p.prefix})
	cmd := exec.Command(p.ne.node, filepath.Join(p.ne.cache, "driver.mjs"), string(opts))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + p.dir, "DRIVER_TOKEN=" + p.token}
	proc, err := startProcess("the TypeScript SDK driver", cmd, filepath.Join(p.dir, fmt.Sprintf("driver-%d.log", p.logIndex)))
	if err != nil {
		return err
	}
	p.proc = proc
	line, err := p.proc.waitFor("the end of its warm-up", p.warmup+startTimeout, driverLine("warm"))
	if err != nil {
		return err
	}
	return driverError(line)
}

func (p *nodePhase) measure(context.Context) (seen, error) {
	if _, err := p.proc.stdin.Write([]byte("go\n")); err != nil {
		return seen{}, fmt.Errorf("the TypeScript SDK driver: %w", err)
	}
	line, err := p.proc.waitFor("its figures", p.dur+startTimeout, driverLine("{"))
	if err != nil {
		return seen{}, err
	}
	if err := driverError(line); err != nil {
		return seen{}, err
	}
	var out struct {
		Calls     int     `json:"calls"`
		ElapsedMS float64 `json:"elapsed_ms"`
		P50MS     float64 `json:"p50_ms"`
		P99MS     float64 `json:"p99_ms"`
	}
	if err := json.Unmarshal([]byte(line), &out); err != nil {
		return seen{}, fmt.Errorf("the TypeScript SDK driver printed %q: %w", line, err)
	}
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	return seen{calls: out.Calls, requests: out.Calls, elapsed: ms(out.ElapsedMS), p50: ms(out.P50MS), p99: ms(out.P99MS)}, nil
}

func (p *nodePhase) close() {
	if p.proc != nil {
		p.proc.stop()
	}
}

// driverLine matches the driver's line starting with prefix, or its error
// line.
func driverLine(prefix string) func(string) (string, bool) {
	return func(line string) (string, bool) {
		return line, strings.HasPrefix(line, prefix) || strings.HasPrefix(line, `{"error"`)
	}
}

// driverError is the failure the driver reported in line, if any.
func driverError(line string) error {
	if !strings.HasPrefix(line, `{"error"`) {
		return nil
	}
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal([]byte(line), &e)
	return fmt.Errorf("the TypeScript SDK driver: %s", e.Error)
}
