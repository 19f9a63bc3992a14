// Package workflow executes workflow runs: for each of a run's jobs it
// takes the run's next steps (action calls, branches, variables, model
// answers, waits, other workflows), records what each did, and stores the
// run's next transition through the gateway, which queues its next job on
// River. A step with an effect outside the run (an action call, a model
// request) runs under a lease and at most one runs per job, so a crash
// repeats at most that step, with the same idempotency key.
package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/condition"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runtime"
)

// Bounds of one job.
const (
	// maxStepsPerJob bounds the steps one job takes, so a long chain of
	// local steps still saves its progress now and then.
	maxStepsPerJob = 50
	// maxCached bounds the decoded workflows and compiled conditions kept.
	maxCached = 256
	// maxVarsBytes bounds a run's vars, encoded as JSON.
	maxVarsBytes = gateway.MaxAttributesBytes
)

// Options configure an Engine.
type Options struct {
	// Workers is how many steps run at once in this process; 0 means
	// gateway.DefaultWorkflowWorkers.
	Workers int
	// ReconcileEvery and StallAfter are the gateway's; 0 means its
	// defaults.
	ReconcileEvery time.Duration
	StallAfter     time.Duration
}

// Engine executes workflow runs. It is safe for concurrent use.
type Engine struct {
	g    *gateway.Gateway
	rt   *runtime.Runtime
	opts Options

	specs cache[[32]byte, *action.Workflow]
	conds cache[string, *condition.Condition]
}

// cache keeps up to maxCached values, forgetting them all when full. It is
// safe for concurrent use.
type cache[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

// get returns the value under k, making it with make when missing.
func (c *cache[K, V]) get(k K, make func() (V, error)) (V, error) {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := make()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[K]V{}
	}
	c.m[k] = v
	c.mu.Unlock()
	return v, nil
}

// New returns an engine executing runs through g, with rt for agent
// steps.
func New(g *gateway.Gateway, rt *runtime.Runtime, opts Options) *Engine {
	return &Engine{g: g, rt: rt, opts: opts}
}

// Start works runs in this process until Stop.
func (e *Engine) Start(ctx context.Context) error {
	return e.g.StartWorkflows(ctx, e.work, gateway.WorkflowOptions{
		Workers:        e.opts.Workers,
		ReconcileEvery: e.opts.ReconcileEvery,
		StallAfter:     e.opts.StallAfter,
	})
}

// Stop stops taking steps and waits for the running ones until ctx is
// done.
func (e *Engine) Stop(ctx context.Context) error {
	return e.g.StopWorkflows(ctx)
}

// work takes the run's next steps and stores the transition.
func (e *Engine) work(ctx context.Context, run *gateway.WorkflowRun, _ int) error {
	wf, err := e.spec(run)
	if err != nil {
		e.failRun(run, "", err.Error())
		return e.save(ctx, run, -1)
	}
	now := time.Now().UTC()
	switch run.Status {
	case gateway.RunQueued:
		run.Status = gateway.RunRunning
		if run.StartedAt == nil {
			run.StartedAt = &now
		}
		if len(run.Steps) == 0 && run.Cursor == "" {
			if !e.arrive(run, wf, position{index: []int{0}}) {
				return e.save(ctx, run, -1)
			}
		}
	case gateway.RunWaiting:
		wake(run, now)
	}
	x := &job{e: e, run: run, wf: wf, inflight: -1}
	if err := x.loadData(ctx); err != nil {
		return err
	}
	for range maxStepsPerJob {
		more, err := x.step(ctx)
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if x.abandoned {
		return nil
	}
	return e.save(ctx, run, x.inflight)
}

// save stores the run's transition; a run changed meanwhile (cancelled,
// or taken over after its lease expired) is left as it is, except that a
// run cancelled while its step run.Steps[inflight] was in flight (-1 for
// none) still gets that step's outcome recorded.
func (e *Engine) save(ctx context.Context, run *gateway.WorkflowRun, inflight int) error {
	err := e.g.AdvanceRun(ctx, run)
	switch {
	case errors.Is(err, gateway.ErrConflict) && inflight >= 0:
		return e.g.RecordCancelledStep(ctx, run.ID, run.Steps[inflight])
	case errors.Is(err, gateway.ErrConflict):
		return nil
	}
	return err
}

// spec returns the workflow a run follows, decoded from the run's copy.
func (e *Engine) spec(run *gateway.WorkflowRun) (*action.Workflow, error) {
	return e.specs.get(sha256.Sum256(run.Spec), func() (*action.Workflow, error) {
		wf := &action.Workflow{}
		if err := json.Unmarshal(run.Spec, wf); err != nil {
			return nil, fmt.Errorf("the run's copy of workflow %q cannot be read: %v", run.Workflow, err)
		}
		return wf, nil
	})
}

// condition returns the compiled form of an expression.
func (e *Engine) condition(src string) (*condition.Condition, error) {
	return e.conds.get(src, func() (*condition.Condition, error) { return condition.Compile(src) })
}

// arrive moves the run's cursor to p and counts the arrival at its step;
// false when the run failed because the step was entered too often (an
// on_error goto that loops).
func (e *Engine) arrive(run *gateway.WorkflowRun, wf *action.Workflow, p position) bool {
	s := p.step(wf)
	run.Cursor = p.String()
	if s == nil {
		return true
	}
	if run.Visits == nil {
		run.Visits = map[string]int{}
	}
	run.Visits[s.ID]++
	if run.Visits[s.ID] > action.MaxStepVisits {
		e.failRun(run, s.ID, fmt.Sprintf("step %q was entered %d times; at most %d (an on_error goto loops)", s.ID, run.Visits[s.ID], action.MaxStepVisits))
		return false
	}
	return true
}

// failRun ends the run as failed; the cursor stays on the failed step, so
// a retry starts there.
func (e *Engine) failRun(run *gateway.WorkflowRun, stepID, msg string) {
	run.Status = gateway.RunFailed
	run.WakeAt = nil
	if stepID != "" {
		msg = fmt.Sprintf("step %s: %s", stepID, msg)
	}
	run.Error = msg
}

// wake ends a run's wait: the wait step's record is completed.
func wake(run *gateway.WorkflowRun, now time.Time) {
	for i := len(run.Steps) - 1; i >= 0; i-- {
		if r := &run.Steps[i]; r.Status == gateway.RunWaiting {
			r.Status = gateway.RunCompleted
			r.FinishedAt = &now
			r.DurationMS = now.Sub(r.StartedAt).Milliseconds()
			break
		}
	}
	run.Status = gateway.RunRunning
	run.WakeAt = nil
}
