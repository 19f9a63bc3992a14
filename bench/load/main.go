// Command load measures what a call through actiongate costs, on the real
// binary. It builds cmd/actiongate (or takes -binary), starts `actiongate
// serve` in its own process on a fresh data directory (SQLite, or a fresh
// schema of the PostgreSQL database given by -database), with the
// upstream, a minimal MCP server of the official Go SDK and, when Node.js
// is there, the Node server @ivotoby/openapi-mcp-server in processes of
// their own, and drives calls through each surface at each concurrency.
//
// Per scenario it reports calls/s, p50 and p99, and the CPU time per call
// of the server process (utime+stime from /proc/PID/stat over the measured
// phase only, divided by the calls) beside the upstream's own in the same
// phase, then the ratios the call-path targets are stated in, and last the
// flood: 1,000 calls in flight at once to an upstream that answers after
// 5 s, with the server's peak RSS and a check that every call was
// answered and recorded.
//
//	go run ./bench/load                            # SQLite, concurrency 1 and 32, 5 s per scenario
//	go run ./bench/load -database 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//	go run ./bench/load -payloads 5k -scenarios invoke,mcp -concurrency 32 -json
//
// Every answer is checked (status, and that the text the model reads is
// the payload of that very call), so a broken path cannot look fast: the
// first wrong answer stops the run with an error naming it. All traffic
// stays on 127.0.0.1, every loop stops after its duration, and every
// process the harness starts ends with it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if ok, err := runRole(); ok {
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		return
	}
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	if cfg.json {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return
	}
	rep.print(os.Stdout)
}

// config is what one run of the harness measures.
type config struct {
	binary      string
	database    string
	payloads    []string
	scenarios   []string
	concurrency []int
	warmup      time.Duration
	duration    time.Duration
	node        string // "auto", "off" or a path
	nodeCache   string
	flood       int
	slow        time.Duration
	json        bool
	keep        bool
}

// Scenario ids, in the order they run.
const (
	scDirect     = "direct"
	scInvoke     = "invoke"
	scTurn       = "turn"
	scBatch      = "batch"
	scMCP        = "mcp"
	scMCPTS      = "mcp-ts"
	scNode       = "node"
	scSDKMinimal = "sdk-minimal"
	scWorkflow   = "workflow"
)

// allScenarios lists every scenario id in run order.
func allScenarios() []string {
	return []string{scDirect, scInvoke, scBatch, scMCP, scTurn, scMCPTS, scNode, scSDKMinimal, scWorkflow}
}

// scenarioTitle is how a scenario is named in tables.
func scenarioTitle(id string) string {
	switch id {
	case scDirect:
		return "direct (the upstream)"
	case scInvoke:
		return "invoke API"
	case scBatch:
		return "tool_calls batch of 4"
	case scMCP:
		return "MCP tools/call, Go SDK client"
	case scTurn:
		return "agent turn with one tool call"
	case scMCPTS:
		return "MCP tools/call, TS SDK client"
	case scNode:
		return "Node openapi-mcp-server, TS SDK client"
	case scSDKMinimal:
		return "minimal go-sdk server (no-op tool), Go SDK client"
	case scWorkflow:
		return "workflow: webhook → one action step → completed"
	}
	return id
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{}
	var payloads, scenarios, concs string
	fs.StringVar(&cfg.binary, "binary", "", "the actiongate binary to measure (default: go build ./cmd/actiongate into a temporary directory)")
	fs.StringVar(&cfg.database, "database", "", "PostgreSQL URL; the run uses a fresh schema in it (default: SQLite in the data directory)")
	fs.StringVar(&payloads, "payloads", "1k,5k,100k", "comma-separated payloads: 1k (object), 5k (list of 50, cut), 100k (list of 400, cut)")
	fs.StringVar(&scenarios, "scenarios", strings.Join(allScenarios(), ","), "comma-separated scenarios")
	fs.StringVar(&concs, "concurrency", "1,32", "comma-separated concurrency levels")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured warm-up before each measured phase")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of each measured phase")
	fs.StringVar(&cfg.node, "node", "auto", `Node.js for the Node scenarios: "auto" (node on PATH, if any), "off", or a path`)
	fs.StringVar(&cfg.nodeCache, "node-cache", defaultNodeCache(), "directory the Node packages are installed into (outside the repository)")
	fs.IntVar(&cfg.flood, "flood", 1000, "calls in flight at once to the slow upstream; 0 skips the flood")
	fs.DurationVar(&cfg.slow, "slow", defaultSlow, "how long the slow upstream of the flood waits")
	fs.BoolVar(&cfg.json, "json", false, "print the report as JSON instead of tables")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the working directory (data directories, logs) and print its path")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if cfg.payloads, err = parseList("payloads", payloads, []string{"1k", "5k", "100k"}); err != nil {
		return nil, err
	}
	if cfg.scenarios, err = parseList("scenarios", scenarios, allScenarios()); err != nil {
		return nil, err
	}
	if cfg.concurrency, err = parseLevels(concs); err != nil {
		return nil, err
	}
	switch {
	case cfg.duration < 100*time.Millisecond:
		return nil, fmt.Errorf("-duration: %s is shorter than 100ms", cfg.duration)
	case cfg.warmup < 0:
		return nil, fmt.Errorf("-warmup: %s is negative", cfg.warmup)
	case cfg.flood < 0 || cfg.flood > 10000:
		return nil, fmt.Errorf("-flood: %d is not from 0 to 10000", cfg.flood)
	}
	return cfg, nil
}

// parseList reads a comma-separated list of names from known.
func parseList(flag, s string, known []string) ([]string, error) {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(known, f) {
			return nil, fmt.Errorf("-%s: unknown %q; choose from %s", flag, f, strings.Join(known, ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

// parseLevels reads the concurrency levels.
func parseLevels(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("-concurrency: %q is not a number from 1 to 1024", f)
		}
		out = append(out, n)
	}
	return out, nil
}
