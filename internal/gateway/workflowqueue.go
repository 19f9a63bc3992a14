package gateway

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/store"
)

// How runs are worked: every transition of a run (a step done, a wait
// over, a retry) is one compare-and-set on the run's seq, and then a job
// for the new seq is queued. A job whose seq is no longer the run's does
// nothing, so a job run twice (a crash, a rescue) cannot execute a step
// twice. Before a step with an effect outside the run (an action call, a
// model request) the run is stored with a lease; a worker that dies
// mid-step leaves the lease to expire, and the reconciler then moves the
// run to a new seq and queues it again, so the step runs once more with
// the same idempotency key. A run whose job was lost between its commit
// and the enqueue is queued again by the reconciler too.

// Defaults of WorkflowOptions.
const (
	DefaultWorkflowWorkers = 16
	DefaultReconcileEvery  = 5 * time.Second
	DefaultStallAfter      = 10 * time.Second
	// scheduleSyncEvery is how often a replica compares its schedules
	// with the stored workflows.
	scheduleSyncEvery = 2 * time.Second
	// reconcileBatch bounds the runs one reconcile pass queues again.
	reconcileBatch = 500
)

// StepWorker executes the next step of run, a run that is not finished
// and whose turn it is (the job's seq is the run's), saving what it did
// through LeaseStep and AdvanceRun; attempt counts the job's executions
// from 1. An error is retried with backoff.
type StepWorker func(ctx context.Context, run *WorkflowRun, attempt int) error

// WorkflowOptions configure StartWorkflows.
type WorkflowOptions struct {
	// Workers is how many steps run at once in this process; 0 means
	// DefaultWorkflowWorkers.
	Workers int
	// ReconcileEvery is how often one replica looks for runs that lost
	// their job; 0 means DefaultReconcileEvery.
	ReconcileEvery time.Duration
	// StallAfter is how long a run between steps may go without a
	// transition before it is queued again; 0 means DefaultStallAfter.
	StallAfter time.Duration
	// RescueAfter is how long River lets a job run before it counts the
	// job's worker as gone; 0 means 30 seconds (see store.QueueConfig).
	RescueAfter time.Duration
}

// workQueue is the running job queue of StartWorkflows.
type workQueue struct {
	q          *store.Queue
	stop       context.CancelFunc
	done       chan struct{}
	stallAfter time.Duration
}

// StartWorkflows works workflow runs in this process until
// StopWorkflows: step jobs through work, schedule ticks and the
// reconciler. Several processes may work the same database.
func (g *Gateway) StartWorkflows(ctx context.Context, work StepWorker, opts WorkflowOptions) error {
	g.queueMu.Lock()
	defer g.queueMu.Unlock()
	if g.work != nil {
		return errors.New("gateway: starting workflows: already started")
	}
	wq := &workQueue{stallAfter: cmp.Or(opts.StallAfter, DefaultStallAfter), done: make(chan struct{})}
	q, err := g.store.NewQueue(store.QueueConfig{
		Workers: cmp.Or(opts.Workers, DefaultWorkflowWorkers),
		Step: func(ctx context.Context, runID string, seq int64, attempt int) error {
			return g.stepJob(ctx, work, runID, seq, attempt)
		},
		RescueAfter:    opts.RescueAfter,
		Tick:           g.tick,
		Reconcile:      func(ctx context.Context) error { return g.reconcile(ctx, wq.stallAfter) },
		ReconcileEvery: cmp.Or(opts.ReconcileEvery, DefaultReconcileEvery),
		Logger:         g.log,
	})
	if err != nil {
		return fmt.Errorf("gateway: starting workflows: %w", err)
	}
	if err := q.Start(ctx); err != nil {
		return fmt.Errorf("gateway: starting workflows: %w", err)
	}
	wq.q = q
	syncCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	wq.stop = stop
	go g.syncSchedules(syncCtx, q, wq.done)
	g.work = wq
	return nil
}

// StopWorkflows stops taking new steps and waits for the running ones
// until ctx is done; a step cut short is run again later (its lease
// expires).
func (g *Gateway) StopWorkflows(ctx context.Context) error {
	g.queueMu.Lock()
	wq := g.work
	g.work = nil
	g.queueMu.Unlock()
	if wq == nil {
		return nil
	}
	wq.stop()
	<-wq.done
	if err := wq.q.Stop(ctx); err != nil {
		return fmt.Errorf("gateway: stopping workflows: %w", err)
	}
	return nil
}

