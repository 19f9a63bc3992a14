package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Confirmation states.
const (
	ConfirmationPending   = "pending"
	ConfirmationExecuting = "executing"
	ConfirmationDone      = "done"
	ConfirmationRejected  = "rejected"
	// ConfirmationUnknown: the server sending it stopped before the
	// outcome was recorded; a person retries or closes it.
	ConfirmationUnknown = "unknown"
	// ConfirmationClosed: a person closed it after an unknown outcome.
	ConfirmationClosed = "closed"
)

// ConfirmationStates returns every confirmation state, in the order a
// confirmation may pass through them.
func ConfirmationStates() []string {
	return []string{ConfirmationPending, ConfirmationExecuting, ConfirmationDone,
		ConfirmationRejected, ConfirmationUnknown, ConfirmationClosed}
}

// ExecutingTTL bounds how long an approved confirmation may take to start
// sending; its send's intent (InsertIntent) then sets a new stale time.
// Past it, SweepConfirmations counts the confirmation abandoned.
const ExecutingTTL = 2 * time.Minute

// Confirmation is a write waiting for a human decision.
type Confirmation struct {
	ID     string
	Agent  string
	Action string
	// Payload is the caller's encoding of what to execute on approval.
	Payload []byte
	// State is one of the Confirmation* states.
	State string
	// Result is the caller's encoding of the outcome, set when done.
	Result    []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

const confirmationColumns = `id, agent, action, payload, state, result, created_at, expires_at`

// CreateConfirmation stores c as pending. ID and CreatedAt are filled in
// when zero; ExpiresAt is the caller's policy and must be set.
func (s *Store) CreateConfirmation(ctx context.Context, c *Confirmation) error {
	if c.ExpiresAt.IsZero() {
		return errors.New("store: creating confirmation: ExpiresAt is not set")
	}
	if c.ID == "" {
		c.ID = s.NewID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now()
	}
	c.CreatedAt = c.CreatedAt.UTC().Truncate(time.Millisecond)
	c.ExpiresAt = c.ExpiresAt.UTC().Truncate(time.Millisecond)
	c.State = ConfirmationPending
	c.Result = nil
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO confirmations (`+confirmationColumns+`) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)`),
		c.ID, c.Agent, c.Action, blob(c.Payload), c.State, millis(c.CreatedAt), millis(c.ExpiresAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: creating confirmation %s: %w", c.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: creating confirmation %s: %w", c.ID, err)
	}
	return nil
}

// GetConfirmation returns one confirmation; ErrNotFound when there is none.
func (s *Store) GetConfirmation(ctx context.Context, id string) (*Confirmation, error) {
	c, err := s.getConfirmation(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("store: getting confirmation %q: %w", id, err)
	}
	return c, nil
}

func (s *Store) getConfirmation(ctx context.Context, id string) (*Confirmation, error) {
	var c Confirmation
	var created, expires int64
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT `+confirmationColumns+` FROM confirmations WHERE id = ?`), id).
		Scan(&c.ID, &c.Agent, &c.Action, &c.Payload, &c.State, &c.Result, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c.CreatedAt, c.ExpiresAt = fromMillis(created), fromMillis(expires)
	return &c, nil
}

// ClaimConfirmation decides a pending confirmation: approve moves it to
// executing (the winner must then execute it and call CompleteConfirmation),
// reject moves it to rejected. Of any number of concurrent callers, on any
// replicas, exactly one wins. Losers get won == false and the confirmation
// as it now stands, so a repeated approve can return the recorded result
// once it is done. A pending confirmation past its expiry is ErrExpired.
func (s *Store) ClaimConfirmation(ctx context.Context, id string, approve bool, now time.Time) (*Confirmation, bool, error) {
	to := ConfirmationRejected
	if approve {
		to = ConfirmationExecuting
	}
	n, err := s.exec(ctx, `UPDATE confirmations SET state = ?, stale_at = ? WHERE id = ? AND state = ? AND expires_at > ?`,
		to, staleAt(approve, now), id, ConfirmationPending, millis(now))
	if err != nil {
		return nil, false, fmt.Errorf("store: claiming confirmation %q: %w", id, err)
	}
	c, err := s.getConfirmation(ctx, id)
	if err != nil {
		return nil, false, fmt.Errorf("store: claiming confirmation %q: %w", id, err)
	}
	if n == 1 {
		return c, true, nil
	}
	if c.State == ConfirmationPending {
		return c, false, fmt.Errorf("store: claiming confirmation %q: %w", id, ErrExpired)
	}
	return c, false, nil
}

// staleAt is the stale time of a claim: ExecutingTTL from now for an
// approval, none for a rejection.
func staleAt(approve bool, now time.Time) sql.NullInt64 {
	if !approve {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: millis(now.Add(ExecutingTTL)), Valid: true}
}

