package store

import (
	"context"
	"encoding/json"
	"time"
)

// Workflow run statuses. A step record uses the same words plus
// StepSkipped.
const (
	RunQueued    = "queued"
	RunRunning   = "running"
	RunWaiting   = "waiting"
	RunCompleted = "completed"
	RunFailed    = "failed"
	RunCancelled = "cancelled"
	StepSkipped  = "skipped"
)

// WorkflowRunStatuses lists every run status, in the order a run may pass
// through them.
func WorkflowRunStatuses() []string {
	return []string{RunQueued, RunRunning, RunWaiting, RunCompleted, RunFailed, RunCancelled}
}

// TerminalRun reports whether a run in status will not run again (unless
// retried).
func TerminalRun(status string) bool {
	return status == RunCompleted || status == RunFailed || status == RunCancelled
}

// WorkflowRun is one run of a workflow: what started it, where it stands
// and the record of every step executed so far.
type WorkflowRun struct {
	ID       string `json:"id"`
	Workflow string `json:"workflow"`
	// Spec is the workflow's canonical JSON when the run started; the run
	// follows it even if the workflow is changed while it runs.
	Spec json.RawMessage `json:"-"`
	// Trigger is webhook, schedule, event, manual or workflow.
	Trigger string `json:"trigger"`
	// DedupKey, when set, is unique per workflow: a webhook-id, a schedule
	// tick or an event id. A second run with the same key is not created.
	DedupKey  string         `json:"dedup_key,omitempty"`
	Input     map[string]any `json:"input"`
	ContactID string         `json:"contact_id,omitempty"`
	Vars      map[string]any `json:"vars,omitempty"`
	// Status is one of the Run* statuses.
	Status string `json:"status"`
	// Seq counts the run's transitions; every job carries the Seq it was
	// enqueued for, and a job whose Seq is not the run's does nothing.
	Seq int64 `json:"seq"`
	// Cursor is the engine's encoding of the next step, empty once the run
	// is over.
	Cursor string `json:"-"`
	// Visits counts how often each step id was entered (on_error goto
	// loops); the engine's bookkeeping.
	Visits map[string]int `json:"-"`
	// Steps are the step records in the order they were executed.
	Steps []StepRecord `json:"steps"`
	Error string       `json:"error,omitempty"`
	// ParentRunID is the run whose workflow step started this one.
	ParentRunID string `json:"parent_run_id,omitempty"`
	// WakeAt is when a waiting run's next step is due.
	WakeAt *time.Time `json:"wake_at,omitempty"`
	// LeaseUntil is set while a step is in flight: past it, the worker
	// executing the step counts as gone and the step is run again.
	LeaseUntil *time.Time `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// StepRecord is what one execution of a step did.
type StepRecord struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Status is one of the Run* statuses (running, completed, failed,
	// cancelled, waiting) or StepSkipped.
	Status string `json:"status"`
	// Visit counts from 1; it is above 1 when an on_error goto came back.
	Visit int `json:"visit,omitempty"`
	// Attempts counts the executions of this visit (crash or retry).
	Attempts   int            `json:"attempts,omitempty"`
	HTTPStatus int            `json:"http_status,omitempty"`
	Input      any            `json:"input,omitempty"`
	Output     string         `json:"output,omitempty"`
	Extract    map[string]any `json:"extract,omitempty"`
	// RunID is the action run's id, or the started workflow run's.
	RunID      string     `json:"run_id,omitempty"`
	Error      string     `json:"error,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	DurationMS int64      `json:"duration_ms,omitempty"`
}

// WorkflowRunFilter selects and pages workflow runs, newest first.
type WorkflowRunFilter struct {
	Workflow string
	Status   string
	Limit    int
	Cursor   string
}

// Bounds of workflow run lists.
const (
	DefaultWorkflowRunLimit = 50
	MaxWorkflowRunLimit     = 200
)

// InsertWorkflowRun stores a new run (r.ID and the times are set by the
// store when empty). When r.DedupKey is set and the workflow already has a
// run with that key, nothing is stored and the existing run is returned
// with created false.
func (s *Store) InsertWorkflowRun(ctx context.Context, r *WorkflowRun) (existing *WorkflowRun, created bool, err error) {
	panic("store: InsertWorkflowRun is being written")
}

// GetWorkflowRun returns a run with its step records and spec.
func (s *Store) GetWorkflowRun(ctx context.Context, id string) (*WorkflowRun, error) {
	panic("store: GetWorkflowRun is being written")
}

// ListWorkflowRuns returns runs matching f, newest first, without their
// specs, and the cursor of the next page ("" at the end).
func (s *Store) ListWorkflowRuns(ctx context.Context, f WorkflowRunFilter) ([]WorkflowRun, string, error) {
	panic("store: ListWorkflowRuns is being written")
}

// UpdateWorkflowRun saves r (status, seq, cursor, visits, vars, steps,
// error, wake, lease, start and finish times) if the stored run's seq is still prevSeq;
// otherwise it changes nothing and returns ErrConflict. UpdatedAt is set
// to now.
func (s *Store) UpdateWorkflowRun(ctx context.Context, r *WorkflowRun, prevSeq int64, now time.Time) error {
	panic("store: UpdateWorkflowRun is being written")
}

// StalledWorkflowRuns returns up to limit runs, oldest update first, that
// should have a job but may have lost it: runs whose LeaseUntil is before
// now; queued or running runs without a lease not updated since before;
// and waiting runs whose WakeAt is before before.
func (s *Store) StalledWorkflowRuns(ctx context.Context, now, before time.Time, limit int) ([]WorkflowRun, error) {
	panic("store: StalledWorkflowRuns is being written")
}

// CountWorkflowRuns counts runs by workflow and status.
func (s *Store) CountWorkflowRuns(ctx context.Context) (map[string]map[string]int, error) {
	panic("store: CountWorkflowRuns is being written")
}
