package store

import (
	"context"
	"fmt"
	"time"
)

// ConfirmationRetention is how long a confirmation is kept after it expires,
// so a repeated approve can still return its result.
const ConfirmationRetention = 24 * time.Hour

// PruneExpired deletes what has outlived its use as of now: expired result
// handles, confirmations expired for longer than ConfirmationRetention
// (except those whose outcome is unknown, kept until a person decides), and
// call records older than CallRetention.
func (s *Store) PruneExpired(ctx context.Context, now time.Time) error {
	steps := []struct {
		what, query string
		arg         int64
	}{
		{"handles", `DELETE FROM handles WHERE expires_at <= ?`, millis(now)},
		{"confirmations", `DELETE FROM confirmations WHERE expires_at <= ? AND state <> '` + ConfirmationUnknown + `'`, millis(now.Add(-ConfirmationRetention))},
		{"calls", `DELETE FROM calls WHERE claimed_at <= ?`, millis(now.Add(-CallRetention))},
	}
	for _, st := range steps {
		if _, err := s.db.ExecContext(ctx, s.q(st.query), st.arg); err != nil {
			return fmt.Errorf("store: pruning expired %s: %w", st.what, err)
		}
	}
	return nil
}
