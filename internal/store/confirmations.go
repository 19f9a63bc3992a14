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
)

// DefaultConfirmationTTL is how long a confirmation waits for a human when
// the caller sets no expiry.
const DefaultConfirmationTTL = 15 * time.Minute

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

// CreateConfirmation stores c as pending. ID, CreatedAt and ExpiresAt are
// filled in when zero (ExpiresAt as CreatedAt + DefaultConfirmationTTL).
func (s *Store) CreateConfirmation(ctx context.Context, c *Confirmation) error {
	if c.ID == "" {
		c.ID = s.NewID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now()
	}
	c.CreatedAt = c.CreatedAt.UTC().Truncate(time.Millisecond)
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = c.CreatedAt.Add(DefaultConfirmationTTL)
	}
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
	n, err := s.exec(ctx, `UPDATE confirmations SET state = ? WHERE id = ? AND state = ? AND expires_at > ?`,
		to, id, ConfirmationPending, millis(now))
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

// CompleteConfirmation records the result of an executing confirmation and
// marks it done. A confirmation that is not executing is ErrConflict.
func (s *Store) CompleteConfirmation(ctx context.Context, id string, result []byte) error {
	n, err := s.exec(ctx, `UPDATE confirmations SET state = ?, result = ? WHERE id = ? AND state = ?`,
		ConfirmationDone, blob(result), id, ConfirmationExecuting)
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
