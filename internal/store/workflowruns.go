package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// workflowRunColumns are the columns scanWorkflowRun reads, in its order.
const workflowRunColumns = `id, workflow, trigger, dedup_key, spec, input, contact_id, vars, status, seq, cursor, visits, steps, error,
	parent_run_id, wake_at, lease_until, created_at, updated_at, started_at, finished_at`

// workflowRunListColumns are workflowRunColumns with an empty spec, for
// lists, which leave specs out.
const workflowRunListColumns = `id, workflow, trigger, dedup_key, '' AS spec, input, contact_id, vars, status, seq, cursor, visits, steps, error,
	parent_run_id, wake_at, lease_until, created_at, updated_at, started_at, finished_at`

// The hot statements of a run's life, prepared once (see stmt.go).
const (
	insertWorkflowRunSQL = `INSERT INTO workflow_runs (` + workflowRunColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workflow, dedup_key) DO NOTHING`
	updateWorkflowRunSQL = `UPDATE workflow_runs SET status = ?, seq = ?, cursor = ?, visits = ?, vars = ?, steps = ?, error = ?,
		wake_at = ?, lease_until = ?, started_at = ?, finished_at = ?, updated_at = ? WHERE id = ? AND seq = ?`
	getWorkflowRunSQL   = `SELECT ` + workflowRunColumns + ` FROM workflow_runs WHERE id = ?`
	dedupWorkflowRunSQL = `SELECT ` + workflowRunColumns + ` FROM workflow_runs WHERE workflow = ? AND dedup_key = ?`
)

// dedupAttempts bounds how often InsertWorkflowRun looks again when the
// run that held its dedup key was deleted between its insert and its read.
const dedupAttempts = 3

// InsertWorkflowRun stores a new run (r.ID and the times are set by the
// store when empty). When r.DedupKey is set and the workflow already has a
// run with that key, nothing is stored and the existing run is returned
// with created false.
//
// A stored run is returned as r itself, its ID and times as stored (UTC,
// whole milliseconds). Of many inserts of one key at once, on any number
// of stores sharing the database, exactly one creates the run. An ID in
// use is ErrConflict; a run without a workflow, trigger, known status or
// JSON spec is an error naming the field.
func (s *Store) InsertWorkflowRun(ctx context.Context, r *WorkflowRun) (existing *WorkflowRun, created bool, err error) {
	id := r.ID
	if id == "" {
		id = s.NewID()
	}
	rec, err := encodeWorkflowRun(r, id)
	if err != nil {
		return nil, false, fmt.Errorf("store: inserting workflow run: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	createdAt, updated := msTime(r.CreatedAt, now), msTime(r.UpdatedAt, now)
	insert, err := s.prepared(ctx, s.db, insertWorkflowRunSQL)
	if err != nil {
		return nil, false, fmt.Errorf("store: inserting workflow run: %w", err)
	}
	for range dedupAttempts {
		res, err := insert.ExecContext(ctx, id, r.Workflow, r.Trigger, nullString(r.DedupKey), string(r.Spec), rec.input,
			nullString(r.ContactID), rec.vars, r.Status, r.Seq, r.Cursor, rec.visits, rec.steps, r.Error, nullString(r.ParentRunID),
			optTimeMillis(r.WakeAt), optTimeMillis(r.LeaseUntil), millis(createdAt), millis(updated),
			optTimeMillis(r.StartedAt), optTimeMillis(r.FinishedAt))
		if isUniqueViolation(err) {
			return nil, false, fmt.Errorf("store: inserting workflow run: id %q: %w", id, ErrConflict)
		}
		if err != nil {
			return nil, false, fmt.Errorf("store: inserting workflow run: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, false, fmt.Errorf("store: inserting workflow run: reading rows affected: %w", err)
		}
		if n == 1 {
			r.ID, r.CreatedAt, r.UpdatedAt = id, createdAt, updated
			r.WakeAt, r.LeaseUntil = msTimePtr(r.WakeAt), msTimePtr(r.LeaseUntil)
			r.StartedAt, r.FinishedAt = msTimePtr(r.StartedAt), msTimePtr(r.FinishedAt)
			return r, true, nil
		}
		// The dedup key is taken: read the run holding it from the writer,
		// which sees every committed insert.
		dedup, err := s.prepared(ctx, s.db, dedupWorkflowRunSQL)
		if err != nil {
			return nil, false, fmt.Errorf("store: inserting workflow run: %w", err)
		}
		got, err := scanWorkflowRun(dedup.QueryRowContext(ctx, r.Workflow, r.DedupKey))
		if errors.Is(err, ErrNotFound) {
			continue // deleted since: insert again
		}
		if err != nil {
			return nil, false, fmt.Errorf("store: inserting workflow run: reading the run of dedup key %q: %w", r.DedupKey, err)
		}
		return got, false, nil
	}
	return nil, false, fmt.Errorf("store: inserting workflow run: the run of dedup key %q kept disappearing: %w", r.DedupKey, ErrConflict)
}

// GetWorkflowRun returns a run with its step records and spec.
func (s *Store) GetWorkflowRun(ctx context.Context, id string) (*WorkflowRun, error) {
	get, err := s.prepared(ctx, s.rdb, getWorkflowRunSQL)
	if err != nil {
		return nil, fmt.Errorf("store: getting workflow run %q: %w", id, err)
	}
	r, err := scanWorkflowRun(get.QueryRowContext(ctx, id))
	if err != nil {
		return nil, fmt.Errorf("store: getting workflow run %q: %w", id, err)
	}
	return r, nil
}

// ListWorkflowRuns returns runs matching f, newest first, without their
// specs, and the cursor of the next page ("" at the end).
//
// Limit 0 means DefaultWorkflowRunLimit; it is at most
// MaxWorkflowRunLimit. A cursor this store did not issue is
// ErrInvalidCursor; a status that is not a run status is an error.
func (s *Store) ListWorkflowRuns(ctx context.Context, f WorkflowRunFilter) ([]WorkflowRun, string, error) {
	limit := pageLimit(f.Limit, DefaultWorkflowRunLimit, MaxWorkflowRunLimit)
	var where []string
	var args []any
	if f.Cursor != "" {
		if !validID(f.Cursor) {
			return nil, "", fmt.Errorf("store: listing workflow runs: %w", ErrInvalidCursor)
		}
		where, args = append(where, "id < ?"), append(args, f.Cursor)
	}
	if f.Workflow != "" {
		where, args = append(where, "workflow = ?"), append(args, f.Workflow)
	}
	if f.Status != "" {
		if !slices.Contains(WorkflowRunStatuses(), f.Status) {
			return nil, "", fmt.Errorf("store: listing workflow runs: status %q is not one of %s", f.Status, strings.Join(WorkflowRunStatuses(), ", "))
		}
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	query := `SELECT ` + workflowRunListColumns + ` FROM workflow_runs`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	// One extra row tells whether another page follows.
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit+1)
	out, err := s.queryWorkflowRuns(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: listing workflow runs: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// UpdateWorkflowRun saves r (status, seq, cursor, visits, vars, steps,
// error, wake, lease, start and finish times) if the stored run's seq is still prevSeq;
// otherwise it changes nothing and returns ErrConflict. UpdatedAt is set
// to now.
//
// The times written back into r are as stored (UTC, whole milliseconds).
// A missing run is ErrConflict too; a status that is not a run status is
// an error.
func (s *Store) UpdateWorkflowRun(ctx context.Context, r *WorkflowRun, prevSeq int64, now time.Time) error {
	if !slices.Contains(WorkflowRunStatuses(), r.Status) {
		return fmt.Errorf("store: updating workflow run %q: status %q is not one of %s", r.ID, r.Status, strings.Join(WorkflowRunStatuses(), ", "))
	}
	rec, err := encodeWorkflowRunState(r)
	if err != nil {
		return fmt.Errorf("store: updating workflow run %q: %w", r.ID, err)
	}
	update, err := s.prepared(ctx, s.db, updateWorkflowRunSQL)
	if err != nil {
		return fmt.Errorf("store: updating workflow run %q: %w", r.ID, err)
	}
	updated := now.UTC().Truncate(time.Millisecond)
	res, err := update.ExecContext(ctx, r.Status, r.Seq, r.Cursor, rec.visits, rec.vars, rec.steps, r.Error,
		optTimeMillis(r.WakeAt), optTimeMillis(r.LeaseUntil), optTimeMillis(r.StartedAt), optTimeMillis(r.FinishedAt),
		millis(updated), r.ID, prevSeq)
	if err != nil {
		return fmt.Errorf("store: updating workflow run %q: %w", r.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: updating workflow run %q: reading rows affected: %w", r.ID, err)
	}
	if n != 1 {
		return fmt.Errorf("store: updating workflow run %q: missing or no longer at seq %d: %w", r.ID, prevSeq, ErrConflict)
	}
	r.UpdatedAt = updated
	r.WakeAt, r.LeaseUntil = msTimePtr(r.WakeAt), msTimePtr(r.LeaseUntil)
	r.StartedAt, r.FinishedAt = msTimePtr(r.StartedAt), msTimePtr(r.FinishedAt)
	return nil
}

// StalledWorkflowRuns returns up to limit runs, oldest update first, that
// should have a job but may have lost it: runs whose LeaseUntil is before
// now; queued or running runs without a lease not updated since before;
// and waiting runs whose WakeAt is before before.
//
// Finished runs are never returned. The runs come with their specs; a
// limit below 1 is an error.
func (s *Store) StalledWorkflowRuns(ctx context.Context, now, before time.Time, limit int) ([]WorkflowRun, error) {
	if limit < 1 {
		return nil, fmt.Errorf("store: finding stalled workflow runs: limit %d is below 1", limit)
	}
	// Each case is its own indexed search for its limit oldest runs; the
	// oldest of their union are the answer. A run in two cases is one.
	query := fmt.Sprintf(`SELECT `+workflowRunColumns+` FROM workflow_runs WHERE id IN (
		SELECT id FROM (SELECT id FROM workflow_runs WHERE lease_until < ? AND status IN (?, ?, ?) ORDER BY updated_at LIMIT %[1]d) leased
		UNION SELECT id FROM (SELECT id FROM workflow_runs WHERE status IN (?, ?) AND lease_until IS NULL AND updated_at < ? ORDER BY updated_at LIMIT %[1]d) unleased
		UNION SELECT id FROM (SELECT id FROM workflow_runs WHERE status = ? AND wake_at < ? ORDER BY updated_at LIMIT %[1]d) woken
	) ORDER BY updated_at, id LIMIT %[1]d`, limit)
	out, err := s.queryWorkflowRuns(ctx, query,
		millis(now), RunQueued, RunRunning, RunWaiting,
		RunQueued, RunRunning, millis(before),
		RunWaiting, millis(before))
	if err != nil {
		return nil, fmt.Errorf("store: finding stalled workflow runs: %w", err)
	}
	return out, nil
}

// CountWorkflowRuns counts runs by workflow and status.
func (s *Store) CountWorkflowRuns(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT workflow, status, COUNT(*) FROM workflow_runs GROUP BY workflow, status`)
	if err != nil {
		return nil, fmt.Errorf("store: counting workflow runs: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var (
			workflow, status string
			n                int
		)
		if err := rows.Scan(&workflow, &status, &n); err != nil {
			return nil, fmt.Errorf("store: counting workflow runs: %w", err)
		}
		if out[workflow] == nil {
			out[workflow] = map[string]int{}
		}
		out[workflow][status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: counting workflow runs: %w", err)
	}
	return out, nil
}

