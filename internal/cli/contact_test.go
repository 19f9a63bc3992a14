package cli

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

func TestContactCommands(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { contactRoundTrip(t, newCLI(t)) })
	t.Run("postgres", func(t *testing.T) {
		h := newCLI(t)
		h.vars["ACTIONGATE_DATABASE_URL"] = storetest.PostgresURL(t, "clicontacts")
		h.vars["ACTIONGATE_MASTER_KEY"] = secret.EncodeKey(mustKey(t))
		contactRoundTrip(t, h)
	})
}

// contactRoundTrip creates, reads, lists, changes and deletes contacts
// through the command line.
func contactRoundTrip(t *testing.T, h *cliHarness) {
	r := h.ok("", "contact", "create", "--external-id", "crm-1", "--name", "Ada Lovelace", "--email", "ada@example.com",
		"--locale", "en-gb", "--attr", "plan=pro", "--attr", "region=eu", "--json")
	var c gateway.Contact
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatalf("create --json: %v\n%s", err, r.stdout)
	}
	if c.ID == "" || c.Locale != "en-GB" || c.Attributes["plan"] != "pro" || c.CreatedBy != "" {
		t.Fatalf("created: %+v", c)
	}
	h.ok("", "contact", "create", "--name", "Grace Hopper", "--phone", "+1 555 0100")

	get := h.ok("", "contact", "get", c.ID).stdout
	for _, want := range []string{`(?m)^NAME\s+Ada Lovelace$`, `(?m)^EXTERNAL ID\s+crm-1$`, `(?m)^PHONE\s+-$`, `(?m)^attributes.plan\s+"pro"$`, `(?m)^CREATED BY\s+operator$`} {
		if !regexp.MustCompile(want).MatchString(get) {
			t.Errorf("get: no line %s in\n%s", want, get)
		}
	}

	list := h.ok("", "contact", "list").stdout
	if lines := strings.Split(strings.TrimSpace(list), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") ||
		!strings.Contains(lines[1], "Grace Hopper") || !strings.Contains(lines[2], "Ada Lovelace") {
		t.Fatalf("list (newest first):\n%s", list)
	}
	if found := h.ok("", "contact", "list", "--search", "HOPPER").stdout; strings.Contains(found, "Ada") || !strings.Contains(found, "Grace") {
		t.Fatalf("list --search:\n%s", found)
	}
	page := h.ok("", "contact", "list", "--limit", "1").stdout
	m := regexp.MustCompile(`more: --cursor (\S+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("list --limit 1 gives no cursor:\n%s", page)
	}
	if rest := h.ok("", "contact", "list", "--limit", "1", "--cursor", m[1]).stdout; !strings.Contains(rest, "Ada") || strings.Contains(rest, "more:") {
		t.Fatalf("second page:\n%s", rest)
	}

	set := h.ok("", "contact", "set", c.ID, "--email", "", "--attr", "plan=team", "--unset-attr", "region", "--json").stdout
	var up gateway.Contact
	if err := json.Unmarshal([]byte(set), &up); err != nil {
		t.Fatal(err)
	}
	if up.Email != "" || up.Name != "Ada Lovelace" || len(up.Attributes) != 1 || up.Attributes["plan"] != "team" {
		t.Fatalf("set: %+v", up)
	}

	// Bad input names the field; nothing changes.
	if r := h.fails("", "contact", "create", "--email", "not-an-email"); !strings.Contains(r.stderr, "email: must be an email address") {
		t.Fatalf("bad email: %s", r.stderr)
	}
	if r := h.fails("", "contact", "set", c.ID, "--attr", "1bad=x"); !strings.Contains(r.stderr, "attributes.1bad") {
		t.Fatalf("bad attribute: %s", r.stderr)
	}
	if r := h.fails("", "contact", "create", "--external-id", "crm-1"); !strings.Contains(r.stderr, "already in use") {
		t.Fatalf("duplicate external id: %s", r.stderr)
	}
	if r := h.fails("", "contact", "create", "--attr", "novalue"); !strings.Contains(r.stderr, "NAME=VALUE") {
		t.Fatalf("--attr without =: %s", r.stderr)
	}
	if r := h.fails("", "contact", "list", "--limit", "501"); !strings.Contains(r.stderr, "--limit") {
		t.Fatalf("--limit 501: %s", r.stderr)
	}

	h.ok("", "contact", "delete", c.ID)
	if r := h.fails("", "contact", "get", c.ID); !strings.Contains(r.stderr, "not found") {
		t.Fatalf("get after delete: %s", r.stderr)
	}
	h.fails("", "contact", "delete", c.ID)
}
