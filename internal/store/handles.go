package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Handle is a result handle: the rest of a result the token budget cut,
// owned by one agent until ExpiresAt.
type Handle struct {
	ID        string
	Agent     string
	Payload   []byte
	ExpiresAt time.Time
}

const insertHandleSQL = `INSERT INTO handles (id, agent, payload, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`

// PutHandle stores a result handle owned by agent until expiresAt. An id
// already in use is ErrConflict. A handle made with a run is stored with
// it instead, in the run's batch (RunBatch.Handles).
func (s *Store) PutHandle(ctx context.Context, id, agent string, payload []byte, expiresAt time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(insertHandleSQL), id, agent, blob(payload), millis(time.Now()), millis(expiresAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: storing handle: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: storing handle: %w", err)
	}
	return nil
}

// ErrOtherAgent marks, beside ErrNotFound, a handle that exists but belongs
// to another agent.
var ErrOtherAgent = errors.New("belongs to another agent")

// GetHandle returns a handle's payload. Another agent's handle is
// ErrNotFound, exactly like a missing one, and also ErrOtherAgent; an
// expired handle is ErrExpired.
func (s *Store) GetHandle(ctx context.Context, id, agent string, now time.Time) ([]byte, error) {
	var owner string
	var payload []byte
	var expires int64
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT agent, payload, expires_at FROM handles WHERE id = ?`), id).Scan(&owner, &payload, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: getting handle: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: getting handle: %w", err)
	}
	if owner != agent {
		return nil, fmt.Errorf("store: getting handle: %w (%w)", ErrNotFound, ErrOtherAgent)
	}
	if expires <= millis(now) {
		return nil, fmt.Errorf("store: getting handle: %w", ErrExpired)
	}
	return payload, nil
}
