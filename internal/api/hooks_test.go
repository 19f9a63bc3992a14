package api_test

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/httpkit"
)

// without returns h without the named header.
func without(h http.Header, name string) http.Header {
	h = h.Clone()
	h.Del(name)
	return h
}

// with returns h with the named header set to value.
func with(h http.Header, name, value string) http.Header {
	h = h.Clone()
	h.Set(name, value)
	return h
}

func TestHookRefusesBadSignatures(t *testing.T) {
	e := newWFEnv(t)
	body := []byte(`{"order_id":"A1"}`)
	now := time.Now()
	good := signed(hookKey, "msg_1", now, body)
	for _, c := range []struct {
		name   string
		h      http.Header
		status int
		names  string
	}{
		{"unsigned", http.Header{}, http.StatusUnauthorized, "webhook-"},
		{"no signature", without(good, "webhook-signature"), http.StatusUnauthorized, "webhook-signature"},
		{"no id", without(good, "webhook-id"), http.StatusUnauthorized, "webhook-id"},
		{"no timestamp", without(good, "webhook-timestamp"), http.StatusUnauthorized, "webhook-timestamp"},
		{"wrong secret", signed([]byte("another-key-entirely-0123456789!"), "msg_1", now, body), http.StatusUnauthorized, "webhook-signature"},
		{"signature of another body", signed(hookKey, "msg_1", now, []byte(`{"order_id":"A2"}`)), http.StatusUnauthorized, "webhook-signature"},
		{"signature of another id", with(good, "webhook-id", "msg_2"), http.StatusUnauthorized, "webhook-signature"},
		{"old timestamp", signed(hookKey, "msg_1", now.Add(-10*time.Minute), body), http.StatusUnauthorized, "webhook-timestamp"},
		{"future timestamp", signed(hookKey, "msg_1", now.Add(10*time.Minute), body), http.StatusUnauthorized, "webhook-timestamp"},
		{"timestamp not a number", with(good, "webhook-timestamp", "soon"), http.StatusUnauthorized, "webhook-timestamp"},
		{"admin token instead of a signature", with(http.Header{}, "Authorization", "Bearer "+e.admin), http.StatusUnauthorized, "webhook-"},
	} {
		status, out := e.hook("order_shipped", c.h, body)
		if status != c.status || !strings.Contains(errorMessage(out), c.names) {
			t.Errorf("%s: %d %v; want %d naming %s", c.name, status, out, c.status, c.names)
		}
	}
	if runs := e.runsOf("order_shipped"); len(runs) != 0 {
		t.Fatalf("refused webhooks started runs: %v", runs)
	}
	if n := e.hitsOf("GET", "/orders/A1"); n != 0 {
		t.Fatalf("refused webhooks reached the upstream %d times", n)
	}

	// The well-signed webhook starts one run, which calls the action.
	status, out := e.hook("order_shipped", good, body)
	id, _ := out["run_id"].(string)
	if status != http.StatusAccepted || id == "" || len(out) != 1 {
		t.Fatalf("signed webhook: %d %v", status, out)
	}
	run := e.waitRun(id, "completed", "failed")
	if run["status"] != "completed" || run["trigger"] != "webhook" || jsonText(run["input"]) != `{"order_id":"A1"}` {
		t.Fatalf("webhook run: %v", run)
	}
	if v, _ := jsonAt(run, "steps/0/extract/tracking"); v != "1Z999" {
		t.Fatalf("step record: %v", run["steps"])
	}
}

