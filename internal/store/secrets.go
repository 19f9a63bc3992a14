package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SecretInfo describes a stored secret without its value.
type SecretInfo struct {
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PutSecret creates or replaces a secret's ciphertext. Encryption is the
// caller's job: the store never sees a plaintext secret.
func (s *Store) PutSecret(ctx context.Context, name string, ciphertext []byte) error {
	now := millis(time.Now())
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO secrets (name, ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`),
		name, blob(ciphertext), now, now)
	if err != nil {
		return fmt.Errorf("store: storing secret %q: %w", name, err)
	}
	return nil
}

// GetSecret returns a secret's ciphertext; ErrNotFound when there is none.
func (s *Store) GetSecret(ctx context.Context, name string) ([]byte, error) {
	var ct []byte
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT ciphertext FROM secrets WHERE name = ?`), name).Scan(&ct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: getting secret %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: getting secret %q: %w", name, err)
	}
	return ct, nil
}

// ListSecrets returns the names and dates of all secrets, ordered by name.
func (s *Store) ListSecrets(ctx context.Context) ([]SecretInfo, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT name, created_at, updated_at FROM secrets ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: listing secrets: %w", err)
	}
	defer rows.Close()
	var out []SecretInfo
	for rows.Next() {
		var si SecretInfo
		var created, updated int64
		if err := rows.Scan(&si.Name, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: listing secrets: %w", err)
		}
		si.CreatedAt, si.UpdatedAt = fromMillis(created), fromMillis(updated)
		out = append(out, si)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: listing secrets: %w", err)
	}
	return out, nil
}

// DeleteSecret removes a secret; ErrNotFound when there is none.
func (s *Store) DeleteSecret(ctx context.Context, name string) error {
	n, err := s.exec(ctx, `DELETE FROM secrets WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("store: deleting secret %q: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("store: deleting secret %q: %w", name, ErrNotFound)
	}
	return nil
}

// RewrapSecrets replaces every secret's ciphertext with fn's result in one
// transaction; if fn or any write fails, no secret changes.
func (s *Store) RewrapSecrets(ctx context.Context, fn func(name string, ciphertext []byte) ([]byte, error)) error {
	return s.RewrapSecretsWithMeta(ctx, fn, nil)
}

// RewrapSecretsWithMeta is RewrapSecrets that also sets the given meta
// entries in the same transaction, so a key change and its key check value
// are committed together or not at all.
func (s *Store) RewrapSecretsWithMeta(ctx context.Context, fn func(name string, ciphertext []byte) ([]byte, error), meta map[string][]byte) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		type secret struct {
			name string
			ct   []byte
		}
		rows, err := tx.QueryContext(ctx, `SELECT name, ciphertext FROM secrets ORDER BY name`+s.forUpdate())
		if err != nil {
			return fmt.Errorf("reading secrets: %w", err)
		}
		var all []secret
		for rows.Next() {
			var sec secret
			if err := rows.Scan(&sec.name, &sec.ct); err != nil {
				rows.Close()
				return fmt.Errorf("reading secrets: %w", err)
			}
			all = append(all, sec)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reading secrets: %w", err)
		}
		now := millis(time.Now())
		for _, sec := range all {
			ct, err := fn(sec.name, sec.ct)
			if err != nil {
				return fmt.Errorf("re-encrypting secret %q: %w", sec.name, err)
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE secrets SET ciphertext = ?, updated_at = ? WHERE name = ?`), blob(ct), now, sec.name); err != nil {
				return fmt.Errorf("storing secret %q: %w", sec.name, err)
			}
		}
		for k, v := range meta {
			if err := s.putMeta(ctx, tx, k, v, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: re-encrypting secrets: %w", err)
	}
	return nil
}
