package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the harness's helper processes,
// as the harness binary does.
func TestMain(m *testing.M) {
	if ok, err := runRole(); ok {
		if err != nil {
			os.Stderr.WriteString("load: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// binaryOnce builds actiongate once for every test of the package.
var binaryOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "actiongate-load-bin-")
	if err != nil {
		return "", err
	}
	return buildBinary(context.Background(), dir)
})

// testConfig is a short run: the tests check that the harness works end
// to end, not the figures.
func testConfig(t *testing.T) *config {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc: the harness reads CPU time and memory from /proc/PID")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go on PATH to build cmd/actiongate")
	}
	bin, err := binaryOnce()
	if err != nil {
		t.Fatal(err)
	}
	return &config{binary: bin, payloads: []string{"5k"}, scenarios: allScenarios(), concurrency: []int{2},
		warmup: 100 * time.Millisecond, duration: 400 * time.Millisecond, node: "off", nodeCache: defaultNodeCache(), slow: defaultSlow}
}

// logWriter sends the harness's progress lines to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// checkReport checks that every scenario asked for was measured with
// answered calls and CPU time, and that the ratios the targets use are
// there.
func checkReport(t *testing.T, cfg *config, rep *report, want []string) {
	t.Helper()
	var upstream float64
	for _, sc := range want {
		payload := cfg.payloads[0]
		if sc == scSDKMinimal || sc == scWorkflow {
			payload = "-"
		}
		r := find(rep.Results, sc, payload, cfg.concurrency[0])
		if r == nil {
			t.Errorf("%s: no result; results: %+v", sc, rep.Results)
			continue
		}
		if r.Calls == 0 || r.CallsPerSec <= 0 || r.P50us <= 0 || r.P99us < r.P50us {
			t.Errorf("%s: calls %d, %.0f/s, p50 %.0fµs, p99 %.0fµs", sc, r.Calls, r.CallsPerSec, r.P50us, r.P99us)
		}
		// CPU time comes in 10 ms ticks: a hundred calls of any server here
		// take more than one.
		if r.ServerCPUus <= 0 && r.Calls >= 100 {
			t.Errorf("%s: server CPU %.1fµs per call over %d calls, want more than 0", sc, r.ServerCPUus, r.Calls)
		}
		upstream += r.UpstreamCPUus * float64(r.Calls)
	}
	if upstream <= 0 {
		t.Error("the upstream used no CPU time in any scenario")
	}
	if len(rep.Ratios) == 0 {
		t.Error("no ratios")
	}
	var back report
	b, err := json.Marshal(rep)
	if err != nil || json.Unmarshal(b, &back) != nil || len(back.Results) != len(rep.Results) {
		t.Errorf("the JSON report does not round-trip: %v: %.300s", err, b)
	}
}

