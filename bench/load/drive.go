package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// phase is one scenario at one concurrency, ready to run: warm connects
// the clients and runs the unmeasured warm-up, measure runs the measured
// phase and returns what the clients saw.
type phase interface {
	warm(ctx context.Context) error
	measure(ctx context.Context) (seen, error)
	close()
}

// seen is what the clients of a measured phase saw.
type seen struct {
	calls    int           // tool calls answered correctly
	requests int           // HTTP requests (a batch request holds several calls)
	elapsed  time.Duration // wall time of the phase
	p50, p99 time.Duration // per request
}

// result is what one scenario measured at one concurrency.
type result struct {
	Payload     string  `json:"payload"`
	Scenario    string  `json:"scenario"`
	Concurrency int     `json:"concurrency"`
	Calls       int     `json:"calls"`
	Seconds     float64 `json:"seconds"`
	CallsPerSec float64 `json:"calls_per_second"`
	P50us       float64 `json:"p50_us"`
	P99us       float64 `json:"p99_us"`
	// ServerCPUus is the CPU time of the server process over the measured
	// phase per call, in µs; the server of the direct scenario is the
	// upstream itself.
	ServerCPUus float64 `json:"server_cpu_us_per_call"`
	// UpstreamCPUus is the upstream's CPU time per call in the same phase.
	UpstreamCPUus float64 `json:"upstream_cpu_us_per_call"`
	// Workflow holds the workflow scenario's own figures; a "call" there
	// is a run, and P50us and P99us are from webhook to completed.
	Workflow *workflowFigures `json:"workflow,omitempty"`
}

// runPhase warms ph up, then measures it, reading the CPU time of server
// and upstream (either may be nil) right before and right after the
// measured phase.
func runPhase(ctx context.Context, ph phase, server, upstream *process) (seen, time.Duration, time.Duration, error) {
	defer ph.close()
	if err := ph.warm(ctx); err != nil {
		return seen{}, 0, 0, err
	}
	s0, u0, err := cpuOf(server, upstream)
	if err != nil {
		return seen{}, 0, 0, err
	}
	s, err := ph.measure(ctx)
	if err != nil {
		return seen{}, 0, 0, err
	}
	s1, u1, err := cpuOf(server, upstream)
	if err != nil {
		return seen{}, 0, 0, err
	}
	if s.calls == 0 {
		return seen{}, 0, 0, fmt.Errorf("no call was answered in the measured phase")
	}
	return s, s1 - s0, u1 - u0, nil
}

// cpuOf reads the CPU time of both processes; a nil process reads 0.
func cpuOf(server, upstream *process) (time.Duration, time.Duration, error) {
	var out [2]time.Duration
	for i, p := range []*process{server, upstream} {
		if p == nil {
			continue
		}
		t, err := cpuTime(p.pid())
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", p.name, err)
		}
		out[i] = t
	}
	return out[0], out[1], nil
}

// op makes one request numbered n (unique in the run) and checks its
// answer; it returns how many tool calls the request held.
type op func(ctx context.Context, n int64) (int, error)

// goPhase drives a scenario from this process: one op per worker, each
// worker with its own client state (an MCP session), all making requests
// back to back.
type goPhase struct {
	conc    int
	warmup  time.Duration
	dur     time.Duration
	next    *atomic.Int64 // request numbers, shared by every phase of a run
	connect func(ctx context.Context) (op, func(), error)

	ops    []op
	closes []func()
}

func (p *goPhase) warm(ctx context.Context) error {
	for range p.conc {
		o, c, err := p.connect(ctx)
		if err != nil {
			return fmt.Errorf("connecting: %w", err)
		}
		p.ops, p.closes = append(p.ops, o), append(p.closes, c)
	}
	_, err := p.loop(ctx, p.warmup, nil)
	return err
}

func (p *goPhase) measure(ctx context.Context) (seen, error) {
	lat := make([][]time.Duration, p.conc)
	start := time.Now()
	calls, err := p.loop(ctx, p.dur, lat)
	elapsed := time.Since(start)
	if err != nil {
		return seen{}, err
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	s := seen{calls: calls, requests: len(all), elapsed: elapsed}
	if len(all) > 0 {
		s.p50, s.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return s, nil
}

// loop runs every worker for d, recording latencies into lat when it is
// not nil. The first failed request stops every worker and is returned.
func (p *goPhase) loop(ctx context.Context, d time.Duration, lat [][]time.Duration) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	deadline := time.Now().Add(d)
	var calls atomic.Int64
	var wg sync.WaitGroup
	for w, o := range p.ops {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				n := p.next.Add(1)
				t0 := time.Now()
				k, err := o(ctx, n)
				if err != nil {
					cancel(fmt.Errorf("request %d: %w", n, err))
					return
				}
				calls.Add(int64(k))
				if lat != nil {
					lat[w] = append(lat[w], time.Since(t0))
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return 0, err
	}
	return int(calls.Load()), nil
}

func (p *goPhase) close() {
	for _, c := range p.closes {
		c()
	}
}
