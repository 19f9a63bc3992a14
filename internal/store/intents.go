package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/actiongate/actiongate/internal/runlog"
)

// InsertIntent stores r, the record of a write about to be sent, at once
// and in its own transaction, so the write is on record before it can
// reach the upstream (SaveRuns stores intents in batches). staleAt is when the call is certainly over if r is
// still pending; SweepRuns then marks it unknown. When confirmation is not
// empty, the confirmation must still be executing (a sweep may have
// declared it abandoned) and takes the same staleAt; otherwise nothing is
// stored and the error is ErrConflict. IDs are assigned as in InsertRun.
func (s *Store) InsertIntent(ctx context.Context, r *runlog.Run, staleAt time.Time, confirmation string) error {
	if r.ID == "" {
		r.ID = s.NewID()
	} else if !validID(r.ID) {
		return fmt.Errorf("store: inserting intent: id %q was not made by NewID", r.ID)
	}
	rec, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: inserting intent %s: encoding: %w", r.ID, err)
	}
	insert, err := s.prepared(ctx, s.db, insertIntentSQL)
	if err != nil {
		return fmt.Errorf("store: inserting intent: %w", err)
	}
	args := []any{r.ID, millis(r.StartedAt), r.Action, r.Agent, r.Outcome, r.Caller, string(rec), millis(staleAt)}
	if confirmation == "" {
		_, err = insert.ExecContext(ctx, args...)
	} else {
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			n, err := s.execIn(ctx, tx, `UPDATE confirmations SET stale_at = ? WHERE id = ? AND state = ?`,
				millis(staleAt), confirmation, ConfirmationExecuting)
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("confirmation %s is no longer executing: %w", confirmation, ErrConflict)
			}
			_, err = tx.StmtContext(ctx, insert).ExecContext(ctx, args...)
			return err
		})
	}
	if isUniqueViolation(err) {
		err = fmt.Errorf("run %s: %w", r.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: inserting intent: %w", err)
	}
	return nil
}

// Run inserts. A final record replaces the intent of the same ID, pending
// or already swept as unknown; any other row with that ID is left alone (no
// row changes, which SaveRuns reports as ErrConflict).
const (
	insertRunSQL = `INSERT INTO runs (id, started_at, action, agent, outcome, caller, record) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, action = excluded.action, agent = excluded.agent,
outcome = excluded.outcome, caller = excluded.caller, record = excluded.record, stale_at = NULL
WHERE runs.outcome IN ('` + runlog.OutcomePending + `', '` + runlog.OutcomeUnknown + `')`
	insertIntentSQL = `INSERT INTO runs (id, started_at, action, agent, outcome, caller, record, stale_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

// SweepRuns marks every run still pending past its stale time as of now:
// its outcome becomes outcome and its error message. A run completed
// meanwhile is left alone. It returns how many runs it marked. Replicas may
// sweep at the same time.
func (s *Store) SweepRuns(ctx context.Context, now time.Time, outcome, message string) (int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, record FROM runs WHERE stale_at IS NOT NULL AND stale_at < ? AND outcome = ?`),
		millis(now), runlog.OutcomePending)
	if err != nil {
		return 0, fmt.Errorf("store: sweeping runs: %w", err)
	}
	type stale struct{ id, rec string }
	var found []stale
	for rows.Next() {
		var st stale
		if err := rows.Scan(&st.id, &st.rec); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: sweeping runs: %w", err)
		}
		found = append(found, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: sweeping runs: %w", err)
	}
	var marked int64
	for _, st := range found {
		var r runlog.Run
		if err := json.Unmarshal([]byte(st.rec), &r); err != nil {
			return marked, fmt.Errorf("store: sweeping run %s: decoding: %w", st.id, err)
		}
		r.Outcome, r.Error = outcome, message
		rec, err := json.Marshal(&r)
		if err != nil {
			return marked, fmt.Errorf("store: sweeping run %s: encoding: %w", st.id, err)
		}
		n, err := s.exec(ctx, `UPDATE runs SET outcome = ?, record = ?, stale_at = NULL WHERE id = ? AND outcome = ?`,
			outcome, string(rec), st.id, runlog.OutcomePending)
		if err != nil {
			return marked, fmt.Errorf("store: sweeping run %s: %w", st.id, err)
		}
		marked += n
	}
	return marked, nil
}
