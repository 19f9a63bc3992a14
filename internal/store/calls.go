package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Call record states.
const (
	callRunning = "running"
	callDone    = "done"
)

// CallClaimTimeout is how long a claimed call may stay unfinished before a
// repeat of it may claim it again (its first caller is presumed gone).
const CallClaimTimeout = 30 * time.Minute

// CallRetention is how long answered calls are remembered for de-duplication.
const CallRetention = 24 * time.Hour

// ClaimCall de-duplicates a tool call identified by agent, conversation id
// and call id. claimed == true means this caller owns the call: it must run
// it and then CompleteCall (or ReleaseCall if it produced no result).
// Otherwise result is the recorded answer of the earlier call, or the error
// is ErrInProgress while that call still runs. Exactly one of any number of
// concurrent callers claims a call.
func (s *Store) ClaimCall(ctx context.Context, agent, conversationID, callID string) ([]byte, bool, error) {
	if conversationID == "" || callID == "" {
		return nil, false, errors.New("store: claiming call: conversation id and call id are required")
	}
	now := time.Now()
	n, err := s.exec(ctx, `INSERT INTO calls (agent, conversation_id, call_id, state, result, claimed_at)
		VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT (agent, conversation_id, call_id) DO NOTHING`,
		agent, conversationID, callID, callRunning, millis(now))
	if err != nil {
		return nil, false, fmt.Errorf("store: claiming call %q: %w", callID, err)
	}
	if n == 1 {
		return nil, true, nil
	}
	// Take over a claim whose owner has been silent too long.
	n, err = s.exec(ctx, `UPDATE calls SET claimed_at = ?
		WHERE agent = ? AND conversation_id = ? AND call_id = ? AND state = ? AND claimed_at < ?`,
		millis(now), agent, conversationID, callID, callRunning, millis(now.Add(-CallClaimTimeout)))
	if err != nil {
		return nil, false, fmt.Errorf("store: claiming call %q: %w", callID, err)
	}
	if n == 1 {
		return nil, true, nil
	}
	var state string
	var result []byte
	err = s.rdb.QueryRowContext(ctx, s.q(`SELECT state, result FROM calls WHERE agent = ? AND conversation_id = ? AND call_id = ?`),
		agent, conversationID, callID).Scan(&state, &result)
	if errors.Is(err, sql.ErrNoRows) {
		// Released or pruned between our statements: a retry will claim it.
		return nil, false, fmt.Errorf("store: claiming call %q: %w", callID, ErrInProgress)
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: claiming call %q: %w", callID, err)
	}
	if state != callDone {
		return nil, false, fmt.Errorf("store: claiming call %q: %w", callID, ErrInProgress)
	}
	return result, false, nil
}

// CompleteCall records the answer of a claimed call; repeats of the call
// receive it from ClaimCall. A call that is not claimed is ErrNotFound.
func (s *Store) CompleteCall(ctx context.Context, agent, conversationID, callID string, result []byte) error {
	n, err := s.exec(ctx, `UPDATE calls SET state = ?, result = ? WHERE agent = ? AND conversation_id = ? AND call_id = ?`,
		callDone, blob(result), agent, conversationID, callID)
	if err != nil {
		return fmt.Errorf("store: completing call %q: %w", callID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: completing call %q: %w", callID, ErrNotFound)
	}
	return nil
}

// ReleaseCall drops an unfinished claim so a repeat of the call runs it
// afresh; used when the claimed call produced no answer to record.
func (s *Store) ReleaseCall(ctx context.Context, agent, conversationID, callID string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM calls WHERE agent = ? AND conversation_id = ? AND call_id = ? AND state = ?`),
		agent, conversationID, callID, callRunning)
	if err != nil {
		return fmt.Errorf("store: releasing call %q: %w", callID, err)
	}
	return nil
}
