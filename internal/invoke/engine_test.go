package invoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/egress"
	"github.com/actiongate/actiongate/internal/redact"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/secret"
)

const canary = "canary-7f3a9c1e5b"

func newTestEngine(t testing.TB, env map[string]string) *Engine {
	t.Helper()
	client, err := egress.New(egress.Config{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(client, tok, secret.EnvSource{Getenv: func(k string) string { return env[k] }})
}

func decode(t testing.TB, src string) (map[string]*action.Action, map[string]*action.Credential) {
	t.Helper()
	rs, errs := action.Decode("test.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if errs := action.Validate(rs); len(errs) > 0 {
		t.Fatal(errs)
	}
	as, cs := map[string]*action.Action{}, map[string]*action.Credential{}
	for _, r := range rs {
		if r.Action != nil {
			as[r.Action.Name] = r.Action
		}
		if r.Credential != nil {
			cs[r.Credential.Name] = r.Credential
		}
	}
	return as, cs
}

func TestInvokeEndToEnd(t *testing.T) {
	var lastAuth atomic.Value
	hb := httpbin.New()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lastAuth.Store(r.Header.Get("Authorization") + " " + r.URL.RawQuery)
		hb.ServeHTTP(w, r)
	}))
	defer up.Close()
	host := strings.TrimPrefix(up.URL, "http://")
	as, cs := decode(t, `
kind: Credential
name: echo
type: bearer
hosts: [127.0.0.1]
token: {env: ECHO_TOKEN}
---
kind: Action
name: echo_get
description: Echo a lookup.
method: GET
url: http://`+host+`/anything/orders/{{order_id}}
query:
  page: "{{page}}"
  note: "{{secret.NOTE}}"
headers:
  X-Customer: "{{contact.email}}"
auth: echo
params:
  order_id: {type: string, required: true, description: Order number}
  page: {type: integer, description: Page}
response:
  select: "{url, args, headers: .headers}"
---
kind: Action
name: echo_post
method: POST
url: http://`+host+`/anything
body:
  type: json
  content: {id: "{{id}}", note: "n-{{id}}"}
params:
  id: {type: integer, required: true}
---
kind: Action
name: not_found
method: GET
url: http://`+host+`/status/404
`)
	env := map[string]string{"ECHO_TOKEN": canary, "ACTIONGATE_SECRET_NOTE": canary + "-note"}
	eng := newTestEngine(t, env)
	ctx := context.Background()

	t.Run("get with secrets masked everywhere", func(t *testing.T) {
		res := eng.Invoke(ctx, &Call{Action: as["echo_get"], Credential: cs["echo"],
			Args:    map[string]any{"order_id": "A/1 ..", "page": json.Number("2")},
			Contact: map[string]any{"email": "kim@example.com"}})
		r := res.Run
		if r.Outcome != runlog.OutcomeOK || r.Status != 200 {
			t.Fatalf("outcome %s status %d: %s", r.Outcome, r.Status, r.Output)
		}
		// The upstream really received the path segment escaped and the
		// secrets, but the record shows none of them.
		if got, _ := lastAuth.Load().(string); got != "Bearer "+canary+" note="+canary+"-note&page=2" {
			t.Fatalf("upstream received %q", got)
		}
		all, _ := json.Marshal(r)
		if strings.Contains(string(all), canary) {
			t.Fatalf("secret leaked into run record: %s", all)
		}
		if !strings.Contains(r.Request.URL, "/anything/orders/A%2F1%20..") {
			t.Errorf("path not escaped: %s", r.Request.URL)
		}
		if got := r.Request.Headers["Authorization"]; len(got) != 1 || got[0] != "Bearer "+redact.Mask {
			t.Errorf("authorization preview = %q", got)
		}
		if r.RawTokens <= r.OutputTokens || r.OutputTokens == 0 {
			t.Errorf("tokens raw %d output %d", r.RawTokens, r.OutputTokens)
		}
		if !strings.Contains(r.Output, "kim@example.com") || !strings.Contains(r.Output, redact.Mask) {
			t.Errorf("output = %s", r.Output)
		}
	})

	t.Run("invalid arguments are model readable and nothing is sent", func(t *testing.T) {
		res := eng.Invoke(ctx, &Call{Action: as["echo_get"], Credential: cs["echo"], Args: map[string]any{"page": "two"}})
		r := res.Run
		if r.Outcome != runlog.OutcomeError || r.Status != 0 || r.Request != nil {
			t.Fatalf("run = %+v", r)
		}
		for _, want := range []string{"order_id", "page"} {
			if !strings.Contains(r.Output, want) {
				t.Errorf("output %q does not name %s", r.Output, want)
			}
		}
	})

	t.Run("write needs confirmation then keeps integer type", func(t *testing.T) {
		res := eng.Invoke(ctx, &Call{Action: as["echo_post"], Args: map[string]any{"id": json.Number("42")}})
		if res.Run.Outcome != runlog.OutcomeConfirmationRequired || res.Run.Status != 0 {
			t.Fatalf("unconfirmed write: %+v", res.Run)
		}
		if res.Run.Request.Body != `{"id":42,"note":"n-42"}` {
			t.Errorf("body preview = %s", res.Run.Request.Body)
		}
		res = eng.Invoke(ctx, &Call{Action: as["echo_post"], Args: map[string]any{"id": json.Number("42")}, Confirmed: true})
		if res.Run.Outcome != runlog.OutcomeOK || !strings.Contains(res.Run.Response, `"id": 42`) {
			t.Fatalf("confirmed write: %s %s", res.Run.Outcome, res.Run.Response)
		}
	})

	t.Run("upstream error becomes a result", func(t *testing.T) {
		r := eng.Invoke(ctx, &Call{Action: as["not_found"]}).Run
		if r.Outcome != runlog.OutcomeError || r.Status != 404 || !strings.Contains(r.Output, `"status":404`) {
			t.Fatalf("run = %+v", r)
		}
	})

	t.Run("dry run sends nothing", func(t *testing.T) {
		var hits atomic.Int32
		counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
		defer counting.Close()
		a := *as["not_found"]
		a.URL = counting.URL + "/x"
		r := eng.Invoke(ctx, &Call{Action: &a, DryRun: true}).Run
		if r.Outcome != runlog.OutcomeDryRun || hits.Load() != 0 || r.Request.URL != counting.URL+"/x" {
			t.Fatalf("run = %+v, hits %d", r, hits.Load())
		}
	})
}

