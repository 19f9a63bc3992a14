package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
)

func TestWorkflowRoutesAreAdminOnly(t *testing.T) {
	e := newWFEnv(t)
	id := e.start("sleeper", `{}`)
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/api/v1/workflows/sleeper/runs", `{"input":{}}`},
		{"GET", "/api/v1/workflows/sleeper/runs", ""},
		{"GET", "/api/v1/workflow-runs/" + id, ""},
		{"POST", "/api/v1/workflow-runs/" + id + "/cancel", ""},
		{"POST", "/api/v1/workflow-runs/" + id + "/retry", ""},
		{"GET", "/api/v1/workflows", ""},
		{"GET", "/api/v1/workflows/sleeper", ""},
		{"PUT", "/api/v1/workflows/sleeper", `{"trigger":{"manual":{}},"steps":[{"id":"nap","wait":"1h"}]}`},
		{"DELETE", "/api/v1/workflows/sleeper", ""},
	} {
		if status, out := e.do(r.method, r.path, "", r.body); status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d %v", r.method, r.path, status, out)
		}
		if status, out := e.do(r.method, r.path, e.agent, r.body); status != http.StatusForbidden {
			t.Errorf("%s %s with an agent token: %d %v", r.method, r.path, status, out)
		}
	}
	if runs := e.runsOf("sleeper"); len(runs) != 1 {
		t.Fatalf("%d runs of sleeper, want the one the admin started", len(runs))
	}
	if run := e.want(http.StatusOK, "GET", "/api/v1/workflow-runs/"+id, e.admin, ""); run["status"] == "cancelled" {
		t.Fatalf("a refused cancel cancelled the run: %v", run)
	}
}

func TestWorkflowManualRun(t *testing.T) {
	e := newWFEnv(t)
	out := e.want(http.StatusAccepted, "POST", "/api/v1/workflows/order_shipped/runs", e.admin, `{"input":{"order_id":"A7"}}`)
	id, _ := out["id"].(string)
	if id == "" || out["workflow"] != "order_shipped" || out["trigger"] != "manual" ||
		(out["status"] != "queued" && out["status"] != "running" && out["status"] != "completed") {
		t.Fatalf("started run: %v", out)
	}
	run := e.waitRun(id, "completed", "failed")
	for path, want := range map[string]string{
		"status": "completed", "input/order_id": "A7", "steps/0/id": "order", "steps/0/type": "action",
		"steps/0/status": "completed", "steps/0/http_status": "200", "steps/0/extract/tracking": "1Z999",
	} {
		if v, ok := jsonAt(run, path); !ok || jsonText(v) != want {
			t.Errorf("run %s = %v, want %s", path, v, want)
		}
	}
	if v, _ := jsonAt(run, "steps/0/run_id"); v == nil || v == "" {
		t.Errorf("the step names no action run: %v", run["steps"])
	}
	if n := e.hitsOf("GET", "/orders/A7"); n != 1 {
		t.Fatalf("upstream saw %d lookups, want 1", n)
	}

	// A run for a contact carries it.
	c, err := e.g.CreateContact(context.Background(), gateway.Operator(), &gateway.Contact{Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	out = e.want(http.StatusAccepted, "POST", "/api/v1/workflows/order_shipped/runs", e.admin, `{"input":{"order_id":"A8"},"contact_id":"`+c.ID+`"}`)
	if out["contact_id"] != c.ID {
		t.Fatalf("run for a contact: %v", out)
	}
}

func TestWorkflowManualRunRefusals(t *testing.T) {
	e := newWFEnv(t)
	for _, c := range []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"input failing params", "order_shipped", `{"input":{}}`, http.StatusBadRequest, "input.order_id"},
		{"input of the wrong type", "order_shipped", `{"input":{"order_id":7}}`, http.StatusBadRequest, "input.order_id"},
		{"no body", "order_shipped", ``, http.StatusBadRequest, "input.order_id"},
		{"unknown field", "order_shipped", `{"input":{"order_id":"A1"},"contact":"x"}`, http.StatusBadRequest, "contact"},
		{"input not an object", "order_shipped", `{"input":["A1"]}`, http.StatusBadRequest, "input"},
		{"unknown contact", "order_shipped", `{"input":{"order_id":"A1"},"contact_id":"01jnotacontact000000000000"}`, http.StatusNotFound, "contact_id"},
		{"unknown workflow", "no_such_workflow", `{"input":{}}`, http.StatusNotFound, ""},
	} {
		status, out := e.do("POST", "/api/v1/workflows/"+c.path+"/runs", e.admin, c.body)
		if status != c.status {
			t.Errorf("%s: %d %v, want %d", c.name, status, out, c.status)
			continue
		}
		if c.field != "" && errorFields(out)[c.field] == nil {
			t.Errorf("%s: no field %s in %v", c.name, c.field, out)
		}
		if c.status == http.StatusNotFound && !strings.Contains(errorMessage(out), strings.TrimSuffix(c.field, "_id")) {
			t.Errorf("%s: message %q does not say what was not found", c.name, errorMessage(out))
		}
	}
	if runs := e.runsOf("order_shipped"); len(runs) != 0 {
		t.Fatalf("refused starts stored runs: %v", runs)
	}
}

