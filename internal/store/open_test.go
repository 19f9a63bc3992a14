package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSelectsBackend(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, u := range []string{
		"sqlite:" + filepath.Join(dir, "a.db"),
		"sqlite://" + filepath.Join(dir, "b.db"),
		filepath.Join(dir, "c.db"),
	} {
		s := openStore(t, u)
		if s.Dialect() != DialectSQLite {
			t.Errorf("Open(%q).Dialect() = %s", u, s.Dialect())
		}
	}
	for _, name := range []string{"a.db", "b.db", "c.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("SQLite file %s not created: %v", name, err)
		}
	}
	for u, want := range map[string]string{
		"":                        "empty",
		"mysql://localhost/db":    `unsupported scheme "mysql"`,
		filepath.Join(dir, "x?y"): "must not contain",
		filepath.Join(dir, "no", "such", "dir", "x.db"): "opening SQLite",
	} {
		_, err := Open(ctx, u)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) error = %v, want one containing %q", u, err, want)
		}
	}
}

func TestSQLiteSettings(t *testing.T) {
	ctx := context.Background()
	s := openMigrated(t, filepath.Join(t.TempDir(), "s.db"))
	var mode string
	var fk int
	must(t, s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	must(t, s.rdb.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
	if mode != "wal" || fk != 1 {
		t.Fatalf("journal_mode=%s foreign_keys=%d, want wal and 1", mode, fk)
	}
	// The read pool cannot write.
	if _, err := s.rdb.ExecContext(ctx, "DELETE FROM secrets"); err == nil {
		t.Fatal("write through the read pool succeeded")
	}
}

func TestSQLiteDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(ctx, path)
	must(t, err)
	must(t, s.Migrate(ctx))
	_, err = s.Put(ctx, agentRes("support", "kept"))
	must(t, err)
	must(t, s.Close())

	s = openMigrated(t, path)
	r, err := s.Get(ctx, "Agent", "support")
	must(t, err)
	if r.Agent.Description != "kept" {
		t.Fatalf("reopened store holds %q", r.Agent.Description)
	}
}

func TestPlaceholderRewrite(t *testing.T) {
	pg := &Store{dialect: DialectPostgres}
	if got := pg.q("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"); got != "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)" {
		t.Fatalf("postgres rewrite = %q", got)
	}
	lite := &Store{dialect: DialectSQLite}
	if got := lite.q("SELECT ? "); got != "SELECT ? " {
		t.Fatalf("sqlite rewrite = %q", got)
	}
}

func TestNewSQLiteFilesArePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "private.db")
	s := openStore(t, "sqlite:"+path)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), mode)
		}
	}
}

func TestOpenExistingCreatesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "missing.db")
	if _, err := OpenExisting(ctx, "sqlite:"+path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenExisting of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenExisting created %s (%v)", path, err)
	}
	s := openStore(t, "sqlite:"+path)
	if ok, err := s.Initialized(ctx); err != nil || ok {
		t.Fatalf("Initialized on a new database = %v, %v; want false", ok, err)
	}
	must(t, s.Migrate(ctx))
	again, err := OpenExisting(ctx, path)
	must(t, err)
	defer again.Close()
	if ok, err := again.Initialized(ctx); err != nil || !ok {
		t.Fatalf("Initialized after migrating = %v, %v; want true", ok, err)
	}
}

func TestSQLitePath(t *testing.T) {
	for u, want := range map[string]string{"sqlite:/a/b.db": "/a/b.db", "sqlite:///a/b.db": "/a/b.db", "rel/c.db": "rel/c.db", "postgres://h/db": "", "": ""} {
		got, ok := SQLitePath(u)
		if got != want || ok != (want != "") {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q", u, got, ok, want)
		}
	}
}