func TestDryRunPreviewsWithoutCredential(t *testing.T) {
	as, cs := decode(t, `
kind: Credential
name: echo
type: bearer
hosts: [api.example.com]
token: {env: MISSING_TOKEN}
---
kind: Action
name: lookup
method: GET
url: https://api.example.com/items/{{id}}
auth: echo
params:
  id: {type: string, required: true}
`)
	eng := newTestEngine(t, nil)
	r := eng.Invoke(context.Background(), &Call{Action: as["lookup"], Credential: cs["echo"], Args: map[string]any{"id": "7"}, DryRun: true}).Run
	if r.Outcome != runlog.OutcomeDryRun || r.Request == nil || r.Request.URL != "https://api.example.com/items/7" {
		t.Fatalf("run = %+v", r)
	}
	if !strings.Contains(r.Error, "MISSING_TOKEN") {
		t.Errorf("error %q does not say which setting is missing", r.Error)
	}
	r = eng.Invoke(context.Background(), &Call{Action: as["lookup"], Credential: cs["echo"], Args: map[string]any{"id": "7"}}).Run
	if r.Outcome != runlog.OutcomeError || r.Request != nil || strings.Contains(r.Output, "MISSING_TOKEN") {
		t.Fatalf("real call without credential: %+v", r)
	}
}