func TestWorkflowRunListing(t *testing.T) {
	e := newWFEnv(t)
	ids := []string{e.start("order_shipped", `{"order_id":"A1"}`), e.start("order_shipped", `{"order_id":"A2"}`), e.start("order_shipped", `{"order_id":"A3"}`)}
	for _, id := range ids {
		e.waitRun(id, "completed")
	}
	e.start("sleeper", `{}`)

	// Newest first, two pages.
	page := e.want(http.StatusOK, "GET", "/api/v1/workflows/order_shipped/runs?limit=2", e.admin, "")
	next, _ := page["next_cursor"].(string)
	runs, _ := page["runs"].([]any)
	if len(runs) != 2 || next == "" || runs[0].(map[string]any)["id"] != ids[2] || runs[1].(map[string]any)["id"] != ids[1] {
		t.Fatalf("first page: %v", page)
	}
	page = e.want(http.StatusOK, "GET", "/api/v1/workflows/order_shipped/runs?limit=2&cursor="+next, e.admin, "")
	runs, _ = page["runs"].([]any)
	if len(runs) != 1 || page["next_cursor"] != "" || runs[0].(map[string]any)["id"] != ids[0] {
		t.Fatalf("second page: %v", page)
	}

	// Filtered by status.
	done := e.want(http.StatusOK, "GET", "/api/v1/workflows/order_shipped/runs?status=completed", e.admin, "")
	if runs, _ := done["runs"].([]any); len(runs) != 3 {
		t.Fatalf("completed runs: %v", done)
	}
	if runs := e.want(http.StatusOK, "GET", "/api/v1/workflows/order_shipped/runs?status=failed", e.admin, "")["runs"].([]any); len(runs) != 0 {
		t.Fatalf("failed runs: %v", runs)
	}

	// Bad parameters name themselves; an unknown workflow is 404.
	for q, param := range map[string]string{"limit=0": "limit", "limit=201": "limit", "limit=ten": "limit",
		"status=done": "status", "cursor=nope": "cursor", "order=asc": "order"} {
		status, out := e.do("GET", "/api/v1/workflows/order_shipped/runs?"+q, e.admin, "")
		if status != http.StatusBadRequest || errorFields(out)[param] == nil {
			t.Errorf("?%s: %d %v", q, status, out)
		}
	}
	if status, out := e.do("GET", "/api/v1/workflows/no_such_workflow/runs", e.admin, ""); status != http.StatusNotFound ||
		!strings.Contains(errorMessage(out), "no_such_workflow") {
		t.Fatalf("runs of an unknown workflow: %d %v", status, out)
	}
	if status, out := e.do("GET", "/api/v1/workflow-runs/01jnotarun0000000000000000", e.admin, ""); status != http.StatusNotFound {
		t.Fatalf("unknown run: %d %v", status, out)
	}
}

func TestWorkflowCancelAndRetry(t *testing.T) {
	e := newWFEnv(t)
	// A finished run can be neither cancelled nor retried.
	done := e.start("order_shipped", `{"order_id":"A1"}`)
	e.waitRun(done, "completed")
	for _, verb := range []string{"cancel", "retry"} {
		status, out := e.do("POST", "/api/v1/workflow-runs/"+done+"/"+verb, e.admin, "")
		if status != http.StatusConflict || !strings.Contains(errorMessage(out), "is completed") {
			t.Errorf("%s a completed run: %d %v", verb, status, out)
		}
	}

	// A waiting run is cancelled once; then it is a finished run.
	nap := e.start("sleeper", `{}`)
	e.waitRun(nap, "waiting")
	out := e.want(http.StatusOK, "POST", "/api/v1/workflow-runs/"+nap+"/cancel", e.admin, "")
	if out["id"] != nap || out["status"] != "cancelled" {
		t.Fatalf("cancel: %v", out)
	}
	for _, verb := range []string{"cancel", "retry"} {
		status, out := e.do("POST", "/api/v1/workflow-runs/"+nap+"/"+verb, e.admin, "")
		if status != http.StatusConflict || !strings.Contains(errorMessage(out), "is cancelled") {
			t.Errorf("%s a cancelled run: %d %v", verb, status, out)
		}
	}

	// A failed run is retried from its failed step, which runs again.
	boom := e.start("failing", `{}`)
	run := e.waitRun(boom, "failed", "completed")
	if run["status"] != "failed" || jsonText(run["steps"].([]any)[0].(map[string]any)["http_status"]) != "500" {
		t.Fatalf("failing run: %v", run)
	}
	if n := e.hitsOf("GET", "/fail"); n != 1 {
		t.Fatalf("upstream saw %d calls, want 1", n)
	}
	out = e.want(http.StatusOK, "POST", "/api/v1/workflow-runs/"+boom+"/retry", e.admin, "")
	if out["id"] != boom || out["status"] == "failed" {
		t.Fatalf("retry: %v", out)
	}
	e.waitRun(boom, "failed")
	if n := e.hitsOf("GET", "/fail"); n != 2 {
		t.Fatalf("upstream saw %d calls after the retry, want 2", n)
	}
	for _, verb := range []string{"cancel", "retry"} {
		if status, out := e.do("POST", "/api/v1/workflow-runs/01jnotarun0000000000000000/"+verb, e.admin, ""); status != http.StatusNotFound {
			t.Errorf("%s an unknown run: %d %v", verb, status, out)
		}
	}
}

