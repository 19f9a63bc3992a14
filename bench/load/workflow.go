package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The workflow scenario: a signed webhook starts a run of hookWorkflow,
// whose one step calls the 1 KB action on the upstream; the run is then
// completed.
const (
	// hookWorkflow is the workflow the webhooks start.
	hookWorkflow = "bench_hook"
	// hookSecretEnv names the variable the server reads the webhook
	// signing secret from ({env: ...} on the trigger; actiongate never
	// reads its own ACTIONGATE_* settings that way).
	hookSecretEnv = "LOAD_HOOK_SECRET"
	// drainTimeout bounds the wait, after the senders stop, for every
	// accepted run to complete.
	drainTimeout = 2 * time.Minute
	// drainPoll is how often the drain reads the server's run counters.
	drainPoll = 20 * time.Millisecond
	// latencySample bounds how many runs of a phase are read back for
	// their webhook-to-completed time.
	latencySample = 400
	// unloadedRuns is how many runs the unloaded latency probe makes, one
	// after the other.
	unloadedRuns = 60
)

// hookKey signs the benchmark's webhooks.
var hookKey = []byte("load-hook-key-0f3a6c2e-benchmark")

// hookSecret is hookKey in the Standard Webhooks spelling, as the server
// reads it.
var hookSecret = "whsec_" + base64.StdEncoding.EncodeToString(hookKey)

// workflowResource is the workflow of the scenario, calling action.
func workflowResource(action string) string {
	return fmt.Sprintf(`kind: Workflow
name: %s
description: Fetch the record a webhook names.
trigger:
  webhook:
    secret: {env: %s}
    params:
      id: {type: string, required: true, description: The record to fetch}
steps:
  - id: fetch
    action: %s
    with: {id: "{{trigger.id}}"}
---
`, hookWorkflow, hookSecretEnv, action)
}

// accepted is one webhook the server answered 202, with the run it
// started.
type accepted struct {
	id    string // the call id in the body, which the step fetches
	runID string
}

// workflowPhase drives the workflow scenario: conc senders post signed
// webhooks back to back for the phase, then the phase lasts until every
// run they started has completed (the server's run counters say so). The
// runs so go through River with the queue never empty: runs/s is what
// the engine completes, not what the webhooks are accepted at. The
// latency of each run, from the webhook's acceptance to its completion,
// is read from the run records (created_at, finished_at) afterwards.
type workflowPhase struct {
	b      *bench
	conc   int
	warmup time.Duration
	dur    time.Duration

	runs    []accepted      // of the measured phase
	hookLat []time.Duration // webhook answer times of the measured phase
}

func (p *workflowPhase) warm(ctx context.Context) error {
	if p.warmup == 0 {
		return nil
	}
	_, _, err := p.burst(ctx, p.warmup)
	return err
}

