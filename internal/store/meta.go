package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// GetMeta returns a small stored setting (such as the key check value);
// ErrNotFound when it is unset.
func (s *Store) GetMeta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT value FROM meta WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: getting setting %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: getting setting %q: %w", key, err)
	}
	return v, nil
}

// PutMeta creates or replaces a small stored setting.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte) error {
	if err := s.putMeta(ctx, s.db, key, value, millis(time.Now())); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// PutMetaIfAbsent stores a setting only when it is unset and reports whether
// it did. Replicas starting at once agree on the first value written.
func (s *Store) PutMetaIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	n, err := s.exec(ctx, `INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		key, blob(value), millis(time.Now()))
	if err != nil {
		return false, fmt.Errorf("store: storing setting %q: %w", key, err)
	}
	return n == 1, nil
}

func (s *Store) putMeta(ctx context.Context, db execer, key string, value []byte, now int64) error {
	_, err := db.ExecContext(ctx, s.q(`INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`), key, blob(value), now)
	if err != nil {
		return fmt.Errorf("storing setting %q: %w", key, err)
	}
	return nil
}

// Initialized reports whether the database holds actiongate's tables (its
// first migration was applied), without changing anything.
func (s *Store) Initialized(ctx context.Context) (bool, error) {
	query := `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`
	if s.dialect == DialectPostgres {
		query = `SELECT to_regclass('meta') IS NOT NULL`
	}
	var ok bool
	if err := s.rdb.QueryRowContext(ctx, query).Scan(&ok); err != nil {
		return false, fmt.Errorf("store: checking for actiongate's tables: %w", err)
	}
	return ok, nil
}
