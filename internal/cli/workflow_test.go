package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

// The resources of the workflow tests: fetch looks a thing up and
// extracts its URL, crash calls an action that always fails, nap waits an
// hour.
const workflowYAML = `kind: Action
name: lookup
description: Look a thing up.
method: GET
url: http://HOST/anything/things/{{id}}
params:
  id: {type: string, required: true, description: The thing's id}
---
kind: Action
name: broken
description: Always fails.
method: GET
url: http://HOST/status/500
---
kind: Workflow
name: fetch
description: Look a thing up.
trigger:
  manual:
    params:
      id: {type: string, required: true}
steps:
  - id: look
    action: lookup
    with: {id: "{{trigger.id}}"}
    extract: {url: ".url"}
---
kind: Workflow
name: crash
trigger: {manual: {}}
steps:
  - id: boom
    action: broken
    retries: 0
---
kind: Workflow
name: nap
trigger: {manual: {}}
steps:
  - id: sleep
    wait: 1h
`

// newWorkflowCLI applies the workflow resources to a fresh data directory.
func newWorkflowCLI(t *testing.T) *cliHarness {
	t.Helper()
	h := newCLI(t)
	h.ok("", "apply", h.file("workflows.yaml", workflowYAML))
	return h
}

// runID is the first line of a `workflow run` output.
var runID = regexp.MustCompile(`^([0-9a-z]{20,})\n`)

func TestWorkflowRunWaitPrintsTheTimeline(t *testing.T) {
	h := newWorkflowCLI(t)
	r := h.ok("", "workflow", "run", "fetch", "--input", `{"id":"T1"}`, "--wait")
	m := runID.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("stdout does not start with the run id:\n%s", r.stdout)
	}
	id := m[1]
	for _, want := range []string{`(?m)^ID\s+` + id + `$`, `(?m)^WORKFLOW\s+fetch$`, `(?m)^STATUS\s+completed$`, `(?m)^TRIGGER\s+manual$`,
		`(?m)^INPUT\s+\{"id":"T1"\}$`, `(?m)^STEP\s+TYPE\s+STATUS\s+HTTP\s+DURATION\s+RUN ID$`,
		`(?m)^look\s+action\s+completed\s+200\s+\d+(\.\d+)?m?s\s+[0-9a-z]{20,}$`,
		`(?m)^    extract\.url = "http://` + regexp.QuoteMeta(h.up.host()) + `/anything/things/T1"$`} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Errorf("no line %s in\n%s", want, r.stdout)
		}
	}
	if reqs := h.up.requests(); len(reqs) != 1 || reqs[0].Path != "/anything/things/T1" {
		t.Fatalf("upstream received %+v, want one lookup", reqs)
	}

	// show prints the same run; --json holds every step record.
	if show := h.ok("", "workflow", "show", id).stdout; !strings.Contains(r.stdout, show) {
		t.Errorf("show:\n%s\nis not what run --wait printed:\n%s", show, r.stdout)
	}
	var run gateway.WorkflowRun
	if err := json.Unmarshal([]byte(h.ok("", "workflow", "show", id, "--json").stdout), &run); err != nil {
		t.Fatal(err)
	}
	if run.ID != id || run.Status != gateway.RunCompleted || len(run.Steps) != 1 || run.Steps[0].HTTPStatus != 200 ||
		run.Steps[0].RunID == "" || !strings.HasSuffix(run.Steps[0].Extract["url"].(string), "/anything/things/T1") {
		t.Fatalf("show --json: %+v", run)
	}

	// runs lists it as a table row, and as JSON.
	list := h.ok("", "workflow", "runs", "fetch").stdout
	if lines := strings.Split(strings.TrimSpace(list), "\n"); len(lines) != 2 ||
		!regexp.MustCompile(`^ID\s+STATUS\s+TRIGGER\s+STARTED\s+DURATION\s+FAILED STEP$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^`+id+`\s+completed\s+manual\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\S+\s+-$`).MatchString(lines[1]) {
		t.Fatalf("runs:\n%s", list)
	}
	var page struct {
		Runs       []gateway.WorkflowRun `json:"runs"`
		NextCursor string                `json:"next_cursor"`
	}
	if err := json.Unmarshal([]byte(h.ok("", "workflow", "runs", "fetch", "--json").stdout), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Runs) != 1 || page.Runs[0].ID != id || page.NextCursor != "" {
		t.Fatalf("runs --json: %+v", page)
	}
}

