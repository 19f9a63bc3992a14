package server_test

import (
	"crypto/rand"
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/server"
)

// freshPostgresSchema creates an empty schema on ACTIONGATE_TEST_POSTGRES_URL
// and returns a database URL that uses it; the schema is dropped after the
// test. The test is skipped when the variable is unset.
func freshPostgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("ACTIONGATE_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("ACTIONGATE_TEST_POSTGRES_URL is not set")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema := "servertest_" + strings.ToLower(rand.Text()[:12])
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestTwoServersShareOnePostgres(t *testing.T) {
	dbURL := freshPostgresSchema(t)
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	upstream := newPongUpstream(t)
	var handlers []http.Handler
	var tok string
	for i := range 2 {
		cfg := testConfig(t)
		cfg.DatabaseURL = dbURL
		cfg.MasterKey = secret.EncodeKey(key)
		g := openGateway(t, cfg, nil)
		if i == 0 {
			// A token issued through one replica works on the other.
			tok = adminToken(t, g)
		}
		handlers = append(handlers, server.New(g, cfg, nil, func(m *http.ServeMux) { api.RegisterAdmin(m, g) }).Handler())
	}
	a, b := handlers[0], handlers[1]

	// Read b's (empty) view first so it holds a cached snapshot.
	if resp, out := call(t, b, "GET", "/api/v1/actions", tok, ""); resp.StatusCode != 200 {
		t.Fatalf("list on b: %d %v", resp.StatusCode, out)
	}
	body := `{"method":"GET","url":"` + upstream + `/pong"}`
	if resp, out := call(t, a, "PUT", "/api/v1/actions/ping", tok, body); resp.StatusCode != 201 {
		t.Fatalf("put on a: %d %v", resp.StatusCode, out)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		resp, out := call(t, b, "POST", "/api/v1/actions/ping/test", tok, "")
		if resp.StatusCode == 200 {
			if out["outcome"] != "ok" || out["output"] != "pong" {
				t.Fatalf("test call on b: %v", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("b never served the action a stored: %d %v", resp.StatusCode, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The run recorded by b is listed by a.
	_, out := call(t, a, "GET", "/api/v1/runs?action=ping", tok, "")
	if runs, _ := out["runs"].([]any); len(runs) != 1 {
		t.Errorf("runs on a: %v", out)
	}
}
