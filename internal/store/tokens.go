package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Token is an access token as stored: only its hash, never the token itself.
type Token struct {
	ID   string
	Name string
	// Hash is the caller's digest of the token; lookups match it exactly.
	Hash []byte
	// Admin tokens reach everything; otherwise Agent names the one agent
	// whose tools the token reaches.
	Admin      bool
	Agent      string
	CreatedAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// tokenTouchInterval bounds how often TouchToken writes last-used times.
const tokenTouchInterval = time.Minute

const tokenColumns = `id, name, hash, admin, agent, created_at, revoked_at, last_used_at`

// CreateToken stores t, filling in ID and CreatedAt when they are zero. The
// name must be unique among tokens that are not revoked, and the hash unique
// among all tokens; a clash is ErrConflict.
func (s *Store) CreateToken(ctx context.Context, t *Token) error {
	if err := s.insertToken(ctx, s.db, t); err != nil {
		return fmt.Errorf("store: creating token %q: %w", t.Name, err)
	}
	return nil
}

// CreateTokenIfNoAdmin stores the admin token t only when no unrevoked admin
// token exists, and reports whether it did. Replicas starting at once create
// exactly one first admin token between them.
func (s *Store) CreateTokenIfNoAdmin(ctx context.Context, t *Token) (bool, error) {
	t.Admin = true
	created := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var lock int64
		if err := tx.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = 'admin_bootstrap'`+s.forUpdate()).Scan(&lock); err != nil {
			return fmt.Errorf("locking: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM tokens WHERE admin = ? AND revoked_at IS NULL`), true).Scan(&n); err != nil {
			return fmt.Errorf("counting admin tokens: %w", err)
		}
		if n > 0 {
			return nil
		}
		if err := s.insertToken(ctx, tx, t); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: creating first admin token: %w", err)
	}
	return created, nil
}

func (s *Store) insertToken(ctx context.Context, db execer, t *Token) error {
	if len(t.Hash) == 0 {
		return errors.New("token without a hash")
	}
	if t.ID == "" {
		t.ID = s.NewID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	t.CreatedAt = t.CreatedAt.UTC().Truncate(time.Millisecond)
	_, err := db.ExecContext(ctx, s.q(`INSERT INTO tokens (id, name, hash, admin, agent, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		t.ID, t.Name, t.Hash, t.Admin, t.Agent, millis(t.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("a token with this id, name or hash exists: %w", ErrConflict)
	}
	if err != nil {
		return err
	}
	return nil
}

// TokenByHash returns the unrevoked token with this hash. A revoked or
// unknown token is ErrNotFound, so a revoked token stops working at once.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*Token, error) {
	st, err := s.prepared(ctx, s.rdb, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ? AND revoked_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("store: looking up token: %w", err)
	}
	t, err := scanToken(st.QueryRowContext(ctx, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: looking up token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: looking up token: %w", err)
	}
	return t, nil
}

// TouchToken records that the token was used at now. To keep the hot path
// cheap it writes at most once a minute per token.
func (s *Store) TouchToken(ctx context.Context, id string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`),
		millis(now), id, millis(now.Add(-tokenTouchInterval)))
	if err != nil {
		return fmt.Errorf("store: recording token use: %w", err)
	}
	return nil
}

// ListTokens returns every token, revoked ones included, oldest first.
func (s *Store) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: listing tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: listing tokens: %w", err)
		}
		out = append(out, *t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: listing tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes the unrevoked token with this id or, failing that,
// this name. ErrNotFound when no unrevoked token matches.
func (s *Store) RevokeToken(ctx context.Context, idOrName string) error {
	now := millis(time.Now())
	for _, col := range []string{"id", "name"} {
		n, err := s.exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE `+col+` = ? AND revoked_at IS NULL`, now, idOrName)
		if err != nil {
			return fmt.Errorf("store: revoking token %q: %w", idOrName, err)
		}
		if n > 0 {
			return nil
		}
	}
	return fmt.Errorf("store: revoking token %q: %w", idOrName, ErrNotFound)
}

// CountTokens counts unrevoked tokens that are (admin) or are not (!admin)
// admin tokens.
func (s *Store) CountTokens(ctx context.Context, admin bool) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM tokens WHERE admin = ? AND revoked_at IS NULL`), admin).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: counting tokens: %w", err)
	}
	return n, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanToken(row scanner) (*Token, error) {
	var t Token
	var created int64
	var revoked, used sql.NullInt64
	if err := row.Scan(&t.ID, &t.Name, &t.Hash, &t.Admin, &t.Agent, &created, &revoked, &used); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMillis(created)
	t.RevokedAt = optMillis(revoked)
	t.LastUsedAt = optMillis(used)
	return &t, nil
}
