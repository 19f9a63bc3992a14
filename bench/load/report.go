package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// report is everything one run of the harness measured.
type report struct {
	Go           string         `json:"go"`
	CPUs         int            `json:"cpus"`
	Database     string         `json:"database"`
	Node         bool           `json:"node"`
	LoadBefore   float64        `json:"load_average_before"`
	LoadAfter    float64        `json:"load_average_after"`
	PayloadBytes map[string]int `json:"payload_bytes"`
	Results      []result       `json:"results"`
	Ratios       []ratio        `json:"ratios"`
	Flood        *floodResult   `json:"flood,omitempty"`
}

// ratio is one of the figures the call-path targets are stated in.
type ratio struct {
	Name        string  `json:"name"`
	Payload     string  `json:"payload"`
	Concurrency int     `json:"concurrency"`
	Value       float64 `json:"value"`
	Unit        string  `json:"unit"` // "×" or "µs"
	Target      string  `json:"target,omitempty"`
}

// find returns the result of a scenario, or nil.
func find(rs []result, sc, payload string, c int) *result {
	for i := range rs {
		if r := &rs[i]; r.Scenario == sc && r.Payload == payload && r.Concurrency == c {
			return r
		}
	}
	return nil
}

// ratios computes the figures the targets use from the results they need,
// at every concurrency measured, on the 5 KB list; the minimal go-sdk
// server's CPU per call stands beside what our MCP path costs more than
// the invoke API.
func ratios(rs []result) []ratio {
	var out []ratio
	levels := map[int]bool{}
	for _, r := range rs {
		levels[r.Concurrency] = true
	}
	add := func(name string, c int, a, b *result, value func(a, b *result) float64, unit, target string) {
		if a != nil && b != nil {
			out = append(out, ratio{Name: name, Payload: "5k", Concurrency: c, Value: value(a, b), Unit: unit, Target: target})
		}
	}
	cpu := func(a, b *result) float64 { return a.ServerCPUus / b.ServerCPUus }
	tput := func(a, b *result) float64 { return a.CallsPerSec / b.CallsPerSec }
	p50 := func(a, b *result) float64 { return a.P50us - b.P50us }
	for _, c := range slices.Sorted(maps.Keys(levels)) {
		direct, invoke, mcp := find(rs, scDirect, "5k", c), find(rs, scInvoke, "5k", c), find(rs, scMCP, "5k", c)
		add("invoke server CPU ÷ upstream CPU", c, invoke, invoke, func(a, _ *result) float64 { return a.ServerCPUus / a.UpstreamCPUus }, "×", "≤ 5")
		// The upstream's CPU per call depends on its call rate (a process
		// that idles between calls pays to wake up): the first figure
		// divides by the upstream's CPU in the same phase, the second by
		// its CPU when called directly, at full speed.
		add("invoke server CPU ÷ direct upstream CPU", c, invoke, direct, func(a, b *result) float64 { return a.ServerCPUus / b.UpstreamCPUus }, "×", "")
		add("MCP (Go client) CPU ÷ invoke CPU", c, mcp, invoke, cpu, "×", "≤ 1.3")
		add("MCP (TS client) CPU ÷ Node server CPU", c, find(rs, scMCPTS, "5k", c), find(rs, scNode, "5k", c), cpu, "×", "≤ 0.2")
		add("MCP CPU − invoke CPU", c, mcp, invoke, func(a, b *result) float64 { return a.ServerCPUus - b.ServerCPUus }, "µs", "")
		// A turn is a conversation started, two model answers streamed in
		// through the provider SDK, one tool call and the turn stored.
		add("turn server CPU ÷ invoke CPU", c, find(rs, scTurn, "5k", c), invoke, cpu, "×", "")
		if sdk := find(rs, scSDKMinimal, "-", c); sdk != nil {
			out = append(out, ratio{Name: "minimal go-sdk server CPU", Payload: "-", Concurrency: c, Value: sdk.ServerCPUus, Unit: "µs"})
		}
		// The targets hold throughput at concurrency 32 and latency at 1.
		add("invoke throughput ÷ direct", c, invoke, direct, tput, "×", when(c == 32, "≥ 0.35"))
		add("MCP throughput ÷ direct", c, mcp, direct, tput, "×", "")
		add("invoke p50 − direct p50", c, invoke, direct, p50, "µs", when(c == 1, "< 150"))
		add("MCP p50 − direct p50", c, mcp, direct, p50, "µs", "")
	}
	return out
}