// enqueue queues the job of run id's transition seq, through the
// working queue when this process works runs and an inserting one
// otherwise.
func (g *Gateway) enqueue(ctx context.Context, id string, seq int64, at time.Time) error {
	_, err := g.enqueueStep(ctx, id, seq, at)
	return err
}

// enqueueStep is enqueue, saying since when the job already queued for
// the transition has been running (zero when none is running).
func (g *Gateway) enqueueStep(ctx context.Context, id string, seq int64, at time.Time) (time.Time, error) {
	q, err := g.queue()
	if err != nil {
		return time.Time{}, err
	}
	return q.EnqueueStep(ctx, id, seq, at)
}

// queue returns the queue jobs are inserted through.
func (g *Gateway) queue() (*store.Queue, error) {
	g.queueMu.Lock()
	defer g.queueMu.Unlock()
	if g.work != nil {
		return g.work.q, nil
	}
	if g.inserter == nil {
		q, err := g.store.NewQueue(store.QueueConfig{Logger: g.log})
		if err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
		g.inserter = q
	}
	return g.inserter, nil
}

// stepJob loads the run of a step job and hands it to work when it is
// the run's turn.
func (g *Gateway) stepJob(ctx context.Context, work StepWorker, runID string, seq int64, attempt int) error {
	run, err := g.store.GetWorkflowRun(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gateway: loading workflow run %s: %w", runID, err)
	}
	if run.Seq != seq || store.TerminalRun(run.Status) {
		return nil
	}
	if run.Status == RunWaiting && run.WakeAt != nil && run.WakeAt.After(g.now()) {
		return &store.SnoozeError{Until: *run.WakeAt}
	}
	return work(ctx, run, attempt)
}

// LeaseStep stores run as it stands (the records of the steps done so
// far and the one about to start) as a new transition with a lease of d:
// a job for the transition before it (River runs a job again when it
// thinks its worker gone) now does nothing, and once the lease expires
// the reconciler hands the run to a new job, which runs the step again.
// A run changed meanwhile (cancelled, or taken over) is ErrConflict: the
// caller must not run the step.
func (g *Gateway) LeaseStep(ctx context.Context, run *WorkflowRun, d time.Duration) error {
	until := g.now().Add(d).UTC()
	run.LeaseUntil = &until
	if err := g.storeTransition(ctx, run, g.now()); err != nil {
		run.LeaseUntil = nil
		return fmt.Errorf("gateway: leasing a step of run %s: %w", run.ID, err)
	}
	return nil
}

// storeTransition stores run as its next transition (its seq plus one)
// if the stored run is still at run's seq; otherwise it stores nothing,
// leaves run's seq as it was and the error wraps ErrConflict.
func (g *Gateway) storeTransition(ctx context.Context, run *WorkflowRun, now time.Time) error {
	prev := run.Seq
	run.Seq++
	if err := g.store.UpdateWorkflowRun(ctx, run, prev, now); err != nil {
		run.Seq = prev
		return err
	}
	return nil
}

// AdvanceRun stores run as its next transition and queues its next step
// unless it is finished (at run.WakeAt when it waits). A run changed
// meanwhile is ErrConflict and nothing is stored.
func (g *Gateway) AdvanceRun(ctx context.Context, run *WorkflowRun) error {
	run.LeaseUntil = nil
	now := g.now()
	if store.TerminalRun(run.Status) && run.FinishedAt == nil {
		t := now.UTC()
		run.FinishedAt = &t
	}
	if err := g.storeTransition(ctx, run, now); err != nil {
		return fmt.Errorf("gateway: saving run %s: %w", run.ID, err)
	}
	if store.TerminalRun(run.Status) {
		g.metrics.ObserveRunFinished(run.Workflow, run.Status)
		return nil
	}
	var at time.Time
	if run.Status == RunWaiting && run.WakeAt != nil {
		at = *run.WakeAt
	}
	if err := g.enqueue(ctx, run.ID, run.Seq, at); err != nil {
		g.log.WarnContext(ctx, "queueing a workflow run's next step; the reconciler will pick it up", "run", run.ID, "err", err)
	}
	return nil
}

