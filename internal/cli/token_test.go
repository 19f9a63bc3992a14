package cli

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
)

var printedToken = regexp.MustCompile(`\n    (agt_[a-z0-9]+)\n`)

func TestTokenCreateListRevoke(t *testing.T) {
	h := newCLI(t)
	h.ok("", "apply", h.resourceDir())

	r := h.ok("", "token", "create", "--admin", "--name", "ops")
	m := printedToken.FindStringSubmatch(r.stdout)
	if m == nil || !strings.Contains(r.stdout, "will not be shown again") {
		t.Fatalf("token create --admin:\n%s", r.stdout)
	}
	admin := m[1]
	r = h.ok("", "token", "create", "--agent", "helper", "--name", "bot")
	m = printedToken.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("token create --agent:\n%s", r.stdout)
	}
	agentTok := m[1]

	ctx := context.Background()
	g := h.gateway()
	p, err := g.Authenticate(ctx, admin)
	if err != nil || !p.Admin {
		t.Fatalf("admin token: %+v %v", p, err)
	}
	p, err = g.Authenticate(ctx, agentTok)
	if err != nil || p.Admin || p.Agent != "helper" {
		t.Fatalf("agent token: %+v %v", p, err)
	}
	g.Close()

	list := h.ok("", "token", "list")
	lines := strings.Split(strings.TrimSpace(list.stdout), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "ID") || !strings.Contains(lines[0], "LAST USED") || !strings.Contains(lines[0], "REVOKED") {
		t.Fatalf("token list:\n%s", list.stdout)
	}
	if !regexp.MustCompile(`ops\s+admin\s+-\s+\d{4}-`).MatchString(list.stdout) ||
		!regexp.MustCompile(`bot\s+agent\s+helper\s+\d{4}-`).MatchString(list.stdout) {
		t.Fatalf("token list rows:\n%s", list.stdout)
	}
	if strings.Contains(list.stdout, admin) || strings.Contains(list.stdout, agentTok) || strings.Contains(list.stdout, "agt_") {
		t.Fatalf("token list shows a token:\n%s", list.stdout)
	}

	// Revoke by name: the token stops working, the list shows when.
	h.ok("", "token", "revoke", "bot")
	g = h.gateway()
	if _, err := g.Authenticate(ctx, agentTok); !errors.Is(err, gateway.ErrUnauthorized) {
		t.Fatalf("revoked token still authenticates: %v", err)
	}
	if _, err := g.Authenticate(ctx, admin); err != nil {
		t.Fatalf("the other token stopped working: %v", err)
	}
	g.Close()
	list = h.ok("", "token", "list")
	bot := regexp.MustCompile(`(?m)^.*\sbot\s.*$`).FindString(list.stdout)
	if !regexp.MustCompile(`\d\d:\d\d:\d\dZ$`).MatchString(bot) {
		t.Fatalf("revoked token not marked in the REVOKED column:\n%s", list.stdout)
	}

	// Revoke by id.
	id := regexp.MustCompile(`(?m)^(\S+)\s+ops\s`).FindStringSubmatch(list.stdout)
	if id == nil {
		t.Fatalf("no id for ops:\n%s", list.stdout)
	}
	h.ok("", "token", "revoke", id[1])
	r = h.fails("", "token", "revoke", id[1])
	if !strings.Contains(r.stderr, "no active token") {
		t.Fatalf("revoking twice: %q", r.stderr)
	}
}

func TestTokenCreateRefusesBadFlags(t *testing.T) {
	h := newCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "--name", "x"}, "exactly one of --admin and --agent"},
		{[]string{"token", "create", "--name", "x", "--admin", "--agent", "a"}, "exactly one of --admin and --agent"},
		{[]string{"token", "create", "--admin"}, `"name" not set`},
		{[]string{"token", "create", "--name", "x", "--agent", "ghost"}, "unknown agent"},
	} {
		r := h.fails("", tc.args...)
		if !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stdout, "agt_") {
			t.Errorf("%v: stderr %q, stdout %q", tc.args, r.stderr, r.stdout)
		}
	}
	// A name in use by an active token is refused.
	h.ok("", "token", "create", "--admin", "--name", "ops")
	r := h.fails("", "token", "create", "--admin", "--name", "ops")
	if !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("duplicate name: %q", r.stderr)
	}
}