func TestHarnessEndToEndSQLite(t *testing.T) {
	cfg := testConfig(t)
	want := []string{scDirect, scInvoke, scBatch, scMCP, scSDKMinimal, scWorkflow}
	if node := os.Getenv("ACTIONGATE_TEST_NODE"); node != "" {
		cfg.node = node
		want = append(want, scMCPTS, scNode)
	} else {
		t.Log("ACTIONGATE_TEST_NODE is not set: the Node scenarios are not run")
	}
	rep, err := run(t.Context(), cfg, logWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Database != "SQLite" {
		t.Errorf("database %q, want SQLite", rep.Database)
	}
	checkReport(t, cfg, rep, want)
	var sb strings.Builder
	rep.print(&sb)
	for _, s := range []string{"| 5k | invoke API | 2 |", "invoke server CPU ÷ upstream CPU", "MCP (Go client) CPU ÷ invoke CPU", "| SQLite | 2 |"} {
		if !strings.Contains(sb.String(), s) {
			t.Errorf("the tables lack %q:\n%s", s, sb.String())
		}
	}
}

func TestHarnessEndToEndPostgres(t *testing.T) {
	u := os.Getenv("ACTIONGATE_TEST_POSTGRES_URL")
	if u == "" {
		t.Skip("ACTIONGATE_TEST_POSTGRES_URL is not set")
	}
	cfg := testConfig(t)
	cfg.database = u
	cfg.scenarios = []string{scDirect, scInvoke, scMCP, scWorkflow}
	rep, err := run(t.Context(), cfg, logWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Database != "PostgreSQL" {
		t.Errorf("database %q, want PostgreSQL", rep.Database)
	}
	checkReport(t, cfg, rep, cfg.scenarios)
}

// TestThousandCallsInFlight holds the bound: 1,000 calls in flight at once
// to an upstream that answers after 5 s keep the server's heap and stacks
// under floodMaxAnonMB (and all its resident memory, the binary's pages
// included, under floodMaxRSSMB), and every call is answered and has its
// run record.
func TestThousandCallsInFlight(t *testing.T) {
	cfg := testConfig(t)
	cfg.scenarios, cfg.flood = nil, 1000
	rep, err := run(t.Context(), cfg, logWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Flood
	if f.Answered != 1000 || f.Runs != 1000 {
		t.Errorf("%d calls answered, %d runs recorded, want 1000 of each", f.Answered, f.Runs)
	}
	if f.MaxInFlight != 1000 || f.Seconds > 3*cfg.slow.Seconds() {
		t.Errorf("at most %d calls in flight, all done in %.1fs: the calls were not in flight together", f.MaxInFlight, f.Seconds)
	}
	if f.PeakAnonMB <= 0 || f.PeakAnonMB >= floodMaxAnonMB {
		t.Errorf("server peak anonymous memory %.1f MB with 1000 calls in flight, want under %d MB", f.PeakAnonMB, floodMaxAnonMB)
	}
	if f.PeakRSSMB >= floodMaxRSSMB {
		t.Errorf("server peak RSS %.1f MB with 1000 calls in flight, want under %d MB", f.PeakRSSMB, floodMaxRSSMB)
	}
}

// TestChecksCatchWrongAnswers makes sure a broken path cannot pass for a
// fast one: an answer that is not the payload of its call, an error, a cut
// result without a handle or a result without a run all fail.
func TestChecksCatchWrongAnswers(t *testing.T) {
	ps := newPayloads()
	list, obj := ps["5k"], ps["1k"]
	good := string(list.body("call-7")) + ` call more_results with handle "h1"`
	cases := []struct {
		name string
		p    *payload
		r    toolResult
		want string
	}{
		{"another call's payload", list, toolResult{Status: "ok", RunID: "r", Handle: "h", Output: strings.Replace(good, "call-7", "call-8", 1)}, "does not hold the payload"},
		{"error status", list, toolResult{Status: "error", RunID: "r", Handle: "h", Output: good}, `status "error"`},
		{"cut without a handle", list, toolResult{Status: "ok", RunID: "r", Output: good}, "handle"},
		{"cut without a note", list, toolResult{Status: "ok", RunID: "r", Handle: "h", Output: string(list.body("call-7"))}, "more_results"},
		{"no run", obj, toolResult{Status: "ok", Output: string(obj.body("call-7"))}, "no run"},
		{"a prefix of the id", obj, toolResult{Status: "ok", RunID: "r", Output: string(obj.body("call-70"))}, "does not hold the payload"},
	}
	for _, c := range cases {
		err := c.r.check(c.p, "call-7")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %q", c.name, err, c.want)
		}
	}
	if err := (&toolResult{Status: "ok", RunID: "r", Handle: "h", Output: good}).check(list, "call-7"); err != nil {
		t.Errorf("a right answer: %v", err)
	}
	turn := func(status, call, run, content string) []byte {
		return []byte(`{"status":"` + status + `","message":{"content":"` + content + `"},"tool_calls":[{"status":"` + call + `","run_id":"` + run + `"}]}`)
	}
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"a failed turn", turn("failed", "ok", "r", "Here is record call-7."), `status "failed"`},
		{"a failed call", turn("completed", "error", "r", "Here is record call-7."), "tool calls"},
		{"a call without its run", turn("completed", "ok", "", "Here is record call-7."), "tool calls"},
		{"another record", turn("completed", "ok", "r", "Here is record call-70."), "does not name"},
		{"no tool call", []byte(`{"status":"completed","message":{"content":"Here is record call-7."},"tool_calls":[]}`), "tool calls"},
	} {
		if err := checkTurn(c.b, "call-7"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %q", c.name, err, c.want)
		}
	}
	if err := checkTurn(turn("completed", "ok", "r", "Here is record call-7."), "call-7"); err != nil {
		t.Errorf("a right turn: %v", err)
	}
}

// TestProcReaders checks the /proc readings against getrusage of the same
// process.
func TestProcReaders(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	rusage := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	before, err := cpuTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	r0 := rusage()
	// Spin until the process has used 100 ms of CPU, however busy the
	// machine is.
	for end := time.Now().Add(20 * time.Second); rusage()-r0 < 100*time.Millisecond && time.Now().Before(end); {
	}
	used := rusage() - r0
	after, err := cpuTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < used-3*clockTick || d > used+3*clockTick {
		t.Errorf("/proc says %s of CPU, getrusage %s", d, used)
	}
	rss, err := peakRSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Errorf("peak RSS %d bytes, %v", rss, err)
	}
	if _, err := cpuTime(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}
