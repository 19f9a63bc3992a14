package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/runlog"
)

// Run list page sizes.
const (
	DefaultRunLimit = 50
	MaxRunLimit     = 500
)

// RunFilter selects runs for ListRuns. Zero fields do not filter.
type RunFilter struct {
	Action  string
	Agent   string
	Outcome string
	// Since keeps runs started at or after this time.
	Since time.Time
	// Until keeps runs started before this time.
	Until time.Time
	// Cursor continues a previous listing; pass the cursor ListRuns returned.
	Cursor string
	// Limit is the page size: DefaultRunLimit when zero, at most MaxRunLimit.
	Limit int
}

// InsertRun stores the whole run record. When r.ID is empty it is assigned
// a new time-ordered ID (see NewID), so the newest runs list first.
func (s *Store) InsertRun(ctx context.Context, r *runlog.Run) error {
	return s.InsertRuns(ctx, []*runlog.Run{r})
}

// InsertRuns stores several run records in one transaction, so a busy
// server pays for one commit per batch instead of one per call. IDs are
// assigned as in InsertRun; either every run is stored or none is.
func (s *Store) InsertRuns(ctx context.Context, runs []*runlog.Run) error {
	return s.SaveRuns(ctx, RunBatch{Runs: runs})
}

// RunBatch is what one SaveRuns commit stores.
type RunBatch struct {
	// Runs are final records. A run whose ID is that of a stored intent
	// (pending, or unknown after a sweep) replaces it: it completes a write.
	Runs []*runlog.Run
	// Intents are the records of writes about to be sent (see InsertIntent).
	Intents []Intent
	// Handles are result handles made by the calls of these runs; an id
	// already in use is ErrConflict.
	Handles []Handle
}

// Intent is the record of a write about to be sent, pending until StaleAt.
type Intent struct {
	Run     *runlog.Run
	StaleAt time.Time
}

