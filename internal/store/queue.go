package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Workflow jobs run on River in the store's own database: riversqlite
// over the single writer connection on SQLite, riverpgxv5 over the pgx
// pool on PostgreSQL, so replicas on one PostgreSQL share the work with no
// other service. The store knows the jobs only as a run id and a seq (a
// step), a workflow and a time (a schedule tick) and a periodic
// reconcile; what they do is the caller's, through QueueConfig.

// Job kinds, as River stores them.
const (
	stepJobKind      = "workflow_step"
	tickJobKind      = "workflow_tick"
	reconcileJobKind = "workflow_reconcile"
)

// Polling: River's SQLite driver has no notifications, so a worker looks
// for jobs another process inserted at this interval (a job this process
// inserts is fetched at once). On PostgreSQL, LISTEN/NOTIFY wakes workers
// at once, but River sends no notification for an insert within the fetch
// cooldown of the one before, so the poll bounds how long such a job
// waits.
const (
	fetchPoll     = 100 * time.Millisecond
	fetchCooldown = 20 * time.Millisecond
)

// riverLockKey is the advisory lock that keeps replicas starting at once
// from migrating River's tables concurrently on PostgreSQL.
const riverLockKey = 0x61677277 // "agrw"

// stepArgs is a step job: execute run RunID's next step if the run is
// still at Seq.
type stepArgs struct {
	RunID string `json:"run_id" river:"unique"`
	Seq   int64  `json:"seq" river:"unique"`
}

func (stepArgs) Kind() string { return stepJobKind }

// tickArgs is one tick of a workflow's schedule.
type tickArgs struct {
	Workflow string    `json:"workflow" river:"unique"`
	At       time.Time `json:"at" river:"unique"`
}

func (tickArgs) Kind() string { return tickJobKind }

// reconcileArgs is the periodic search for runs that lost their job.
type reconcileArgs struct{}

func (reconcileArgs) Kind() string { return reconcileJobKind }

// activeStates are the job states in which a job is still to run or
// running: a second job with the same args is not inserted while one is.
var activeStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRunning,
	rivertype.JobStateRetryable,
	rivertype.JobStateScheduled,
}

// QueueConfig says what a Queue's jobs do. A Queue with no Step only
// inserts jobs (a command that starts runs but does not execute them).
type QueueConfig struct {
	// Workers is how many step jobs run at once; 0 means 16.
	Workers int
	// Step executes run runID's next step when the run is still at seq;
	// attempt counts River's attempts of this job from 1. An error is
	// retried with backoff.
	Step func(ctx context.Context, runID string, seq int64, attempt int) error
	// RescueAfter is how long a job may run before River counts its
	// worker as gone and runs it again; 0 means 30 seconds. A live job's
	// step has moved its run to a new seq, so the job run again does
	// nothing: a short value only speeds up the recovery of a job that
	// died before its step.
	RescueAfter time.Duration
	// Tick starts the run of one schedule tick.
	Tick func(ctx context.Context, workflow string, at time.Time) error
	// Reconcile looks for runs that lost their job; it runs every
	// ReconcileEvery on one replica (River's leader).
	Reconcile      func(ctx context.Context) error
	ReconcileEvery time.Duration
	Logger         *slog.Logger
}

// SnoozeError, returned by QueueConfig.Step, puts the job back to run
// again at Until.
type SnoozeError struct {
	Until time.Time
}

func (e *SnoozeError) Error() string { return "store: not due before " + e.Until.Format(time.RFC3339) }

// Schedule is one workflow's schedule: Next returns the first tick after
// a time.
type Schedule struct {
	Workflow string
	Next     func(time.Time) time.Time
}

// Queue inserts and works workflow jobs. It is safe for concurrent use.
type Queue struct {
	c     queueClient
	works bool

	// Step jobs inserted at once share one insert: while one goes on, the
	// others gather in pending and the caller that finds it done inserts
	// them all (busy says one is going on).
	batchMu sync.Mutex
	pending []*stepInsert
	busy    bool

	mu          sync.Mutex
	scheduleIDs []string
}

// queueClient is the part of a River client a Queue uses, whatever the
// driver's transaction type.
type queueClient interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	PeriodicJobs() *river.PeriodicJobBundle
}

