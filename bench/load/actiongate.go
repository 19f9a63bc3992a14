package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver, to make and drop the run's schema
)

// agentName is the agent the harness calls through.
const agentName = "bench"

// talkerName is the agent with a model, for the turn scenario.
const talkerName = "talker"

// readyTimeout bounds how long the server may take to become ready.
const readyTimeout = 60 * time.Second

// buildBinary builds cmd/actiongate of the module the harness runs in into
// dir and returns its path.
func buildBinary(ctx context.Context, dir string) (string, error) {
	out := filepath.Join(dir, "actiongate")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/actiongate/actiongate/cmd/actiongate")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building actiongate (go build): %w\n%s", err, b)
	}
	return out, nil
}

// gate is one `actiongate serve` process on a fresh data directory, with
// the benchmark's actions applied and tokens for the admin API and for
// agentName.
type gate struct {
	proc       *process
	base       string // http://127.0.0.1:PORT
	admin      string // admin token
	agent      string // token of agentName
	dropSchema func()
}

// gateOptions say how to start a gate.
type gateOptions struct {
	binary   string
	database string // PostgreSQL URL; empty means SQLite in the data directory
	upstream string // base URL of the upstream
	dir      string // a directory the gate may fill
	client   *http.Client
}

// startGate applies the resources with `actiongate apply`, creates an
// admin token with `actiongate token create`, starts `actiongate serve`,
// waits until /readyz answers and creates the agent's token through the
// admin API.
func startGate(ctx context.Context, o gateOptions) (*gate, error) {
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return nil, fmt.Errorf("actiongate: %w", err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + o.dir,
		"ACTIONGATE_DATA_DIR=" + filepath.Join(o.dir, "data"),
		"ACTIONGATE_ADDR=127.0.0.1:0",
		// The upstream is on loopback, which the SSRF guard refuses otherwise.
		"ACTIONGATE_EGRESS_ALLOW=127.0.0.0/8",
		// The workflow scenario's webhook signing secret.
		hookSecretEnv + "=" + hookSecret}
	g := &gate{dropSchema: func() {}}
	if o.database != "" {
		u, drop, err := freshSchema(ctx, o.database)
		if err != nil {
			return nil, err
		}
		env = append(env, "ACTIONGATE_DATABASE_URL="+u)
		g.dropSchema = drop
	}
	if err := g.prepare(ctx, o, env); err != nil {
		g.close()
		return nil, err
	}
	cmd := exec.Command(o.binary, "serve")
	cmd.Env = env
	p, err := startProcess("actiongate serve", cmd, filepath.Join(o.dir, "serve.log"))
	if err != nil {
		g.close()
		return nil, err
	}
	g.proc = p
	addr, err := p.listenAddr()
	if err != nil {
		g.close()
		return nil, err
	}
	g.base = "http://" + addr
	if err := g.waitReady(ctx, o.client); err != nil {
		g.close()
		return nil, err
	}
	var tok struct {
		Token string `json:"token"`
	}
	err = callJSON(ctx, o.client, http.MethodPost, g.base+"/api/v1/tokens", g.admin,
		map[string]any{"name": "load-agent", "agent": agentName}, http.StatusCreated, &tok)
	if err != nil || tok.Token == "" {
		g.close()
		return nil, fmt.Errorf("actiongate: creating the agent's token through the admin API: %v (token %q)", err, tok.Token)
	}
	g.agent = tok.Token
	return g, nil
}

// prepare writes and applies the resources and creates the admin token.
func (g *gate) prepare(ctx context.Context, o gateOptions, env []string) error {
	file := filepath.Join(o.dir, "resources.yaml")
	if err := os.WriteFile(file, []byte(resources(o.upstream)), 0o600); err != nil {
		return fmt.Errorf("actiongate: %w", err)
	}
	if _, err := runCLI(ctx, o.binary, env, "apply", file); err != nil {
		return err
	}
	out, err := runCLI(ctx, o.binary, env, "token", "create", "--admin", "--name", "load-admin")
	if err != nil {
		return err
	}
	for line := range strings.SplitSeq(out, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "agt_") {
			g.admin = t
		}
	}
	if g.admin == "" {
		return fmt.Errorf("actiongate token create printed no token:\n%s", out)
	}
	return nil
}