func TestWorkflowRunWithoutWaitQueues(t *testing.T) {
	h := newWorkflowCLI(t)
	input := h.file("input.json", `{"id": "T2"}`)
	r := h.ok("", "workflow", "run", "fetch", "--input", "@"+input)
	m := runID.FindStringSubmatch(r.stdout)
	if m == nil || r.stdout != m[0] || !strings.Contains(r.stderr, "workflow show "+m[1]) {
		t.Fatalf("stdout %q, stderr %q; want only the run id, and how to follow it", r.stdout, r.stderr)
	}
	show := h.ok("", "workflow", "show", m[1]).stdout
	if !regexp.MustCompile(`(?m)^STATUS\s+queued$`).MatchString(show) || !strings.Contains(show, "no steps ran yet") {
		t.Fatalf("a run without an engine:\n%s", show)
	}
	if list := h.ok("", "workflow", "runs", "fetch", "--status", "queued").stdout; !strings.Contains(list, m[1]) {
		t.Fatalf("runs --status queued:\n%s", list)
	}
	if list := h.ok("", "workflow", "runs", "fetch", "--status", "completed").stdout; list != "no runs\n" {
		t.Fatalf("runs --status completed:\n%s", list)
	}
	if len(h.up.requests()) != 0 {
		t.Fatalf("a queued run reached the upstream: %+v", h.up.requests())
	}
	var run gateway.WorkflowRun
	if err := json.Unmarshal([]byte(h.ok("", "workflow", "run", "fetch", "--input", `{"id":"T3"}`, "--json").stdout), &run); err != nil {
		t.Fatal(err)
	}
	if run.ID == "" || run.Status != gateway.RunQueued || run.Input["id"] != "T3" {
		t.Fatalf("run --json: %+v", run)
	}
	// Paging.
	page := h.ok("", "workflow", "runs", "fetch", "--limit", "1").stdout
	cur := regexp.MustCompile(`more: --cursor (\S+)`).FindStringSubmatch(page)
	if cur == nil || !strings.Contains(page, run.ID) {
		t.Fatalf("runs --limit 1:\n%s", page)
	}
	if rest := h.ok("", "workflow", "runs", "fetch", "--limit", "1", "--cursor", cur[1]).stdout; !strings.Contains(rest, m[1]) || strings.Contains(rest, "more:") {
		t.Fatalf("second page:\n%s", rest)
	}
}