// ObserveStep records a step's execution time in the metrics.
func (g *Gateway) ObserveStep(workflow, stepType, status string, d time.Duration) {
	g.metrics.ObserveStep(workflow, stepType, status, d)
}

// reconcile queues again the runs that lost their job. A run whose step
// lease expired, or whose job has been running for stallAfter without
// taking a lease (its worker went away before its step; a live job
// leases its step at once), moves to a new seq first, so the dead job,
// if it ever comes back, does nothing.
func (g *Gateway) reconcile(ctx context.Context, stallAfter time.Duration) error {
	now := g.now()
	runs, err := g.store.StalledWorkflowRuns(ctx, now, now.Add(-stallAfter), reconcileBatch)
	if err != nil {
		return fmt.Errorf("gateway: finding stalled workflow runs: %w", err)
	}
	for i := range runs {
		r := &runs[i]
		if r.LeaseUntil == nil || !r.LeaseUntil.Before(now) {
			since, err := g.enqueueStep(ctx, r.ID, r.Seq, time.Time{})
			if err != nil {
				return err
			}
			if since.IsZero() || now.Sub(since) < stallAfter {
				continue
			}
		}
		if err := g.takeOver(ctx, r, now); err != nil {
			return err
		}
	}
	return nil
}

// takeOver moves a run whose worker went away to a new seq and queues it.
func (g *Gateway) takeOver(ctx context.Context, r *WorkflowRun, now time.Time) error {
	r.LeaseUntil = nil
	if err := g.storeTransition(ctx, r, now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil
		}
		return fmt.Errorf("gateway: taking over workflow run %s: %w", r.ID, err)
	}
	g.log.WarnContext(ctx, "a workflow run's worker went away before finishing its step; running the step again", "run", r.ID, "workflow", r.Workflow)
	return g.enqueue(ctx, r.ID, r.Seq, time.Time{})
}

// tick starts the run of one schedule tick, once per workflow and tick
// time whatever replica runs it.
func (g *Gateway) tick(ctx context.Context, workflow string, at time.Time) error {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return err
	}
	wf := snap.Workflows[workflow]
	if wf == nil || wf.Trigger.Schedule == nil {
		return nil
	}
	input := maps.Clone(wf.Trigger.Schedule.Input)
	if input == nil {
		input = map[string]any{}
	}
	input["scheduled_at"] = at.UTC().Format(time.RFC3339)
	_, _, err = g.startRun(ctx, StartRequest{
		Workflow: workflow,
		Trigger:  TriggerSchedule,
		Input:    input,
		DedupKey: "schedule:" + at.UTC().Format(time.RFC3339),
	})
	return err
}

// syncSchedules keeps q's periodic jobs the stored workflows' schedules
// until ctx is done, then closes done.
func (g *Gateway) syncSchedules(ctx context.Context, q *store.Queue, done chan<- struct{}) {
	defer close(done)
	last := ""
	t := time.NewTicker(scheduleSyncEvery)
	defer t.Stop()
	for {
		if snap, err := g.Snapshot(ctx); err == nil {
			scheds, sig := schedulesOf(snap)
			if sig != last {
				if err := q.SetSchedules(scheds); err != nil {
					g.log.ErrorContext(ctx, "setting workflow schedules", "err", err)
				} else {
					last = sig
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// schedulesOf returns the schedules of snap's workflows and a signature
// that changes when any of them does.
func schedulesOf(snap *Snapshot) ([]store.Schedule, string) {
	var scheds []store.Schedule
	var sig strings.Builder
	for _, name := range slices.Sorted(maps.Keys(snap.Workflows)) {
		st := snap.Workflows[name].Trigger.Schedule
		if st == nil {
			continue
		}
		next, err := st.Next()
		if err != nil {
			continue
		}
		scheds = append(scheds, store.Schedule{Workflow: name, Next: next})
		fmt.Fprintf(&sig, "%s\x00%s\x00%s\n", name, st.Cron, st.Timezone)
	}
	return scheds, sig.String()
}