func TestWorkflowResources(t *testing.T) {
	e := newWFEnv(t)
	hook := e.start("order_shipped", `{"order_id":"A1"}`)
	e.waitRun(hook, "completed")

	list := e.want(http.StatusOK, "GET", "/api/v1/workflows", e.admin, "")
	items, _ := list["workflows"].([]any)
	if len(items) != 3 {
		t.Fatalf("workflows: %v", list)
	}
	first := items[1].(map[string]any) // failing, order_shipped, sleeper
	for path, want := range map[string]string{"name": "order_shipped", "trigger": "webhook", "hook": "/hooks/order_shipped",
		"steps": "1", "runs/completed": "1", "runs/failed": "0", "last_run/id": hook, "last_run/status": "completed"} {
		if v, ok := jsonAt(first, path); !ok || jsonText(v) != want {
			t.Errorf("list item %s = %v, want %s", path, v, want)
		}
	}

	one := e.want(http.StatusOK, "GET", "/api/v1/workflows/order_shipped", e.admin, "")
	for path, want := range map[string]string{"resource/name": "order_shipped", "hook": "/hooks/order_shipped",
		"resource/trigger/webhook/secret/source": "secret", "resource/trigger/webhook/secret/name": "SHOP_HOOK",
		"resource/trigger/webhook/secret/set": "true", "resource/steps/0/action": "get_order", "runs/completed": "1"} {
		if v, ok := jsonAt(one, path); !ok || jsonText(v) != want {
			t.Errorf("workflow %s = %v, want %s", path, v, want)
		}
	}

	// PUT creates and replaces; problems are named by field path.
	spec := `{"description":"Say hello.","trigger":{"manual":{}},"steps":[{"id":"look","action":"get_order","with":{"order_id":"A1"}}]}`
	out := e.want(http.StatusCreated, "PUT", "/api/v1/workflows/hello", e.admin, spec)
	if out["change"] != "created" || jsonText(out["resource"].(map[string]any)["name"]) != "hello" {
		t.Fatalf("put: %v", out)
	}
	if out := e.want(http.StatusOK, "PUT", "/api/v1/workflows/hello", e.admin, spec); out["change"] != "unchanged" {
		t.Fatalf("put again: %v", out)
	}
	status, out := e.do("PUT", "/api/v1/workflows/broken", e.admin, `{"trigger":{"manual":{}},"steps":[{"id":"look","action":"no_such_action"}]}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(jsonText(errorFields(out)), "no_such_action") {
		t.Fatalf("workflow calling an unknown action: %d %v", status, out)
	}
	status, out = e.do("PUT", "/api/v1/workflows/hello", e.admin, `{"name":"other","trigger":{"manual":{}},"steps":[]}`)
	if status != http.StatusUnprocessableEntity || errorFields(out)["workflows[hello].name"] == nil {
		t.Fatalf("name mismatch: %d %v", status, out)
	}
	// An action or workflow a workflow uses cannot be deleted.
	status, out = e.do("DELETE", "/api/v1/actions/get_order", e.admin, "")
	if status != http.StatusConflict || errorFields(out)["workflows[order_shipped].steps"] != `still calls action "get_order"` ||
		errorFields(out)["workflows[hello].steps"] == nil {
		t.Fatalf("delete an action workflows call: %d %v", status, out)
	}
	run := e.start("hello", `{}`)
	e.waitRun(run, "completed")

	// DELETE removes it; its runs stay readable.
	if status, _ := e.do("DELETE", "/api/v1/workflows/hello", e.admin, ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := e.do("GET", "/api/v1/workflows/hello", e.admin, ""); status != http.StatusNotFound {
		t.Fatalf("deleted workflow: %d", status)
	}
	if status, _ := e.do("DELETE", "/api/v1/workflows/hello", e.admin, ""); status != http.StatusNotFound {
		t.Fatalf("delete again: %d", status)
	}
	if runs := e.runsOf("hello"); len(runs) != 1 {
		t.Fatalf("runs of the deleted workflow: %v", runs)
	}
	e.want(http.StatusOK, "GET", "/api/v1/workflow-runs/"+run, e.admin, "")
}