// SaveRuns stores a batch of run records and handles in one transaction:
// either all of it is stored or none. IDs are assigned as in InsertRun; a
// run whose ID is taken by anything but an intent is ErrConflict.
func (s *Store) SaveRuns(ctx context.Context, b RunBatch) error {
	recs, err := s.encodeRuns(b)
	if err != nil {
		return err
	}
	insert, err := s.prepared(ctx, s.db, insertRunSQL)
	if err != nil {
		return fmt.Errorf("store: inserting runs: %w", err)
	}
	var intent, handle *sql.Stmt
	if len(b.Intents) > 0 {
		if intent, err = s.prepared(ctx, s.db, insertIntentSQL); err != nil {
			return fmt.Errorf("store: inserting runs: %w", err)
		}
	}
	if len(b.Handles) > 0 {
		if handle, err = s.prepared(ctx, s.db, insertHandleSQL); err != nil {
			return fmt.Errorf("store: inserting runs: %w", err)
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if len(b.Runs) > 0 {
			ins := tx.StmtContext(ctx, insert)
			defer ins.Close()
			for i, r := range b.Runs {
				if err := storedOne(ins.ExecContext(ctx, r.ID, millis(r.StartedAt), r.Action, r.Agent, r.Outcome, r.Caller, recs[i])); err != nil {
					return fmt.Errorf("run %s: %w", r.ID, err)
				}
			}
		}
		if len(b.Intents) > 0 {
			ins := tx.StmtContext(ctx, intent)
			defer ins.Close()
			for i, in := range b.Intents {
				r := in.Run
				if err := storedOne(ins.ExecContext(ctx, r.ID, millis(r.StartedAt), r.Action, r.Agent, r.Outcome, r.Caller,
					recs[len(b.Runs)+i], millis(in.StaleAt))); err != nil {
					return fmt.Errorf("run %s: %w", r.ID, err)
				}
			}
		}
		if len(b.Handles) > 0 {
			ins := tx.StmtContext(ctx, handle)
			defer ins.Close()
			now := millis(time.Now())
			for _, h := range b.Handles {
				if err := storedOne(ins.ExecContext(ctx, h.ID, h.Agent, blob(h.Payload), now, millis(h.ExpiresAt))); err != nil {
					return fmt.Errorf("handle %s: %w", h.ID, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: inserting runs: %w", err)
	}
	return nil
}

// encodeRuns assigns missing IDs and encodes the records of b's runs, then
// of its intents, in that order.
func (s *Store) encodeRuns(b RunBatch) ([]string, error) {
	recs := make([]string, 0, len(b.Runs)+len(b.Intents))
	add := func(r *runlog.Run) error {
		if r.ID == "" {
			r.ID = s.NewID()
		} else if !validID(r.ID) {
			return fmt.Errorf("store: inserting run: id %q was not made by NewID", r.ID)
		}
		rec, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("store: inserting run %s: encoding: %w", r.ID, err)
		}
		recs = append(recs, string(rec))
		return nil
	}
	for _, r := range b.Runs {
		if err := add(r); err != nil {
			return nil, err
		}
	}
	for _, in := range b.Intents {
		if err := add(in.Run); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// storedOne is the error of a statement that must store exactly one row:
// a clash with an existing row is ErrConflict.
func storedOne(res sql.Result, err error) error {
	if err == nil {
		err = oneRow(res)
	}
	if isUniqueViolation(err) {
		return ErrConflict
	}
	return err
}

// oneRow is ErrConflict unless the statement stored exactly one row: an
// insert that found the ID taken by a final record stores none.
func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("reading rows affected: %w", err)
	}
	if n != 1 {
		return ErrConflict
	}
	return nil
}

// GetRun returns one run record; ErrNotFound when there is none.
func (s *Store) GetRun(ctx context.Context, id string) (*runlog.Run, error) {
	var rec string
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT record FROM runs WHERE id = ?`), id).Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: getting run %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: getting run %q: %w", id, err)
	}
	var r runlog.Run
	if err := json.Unmarshal([]byte(rec), &r); err != nil {
		return nil, fmt.Errorf("store: getting run %q: decoding: %w", id, err)
	}
	return &r, nil
}

// ListRuns returns matching runs, newest first, and the cursor of the next
// page ("" when this page is the last). Runs recorded while a caller pages
// through the list never cause duplicates or skipped runs on later pages.
// A cursor this store did not issue is ErrInvalidCursor.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]runlog.Run, string, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultRunLimit
	}
	limit = min(limit, MaxRunLimit)
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.Cursor != "" {
		if !validID(f.Cursor) {
			return nil, "", fmt.Errorf("store: listing runs: %w", ErrInvalidCursor)
		}
		add("id < ?", f.Cursor)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Agent != "" {
		add("agent = ?", f.Agent)
	}
	if f.Outcome != "" {
		add("outcome = ?", f.Outcome)
	}
	if !f.Since.IsZero() {
		add("started_at >= ?", millis(f.Since))
	}
	if !f.Until.IsZero() {
		add("started_at < ?", millis(f.Until))
	}
	query := `SELECT id, record FROM runs`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	// One extra row tells whether another page follows.
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit+1)
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: listing runs: %w", err)
	}
	defer rows.Close()
	var out []runlog.Run
	for rows.Next() {
		var id, rec string
		if err := rows.Scan(&id, &rec); err != nil {
			return nil, "", fmt.Errorf("store: listing runs: %w", err)
		}
		var r runlog.Run
		if err := json.Unmarshal([]byte(rec), &r); err != nil {
			return nil, "", fmt.Errorf("store: listing runs: decoding run %s: %w", id, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: listing runs: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// PruneRuns deletes runs started before the given time, and workflow runs
// that finished (completed, failed or cancelled) before it, and returns how
// many of both it deleted. Workflow runs that have not finished are kept
// however old they are.
func (s *Store) PruneRuns(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.exec(ctx, `DELETE FROM runs WHERE started_at < ?`, millis(before))
	if err != nil {
		return 0, fmt.Errorf("store: pruning runs: %w", err)
	}
	w, err := s.exec(ctx, pruneWorkflowRunsSQL, millis(before))
	if err != nil {
		return n, fmt.Errorf("store: pruning workflow runs: %w", err)
	}
	return n + w, nil
}
