package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache keeps prepared statements for the queries on the call path
// (token lookup, resource version, run inserts), so each call skips
// parsing and planning its SQL. database/sql re-prepares a statement on
// each connection it is used on.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[stmtKey]*sql.Stmt
}

type stmtKey struct {
	db    *sql.DB
	query string
}

// prepared returns the cached prepared statement for query on db, already
// rewritten for the dialect.
func (s *Store) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	k := stmtKey{db: db, query: query}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if st, ok := s.stmts.stmts[k]; ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, s.q(query))
	if err != nil {
		return nil, fmt.Errorf("preparing statement: %w", err)
	}
	if s.stmts.stmts == nil {
		s.stmts.stmts = map[stmtKey]*sql.Stmt{}
	}
	s.stmts.stmts[k] = st
	return st, nil
}

// closeStatements releases every cached statement.
func (s *Store) closeStatements() {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	for k, st := range s.stmts.stmts {
		_ = st.Close()
		delete(s.stmts.stmts, k)
	}
}
