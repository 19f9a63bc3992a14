package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

// Change says what storing a resource did.
type Change string

// Changes reported by Apply and Put.
const (
	Created   Change = "created"
	Updated   Change = "updated"
	Unchanged Change = "unchanged"
)

// Applied is the outcome for one resource of an Apply.
type Applied struct {
	Kind   action.Kind
	Name   string
	Change Change
}

// Apply creates or updates every resource in one transaction: either all
// are stored or, on any error, none. A resource whose canonical spec equals
// the stored one is left untouched and reported Unchanged. Results are in
// the order of rs. Two resources with the same kind and name are a conflict.
func (s *Store) Apply(ctx context.Context, rs []action.Resource) ([]Applied, error) {
	type item struct {
		idx  int
		kind action.Kind
		name string
		spec []byte
	}
	items := make([]item, len(rs))
	seen := make(map[string]bool, len(rs))
	for i, r := range rs {
		spec, err := encodeSpec(r)
		if err != nil {
			return nil, fmt.Errorf("store: applying resources: %w", err)
		}
		if seen[r.Key()] {
			return nil, fmt.Errorf("store: applying resources: %s appears twice: %w", r.Key(), ErrConflict)
		}
		seen[r.Key()] = true
		items[i] = item{idx: i, kind: r.Kind, name: r.Name(), spec: spec}
	}
	// Rows are locked in one global order so concurrent applies on
	// PostgreSQL queue behind each other instead of deadlocking.
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.name, b.name))
	})
	out := make([]Applied, len(rs))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := millis(time.Now())
		var changed int64
		for _, it := range sorted {
			ch, err := s.putTx(ctx, tx, it.kind, it.name, it.spec, now)
			if err != nil {
				return err
			}
			if ch != Unchanged {
				changed++
			}
			out[it.idx] = Applied{Kind: it.kind, Name: it.name, Change: ch}
		}
		return s.bumpVersion(ctx, tx, changed)
	})
	if err != nil {
		return nil, fmt.Errorf("store: applying resources: %w", err)
	}
	return out, nil
}

// Put creates or replaces one resource.
func (s *Store) Put(ctx context.Context, r action.Resource) (Change, error) {
	spec, err := encodeSpec(r)
	if err != nil {
		return "", fmt.Errorf("store: storing resource: %w", err)
	}
	var ch Change
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		ch, err = s.putTx(ctx, tx, r.Kind, r.Name(), spec, millis(time.Now()))
		if err != nil {
			return err
		}
		if ch == Unchanged {
			return nil
		}
		return s.bumpVersion(ctx, tx, 1)
	})
	if err != nil {
		return "", fmt.Errorf("store: storing %s: %w", r.Key(), err)
	}
	return ch, nil
}

// putTx stores one spec inside tx and reports what changed.
func (s *Store) putTx(ctx context.Context, tx *sql.Tx, kind action.Kind, name string, spec []byte, now int64) (Change, error) {
	sel := s.q(`SELECT spec FROM resources WHERE kind = ? AND name = ?` + s.forUpdate())
	var old string
	err := tx.QueryRowContext(ctx, sel, string(kind), name).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		n, err := s.execIn(ctx, tx, `INSERT INTO resources (kind, name, spec, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, name) DO NOTHING`, string(kind), name, string(spec), now, now)
		if err != nil {
			return "", fmt.Errorf("inserting %s/%s: %w", kind, name, err)
		}
		if n == 1 {
			return Created, nil
		}
		// Another replica created it after our read; compare against theirs.
		err = tx.QueryRowContext(ctx, sel, string(kind), name).Scan(&old)
		if err != nil {
			return "", fmt.Errorf("reading %s/%s: %w", kind, name, err)
		}
	} else if err != nil {
		return "", fmt.Errorf("reading %s/%s: %w", kind, name, err)
	}
	if bytes.Equal([]byte(old), spec) {
		return Unchanged, nil
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE resources SET spec = ?, updated_at = ? WHERE kind = ? AND name = ?`),
		string(spec), now, string(kind), name); err != nil {
		return "", fmt.Errorf("updating %s/%s: %w", kind, name, err)
	}
	return Updated, nil
}

// bumpVersion adds n to the resource version counter; n == 0 does nothing.
func (s *Store) bumpVersion(ctx context.Context, tx *sql.Tx, n int64) error {
	if n == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE counters SET value = value + ? WHERE name = 'resources'`), n); err != nil {
		return fmt.Errorf("bumping resource version: %w", err)
	}
	return nil
}

// Get returns one resource; ErrNotFound when there is none.
func (s *Store) Get(ctx context.Context, kind action.Kind, name string) (*action.Resource, error) {
	var spec string
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT spec FROM resources WHERE kind = ? AND name = ?`), string(kind), name).Scan(&spec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: getting %s/%s: %w", kind, name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: getting %s/%s: %w", kind, name, err)
	}
	r, err := decodeSpec(kind, []byte(spec))
	if err != nil {
		return nil, fmt.Errorf("store: getting %s/%s: %w", kind, name, err)
	}
	return &r, nil
}

// List returns every resource of one kind, ordered by name.
func (s *Store) List(ctx context.Context, kind action.Kind) ([]action.Resource, error) {
	rs, err := s.listResources(ctx, `SELECT kind, spec FROM resources WHERE kind = ? ORDER BY name`, string(kind))
	if err != nil {
		return nil, fmt.Errorf("store: listing %s resources: %w", kind, err)
	}
	return rs, nil
}

// All returns every resource, ordered by kind and then name.
func (s *Store) All(ctx context.Context) ([]action.Resource, error) {
	rs, err := s.listResources(ctx, `SELECT kind, spec FROM resources ORDER BY kind, name`)
	if err != nil {
		return nil, fmt.Errorf("store: listing resources: %w", err)
	}
	return rs, nil
}

func (s *Store) listResources(ctx context.Context, query string, args ...any) ([]action.Resource, error) {
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []action.Resource
	for rows.Next() {
		var kind, spec string
		if err := rows.Scan(&kind, &spec); err != nil {
			return nil, err
		}
		r, err := decodeSpec(action.Kind(kind), []byte(spec))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Delete removes one resource; ErrNotFound when there is none.
func (s *Store) Delete(ctx context.Context, kind action.Kind, name string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n, err := s.execIn(ctx, tx, `DELETE FROM resources WHERE kind = ? AND name = ?`, string(kind), name)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return s.bumpVersion(ctx, tx, 1)
	})
	if err != nil {
		return fmt.Errorf("store: deleting %s/%s: %w", kind, name, err)
	}
	return nil
}

// Version returns a counter that grows with every resource change made by
// any replica. Comparing it to a cached value is a cheap way to notice that
// resources must be reloaded.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	st, err := s.prepared(ctx, s.rdb, `SELECT value FROM counters WHERE name = 'resources'`)
	if err != nil {
		return 0, fmt.Errorf("store: reading resource version: %w", err)
	}
	if err := st.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: reading resource version: %w", err)
	}
	return v, nil
}
