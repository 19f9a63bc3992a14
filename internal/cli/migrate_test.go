package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
)

func TestMigrateAppliesMigrationsAndPrintsVersion(t *testing.T) {
	h := newCLI(t)
	r := h.ok("", "migrate")
	m := regexp.MustCompile(`sqlite database migrated: schema version (\d+) \(latest known to this build: (\d+)\)`).FindStringSubmatch(r.stdout)
	if m == nil || m[1] != m[2] {
		t.Fatalf("migrate: %q", r.stdout)
	}
	// Running it again is a no-op with the same answer.
	if again := h.ok("", "migrate"); again.stdout != r.stdout {
		t.Fatalf("second migrate: %q, first %q", again.stdout, r.stdout)
	}
	cur, latest, err := gatewaytest.OpenStore(t, h.config()).SchemaVersion(context.Background())
	if err != nil || cur != latest {
		t.Fatalf("schema version %d of %d: %v", cur, latest, err)
	}
}

func TestMigrateRefusesInvalidSettings(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_DATABASE_URL"] = "mysql://x"
	r := h.fails("", "migrate")
	if !strings.Contains(r.stderr, "mysql") {
		t.Fatalf("stderr: %q", r.stderr)
	}
}