func (p *workflowPhase) measure(ctx context.Context) (seen, error) {
	start := time.Now()
	runs, lat, err := p.burst(ctx, p.dur)
	if err != nil {
		return seen{}, err
	}
	elapsed := time.Since(start)
	p.runs, p.hookLat = runs, lat
	slices.Sort(lat)
	s := seen{calls: len(runs), requests: len(runs), elapsed: elapsed}
	if len(lat) > 0 {
		s.p50, s.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return s, nil
}

func (p *workflowPhase) close() {}

// burst sends webhooks from conc senders for d, then waits until every
// run started has completed, checking through the server's counters that
// none failed. It returns the runs and the webhook answer times.
func (p *workflowPhase) burst(ctx context.Context, d time.Duration) ([]accepted, []time.Duration, error) {
	g := p.b.gate
	before, err := runCounts(ctx, p.b.client, g.base)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	deadline := time.Now().Add(d)
	var (
		mu   sync.Mutex
		runs []accepted
		lat  []time.Duration
		wg   sync.WaitGroup
	)
	for range p.conc {
		wg.Go(func() {
			var mine []accepted
			var times []time.Duration
			for ctx.Err() == nil && time.Now().Before(deadline) {
				id := callID(p.b.next.Add(1), -1)
				t0 := time.Now()
				runID, err := sendHook(ctx, p.b.client, g.base, id)
				if err != nil {
					cancel(err)
					return
				}
				times = append(times, time.Since(t0))
				mine = append(mine, accepted{id: id, runID: runID})
			}
			mu.Lock()
			runs, lat = append(runs, mine...), append(lat, times...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, nil, err
	}
	// Drain: every accepted run completes.
	want := before.completed + float64(len(runs))
	drainEnd := time.Now().Add(drainTimeout)
	for {
		now, err := runCounts(ctx, p.b.client, g.base)
		if err != nil {
			return nil, nil, err
		}
		if failed := now.failed - before.failed; failed > 0 {
			return nil, nil, fmt.Errorf("%.0f workflow runs failed; see the server's log%s", failed, g.proc.logTail())
		}
		if now.completed >= want {
			return runs, lat, nil
		}
		if time.Now().After(drainEnd) {
			return nil, nil, fmt.Errorf("%.0f of %d workflow runs completed %s after the last webhook", now.completed-before.completed, len(runs), drainTimeout)
		}
		time.Sleep(drainPoll)
	}
}

// sendHook posts one signed webhook asking for record id and returns the
// run it started.
func sendHook(ctx context.Context, c *http.Client, base, id string) (string, error) {
	body := []byte(`{"id":"` + id + `"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/hooks/"+hookWorkflow, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	now := time.Now()
	msg := "msg-" + id
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", msg)
	req.Header.Set("webhook-timestamp", ts)
	req.Header.Set("webhook-signature", signHook(msg, ts, body))
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("webhook %s: %w", id, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("webhook %s: reading the answer: %w", id, err)
	}
	var out struct {
		RunID string `json:"run_id"`
	}
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(b, &out) != nil || out.RunID == "" {
		return "", fmt.Errorf("webhook %s: HTTP %d, want 202 with a run id: %.300s", id, resp.StatusCode, b)
	}
	return out.RunID, nil
}

// signHook is the Standard Webhooks signature of a message: "v1," and
// the base64 HMAC-SHA256, under hookKey, of "id.timestamp.body". The
// harness signs as a sender does, without the server's code.
func signHook(id, ts string, body []byte) string {
	h := hmac.New(sha256.New, hookKey)
	h.Write([]byte(id + "." + ts + "."))
	h.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// counts are the server's finished-run counters of hookWorkflow.
type counts struct{ completed, failed float64 }

// runCounts reads actiongate_workflow_runs_total of hookWorkflow from
// /metrics.
func runCounts(ctx context.Context, c *http.Client, base string) (counts, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return counts{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return counts{}, fmt.Errorf("reading /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return counts{}, fmt.Errorf("reading /metrics: HTTP %d", resp.StatusCode)
	}
	var out counts
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "actiongate_workflow_runs_total{") || !strings.Contains(line, `workflow="`+hookWorkflow+`"`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return counts{}, fmt.Errorf("reading /metrics: %q: %w", line, err)
		}
		switch {
		case strings.Contains(line, `outcome="completed"`):
			out.completed = v
		case strings.Contains(line, `outcome="failed"`), strings.Contains(line, `outcome="cancelled"`):
			out.failed += v
		}
	}
	if err := sc.Err(); err != nil {
		return counts{}, fmt.Errorf("reading /metrics: %w", err)
	}
	return out, nil
}

// runRecord is what the scenario reads of a run.
type runRecord struct {
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Steps      []struct {
		ID         string `json:"id"`
		Status     string `json:"status"`
		HTTPStatus int    `json:"http_status"`
		Output     string `json:"output"`
	} `json:"steps"`
}

// runLatency reads run a back, checks that it completed with its one
// step having fetched a's record, and returns the time from the
// webhook's acceptance to the run's completion.
func runLatency(ctx context.Context, c *http.Client, g *gate, a accepted) (time.Duration, error) {
	var r runRecord
	if err := callJSON(ctx, c, http.MethodGet, g.base+"/api/v1/workflow-runs/"+a.runID, g.admin, nil, http.StatusOK, &r); err != nil {
		return 0, err
	}
	switch {
	case r.Status != "completed" || r.FinishedAt == nil:
		return 0, fmt.Errorf("run %s (record %s) is %s", a.runID, a.id, r.Status)
	case len(r.Steps) != 1 || r.Steps[0].Status != "completed" || r.Steps[0].HTTPStatus != http.StatusOK:
		return 0, fmt.Errorf("run %s (record %s): steps %+v, want one completed with HTTP 200", a.runID, a.id, r.Steps)
	}
	if err := checkText(nil, a.id, r.Steps[0].Output); err != nil {
		return 0, fmt.Errorf("run %s: %w", a.runID, err)
	}
	return r.FinishedAt.Sub(r.CreatedAt), nil
}

// runLatencies reads back up to latencySample runs spread evenly over
// runs and returns their p50, p95 and p99 from webhook to completed.
func runLatencies(ctx context.Context, c *http.Client, g *gate, runs []accepted) (p50, p95, p99 time.Duration, err error) {
	step := max(1, len(runs)/latencySample)
	var lat []time.Duration
	for i := 0; i < len(runs); i += step {
		d, err := runLatency(ctx, c, g, runs[i])
		if err != nil {
			return 0, 0, 0, err
		}
		lat = append(lat, d)
	}
	if len(lat) == 0 {
		return 0, 0, 0, fmt.Errorf("no run to read back")
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[len(lat)*95/100], lat[len(lat)*99/100], nil
}

// unloadedLatency makes unloadedRuns runs one after the other, each
// started once the one before has completed, and returns the p50 and p95
// from webhook to completed. It polls each run every millisecond; the
// times are the run records' own.
func (b *bench) unloadedLatency(ctx context.Context) (time.Duration, time.Duration, error) {
	g := b.gate
	var lat []time.Duration
	for range unloadedRuns {
		id := callID(b.next.Add(1), -1)
		runID, err := sendHook(ctx, b.client, g.base, id)
		if err != nil {
			return 0, 0, err
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			var r runRecord
			if err := callJSON(ctx, b.client, http.MethodGet, g.base+"/api/v1/workflow-runs/"+runID, g.admin, nil, http.StatusOK, &r); err != nil {
				return 0, 0, err
			}
			if r.Status == "completed" || r.Status == "failed" {
				break
			}
			if time.Now().After(deadline) {
				return 0, 0, fmt.Errorf("run %s is %s after 30s", runID, r.Status)
			}
			time.Sleep(time.Millisecond)
		}
		d, err := runLatency(ctx, b.client, g, accepted{id: id, runID: runID})
		if err != nil {
			return 0, 0, err
		}
		lat = append(lat, d)
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[len(lat)*95/100], nil
}

// workflowResult measures the workflow scenario at concurrency c: the
// throughput phase (runs/s, CPU per run, webhook answer times), the
// latency of a sample of its runs, and the unloaded latency.
func (b *bench) workflowResult(ctx context.Context, c int) (*result, error) {
	ph := &workflowPhase{b: b, conc: c, warmup: b.cfg.warmup, dur: b.cfg.duration}
	s, serverCPU, upCPU, err := runPhase(ctx, ph, b.gate.proc, b.upstream)
	if err != nil {
		return nil, fmt.Errorf("%s, concurrency %d: %w", scenarioTitle(scWorkflow), c, err)
	}
	p50, p95, p99, err := runLatencies(ctx, b.client, b.gate, ph.runs)
	if err != nil {
		return nil, fmt.Errorf("%s, concurrency %d: %w", scenarioTitle(scWorkflow), c, err)
	}
	u50, u95, err := b.unloadedLatency(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s, unloaded latency: %w", scenarioTitle(scWorkflow), err)
	}
	if err := b.checkAlive(); err != nil {
		return nil, err
	}
	r := &result{Payload: "-", Scenario: scWorkflow, Concurrency: c, Calls: s.calls, Seconds: s.elapsed.Seconds(),
		CallsPerSec: float64(s.calls) / s.elapsed.Seconds(), P50us: micros(p50), P99us: micros(p99),
		ServerCPUus: micros(serverCPU) / float64(s.calls), UpstreamCPUus: micros(upCPU) / float64(s.calls),
		Workflow: &workflowFigures{RunP50us: micros(p50), RunP95us: micros(p95), HookP50us: micros(s.p50), HookP99us: micros(s.p99),
			UnloadedP50us: micros(u50), UnloadedP95us: micros(u95)}}
	fmt.Fprintf(b.log, "%-5s %-50s c=%-3d %7.0f runs/s   webhook→completed p50 %6.1fms p95 %6.1fms (unloaded p50 %5.1fms p95 %5.1fms)  server CPU %6.0fµs/run  upstream %4.0fµs/run\n",
		"-", scenarioTitle(scWorkflow), c, r.CallsPerSec, micros(p50)/1000, micros(p95)/1000, micros(u50)/1000, micros(u95)/1000, r.ServerCPUus, r.UpstreamCPUus)
	return r, nil
}

// workflowFigures are the workflow scenario's own figures, in µs: the
// time from webhook to completed of the throughput phase's runs (queueing
// included) and of runs made one at a time, and the webhook answer times.
type workflowFigures struct {
	RunP50us      float64 `json:"run_p50_us"`
	RunP95us      float64 `json:"run_p95_us"`
	UnloadedP50us float64 `json:"unloaded_run_p50_us"`
	UnloadedP95us float64 `json:"unloaded_run_p95_us"`
	HookP50us     float64 `json:"webhook_answer_p50_us"`
	HookP99us     float64 `json:"webhook_answer_p99_us"`
}
