package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	// Registers the "sqlite" database/sql driver.
	_ "modernc.org/sqlite"
)

// SQLite connection settings. busy_timeout covers the rare moments a reader
// waits on WAL recovery or another process (e.g. a CLI command) holds the
// write lock; within one process writes never contend.
const (
	sqliteBusyTimeoutMS = 10000
	sqliteReaders       = 4
	postgresMaxConns    = 20
	// postgresQueueConns are the pool's connections beyond the store's,
	// for the job queue's fetches, completions and notifications.
	postgresQueueConns = 6
)

// Open connects to the database named by databaseURL without migrating it:
// "postgres://..." or "postgresql://..." selects PostgreSQL (any pgx
// connection parameter, such as search_path, may be given in the query);
// "sqlite:PATH" or a plain file path selects SQLite, opened in WAL mode with
// foreign keys on and one writer connection beside a small read-only pool.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	return open(ctx, databaseURL, true)
}

// OpenExisting is Open for a database that must already exist: a SQLite
// file that is missing is an error wrapping fs.ErrNotExist, and nothing is
// created.
func OpenExisting(ctx context.Context, databaseURL string) (*Store, error) {
	return open(ctx, databaseURL, false)
}

// SQLitePath returns the file a database URL names when it selects SQLite.
func SQLitePath(databaseURL string) (path string, ok bool) {
	switch {
	case strings.HasPrefix(databaseURL, "sqlite:"):
		return strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//"), true
	case databaseURL == "", strings.Contains(databaseURL, "://"):
		return "", false
	}
	return databaseURL, true
}

func open(ctx context.Context, databaseURL string, create bool) (*Store, error) {
	switch {
	case databaseURL == "":
		return nil, errors.New("store: opening database: empty database URL")
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return openPostgres(ctx, databaseURL)
	}
	if path, ok := SQLitePath(databaseURL); ok {
		return openSQLite(ctx, path, create)
	}
	scheme, _, _ := strings.Cut(databaseURL, "://")
	return nil, fmt.Errorf("store: opening database: unsupported scheme %q (use postgres:// or a SQLite file path)", scheme)
}

// openPostgres opens one pgx pool for the database: the store's queries
// reach it through database/sql, the job queue (River) directly.
func openPostgres(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: opening PostgreSQL: %w", err)
	}
	cfg.MaxConns = postgresMaxConns + postgresQueueConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: opening PostgreSQL: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	db.SetMaxOpenConns(postgresMaxConns)
	db.SetMaxIdleConns(postgresMaxConns / 2)
	if err := db.PingContext(ctx); err != nil {
		err = errors.Join(fmt.Errorf("store: connecting to PostgreSQL: %w", err), db.Close())
		pool.Close()
		return nil, err
	}
	return &Store{dialect: DialectPostgres, db: db, rdb: db, pool: pool}, nil
}

func openSQLite(ctx context.Context, path string, create bool) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: opening SQLite: empty file path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: opening SQLite: file path %q must not contain '?' or '#'", path)
	}
	// A new database file is created private to its owner (it holds token
	// hashes and run records); SQLite gives its -wal and -shm files the same
	// mode. An existing file keeps the mode its owner chose.
	flags := os.O_RDONLY
	if create {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: opening SQLite file %s: %w", path, err)
	}
	f.Close()
	common := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", sqliteBusyTimeoutMS)
	db, err := sql.Open("sqlite", path+"?"+common+"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: opening SQLite: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	// The writer connects first so the file exists and is in WAL mode before
	// any reader opens it.
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("store: opening SQLite file %s: %w", path, err), db.Close())
	}
	rdb, err := sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		return nil, errors.Join(fmt.Errorf("store: opening SQLite: %w", err), db.Close())
	}
	rdb.SetMaxOpenConns(sqliteReaders)
	rdb.SetMaxIdleConns(sqliteReaders)
	if err := rdb.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("store: opening SQLite file %s: %w", path, err), rdb.Close(), db.Close())
	}
	return &Store{dialect: DialectSQLite, db: db, rdb: rdb}, nil
}
