// Package storetest gives tests an isolated PostgreSQL database: a fresh
// schema on the server named by ACTIONGATE_TEST_POSTGRES_URL, dropped when
// the test ends.
package storetest

import (
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	// The pgx driver opens the schema; the store uses the same driver.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// EnvPostgresURL names the variable that points tests at a PostgreSQL
// server.
const EnvPostgresURL = "ACTIONGATE_TEST_POSTGRES_URL"

// PostgresURL creates an empty schema with a random name prefixed by
// prefix and returns a database URL whose search_path is that schema. The
// schema is dropped when t ends. Without ACTIONGATE_TEST_POSTGRES_URL the
// test is skipped with a message saying how to run it.
func PostgresURL(t testing.TB, prefix string) string {
	t.Helper()
	base := os.Getenv(EnvPostgresURL)
	if base == "" {
		t.Skip(EnvPostgresURL + " is not set: skipping this PostgreSQL test (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgresURL, err)
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("opening PostgreSQL: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	schema := prefix + "_" + strings.ToLower(rand.Text()[:12])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