func TestHookDeduplicatesByWebhookID(t *testing.T) {
	e := newWFEnv(t)
	body := []byte(`{"order_id":"A1"}`)
	status, first := e.hook("order_shipped", signed(hookKey, "msg_1", time.Now(), body), body)
	id, _ := first["run_id"].(string)
	if status != http.StatusAccepted || id == "" {
		t.Fatalf("first delivery: %d %v", status, first)
	}
	e.waitRun(id, "completed")
	// The sender delivers again (a retry, signed anew): the first run is
	// named and nothing more happens.
	for range 2 {
		status, again := e.hook("order_shipped", signed(hookKey, "msg_1", time.Now().Add(time.Second), body), body)
		if status != http.StatusOK || again["run_id"] != id || again["duplicate"] != true {
			t.Fatalf("repeated webhook-id: %d %v", status, again)
		}
	}
	if runs := e.runsOf("order_shipped"); len(runs) != 1 {
		t.Fatalf("%d runs, want 1", len(runs))
	}
	if n := e.hitsOf("GET", "/orders/A1"); n != 1 {
		t.Fatalf("the upstream saw the order looked up %d times, want 1", n)
	}
	// Another webhook-id is another run.
	status, other := e.hook("order_shipped", signed(hookKey, "msg_2", time.Now(), body), body)
	if status != http.StatusAccepted || other["run_id"] == id {
		t.Fatalf("new webhook-id: %d %v", status, other)
	}
}

func TestHookRefusesBodiesAndWorkflows(t *testing.T) {
	e := newWFEnv(t)
	now := time.Now()
	for i, c := range []struct {
		name, body string
		status     int
		names      string
	}{
		{"missing param", `{}`, http.StatusUnprocessableEntity, "input.order_id: order_id is required"},
		{"param of the wrong type", `{"order_id":5}`, http.StatusUnprocessableEntity, "input.order_id: order_id must be a string"},
		{"not JSON", `order A1 shipped`, http.StatusBadRequest, "must be a JSON object"},
		{"not an object", `["A1"]`, http.StatusBadRequest, "must be a JSON object"},
		{"too deep", strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70), http.StatusBadRequest, "nests deeper than 64 levels"},
	} {
		body := []byte(c.body)
		status, out := e.hook("order_shipped", signed(hookKey, "bad_"+string(rune('a'+i)), now, body), body)
		if status != c.status || !strings.Contains(errorMessage(out), c.names) {
			t.Errorf("%s: %d %v; want %d naming %s", c.name, status, out, c.status, c.names)
		}
	}
	body := []byte(`{"order_id":"A1"}`)
	for _, name := range []string{"no_such_workflow", "failing"} {
		status, out := e.hook(name, signed(hookKey, "msg_1", now, body), body)
		if status != http.StatusNotFound || !strings.Contains(errorMessage(out), name) {
			t.Errorf("webhook for %s: %d %v", name, status, out)
		}
	}
	if runs := e.runsOf("order_shipped"); len(runs) != 0 {
		t.Fatalf("refused webhooks started runs: %v", runs)
	}
	if runs := e.runsOf("failing"); len(runs) != 0 {
		t.Fatalf("a webhook started a manual workflow: %v", runs)
	}
}

// TestHookBodyBound checks that a webhook body over 1 MiB is refused with
// 413 before anything else, quickly and without much memory, and that one
// of exactly 1 MiB is read.
func TestHookBodyBound(t *testing.T) {
	e := newWFEnv(t)
	pad := func(n int) []byte {
		head, tail := `{"order_id":"A1","note":"`, `"}`
		return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
	}
	atLimit := pad(httpkit.MaxBodyBytes)
	status, out := e.hook("order_shipped", signed(hookKey, "big_1", time.Now(), atLimit), atLimit)
	if status == http.StatusRequestEntityTooLarge || status >= 500 {
		t.Fatalf("1 MiB body: %d %v; want it read", status, out)
	}
	over := pad(httpkit.MaxBodyBytes + 1)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	status, out = e.hook("order_shipped", signed(hookKey, "big_2", time.Now(), over), over)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(errorMessage(out), "1048576") {
		t.Fatalf("1 MiB + 1 body: %d %v", status, out)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	if elapsed > 2*time.Second {
		t.Errorf("refusing took %v", elapsed)
	}
	if alloc > 12<<20 {
		t.Errorf("refusing allocated %d bytes", alloc)
	}
	t.Logf("413 on 1 MiB + 1 byte: %v, %d KiB allocated (client and server)", elapsed, alloc>>10)
	if runs := e.runsOf("order_shipped"); len(runs) != 0 {
		t.Fatalf("refused webhooks started runs: %v", runs)
	}
}
