package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// bench is one run of the harness: its processes and clients.
type bench struct {
	cfg      *config
	log      io.Writer
	dir      string
	binary   string
	client   *http.Client
	payloads map[string]*payload
	upstream *process
	upURL    string
	gate     *gate
	sdk      *process
	sdkURL   string
	node     *nodeEnv
	nodeSrv  *process
	nodeURL  string
	next     atomic.Int64 // request numbers
	phases   int
}

// newClient is an HTTP client for loopback load: enough idle connections
// per host for every worker.
func newClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}}
}

// run measures every scenario of cfg and the flood, logging progress to
// log.
func run(ctx context.Context, cfg *config, log io.Writer) (*report, error) {
	dir, err := os.MkdirTemp("", "actiongate-load-")
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if cfg.keep {
		fmt.Fprintf(log, "working directory: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	b := &bench{cfg: cfg, log: log, dir: dir, client: newClient(2 * 1024), payloads: newPayloads()}
	defer b.close()
	if err := b.start(ctx); err != nil {
		return nil, err
	}
	rep := &report{Go: runtime.Version(), CPUs: runtime.NumCPU(), Database: "SQLite",
		PayloadBytes: map[string]int{}, Node: b.node != nil, LoadBefore: loadAverage()}
	defer func() { rep.LoadAfter = loadAverage() }()
	if cfg.database != "" {
		rep.Database = "PostgreSQL"
	}
	for _, n := range cfg.payloads {
		rep.PayloadBytes[n] = b.payloads[n].size()
	}
	for _, c := range cfg.concurrency {
		for _, pn := range cfg.payloads {
			for _, sc := range cfg.scenarios {
				if sc == scSDKMinimal || sc == scWorkflow {
					continue
				}
				r, err := b.scenario(ctx, sc, b.payloads[pn], c)
				if err != nil {
					return nil, err
				}
				if r != nil {
					rep.Results = append(rep.Results, *r)
				}
			}
		}
		if slices.Contains(cfg.scenarios, scSDKMinimal) {
			r, err := b.scenario(ctx, scSDKMinimal, nil, c)
			if err != nil {
				return nil, err
			}
			rep.Results = append(rep.Results, *r)
		}
		if slices.Contains(cfg.scenarios, scWorkflow) {
			r, err := b.workflowResult(ctx, c)
			if err != nil {
				return nil, err
			}
			rep.Results = append(rep.Results, *r)
		}
	}
	rep.Ratios = ratios(rep.Results)
	if cfg.flood > 0 {
		f, err := b.flood(ctx, cfg.flood)
		if err != nil {
			return nil, err
		}
		rep.Flood = f
	}
	return rep, nil
}

// start builds or takes the binary and starts the upstream, actiongate,
// the minimal MCP server and the Node server.
func (b *bench) start(ctx context.Context) error {
	b.binary = b.cfg.binary
	if b.binary == "" {
		fmt.Fprintln(b.log, "building actiongate")
		bin, err := buildBinary(ctx, b.dir)
		if err != nil {
			return err
		}
		b.binary = bin
	}
	var err error
	if b.upstream, b.upURL, err = b.helper(roleUpstream, "the upstream"); err != nil {
		return err
	}
	if b.gate, err = b.newGate(ctx, "gate"); err != nil {
		return err
	}
	if slices.Contains(b.cfg.scenarios, scSDKMinimal) {
		if b.sdk, b.sdkURL, err = b.helper(roleSDKServer, "the minimal MCP server"); err != nil {
			return err
		}
	}
	return b.startNode(ctx)
}

// startNode sets up the Node scenarios when Node is there and they are
// asked for.
func (b *bench) startNode(ctx context.Context) error {
	if !slices.Contains(b.cfg.scenarios, scNode) && !slices.Contains(b.cfg.scenarios, scMCPTS) {
		return nil
	}
	node, err := findNode(b.cfg.node)
	if err != nil {
		return err
	}
	if node == "" {
		fmt.Fprintln(b.log, "Node.js not found (-node): the Node scenarios are skipped")
		return nil
	}
	fmt.Fprintf(b.log, "Node packages in %s\n", b.cfg.nodeCache)
	if b.node, err = setupNode(ctx, node, b.cfg.nodeCache); err != nil {
		if b.cfg.node != "auto" {
			return err
		}
		// Found on PATH but not usable (no npm, no registry): the run goes
		// on without the Node scenarios; naming node with -node makes this
		// an error.
		fmt.Fprintf(b.log, "the Node scenarios are skipped: %v\n", err)
		return nil
	}
	if slices.Contains(b.cfg.scenarios, scNode) {
		b.nodeSrv, b.nodeURL, err = b.node.startNodeServer(b.upURL, b.payloads, b.dir)
	}
	return err
}

// helper starts this binary in one of its helper roles.
func (b *bench) helper(role, name string) (*process, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("load: finding the harness binary: %w", err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), roleEnv+"="+role, slowEnv+"="+b.cfg.slow.String())
	p, err := startProcess(name, cmd, filepath.Join(b.dir, role+".log"))
	if err != nil {
		return nil, "", err
	}
	addr, err := p.listenAddr()
	if err != nil {
		p.stop()
		return nil, "", err
	}
	return p, "http://" + addr, nil
}

// newGate starts actiongate on a fresh data directory under b.dir.
func (b *bench) newGate(ctx context.Context, name string) (*gate, error) {
	return startGate(ctx, gateOptions{binary: b.binary, database: b.cfg.database, upstream: b.upURL,
		dir: filepath.Join(b.dir, name), client: b.client})
}

// close stops every process.
func (b *bench) close() {
	for _, p := range []*process{b.nodeSrv, b.sdk, b.upstream} {
		if p != nil {
			p.stop()
		}
	}
	if b.gate != nil {
		b.gate.close()
	}
}

// scenario measures one scenario with payload p at concurrency c; it
// returns nil for a Node scenario without Node.
func (b *bench) scenario(ctx context.Context, sc string, p *payload, c int) (*result, error) {
	ph, server, upstream := b.phase(sc, p, c)
	if ph == nil {
		return nil, nil
	}
	pname := "-"
	if p != nil {
		pname = p.name
	}
	s, serverCPU, upCPU, err := runPhase(ctx, ph, server, upstream)
	if err != nil {
		return nil, fmt.Errorf("%s, payload %s, concurrency %d: %w", scenarioTitle(sc), pname, c, err)
	}
	if err := b.checkAlive(); err != nil {
		return nil, err
	}
	if sc == scDirect {
		serverCPU = upCPU
	}
	r := &result{Payload: pname, Scenario: sc, Concurrency: c, Calls: s.calls, Seconds: s.elapsed.Seconds(),
		CallsPerSec: float64(s.calls) / s.elapsed.Seconds(), P50us: micros(s.p50), P99us: micros(s.p99),
		ServerCPUus: micros(serverCPU) / float64(s.calls), UpstreamCPUus: micros(upCPU) / float64(s.calls)}
	fmt.Fprintf(b.log, "%-5s %-50s c=%-3d %7.0f calls/s  p50 %8.0fµs  p99 %8.0fµs  server CPU %6.0fµs/call  upstream %4.0fµs/call\n",
		pname, scenarioTitle(sc), c, r.CallsPerSec, r.P50us, r.P99us, r.ServerCPUus, r.UpstreamCPUus)
	return r, nil
}

// phase builds the phase of a scenario and names the processes whose CPU
// it reads: the server measured, and the upstream.
func (b *bench) phase(sc string, p *payload, c int) (phase, *process, *process) {
	b.phases++
	gp := &goPhase{conc: c, warmup: b.cfg.warmup, dur: b.cfg.duration, next: &b.next}
	fixed := func(o op) func(context.Context) (op, func(), error) {
		return func(context.Context) (op, func(), error) { return o, func() {}, nil }
	}
	np := func(u, token, tool string, cut bool) *nodePhase {
		return &nodePhase{ne: b.node, dir: b.dir, url: u, token: token, tool: tool, cut: cut, conc: c,
			warmup: b.cfg.warmup, dur: b.cfg.duration, prefix: "ts" + strconv.Itoa(b.phases) + "-", logIndex: b.phases}
	}
	switch sc {
	case scDirect:
		gp.connect = fixed(directOp(b.client, b.upURL, p))
		return gp, nil, b.upstream
	case scInvoke:
		gp.connect = fixed(invokeOp(b.client, b.gate, p))
	case scBatch:
		gp.connect = fixed(batchOp(b.client, b.gate, p))
	case scTurn:
		gp.connect = fixed(turnOp(b.client, b.gate, p))
	case scMCP:
		gp.connect = mcpConnect(b.client, b.gate.base+"/mcp/"+agentName, b.gate.agent, p.action, p)
	case scSDKMinimal:
		gp.connect = mcpConnect(b.client, b.sdkURL, "", sdkTool, nil)
		return gp, b.sdk, nil
	case scMCPTS:
		if b.node == nil {
			return nil, nil, nil
		}
		return np(b.gate.base+"/mcp/"+agentName, b.gate.agent, p.action, p.cut), b.gate.proc, b.upstream
	case scNode:
		if b.nodeSrv == nil {
			return nil, nil, nil
		}
		// The Node server names a tool after its operationId, with dashes
		// for underscores.
		return np(b.nodeURL, "", strings.ReplaceAll(p.action, "_", "-"), false), b.nodeSrv, b.upstream
	}
	return gp, b.gate.proc, b.upstream
}

// checkAlive fails when a process of the run has ended.
func (b *bench) checkAlive() error {
	for _, p := range []*process{b.upstream, b.gate.proc, b.sdk, b.nodeSrv} {
		if p == nil {
			continue
		}
		if err := p.alive(); err != nil {
			return err
		}
	}
	return nil
}

// micros is d in µs.
func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
