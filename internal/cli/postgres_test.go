package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

func TestCommandsOnPostgres(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_DATABASE_URL"] = storetest.PostgresURL(t, "clitest")
	h.vars["ACTIONGATE_MASTER_KEY"] = secret.EncodeKey(mustKey(t))

	if r := h.ok("", "migrate"); !regexp.MustCompile(`^postgres database migrated: schema version (\d+) \(latest known to this build: (\d+)\)`).MatchString(r.stdout) {
		t.Fatalf("migrate: %q", r.stdout)
	}
	h.ok("pg-token\n", "secret", "set", "bin_token")
	r := h.ok("", "apply", h.resourceDir())
	if !strings.Contains(r.stdout, "5 created") {
		t.Fatalf("apply: %s", r.stdout)
	}
	exported := h.file("exported.yaml", h.ok("", "export").stdout)
	if r := h.ok("", "apply", exported); !strings.Contains(r.stdout, "5 unchanged") {
		t.Fatalf("re-apply of the export: %s", r.stdout)
	}

	next := secret.EncodeKey(mustKey(t))
	h.vars["ACTIONGATE_NEW_MASTER_KEY"] = next
	h.ok("", "secret", "rotate-key")
	h.fails("", "secret", "list")
	h.vars["ACTIONGATE_MASTER_KEY"] = next
	h.ok("", "action", "test", "get_thing", "--arg", "id=5")
	reqs := h.up.requests()
	if len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer pg-token" {
		t.Fatalf("upstream received %+v", reqs)
	}
	if runs := h.runs(); len(runs) != 1 || runs[0].Action != "get_thing" || runs[0].Status != 200 {
		t.Fatalf("runs: %+v", runs)
	}
}