// print writes the report as Markdown tables.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\n%s, %s, %d CPUs shared by the harness, the server and the upstream; load average %.1f before the run, %.1f after. Payloads:",
		r.Database, r.Go, r.CPUs, r.LoadBefore, r.LoadAfter)
	for _, n := range []string{"1k", "5k", "100k"} {
		if b, ok := r.PayloadBytes[n]; ok {
			fmt.Fprintf(w, " %s = %d bytes;", n, b)
		}
	}
	fmt.Fprintln(w, "\n\n| payload | scenario | c | calls/s | p50 | p99 | server CPU µs/call | upstream CPU µs/call | server ÷ upstream |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, x := range r.Results {
		ratio := "—"
		if x.UpstreamCPUus > 0 && x.Scenario != scDirect {
			ratio = fmt.Sprintf("%.1f×", x.ServerCPUus/x.UpstreamCPUus)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.0f | %s | %s | %.0f | %.0f | %s |\n", x.Payload, scenarioTitle(x.Scenario), x.Concurrency,
			x.CallsPerSec, fmtMicros(x.P50us), fmtMicros(x.P99us), x.ServerCPUus, x.UpstreamCPUus, ratio)
	}
	if len(r.Ratios) > 0 {
		fmt.Fprintln(w, "\n| figure (5 KB list) | c | value | target |")
		fmt.Fprintln(w, "|---|---:|---:|---|")
	}
	for _, x := range r.Ratios {
		v := fmt.Sprintf("%.2f×", x.Value)
		if x.Unit == "µs" {
			v = fmt.Sprintf("%.0f µs", x.Value)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s |\n", x.Name, x.Concurrency, v, strings.TrimSpace(x.Target+" "+unitOf(x)))
	}
	r.printWorkflows(w)
	if f := r.Flood; f != nil {
		fmt.Fprintf(w, "\nFlood: %d calls in flight at once (at most %d seen) to an upstream answering after %.0f s: %d answered correctly in %.1f s, "+
			"%d runs recorded, server peak anonymous memory %.1f MB (target < %d MB), peak RSS %.1f MB (target < %d MB).\n",
			f.Calls, f.MaxInFlight, f.SlowSeconds, f.Answered, f.Seconds, f.Runs, f.PeakAnonMB, floodMaxAnonMB, f.PeakRSSMB, floodMaxRSSMB)
	}
}

// printWorkflows writes the workflow scenario's table, when it ran.
func (r *report) printWorkflows(w io.Writer) {
	head := false
	for _, x := range r.Results {
		f := x.Workflow
		if f == nil {
			continue
		}
		if !head {
			fmt.Fprintln(w, "\n| workflow: webhook → one action step → completed | c | runs/s | p50 | p95 | p50 unloaded | p95 unloaded | webhook answer p50 | server CPU µs/run | upstream CPU µs/run |")
			fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
			head = true
		}
		fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %s | %s | %.0f | %.0f |\n", r.Database, x.Concurrency, x.CallsPerSec,
			fmtMicros(f.RunP50us), fmtMicros(f.RunP95us), fmtMicros(f.UnloadedP50us), fmtMicros(f.UnloadedP95us), fmtMicros(f.HookP50us),
			x.ServerCPUus, x.UpstreamCPUus)
	}
}

// when is s when cond holds, else "".
func when(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

// unitOf is the unit a target is written in.
func unitOf(x ratio) string {
	if x.Unit == "µs" && x.Target != "" {
		return "µs"
	}
	return ""
}

// fmtMicros writes a latency in µs or ms.
func fmtMicros(us float64) string {
	if us >= 10000 {
		return fmt.Sprintf("%.1f ms", us/1000)
	}
	return fmt.Sprintf("%.0f µs", us)
}
