package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/workflow"
)

// hookKey is the signing key of the order_shipped webhook; hookSecret is
// how it is stored. Neither may appear in any answer.
var hookKey = []byte("hook-key-5d1c9e-never-in-output!")

// hookSecret is hookKey in the Standard Webhooks spelling.
var hookSecret = "whsec_" + base64.StdEncoding.EncodeToString(hookKey)

// wfEnv is the admin API and the webhooks on a loopback server over a real
// gateway on SQLite, with the workflow engine running, and an upstream
// that counts its requests by method and path:
//
//	GET /orders/{id}  an order with a shipment and a customer
//	GET /fail         500
//
// Its workflows: order_shipped (webhook, signed with hookSecret; param
// order_id; one step calling get_order and extracting the tracking number),
// failing (manual; one step calling fail_always), sleeper (manual; a wait
// step of an hour, then a set step).
type wfEnv struct {
	t        *testing.T
	g        *gateway.Gateway
	srv      *httptest.Server
	upstream *httptest.Server
	admin    string
	agent    string

	mu     sync.Mutex
	hits   map[string]int
	bodies []string
}

func newWFEnv(t *testing.T) *wfEnv {
	t.Helper()
	tok, err := adminTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	e := &wfEnv{t: t, hits: map[string]int{}}
	e.upstream = httptest.NewServer(http.HandlerFunc(e.serveUpstream))
	t.Cleanup(e.upstream.Close)
	cfg := gatewaytest.Config(t)
	e.g = gatewaytest.Open(t, cfg, gateway.Options{Tokenizer: tok})
	ctx := context.Background()
	if e.admin, err = e.g.BootstrapAdminToken(ctx); err != nil || e.admin == "" {
		t.Fatalf("bootstrap admin token: %q, %v", e.admin, err)
	}
	if _, err := e.g.SetSecret(ctx, "SHOP_HOOK", []byte(hookSecret)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.Apply(ctx, e.resources()); err != nil {
		t.Fatalf("invalid test resources: %v", err)
	}
	if e.agent, _, err = e.g.CreateToken(ctx, "bot", false, "support"); err != nil {
		t.Fatal(err)
	}
	eng := workflow.New(e.g, runtime.New(e.g, runtime.Options{}), workflow.Options{})
	if err := eng.Start(ctx); err != nil {
		t.Fatalf("starting the workflow engine: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Stop(ctx); err != nil {
			t.Errorf("stopping the workflow engine: %v", err)
		}
	})
	mux := http.NewServeMux()
	api.RegisterAdmin(mux, e.g)
	api.RegisterHooks(mux, e.g)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	t.Cleanup(e.checkNoSecret)
	return e
}

// resources are the actions, agent and workflows of the environment.
func (e *wfEnv) resources() []action.Resource {
	noRetries := 0
	return []action.Resource{
		{Kind: action.KindAction, Action: &action.Action{
			Name: "get_order", Description: "Look up an order by its id.",
			Method: action.MethodGet, URL: e.upstream.URL + "/orders/{{order_id}}",
			Params: action.Params{{Name: "order_id", Param: &action.Param{Type: "string", Description: "The order id.", Required: true}}},
		}},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "fail_always", Description: "Always fails.",
			Method: action.MethodGet, URL: e.upstream.URL + "/fail",
		}},
		{Kind: action.KindAgent, Agent: &action.Agent{Name: "support", Actions: []string{"get_order"}}},
		{Kind: action.KindWorkflow, Workflow: &action.Workflow{
			Name: "order_shipped", Description: "Look up a shipped order.",
			Trigger: action.Trigger{Webhook: &action.WebhookTrigger{
				Secret: &action.SecretRef{Secret: "SHOP_HOOK"},
				Params: action.Params{{Name: "order_id", Param: &action.Param{Type: "string", Description: "The order id.", Required: true}}},
			}},
			Steps: []*action.Step{{ID: "order", Action: "get_order", With: map[string]any{"order_id": "{{trigger.order_id}}"},
				Extract: map[string]string{"tracking": ".shipment.tracking_number"}}},
		}},
		{Kind: action.KindWorkflow, Workflow: &action.Workflow{
			Name: "failing", Trigger: action.Trigger{Manual: &action.ManualTrigger{}},
			Steps: []*action.Step{{ID: "boom", Action: "fail_always", Retries: &noRetries}},
		}},
		{Kind: action.KindWorkflow, Workflow: &action.Workflow{
			Name: "sleeper", Trigger: action.Trigger{Manual: &action.ManualTrigger{}},
			Steps: []*action.Step{{ID: "nap", Wait: "1h"}, {ID: "woke", Set: map[string]any{"vars.woke": true}}},
		}},
	}
}