// CompleteConfirmation records the result of an executing confirmation and
// marks it done. A result that arrives after a sweep declared the
// confirmation unknown still completes it, since it is the real outcome.
// A confirmation in any other state is ErrConflict.
func (s *Store) CompleteConfirmation(ctx context.Context, id string, result []byte) error {
	n, err := s.exec(ctx, `UPDATE confirmations SET state = ?, result = ?, stale_at = NULL WHERE id = ? AND state IN (?, ?)`,
		ConfirmationDone, blob(result), id, ConfirmationExecuting, ConfirmationUnknown)
	if err != nil {
		return fmt.Errorf("store: completing confirmation %q: %w", id, err)
	}
	if n == 1 {
		return nil
	}
	c, err := s.getConfirmation(ctx, id)
	if err != nil {
		return fmt.Errorf("store: completing confirmation %q: %w", id, err)
	}
	return fmt.Errorf("store: completing confirmation %q in state %s: %w", id, c.State, ErrConflict)
}

// SweepConfirmations marks every confirmation still executing past its
// stale time as of now unknown, and returns how many it marked.
func (s *Store) SweepConfirmations(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.exec(ctx, `UPDATE confirmations SET state = ?, stale_at = NULL WHERE state = ? AND stale_at IS NOT NULL AND stale_at < ?`,
		ConfirmationUnknown, ConfirmationExecuting, millis(now))
	if err != nil {
		return 0, fmt.Errorf("store: sweeping confirmations: %w", err)
	}
	return n, nil
}

// RetryConfirmation moves a confirmation whose outcome is unknown back to
// executing, as ClaimConfirmation does for an approval; expiry does not
// apply. Of concurrent callers exactly one wins; the others get won ==
// false and the confirmation as it stands.
func (s *Store) RetryConfirmation(ctx context.Context, id string, now time.Time) (*Confirmation, bool, error) {
	return s.moveConfirmation(ctx, id, ConfirmationUnknown, ConfirmationExecuting, staleAt(true, now))
}

// CloseConfirmation moves a confirmation whose outcome is unknown to
// closed, so it is neither retried nor listed as needing attention. Of
// concurrent callers exactly one wins.
func (s *Store) CloseConfirmation(ctx context.Context, id string) (*Confirmation, bool, error) {
	return s.moveConfirmation(ctx, id, ConfirmationUnknown, ConfirmationClosed, sql.NullInt64{})
}

// moveConfirmation changes a confirmation from one state to another and
// returns it as it then stands; won reports whether this call changed it.
func (s *Store) moveConfirmation(ctx context.Context, id, from, to string, stale sql.NullInt64) (*Confirmation, bool, error) {
	n, err := s.exec(ctx, `UPDATE confirmations SET state = ?, stale_at = ? WHERE id = ? AND state = ?`, to, stale, id, from)
	if err != nil {
		return nil, false, fmt.Errorf("store: moving confirmation %q to %s: %w", id, to, err)
	}
	c, err := s.getConfirmation(ctx, id)
	if err != nil {
		return nil, false, fmt.Errorf("store: moving confirmation %q to %s: %w", id, to, err)
	}
	return c, n == 1, nil
}

// MaxConfirmationList bounds ListConfirmations.
const MaxConfirmationList = 500

// ListConfirmations returns up to limit confirmations in the given state
// (every state when empty), newest first.
func (s *Store) ListConfirmations(ctx context.Context, state string, limit int) ([]*Confirmation, error) {
	if limit <= 0 || limit > MaxConfirmationList {
		limit = MaxConfirmationList
	}
	query := `SELECT ` + confirmationColumns + ` FROM confirmations`
	var args []any
	if state != "" {
		query += ` WHERE state = ?`
		args = append(args, state)
	}
	query += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d`, limit)
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing confirmations: %w", err)
	}
	defer rows.Close()
	var out []*Confirmation
	for rows.Next() {
		var c Confirmation
		var created, expires int64
		if err := rows.Scan(&c.ID, &c.Agent, &c.Action, &c.Payload, &c.State, &c.Result, &created, &expires); err != nil {
			return nil, fmt.Errorf("store: listing confirmations: %w", err)
		}
		c.CreatedAt, c.ExpiresAt = fromMillis(created), fromMillis(expires)
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: listing confirmations: %w", err)
	}
	return out, nil
}

// CountPending counts the pending confirmations that have not expired at
// now, for a count shown on every console page.
func (s *Store) CountPending(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM confirmations WHERE expires_at > ? AND state = ?`), millis(now), ConfirmationPending).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: counting pending confirmations: %w", err)
	}
	return n, nil
}
