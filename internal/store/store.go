// Package store keeps actiongate's state in one SQL database: resources
// (actions, credentials, agents) as canonical JSON specs, encrypted secrets,
// access tokens, the run log, pending confirmations, call de-duplication
// records and result handles.
//
// One implementation over database/sql serves both SQLite (modernc.org/sqlite,
// the embedded default for a single machine) and PostgreSQL (pgx, for many
// replicas on one database). The schema is migrated with embedded goose
// migrations that share one version history on both databases. The store
// holds no process-local state beyond connection pools, so any number of
// replicas may share a PostgreSQL database.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Dialects reported by Store.Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Sentinel errors callers branch on; returned wrapped with context.
var (
	// ErrNotFound means the requested record does not exist (or is not
	// visible to the caller, such as another agent's handle or a revoked token).
	ErrNotFound = errors.New("not found")
	// ErrExpired means the record exists but its time is up.
	ErrExpired = errors.New("expired")
	// ErrInProgress means another caller is still working on the same call.
	ErrInProgress = errors.New("in progress")
	// ErrConflict means the write clashes with existing data (a duplicate
	// name or id, or a record not in the state the change needs).
	ErrConflict = errors.New("conflict")
	// ErrInvalidCursor means a run list cursor was not one this store issued.
	ErrInvalidCursor = errors.New("invalid cursor")
)

// Store is the database behind actiongate. It is safe for concurrent use.
type Store struct {
	dialect string
	// db carries every write. On SQLite it holds a single connection, so
	// writers queue in the pool instead of failing with "database is locked".
	db *sql.DB
	// rdb carries reads. On SQLite it is a separate read-only pool (WAL lets
	// readers run beside the writer); on PostgreSQL it is the same pool as db.
	rdb *sql.DB
	// pool is the pgx pool under db on PostgreSQL, which the job queue
	// uses directly; nil on SQLite.
	pool *pgxpool.Pool
	// stmts caches prepared statements of the hot queries.
	stmts stmtCache
	// ids makes the IDs of runs, tokens and confirmations.
	ids idSource
}

// Dialect returns DialectSQLite or DialectPostgres.
func (s *Store) Dialect() string { return s.dialect }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: pinging database: %w", err)
	}
	if s.rdb != s.db {
		if err := s.rdb.PingContext(ctx); err != nil {
			return fmt.Errorf("store: pinging database: %w", err)
		}
	}
	return nil
}

// Close closes the connection pools.
func (s *Store) Close() error {
	s.closeStatements()
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	if s.pool != nil {
		s.pool.Close()
	}
	if err != nil {
		return fmt.Errorf("store: closing database: %w", err)
	}
	return nil
}

// q rewrites a query written with "?" placeholders for the store's dialect.
// Queries in this package never contain a literal question mark.
func (s *Store) q(query string) string {
	if s.dialect != DialectPostgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// forUpdate is the row-locking suffix for SELECTs inside write transactions.
// SQLite has no row locks and needs none: its writes are serialized.
func (s *Store) forUpdate() string {
	if s.dialect == DialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// inTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rolling back: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// millis converts t to the stored form: UTC unix milliseconds.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis converts a stored timestamp back to a UTC time.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// optMillis converts a nullable stored timestamp.
func optMillis(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMillis(v.Int64)
	return &t
}

// exec runs a write outside any transaction and returns the rows it changed.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	return s.execIn(ctx, s.db, query, args...)
}

// execIn runs a write on db (the pool or a transaction) and returns the rows
// it changed.
func (s *Store) execIn(ctx context.Context, db execer, query string, args ...any) (int64, error) {
	res, err := db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("reading rows affected: %w", err)
	}
	return n, nil
}

// execer is what both *sql.DB and *sql.Tx offer for writes.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// blob returns b, or an empty slice for nil so NOT NULL columns accept it.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