// pruneWorkflowRunsSQL deletes the runs that finished before a time: a
// finished run's last update is its finish.
const pruneWorkflowRunsSQL = `DELETE FROM workflow_runs WHERE status IN ('` + RunCompleted + `', '` + RunFailed + `', '` + RunCancelled + `') AND updated_at < ?`

// queryWorkflowRuns reads the runs a query of workflowRunColumns (or
// workflowRunListColumns) selects.
func (s *Store) queryWorkflowRuns(ctx context.Context, query string, args ...any) ([]WorkflowRun, error) {
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WorkflowRun
	for rows.Next() {
		r, err := scanWorkflowRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// workflowRunJSON is the JSON columns of a run, NULL for a nil value.
type workflowRunJSON struct {
	input, vars, visits, steps sql.NullString
}

// encodeWorkflowRun checks a new run and encodes its JSON columns.
func encodeWorkflowRun(r *WorkflowRun, id string) (workflowRunJSON, error) {
	switch {
	case !validID(id):
		return workflowRunJSON{}, fmt.Errorf("id %q was not made by NewID", id)
	case r.Workflow == "":
		return workflowRunJSON{}, errors.New("workflow is empty")
	case r.Trigger == "":
		return workflowRunJSON{}, errors.New("trigger is empty")
	case !slices.Contains(WorkflowRunStatuses(), r.Status):
		return workflowRunJSON{}, fmt.Errorf("status %q is not one of %s", r.Status, strings.Join(WorkflowRunStatuses(), ", "))
	case len(r.Spec) == 0:
		return workflowRunJSON{}, errors.New("spec is empty")
	case !json.Valid(r.Spec):
		return workflowRunJSON{}, errors.New("spec is not valid JSON")
	}
	rec, err := encodeWorkflowRunState(r)
	if err != nil {
		return rec, err
	}
	if rec.input, err = nullJSON(r.Input, r.Input == nil); err != nil {
		return rec, fmt.Errorf("input: %w", err)
	}
	return rec, nil
}

// encodeWorkflowRunState encodes the JSON columns an update writes.
func encodeWorkflowRunState(r *WorkflowRun) (workflowRunJSON, error) {
	var (
		rec workflowRunJSON
		err error
	)
	if rec.vars, err = nullJSON(r.Vars, r.Vars == nil); err != nil {
		return rec, fmt.Errorf("vars: %w", err)
	}
	if rec.visits, err = nullJSON(r.Visits, r.Visits == nil); err != nil {
		return rec, fmt.Errorf("visits: %w", err)
	}
	if rec.steps, err = nullJSON(r.Steps, r.Steps == nil); err != nil {
		return rec, fmt.Errorf("steps: %w", err)
	}
	return rec, nil
}

// nullJSON encodes v, or NULL when isNil.
func nullJSON(v any, isNil bool) (sql.NullString, error) {
	if isNil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encoding: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// decodeNullJSON decodes a JSON column into v, numbers as json.Number so
// integers stay exact; NULL leaves v as it is (nil).
func decodeNullJSON(s sql.NullString, v any) error {
	if !s.Valid {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(s.String))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding: %w", err)
	}
	return nil
}

// scanWorkflowRun reads one row of workflowRunColumns; no row is
// ErrNotFound.
func scanWorkflowRun(row rowScanner) (*WorkflowRun, error) {
	var (
		r                              WorkflowRun
		dedup, contact, parent         sql.NullString
		spec                           string
		input, vars, visits, steps     sql.NullString
		wake, lease, started, finished sql.NullInt64
		created, updated               int64
	)
	err := row.Scan(&r.ID, &r.Workflow, &r.Trigger, &dedup, &spec, &input, &contact, &vars, &r.Status, &r.Seq, &r.Cursor,
		&visits, &steps, &r.Error, &parent, &wake, &lease, &created, &updated, &started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r.DedupKey, r.ContactID, r.ParentRunID = dedup.String, contact.String, parent.String
	if spec != "" {
		r.Spec = json.RawMessage(spec)
	}
	for _, c := range []struct {
		name string
		col  sql.NullString
		v    any
	}{{"input", input, &r.Input}, {"vars", vars, &r.Vars}, {"visits", visits, &r.Visits}, {"steps", steps, &r.Steps}} {
		if err := decodeNullJSON(c.col, c.v); err != nil {
			return nil, fmt.Errorf("workflow run %s: %s: %w", r.ID, c.name, err)
		}
	}
	r.WakeAt, r.LeaseUntil = optMillis(wake), optMillis(lease)
	r.StartedAt, r.FinishedAt = optMillis(started), optMillis(finished)
	r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &r, nil
}

// optTimeMillis stores a nil time as NULL.
func optTimeMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: millis(*t), Valid: true}
}

// msTime is t as stored (UTC, whole milliseconds), or def when t is zero.
func msTime(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return fromMillis(millis(t))
}

// msTimePtr is a copy of *t as stored, nil for nil.
func msTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := fromMillis(millis(*t))
	return &v
}