// runCLI runs one actiongate command and returns its standard output.
func runCLI(ctx context.Context, binary string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("actiongate %s: %w\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// resources are the benchmark's actions, one per payload and the slow one,
// all activated for agentName. Filters are the defaults.
func resources(upstream string) string {
	var b strings.Builder
	names := []string{}
	add := func(name, path, desc string) {
		names = append(names, name)
		fmt.Fprintf(&b, `kind: Action
name: %s
description: %s
method: GET
url: %s%s/{{id}}
timeout: 30s
params:
  id: {type: string, required: true, description: The record to fetch}
---
`, name, desc, upstream, path)
	}
	ps := newPayloads()
	for _, n := range []string{"1k", "5k", "100k"} {
		add(ps[n].action, "/p/"+n, "Fetch the "+n+" payload for an id.")
	}
	add(ps["slow"].action, "/slow", "Fetch a record from the slow service.")
	fmt.Fprintf(&b, "kind: Agent\nname: %s\nactions: [%s]\n---\n", agentName, strings.Join(names, ", "))
	b.WriteString(workflowResource(ps["1k"].action))
	// The agent that talks, through the upstream's scripted Chat
	// Completions endpoint (see chatHandler).
	fmt.Fprintf(&b, "kind: Provider\nname: scripted\ntype: openai\nbase_url: %s/v1\n---\n", upstream)
	fmt.Fprintf(&b, "kind: Agent\nname: %s\nmodel: {provider: scripted, name: scripted-1}\ninstructions: Fetch what the user asks for.\nactions: [%s]\n",
		talkerName, strings.Join(names, ", "))
	return b.String()
}

// waitReady polls /readyz until it answers 200.
func (g *gate) waitReady(ctx context.Context, c *http.Client) error {
	deadline := time.Now().Add(readyTimeout)
	var last string
	for time.Now().Before(deadline) {
		if err := g.proc.alive(); err != nil {
			return err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, g.base+"/readyz", nil)
		resp, err := c.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %.200s", resp.StatusCode, b)
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("actiongate serve was not ready within %s (last /readyz: %s)%s", readyTimeout, last, g.proc.logTail())
}

// close stops the server and drops the PostgreSQL schema.
func (g *gate) close() {
	if g.proc != nil {
		g.proc.stop()
	}
	g.dropSchema()
}

// runIDs lists the ids of every run of action through the runs API.
func (g *gate) runIDs(ctx context.Context, c *http.Client, action string) (map[string]string, error) {
	ids := map[string]string{}
	cursor := ""
	for {
		q := url.Values{"action": {action}, "limit": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Runs []struct {
				ID      string `json:"id"`
				Outcome string `json:"outcome"`
			} `json:"runs"`
			NextCursor string `json:"next_cursor"`
		}
		if err := callJSON(ctx, c, http.MethodGet, g.base+"/api/v1/runs?"+q.Encode(), g.admin, nil, http.StatusOK, &page); err != nil {
			return nil, fmt.Errorf("listing the runs of %s: %w", action, err)
		}
		for _, r := range page.Runs {
			ids[r.ID] = r.Outcome
		}
		if page.NextCursor == "" || len(page.Runs) == 0 {
			return ids, nil
		}
		cursor = page.NextCursor
	}
}

// callJSON sends body (when not nil) as JSON with the bearer token and
// decodes the answer into out, failing unless the status is want.
func callJSON(ctx context.Context, c *http.Client, method, u, token string, body any, want int, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: HTTP %d, want %d: %.300s", method, req.URL.Path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decoding the answer: %w", method, req.URL.Path, err)
		}
	}
	return nil
}

// freshSchema creates an empty schema in the PostgreSQL database at u and
// returns a URL that uses it, and a function that drops it.
func freshSchema(ctx context.Context, u string) (string, func(), error) {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return "", nil, fmt.Errorf("opening PostgreSQL: %w", err)
	}
	name := "load_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("creating a schema in PostgreSQL (-database): %w", err)
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	drop := func() {
		_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE")
		db.Close()
	}
	return u + sep + "search_path=" + name, drop, nil
}