func TestWorkflowRunWaitExitsNonZeroOnFailure(t *testing.T) {
	h := newWorkflowCLI(t)
	r := h.fails("", "workflow", "run", "crash", "--wait")
	id := runID.FindStringSubmatch(r.stdout)
	if id == nil || !regexp.MustCompile(`(?m)^STATUS\s+failed$`).MatchString(r.stdout) ||
		!regexp.MustCompile(`(?m)^boom\s+action\s+failed\s+500\s`).MatchString(r.stdout) ||
		!regexp.MustCompile(`(?m)^    error: \S`).MatchString(r.stdout) || !strings.Contains(r.stderr, "run "+id[1]+" failed") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	list := h.ok("", "workflow", "runs", "crash").stdout
	if !regexp.MustCompile(`(?m)^` + id[1] + `\s+failed\s+manual\s.*\sboom$`).MatchString(list) {
		t.Fatalf("runs shows no failed step:\n%s", list)
	}

	// A run that does not finish in --timeout: exit 1, it goes on waiting.
	start := time.Now()
	r = h.fails("", "workflow", "run", "nap", "--wait", "--timeout", "1500ms")
	if !regexp.MustCompile(`(?m)^STATUS\s+waiting$`).MatchString(r.stdout) || !strings.Contains(r.stderr, "stopped waiting after --timeout 1.5s") {
		t.Fatalf("timeout: stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Fatalf("a 1.5s --timeout took %v", took)
	}
}

func TestWorkflowCommandsRefuseBadInput(t *testing.T) {
	h := newWorkflowCLI(t)
	deep := strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"workflow", "run", "fetch", "--input", "id=T1"}, "--input: not valid JSON at byte 1"},
		{[]string{"workflow", "run", "fetch", "--input", `["T1"]`}, "--input: must be a JSON object"},
		{[]string{"workflow", "run", "fetch", "--input", `{"id":"T1"} {}`}, "--input: must hold exactly one JSON object"},
		{[]string{"workflow", "run", "fetch", "--input", deep}, "--input: "},
		{[]string{"workflow", "run", "fetch", "--input", "@" + filepath.Join(h.dir, "missing.json")}, "--input @" + filepath.Join(h.dir, "missing.json") + ": reading the file"},
		{[]string{"workflow", "run", "fetch", "--input", `{}`}, "input.id"},
		{[]string{"workflow", "run", "fetch", "--input", `{"id":"T1"}`, "--contact", "01jnotacontact000000000000"}, "--contact 01jnotacontact000000000000: no contact has this id"},
		{[]string{"workflow", "run", "fetch", "--input", `{"id":"T1"}`, "--timeout", "1s"}, "--timeout: only takes effect with --wait"},
		{[]string{"workflow", "run", "fetch", "--input", `{"id":"T1"}`, "--wait", "--timeout", "0s"}, "--timeout 0s: must be more than zero"},
		{[]string{"workflow", "run", "fetch", "--input", `{"id":"T1"}`, "--wait", "--timeout", "soon"}, `invalid argument "soon" for "--timeout"`},
		{[]string{"workflow", "run", "no_such_workflow"}, `no workflow named "no_such_workflow"`},
		{[]string{"workflow", "runs", "fetch", "--status", "done"}, `--status "done": must be one of queued, running, waiting, completed, failed, cancelled`},
		{[]string{"workflow", "runs", "fetch", "--limit", "0"}, "--limit 0: must be from 1 to 200"},
		{[]string{"workflow", "runs", "fetch", "--cursor", "nope"}, `--cursor "nope"`},
		{[]string{"workflow", "runs", "no_such_workflow"}, `no workflow named "no_such_workflow"`},
		{[]string{"workflow", "show", "01jnotarun0000000000000000"}, `no workflow run with id "01jnotarun0000000000000000"`},
	} {
		if r := h.fails("", c.args...); !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: stderr %q, want it to contain %q", c.args, r.stderr, c.want)
		}
	}
	if list := h.ok("", "workflow", "runs", "fetch").stdout; list != "no runs\n" {
		t.Fatalf("refused runs were stored:\n%s", list)
	}
	if len(h.up.requests()) != 0 {
		t.Fatalf("refused runs reached the upstream: %+v", h.up.requests())
	}
}

// TestWorkflowInputIsBounded checks that an --input file over 1 MiB is
// refused quickly, reading little more than the bound.
func TestWorkflowInputIsBounded(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, []byte(`{"id":"`+strings.Repeat("x", 64<<20)+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	atLimit := filepath.Join(dir, "limit.json")
	if err := os.WriteFile(atLimit, []byte(`{"id":"`+strings.Repeat("x", maxInputBytes-10)+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if in, err := parseInput("@" + atLimit); err != nil || len(in["id"].(string)) != maxInputBytes-10 {
		t.Fatalf("1 MiB input: %v", err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := parseInput("@" + huge)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "--input @"+huge+": larger than 1048576 bytes") {
		t.Fatalf("64 MiB input: %v", err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	if elapsed > time.Second || alloc > 8<<20 {
		t.Fatalf("refusing a 64 MiB input took %v and %d bytes", elapsed, alloc)
	}
	t.Logf("64 MiB --input refused in %v, %d KiB allocated", elapsed, alloc>>10)
	if _, err := parseInput(`{"id":"` + strings.Repeat("x", maxInputBytes) + `"}`); err == nil || !strings.Contains(err.Error(), "--input: larger than") {
		t.Fatalf("inline input over 1 MiB: %v", err)
	}
}

// With --wait the engine runs on River's PostgreSQL driver there.
func TestWorkflowRunWaitOnPostgres(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_DATABASE_URL"] = storetest.PostgresURL(t, "cliworkflows")
	h.vars["ACTIONGATE_MASTER_KEY"] = secret.EncodeKey(mustKey(t))
	h.ok("", "migrate")
	h.ok("", "apply", h.file("workflows.yaml", workflowYAML))
	r := h.ok("", "workflow", "run", "fetch", "--input", `{"id":"P1"}`, "--wait")
	if !regexp.MustCompile(`(?m)^STATUS\s+completed$`).MatchString(r.stdout) || !regexp.MustCompile(`(?m)^look\s+action\s+completed\s+200\s`).MatchString(r.stdout) {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	if reqs := h.up.requests(); len(reqs) != 1 || reqs[0].Path != "/anything/things/P1" {
		t.Fatalf("upstream received %+v, want one lookup", reqs)
	}
}
