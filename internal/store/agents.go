package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

// DeleteAgent deletes the named agent and revokes every unrevoked token of
// it in one transaction, returning the ids of the tokens it revoked; an
// unknown agent is ErrNotFound and changes nothing. Together with
// CreateAgentToken, which stores a token only while its agent exists, no
// live token ever outlives its agent, so an agent created later under the
// same name starts without tokens.
func (s *Store) DeleteAgent(ctx context.Context, name string) ([]string, error) {
	var revoked []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n, err := s.execIn(ctx, tx, `DELETE FROM resources WHERE kind = ? AND name = ?`, string(action.KindAgent), name)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if err := s.bumpVersion(ctx, tx, 1); err != nil {
			return err
		}
		revoked, err = s.revokeAgentTokens(ctx, tx, name, time.Now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: deleting %s/%s: %w", action.KindAgent, name, err)
	}
	return revoked, nil
}

// revokeAgentTokens revokes the unrevoked tokens of agent inside tx and
// returns their ids.
func (s *Store) revokeAgentTokens(ctx context.Context, tx *sql.Tx, agent string, now time.Time) ([]string, error) {
	rows, err := tx.QueryContext(ctx, s.q(`UPDATE tokens SET revoked_at = ? WHERE agent = ? AND admin = ? AND revoked_at IS NULL RETURNING id`),
		millis(now), agent, false)
	if err != nil {
		return nil, fmt.Errorf("revoking the tokens of agent %q: %w", agent, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("revoking the tokens of agent %q: %w", agent, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("revoking the tokens of agent %q: %w", agent, err)
	}
	return ids, nil
}

// CreateAgentToken stores t, a token of the agent t.Agent, only while that
// agent exists: the agent is looked up (and on PostgreSQL its row locked)
// in the transaction that inserts the token, so a DeleteAgent running at
// the same time either sees the token and revokes it or makes this call
// fail. An unknown agent is ErrNotFound; a clashing name or hash is
// ErrConflict, as with CreateToken.
func (s *Store) CreateAgentToken(ctx context.Context, t *Token) error {
	if t.Admin || t.Agent == "" {
		return fmt.Errorf("store: creating token %q: an agent token names its agent and is not an admin token", t.Name)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM resources WHERE kind = ? AND name = ?`+s.forUpdate()),
			string(action.KindAgent), t.Agent).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("agent %q: %w", t.Agent, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("reading agent %q: %w", t.Agent, err)
		}
		return s.insertToken(ctx, tx, t)
	})
	if err != nil {
		return fmt.Errorf("store: creating token %q: %w", t.Name, err)
	}
	return nil
}