// serveUpstream answers the actions' requests and counts them.
func (e *wfEnv) serveUpstream(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.hits[r.Method+" "+r.URL.Path]++
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/orders/"):
		_ = json.NewEncoder(w).Encode(map[string]any{"id": strings.TrimPrefix(r.URL.Path, "/orders/"),
			"shipment": map[string]any{"tracking_number": "1Z999"}, "customer": map[string]any{"email": "ada@example.com"}})
	case r.URL.Path == "/fail":
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":"boom"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// hitsOf returns how many requests the upstream received for method and path.
func (e *wfEnv) hitsOf(method, path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits[method+" "+path]
}

// do sends one request with a bearer token ("" for none) and returns the
// status and the decoded object (nil when empty).
func (e *wfEnv) do(method, path, token, body string) (int, map[string]any) {
	e.t.Helper()
	status, raw := roundTrip(e.t, method, e.srv.URL+path, token, body)
	e.keep(raw)
	if len(raw) == 0 {
		return status, nil
	}
	return status, decodeObject(e.t, method, path, raw)
}

// want is do that fails the test unless the status is status.
func (e *wfEnv) want(status int, method, path, token, body string) map[string]any {
	e.t.Helper()
	got, out := e.do(method, path, token, body)
	if got != status {
		e.t.Fatalf("%s %s: status %d, want %d: %v", method, path, got, status, out)
	}
	return out
}

// keep records an answer for checkNoSecret.
func (e *wfEnv) keep(raw []byte) {
	e.mu.Lock()
	e.bodies = append(e.bodies, string(raw))
	e.mu.Unlock()
}

// checkNoSecret fails the test when an answer held the signing secret.
func (e *wfEnv) checkNoSecret() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, b := range e.bodies {
		for _, s := range []string{hookSecret, string(hookKey), base64.StdEncoding.EncodeToString(hookKey)} {
			if strings.Contains(b, s) {
				e.t.Errorf("an answer holds the webhook secret: %s", b)
			}
		}
	}
}

// signed is a webhook's headers signed with key at ts.
func signed(key []byte, id string, ts time.Time, body []byte) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + stamp + "."))
	mac.Write(body)
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", stamp)
	h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return h
}

// hook posts body to /hooks/{workflow} with the headers and returns the
// status and the decoded answer.
func (e *wfEnv) hook(workflow string, h http.Header, body []byte) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+"/hooks/"+workflow, strings.NewReader(string(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	e.keep(raw)
	if resp.Header.Get("WWW-Authenticate") != "" {
		e.t.Errorf("a webhook answer asks for a bearer token: %s", resp.Header.Get("WWW-Authenticate"))
	}
	return resp.StatusCode, decodeObject(e.t, "POST", "/hooks/"+workflow, raw)
}

// start starts a manual run of workflow with input and returns its id.
func (e *wfEnv) start(workflow, input string) string {
	e.t.Helper()
	out := e.want(http.StatusAccepted, "POST", "/api/v1/workflows/"+workflow+"/runs", e.admin, `{"input":`+input+`}`)
	id, _ := out["id"].(string)
	if id == "" {
		e.t.Fatalf("no run id in %v", out)
	}
	return id
}

// waitRun reads run id until its status is one of statuses, and returns it.
func (e *wfEnv) waitRun(id string, statuses ...string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := e.want(http.StatusOK, "GET", "/api/v1/workflow-runs/"+id, e.admin, "")
		for _, s := range statuses {
			if out["status"] == s {
				return out
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("run %s is still %v after 20s, want %v: %v", id, out["status"], statuses, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runsOf returns the runs the API lists for workflow.
func (e *wfEnv) runsOf(workflow string) []any {
	e.t.Helper()
	out := e.want(http.StatusOK, "GET", "/api/v1/workflows/"+workflow+"/runs", e.admin, "")
	runs, _ := out["runs"].([]any)
	return runs
}

// errorMessage returns the message of an error answer.
func errorMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}