// NewQueue makes a Queue over the store's database. Call Start to work
// jobs (a Queue with cfg.Step); inserting needs no Start.
func (s *Store) NewQueue(cfg QueueConfig) (*Queue, error) {
	rc := &river.Config{
		Logger:            cfg.Logger,
		FetchCooldown:     fetchCooldown,
		FetchPollInterval: fetchPoll,
		// A step bounds itself (an action's timeout, an agent's turn
		// timeout); the job adds no timeout of its own.
		JobTimeout:           -1,
		RescueStuckJobsAfter: cmp.Or(cfg.RescueAfter, 30*time.Second),
		MaxAttempts:          25,
		RetryPolicy:          backoff{},
		// Finished jobs only matter as a record for a day; the run row is
		// the record users read.
		CompletedJobRetentionPeriod: time.Hour,
	}
	if rc.Logger == nil {
		rc.Logger = slog.New(slog.DiscardHandler)
	}
	works := cfg.Step != nil
	if works {
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, j *river.Job[stepArgs]) error {
			err := cfg.Step(ctx, j.Args.RunID, j.Args.Seq, j.Attempt)
			if se, ok := errors.AsType[*SnoozeError](err); ok {
				return river.JobSnooze(max(time.Until(se.Until), time.Millisecond))
			}
			return err
		}))
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, j *river.Job[tickArgs]) error {
			if cfg.Tick == nil {
				return nil
			}
			return cfg.Tick(ctx, j.Args.Workflow, j.Args.At)
		}))
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[reconcileArgs]) error {
			if cfg.Reconcile == nil {
				return nil
			}
			return cfg.Reconcile(ctx)
		}))
		n := cfg.Workers
		if n <= 0 {
			n = 16
		}
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
		if cfg.Reconcile != nil && cfg.ReconcileEvery > 0 {
			rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(
				river.PeriodicInterval(cfg.ReconcileEvery),
				func() (river.JobArgs, *river.InsertOpts) {
					return reconcileArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: activeStates}}
				},
				&river.PeriodicJobOpts{ID: reconcileJobKind},
			)}
		}
	}
	c, err := s.riverClient(rc)
	if err != nil {
		return nil, fmt.Errorf("store: making the job queue: %w", err)
	}
	return &Queue{c: c, works: works}, nil
}

// riverClient makes a River client over the store's database.
func (s *Store) riverClient(rc *river.Config) (queueClient, error) {
	if s.dialect == DialectPostgres {
		return river.NewClient(riverpgxv5.New(s.pool), rc)
	}
	return river.NewClient(riversqlite.New(s.db), rc)
}

// Start works jobs until Stop.
func (q *Queue) Start(ctx context.Context) error {
	if !q.works {
		return errors.New("store: starting the job queue: it only inserts jobs")
	}
	if err := q.c.Start(ctx); err != nil {
		return fmt.Errorf("store: starting the job queue: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for the running ones until ctx is
// done, then cancels them.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.works {
		return nil
	}
	if err := q.c.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("store: stopping the job queue: %w", err)
	}
	return nil
}

// stepInsert is one EnqueueStep waiting for its insert.
type stepInsert struct {
	params       river.InsertManyParams
	runningSince time.Time
	err          error
	done         chan struct{}
}

// EnqueueStep inserts the job that executes run runID's step at seq, to
// run at at (now when zero). While such a job is waiting or running, a
// second one is not inserted: runningSince is then when the job already
// there started running, zero when it is not running (or none was there).
// Concurrent calls share one insert.
func (q *Queue) EnqueueStep(ctx context.Context, runID string, seq int64, at time.Time) (runningSince time.Time, err error) {
	opts := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: activeStates}}
	if !at.IsZero() {
		opts.ScheduledAt = at
	}
	in := &stepInsert{params: river.InsertManyParams{Args: stepArgs{RunID: runID, Seq: seq}, InsertOpts: opts}, done: make(chan struct{})}
	q.batchMu.Lock()
	q.pending = append(q.pending, in)
	lead := !q.busy
	q.busy = true
	q.batchMu.Unlock()
	if lead {
		q.insertPending(context.WithoutCancel(ctx))
	}
	<-in.done
	if in.err != nil {
		return time.Time{}, fmt.Errorf("store: queueing run %s: %w", runID, in.err)
	}
	return in.runningSince, nil
}

