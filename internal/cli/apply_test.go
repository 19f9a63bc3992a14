package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// changes parses apply's per-resource lines into "Kind/name" -> change.
func changes(t *testing.T, stdout string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && strings.Contains(f[1], "/") {
			out[f[1]] = f[0]
		}
	}
	return out
}

func wantChanges(t *testing.T, stdout string, want map[string]string) {
	t.Helper()
	got := changes(t, stdout)
	if len(got) != len(want) {
		t.Fatalf("apply reported %v, want %v\n%s", got, want, stdout)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("apply reported %s %s, want %s\n%s", k, got[k], v, stdout)
		}
	}
}

func TestApplyCreatesUpdatesAndExportRoundTrips(t *testing.T) {
	h := newCLI(t)
	dir := h.resourceDir()

	r := h.ok("", "apply", dir)
	wantChanges(t, r.stdout, map[string]string{
		"Credential/bin": "created", "Action/get_thing": "created", "Action/create_thing": "created",
		"Action/teapot": "created", "Agent/helper": "created",
	})
	if !strings.Contains(r.stdout, "5 resource(s): 5 created, 0 updated, 0 unchanged") {
		t.Fatalf("summary missing:\n%s", r.stdout)
	}

	// Applying the same files again changes nothing.
	r = h.ok("", "apply", dir)
	if !strings.Contains(r.stdout, "0 created, 0 updated, 5 unchanged") {
		t.Fatalf("second apply:\n%s", r.stdout)
	}

	// One edited resource is updated, the others left alone.
	h.file("res/3-agent.yaml", strings.Replace(agentYAML, "Helps.", "Helps a lot.", 1))
	r = h.ok("", "apply", dir)
	if got := changes(t, r.stdout); got["Agent/helper"] != "updated" || got["Action/get_thing"] != "unchanged" {
		t.Fatalf("after edit: %v", got)
	}

	// export writes YAML that apply reads back with every resource unchanged.
	exp := h.ok("", "export")
	for _, want := range []string{"kind: Credential", "kind: Action", "kind: Agent", "secret: bin_token", "Helps a lot."} {
		if !strings.Contains(exp.stdout, want) {
			t.Fatalf("export lacks %q:\n%s", want, exp.stdout)
		}
	}
	exported := h.file("exported.yaml", exp.stdout)
	r = h.ok("", "apply", exported)
	wantChanges(t, r.stdout, map[string]string{
		"Credential/bin": "unchanged", "Action/get_thing": "unchanged", "Action/create_thing": "unchanged",
		"Action/teapot": "unchanged", "Agent/helper": "unchanged",
	})
	// And the export of the re-applied set is byte for byte the same.
	if again := h.ok("", "export"); again.stdout != exp.stdout {
		t.Fatalf("export changed after a round trip:\n%s\n---\n%s", exp.stdout, again.stdout)
	}

	// --kind narrows the export, case-insensitively.
	creds := h.ok("", "export", "--kind", "credential")
	if !strings.Contains(creds.stdout, "kind: Credential") || strings.Contains(creds.stdout, "kind: Action") {
		t.Fatalf("export --kind credential:\n%s", creds.stdout)
	}
	bad := h.fails("", "export", "--kind", "Widget")
	if !strings.Contains(bad.stderr, "must be Action, Credential, Agent, Provider or Workflow") {
		t.Fatalf("export --kind Widget: %q", bad.stderr)
	}
}

func TestExportEmptyDatabase(t *testing.T) {
	h := newCLI(t)
	h.gateway().Close() // a server started once, nothing stored yet
	r := h.ok("", "export")
	if r.stdout != "" || !strings.Contains(r.stderr, "no resources stored") {
		t.Fatalf("export of nothing: %+v", r)
	}
}

const brokenYAML = `kind: Action
name: broken
description: Has problems.
method: FETCH
url: http://HOST/x
params:
  id: {type: strng}
`

func TestApplyInvalidWritesNothingAndReportsPositions(t *testing.T) {
	h := newCLI(t)
	dir := h.resourceDir()
	broken := h.file("broken.yaml", brokenYAML)

	r := h.fails("", "apply", dir, broken)
	if r.stdout != "" {
		t.Fatalf("apply printed changes although it failed:\n%s", r.stdout)
	}
	for _, want := range []string{
		broken + ":4:9: actions[broken].method:",
		broken + ":7:",
		"actions[broken].params.id.type",
		"nothing was applied",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	// validate reports the very same problems.
	v := h.fails("", "validate", dir, broken)
	problems := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, broken) {
				out = append(out, l)
			}
		}
		return out
	}
	if a, b := problems(r.stderr), problems(v.stderr); strings.Join(a, "\n") != strings.Join(b, "\n") || len(a) == 0 {
		t.Fatalf("apply and validate disagree:\napply:\n%s\nvalidate:\n%s", r.stderr, v.stderr)
	}

	g := h.gateway()
	defer g.Close()
	all, err := g.Resources(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Fatalf("an invalid apply stored %d resource(s)", len(all))
	}
}

func TestApplyResolvesReferencesToStoredResources(t *testing.T) {
	h := newCLI(t)
	cred := h.file("cred.yaml", credentialYAML)
	actions := h.file("actions.yaml", actionsYAML)
	h.ok("", "apply", cred)

	// On its own the action file refers to an unknown credential...
	v := h.fails("", "validate", actions)
	if !strings.Contains(v.stderr, "bin") {
		t.Fatalf("validate: %s", v.stderr)
	}
	// ...but apply validates it together with the stored credential.
	r := h.ok("", "apply", actions)
	if got := changes(t, r.stdout); got["Action/get_thing"] != "created" || len(got) != 3 {
		t.Fatalf("apply: %v", got)
	}

	// A credential change that would break a stored action is refused,
	// naming the stored action, and nothing changes.
	narrowed := h.file("narrow.yaml", strings.Replace(credentialYAML, "[127.0.0.1]", "[api.example.com]", 1))
	r = h.fails("", "apply", narrowed)
	if !regexp.MustCompile(`actions\[(get_thing|create_thing)\]`).MatchString(r.stderr) {
		t.Fatalf("apply of a breaking change: %s", r.stderr)
	}
	exp := h.ok("", "export", "--kind", "Credential")
	if !strings.Contains(exp.stdout, "127.0.0.1") {
		t.Fatalf("credential changed although apply failed:\n%s", exp.stdout)
	}
}

func TestApplyUnreadablePath(t *testing.T) {
	h := newCLI(t)
	missing := filepath.Join(h.dir, "nope.yaml")
	r := h.fails("", "apply", missing)
	if !strings.Contains(r.stderr, missing) {
		t.Fatalf("stderr: %s", r.stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("apply created the missing file")
	}
}
