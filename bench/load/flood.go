package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// floodTimeout bounds the whole flood, waiting included.
const floodTimeout = 2 * time.Minute

// floodResult is what the flood measured.
type floodResult struct {
	Calls       int     `json:"calls"`
	Answered    int     `json:"answered"`
	MaxInFlight int     `json:"max_in_flight"`
	Runs        int     `json:"runs_recorded"`
	Seconds     float64 `json:"seconds"`
	SlowSeconds float64 `json:"upstream_wait_seconds"`
	PeakRSSMB   float64 `json:"server_peak_rss_mb"`
	// PeakAnonMB is the largest anonymous resident memory (heap and
	// stacks, RssAnon) sampled during the flood: what the calls cost,
	// without the pages of the binary the kernel maps in (which VmHWM
	// counts, and which grow with the binary's size).
	PeakAnonMB float64 `json:"server_peak_anon_mb"`
}

// Bounds of the flood.
const (
	// floodMaxAnonMB bounds the server's anonymous memory with the calls
	// in flight.
	floodMaxAnonMB = 130
	// floodMaxRSSMB bounds all its resident memory, binary pages included.
	floodMaxRSSMB = 175
)

// flood starts a fresh actiongate (so its peak RSS is the flood's alone),
// sends n invoke calls at once to the slow upstream and checks that every
// call was answered with its own payload and that the runs API lists a
// run for each. Any call lost or wrong is an error naming it.
func (b *bench) flood(ctx context.Context, n int) (*floodResult, error) {
	fmt.Fprintf(b.log, "flood: %d calls in flight to an upstream that answers after %s\n", n, b.cfg.slow)
	g, err := b.newGate(ctx, "flood")
	if err != nil {
		return nil, fmt.Errorf("flood: %w", err)
	}
	defer g.close()
	ctx, cancel := context.WithTimeout(ctx, floodTimeout)
	defer cancel()
	client := newClient(n + 16)
	p := b.payloads["slow"]
	runIDs := make([]string, n)
	errs := make([]error, n)
	var inFlight, maxInFlight atomic.Int64
	var wg sync.WaitGroup
	anon := sampleAnon(g.proc.pid())
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			cur := inFlight.Add(1)
			for m := maxInFlight.Load(); cur > m && !maxInFlight.CompareAndSwap(m, cur); m = maxInFlight.Load() {
			}
			r, err := invokeCall(ctx, client, g, p, "flood-"+strconv.Itoa(i))
			inFlight.Add(-1)
			if err != nil {
				errs[i] = err
				return
			}
			runIDs[i] = r.RunID
		})
	}
	wg.Wait()
	peakAnon := anon()
	f := &floodResult{Calls: n, MaxInFlight: int(maxInFlight.Load()), Seconds: time.Since(start).Seconds(), SlowSeconds: b.cfg.slow.Seconds()}
	var failed []string
	for i, err := range errs {
		if err == nil {
			f.Answered++
		} else if len(failed) < 5 {
			failed = append(failed, fmt.Sprintf("call %d: %v", i, err))
		}
	}
	if f.Answered != n {
		return nil, fmt.Errorf("flood: %d of %d calls were not answered correctly, e.g. %v", n-f.Answered, n, failed)
	}
	rss, err := peakRSS(g.proc.pid())
	if err != nil {
		return nil, fmt.Errorf("flood: %w", err)
	}
	f.PeakRSSMB, f.PeakAnonMB = float64(rss)/(1<<20), float64(peakAnon)/(1<<20)
	if f.Runs, err = checkRuns(ctx, b, g, p.action, runIDs); err != nil {
		return nil, fmt.Errorf("flood: %w", err)
	}
	fmt.Fprintf(b.log, "flood: %d answered in %.1fs (at most %d in flight), %d runs recorded, server peak RSS %.1f MB (anonymous %.1f MB)\n",
		f.Answered, f.Seconds, f.MaxInFlight, f.Runs, f.PeakRSSMB, f.PeakAnonMB)
	return f, nil
}

// checkRuns checks through the runs API that action has exactly one run
// per call, each the run the call's result named, with outcome ok.
func checkRuns(ctx context.Context, b *bench, g *gate, action string, want []string) (int, error) {
	got, err := g.runIDs(ctx, b.client, action)
	if err != nil {
		return 0, err
	}
	if len(got) != len(want) {
		return len(got), fmt.Errorf("the runs API lists %d runs of %s for %d calls", len(got), action, len(want))
	}
	for i, id := range want {
		outcome, ok := got[id]
		switch {
		case !ok:
			return len(got), fmt.Errorf("call %d: its run %s is not in the runs API", i, id)
		case outcome != "ok":
			return len(got), fmt.Errorf("call %d: its run %s has outcome %q, want ok", i, id, outcome)
		}
	}
	return len(got), nil
}

// sampleAnon samples the anonymous resident memory of process pid every
// 20 ms until the returned function is called, which returns the peak in
// bytes.
func sampleAnon(pid int) func() int64 {
	var peak atomic.Int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			if n, err := anonRSS(pid); err == nil && n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return peak.Load()
	}
}