// insertPending inserts the pending step jobs, batch after batch, until
// none is left.
func (q *Queue) insertPending(ctx context.Context) {
	for {
		q.batchMu.Lock()
		batch := q.pending
		q.pending = nil
		if len(batch) == 0 {
			q.busy = false
			q.batchMu.Unlock()
			return
		}
		q.batchMu.Unlock()
		params := make([]river.InsertManyParams, len(batch))
		for i, in := range batch {
			params[i] = in.params
		}
		res, err := q.c.InsertMany(ctx, params)
		for i, in := range batch {
			switch {
			case err != nil:
				in.err = err
			case i < len(res) && res[i].UniqueSkippedAsDuplicate && res[i].Job != nil && res[i].Job.State == rivertype.JobStateRunning && res[i].Job.AttemptedAt != nil:
				in.runningSince = *res[i].Job.AttemptedAt
			}
			close(in.done)
		}
	}
}

// SetSchedules replaces the periodic jobs of workflow schedules with
// scheds. Each tick is inserted once (by River's leader, unique per
// workflow and tick time); a tick missed while no replica ran is skipped.
func (q *Queue) SetSchedules(scheds []Schedule) error {
	if !q.works {
		return errors.New("store: setting schedules: the job queue only inserts jobs")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	b := q.c.PeriodicJobs()
	jobs := make([]*river.PeriodicJob, 0, len(scheds)+1)
	ids := []string{}
	for _, sc := range scheds {
		next := sc.Next
		name := sc.Workflow
		id := "schedule:" + name
		ids = append(ids, id)
		jobs = append(jobs, river.NewPeriodicJob(
			scheduleFunc(next),
			func() (river.JobArgs, *river.InsertOpts) {
				return tickArgs{Workflow: name, At: lastTick(next, time.Now())},
					&river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
			},
			&river.PeriodicJobOpts{ID: id},
		))
	}
	b.RemoveManyByID(q.scheduleIDs)
	if _, err := b.AddManySafely(jobs); err != nil {
		return fmt.Errorf("store: setting schedules: %w", err)
	}
	q.scheduleIDs = ids
	return nil
}

// scheduleFunc adapts a Next function to River's schedule.
type scheduleFunc func(time.Time) time.Time

func (f scheduleFunc) Next(t time.Time) time.Time { return f(t) }

// lastTick returns the latest tick of next at or before now: the tick a
// periodic job fires for, even when River runs it a moment late. A tick
// more than two minutes late is named by now itself, to the second.
func lastTick(next func(time.Time) time.Time, now time.Time) time.Time {
	t := next(now.Add(-2 * time.Minute))
	if t.After(now) {
		return now.Truncate(time.Second).UTC()
	}
	for {
		n := next(t)
		if n.After(now) || !n.After(t) {
			return t.UTC()
		}
		t = n
	}
}

// QueueDepth counts the step jobs waiting to run (available, scheduled
// or waiting to be retried).
func (s *Store) QueueDepth(ctx context.Context) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM river_job WHERE kind = ? AND state IN ('available', 'scheduled', 'retryable')`), stepJobKind).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: counting queued jobs: %w", err)
	}
	return n, nil
}

// backoff retries a failed job after 1, 2, 4 ... seconds, at most a
// minute apart.
type backoff struct{}

func (backoff) NextRetry(j *rivertype.JobRow) time.Time {
	d := time.Second << min(j.Attempt-1, 6)
	return time.Now().Add(min(d, time.Minute))
}

// migrateRiver applies River's own migrations.
func (s *Store) migrateRiver(ctx context.Context) error {
	if s.dialect == DialectSQLite {
		m, err := rivermigrate.New(riversqlite.New(s.db), nil)
		if err != nil {
			return fmt.Errorf("loading River migrations: %w", err)
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("applying River migrations: %w", err)
		}
		return nil
	}
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), nil)
	if err != nil {
		return fmt.Errorf("loading River migrations: %w", err)
	}
	// Each River migration commits on its own (a later one uses an enum
	// value an earlier one adds), so the lock is a session lock held on a
	// connection of its own while they run.
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("locking River migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", riverLockKey); err != nil {
		return fmt.Errorf("locking River migrations: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", riverLockKey)
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("applying River migrations: %w", err)
	}
	return nil
}
