package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// ticketYAML is an action using every field the editor offers.
const ticketYAML = `kind: Credential
name: tickets
type: bearer
hosts: [tickets.example.com]
token: {secret: tickets_token}
---
kind: Action
name: create_ticket
title: Create a support ticket
description: Use when the customer reports a problem you cannot solve.
method: post
url: https://tickets.example.com/api/{{team}}/tickets
query:
  lang: "{{lang}}"
  source: chat
headers:
  X-Customer: "{{contact.email}}"
  X-Trace: "{{vars.trace}}"
auth: tickets
body:
  type: json
  content:
    subject: "{{subject}}"
    priority: "{{priority}}"
    tags: [support, "{{tag}}"]
    requester: {email: "{{contact.email}}"}
    quantity: 1
    rating: 4.5
    internal: false
    note: null
params:
  team: {type: string, required: true, description: The team, enum: [billing, shipping]}
  lang: {type: string, default: en, pattern: "^[a-z]{2}$", min_length: 2, max_length: 2}
  subject: {type: string, description: One-line summary, required: true, min_length: 5, max_length: 120}
  priority: {type: integer, description: 1 (low) to 4 (urgent), minimum: 1, maximum: 4, default: 2, enum: [1, 2, 3, 4]}
  tag:
    type: array
    items: {type: string, enum: [billing, shipping, other]}
    default: [other]
response:
  select: "{id, status}"
  exclude: ["*_url", node_id]
  compact: false
  max_items: 10
  max_string: 200
  max_tokens: 400
  format: table
timeout: 5s
retries: 3
idempotency: true
confirm: always
`

// storedSpec returns the canonical spec stored for an action.
func (e *env) storedSpec(name string) string {
	e.t.Helper()
	r, err := e.stored(action.KindAction, name)
	if err != nil {
		e.t.Fatal(err)
	}
	b, err := action.SpecJSON(*r)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// decodedSpec returns the canonical spec `apply` would store for a document.
func decodedSpec(t *testing.T, doc, name string) string {
	t.Helper()
	rs, errs := action.Decode("apply.yaml", []byte(doc))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, r := range rs {
		if r.Kind == action.KindAction && r.Name() == name {
			b, err := action.SpecJSON(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no action %s", name)
	return ""
}

// TestSaveEqualsApply creates through the form the action a resource file
// declares and checks the stored spec is byte for byte what `apply`
// stores; then saves the editor unchanged and checks nothing moves.
func TestSaveEqualsApply(t *testing.T) {
	e := newEnv(t)
	e.putYAML(strings.SplitN(ticketYAML, "---\n", 2)[0])
	b := e.browser()
	b.signIn(e.admin)
	b.get("/actions/new")
	form := url.Values{
		"name":                 {"create_ticket"},
		"title":                {"Create a support ticket"},
		"description":          {"Use when the customer reports a problem you cannot solve."},
		"method":               {"POST"},
		"url":                  {"https://tickets.example.com/api/{{team}}/tickets"},
		"query.0.key":          {"lang"},
		"query.0.value":        {"{{lang}}"},
		"query.1.key":          {"source"},
		"query.1.value":        {"chat"},
		"headers.0.key":        {"X-Customer"},
		"headers.0.value":      {"{{contact.email}}"},
		"headers.1.key":        {"X-Trace"},
		"headers.1.value":      {"{{vars.trace}}"},
		"auth":                 {"tickets"},
		"body_type":            {"json"},
		"body_content":         {`{"subject": "{{subject}}", "priority": "{{priority}}", "tags": ["support", "{{tag}}"], "requester": {"email": "{{contact.email}}"}, "quantity": 1, "rating": 4.5, "internal": false, "note": null}`},
		"params.0.name":        {"team"},
		"params.0.type":        {"string"},
		"params.0.required":    {"on"},
		"params.0.description": {"The team"},
		"params.0.enum":        {"billing, shipping"},
		"params.1.name":        {"lang"},
		"params.1.type":        {"string"},
		"params.1.default":     {"en"},
		"params.1.pattern":     {"^[a-z]{2}$"},
		"params.1.min_length":  {"2"},
		"params.1.max_length":  {"2"},
		"params.2.name":        {"subject"},
		"params.2.type":        {"string"},
		"params.2.required":    {"on"},
		"params.2.description": {"One-line summary"},
		"params.2.min_length":  {"5"},
		"params.2.max_length":  {"120"},
		"params.3.name":        {"priority"},
		"params.3.type":        {"integer"},
		"params.3.description": {"1 (low) to 4 (urgent)"},
		"params.3.minimum":     {"1"},
		"params.3.maximum":     {"4"},
		"params.3.default":     {"2"},
		"params.3.enum":        {"1, 2, 3, 4"},
		"params.4.name":        {"tag"},
		"params.4.type":        {"array"},
		"params.4.items":       {`{"type": "string", "enum": ["billing", "shipping", "other"]}`},
		"params.4.default":     {`["other"]`},
		"response.select":      {"{id, status}"},
		"response.exclude":     {"*_url, node_id"},
		"response.max_items":   {"10"},
		"response.max_string":  {"200"},
		"response.max_tokens":  {"400"},
		"response.format":      {"table"},
		"timeout":              {"5s"},
		"retries":              {"3"},
		"idempotency":          {"Idempotency-Key"},
		"confirm":              {"always"},
	}
	p := b.post("/actions/new", form)
	if p.status != http.StatusSeeOther || p.location != "/actions/create_ticket?done=created" {
		t.Fatalf("save: %d %q\n%s", p.status, p.location, p.body)
	}
	want := decodedSpec(t, ticketYAML, "create_ticket")
	if got := e.storedSpec("create_ticket"); got != want {
		t.Fatalf("the console stored\n%s\napply stores\n%s", got, want)
	}

	// Saving the editor as rendered changes nothing.
	page := b.get("/actions/create_ticket")
	if p := b.post("/actions/create_ticket", formValues(t, page.body, "action-form")); p.status != http.StatusSeeOther {
		t.Fatalf("re-save: %d\n%s", p.status, p.body)
	}
	if got := e.storedSpec("create_ticket"); got != want {
		t.Fatalf("saving unchanged moved the spec to\n%s", got)
	}
}

// TestEditorRoundTripsAppliedActions opens actions stored by `apply` and
// saves them unchanged, which must keep their specs identical.
func TestEditorRoundTripsAppliedActions(t *testing.T) {
	e := newEnv(t)
	e.putYAML(ticketYAML + `---
kind: Action
name: update_contact
method: PATCH
url: https://tickets.example.com/contacts/{{contact.id}}
body:
  type: form
  content: {phone: "{{phone}}", source: actiongate}
params:
  phone: {type: string, required: true, pattern: '^\+[0-9 ]{6,20}$'}
idempotency: X-Request-Id
retries: 0
confirm: never
---
kind: Action
name: note
method: PUT
url: https://tickets.example.com/notes/{{ticket}}
body: {type: text, content: "Note for {{ticket}}:\n{{text}}\n"}
params:
  ticket: {type: integer, required: true}
  text: {type: string, required: true}
`)
	b := e.browser()
	b.signIn(e.admin)
	for _, name := range []string{"create_ticket", "update_contact", "note"} {
		before := e.storedSpec(name)
		page := b.get("/actions/" + name)
		if p := b.post("/actions/"+name, formValues(t, page.body, "action-form")); p.status != http.StatusSeeOther {
			t.Fatalf("%s: re-save: %d\n%s", name, p.status, p.body)
		}
		if after := e.storedSpec(name); after != before {
			t.Errorf("%s: saving unchanged changed\n%s\nto\n%s", name, before, after)
		}
	}
}

// errorText returns the text shown beside a form field.
func errorText(body, key string) string {
	m := regexp.MustCompile(`<p class="field-error" id="err-` + regexp.QuoteMeta(key) + `">([^<]*)`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestValidationErrorsBesideFields(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	b.get("/actions/new")
	p := b.post("/actions/new", url.Values{
		"name":               {"bad action"},
		"method":             {"GET"},
		"url":                {"ftp://example.com/{{id}}"},
		"headers.0.key":      {"Host"},
		"headers.0.value":    {"x"},
		"params.0.name":      {"id"},
		"params.0.type":      {"string"},
		"params.1.name":      {"unused"},
		"params.1.type":      {"integer"},
		"params.1.pattern":   {"^x$"},
		"response.max_items": {"lots"},
		"response.select":    {".[[["},
		"response.format":    {"grid"},
		"timeout":            {"soon"},
	})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.status)
	}
	for key, want := range map[string]string{
		"name":               "letters, digits",
		"url":                "scheme must be http or https",
		"headers.0.key":      "cannot be overridden",
		"params.1.name":      "is never used",
		"params.1.pattern":   "only allowed when type is string",
		"response.max_items": "whole number",
		"response.select":    "invalid jq expression",
		"response.format":    "must be one of json, table",
		"timeout":            "duration",
	} {
		if got := errorText(p.body, key); !strings.Contains(got, want) {
			t.Errorf("beside %s: %q, want it to mention %q", key, got, want)
		}
		if !strings.Contains(p.body, `aria-describedby="err-`+key+`"`) {
			t.Errorf("the input %s does not point at its error", key)
		}
	}
	if !strings.Contains(p.body, `value="ftp://example.com/{{id}}"`) {
		t.Error("the form lost what was typed")
	}
	if _, err := e.stored(action.KindAction, "bad action"); err == nil {
		t.Fatal("an invalid action was stored")
	}

	// A name taken by another action is refused, not overwritten.
	e.putYAML("kind: Action\nname: taken\nmethod: GET\nurl: https://example.com/\n")
	p = b.post("/actions/new", url.Values{"name": {"taken"}, "method": {"POST"}, "url": {"https://example.com/x"}})
	if got := errorText(p.body, "name"); !strings.Contains(got, "exists already") {
		t.Errorf("duplicate name: %q", got)
	}
}

func TestRowsWithoutScript(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	b.get("/actions/new")
	p := b.post("/actions/new", url.Values{"name": {"x"}, "url": {"https://example.com/"}, "op": {"add:params"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="params.0.name"`) {
		t.Fatalf("add a param row: %d", p.status)
	}
	p = b.post("/actions/new", url.Values{"name": {"x"}, "query.0.key": {"a"}, "query.1.key": {"b"}, "op": {"remove:query:0"}})
	if !strings.Contains(p.body, `name="query.0.key" value="b"`) || strings.Contains(p.body, `value="a"`) {
		t.Fatalf("remove a query row:\n%s", p.body)
	}
	if _, err := e.stored(action.KindAction, "x"); err == nil {
		t.Fatal("a row operation saved the action")
	}
}

// TestTestPanelWithoutScript previews and sends a write through plain form
// posts: the send stops for confirmation until it is confirmed.
func TestTestPanelWithoutScript(t *testing.T) {
	var calls atomic.Int32
	bin := httpbin.New()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		bin.ServeHTTP(w, r)
	}))
	defer upstream.Close()
	e := newEnv(t)
	e.putYAML(`kind: Action
name: add_note
method: POST
url: ` + upstream.URL + `/anything/{{ticket}}
headers: {X-Key: "{{secret.note_key}}"}
body: {type: json, content: {text: "{{text}}", by: "{{contact.name}}"}}
params:
  ticket: {type: integer, required: true}
  text: {type: string, required: true}
`)
	b := e.browser()
	b.signIn(e.admin)
	p := b.post("/secrets", url.Values{"name": {"note_key"}, "value": {"hunter2-secret"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("set secret: %d", p.status)
	}
	page := b.get("/actions/add_note")
	for _, f := range []string{`name="arg.ticket"`, `name="arg.text"`, `name="contact.name"`} {
		if !strings.Contains(page.body, f) {
			t.Fatalf("test form lacks %s", f)
		}
	}
	args := url.Values{"arg.ticket": {"42"}, "arg.text": {"hello"}, "contact.name": {"Ana"}}
	args.Set("mode", "preview")
	p = b.post("/actions/add_note/test", args)
	if !strings.Contains(p.body, "/anything/42") || !strings.Contains(p.body, "(not sent)") || calls.Load() != 0 {
		t.Fatalf("preview: %d calls\n%s", calls.Load(), p.body)
	}
	if strings.Contains(p.body, "hunter2-secret") {
		t.Fatal("the preview shows a secret value")
	}
	args.Set("mode", "send")
	p = b.post("/actions/add_note/test", args)
	if !strings.Contains(p.body, "Confirm and send") || calls.Load() != 0 {
		t.Fatalf("unconfirmed send: %d calls", calls.Load())
	}
	confirm := formValues(t, strings.Replace(p.body, `class="confirm-box"`, `id="confirm" class="confirm-box"`, 1), "confirm")
	p = b.post("/actions/add_note/test", confirm)
	if calls.Load() != 1 || !strings.Contains(p.body, `id="tokens-out"`) || !strings.Contains(p.body, "hello") {
		t.Fatalf("confirmed send: %d calls\n%s", calls.Load(), p.body)
	}
	if strings.Contains(p.body, "hunter2-secret") {
		t.Fatal("the result shows a secret value")
	}
}

func TestRefilter(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	body := `{"orders":[{"id":1,"status":"shipped","items":[{"sku":"a","qty":1}],"html_url":"https://x/1"},{"id":2,"status":"open","items":[],"html_url":"https://x/2"}]}`
	refilter := func(req refilterRequest) refilterResponse {
		t.Helper()
		req.Body, req.ContentType = body, "application/json"
		j, _ := json.Marshal(req)
		r, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/console/refilter", strings.NewReader(string(j)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(csrfHeader, b.csrf)
		p := b.do(r)
		if p.status != http.StatusOK {
			t.Fatalf("refilter: %d %s", p.status, p.body)
		}
		var out refilterResponse
		if err := json.Unmarshal([]byte(p.body), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := refilter(refilterRequest{Compact: true})
	picked := refilter(refilterRequest{Compact: true, Select: "[.orders[] | .id]"})
	if picked.Output != "[1,2]" || picked.OutputTokens >= all.OutputTokens || picked.RawTokens != all.RawTokens {
		t.Fatalf("select: %+v (unfiltered %+v)", picked, all)
	}
	if ex := refilter(refilterRequest{Compact: true, Exclude: "*_url"}); strings.Contains(ex.Output, "html_url") {
		t.Fatalf("exclude: %s", ex.Output)
	}
	if tab := refilter(refilterRequest{Compact: true, Format: action.FormatTable}); tab.Output != `{"orders":{"fields":["html_url","id","items","status"],"rows":[["https://x/1",1,[{"qty":1,"sku":"a"}],"shipped"],["https://x/2",2,null,"open"]]}}` {
		t.Fatalf("table format: %+v (JSON %+v)", tab, all)
	}
	if bad := refilter(refilterRequest{Select: ".[[["}); bad.Error == "" {
		t.Fatal("a broken select expression gave no error")
	}
}

func TestActivateForAgent(t *testing.T) {
	e := newEnv(t)
	e.putYAML("kind: Action\nname: ping\nmethod: GET\nurl: https://example.com/ping\n---\nkind: Agent\nname: support\n")
	b := e.browser()
	b.signIn(e.admin)
	b.get("/agents/support")
	p := b.post("/agents/support/actions/ping", url.Values{"on": {"1"}})
	if p.status != http.StatusSeeOther || p.location != "/agents/support?done=activated#action-ping" {
		t.Fatalf("activate: %d %q", p.status, p.location)
	}
	page := b.get("/agents/support")
	if !strings.Contains(page.body, `aria-checked="true" aria-label="ping active for support"`) || !strings.Contains(page.body, "&#34;name&#34;: &#34;ping&#34;") {
		t.Fatalf("agent page after activating:\n%s", page.body)
	}
	ag, _ := e.g.Agent(context.Background(), "support")
	if len(ag.Actions) != 1 || ag.Actions[0] != "ping" {
		t.Fatalf("agent actions %v", ag.Actions)
	}
	b.post("/agents/support/actions/ping", url.Values{"on": {"0"}})
	ag, _ = e.g.Agent(context.Background(), "support")
	if len(ag.Actions) != 0 {
		t.Fatalf("after deactivating: %v", ag.Actions)
	}
	if p := b.post("/agents/support/actions/nope", url.Values{"on": {"1"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("activating an unknown action: %d", p.status)
	}
}

func TestSecretsAreWriteOnly(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	b.get("/credentials/new")
	p := b.post("/credentials/new", url.Values{
		"name": {"crm"}, "type": {"api_key"}, "hosts": {"api.crm.example"},
		"api_key.in": {"header"}, "api_key.name": {"X-Api-Key"},
		"api_key.value.source": {"secret"}, "api_key.value.name": {"crm_key"}, "api_key.value.value": {"very-secret-key"},
	})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create credential: %d\n%s", p.status, p.body)
	}
	for _, path := range []string{"/credentials/crm", "/credentials", "/secrets"} {
		page := b.get(path)
		if strings.Contains(page.body, "very-secret-key") {
			t.Fatalf("%s shows the secret value", path)
		}
		if !strings.Contains(page.body, `badge ok">set`) {
			t.Errorf("%s does not say the secret is set", path)
		}
	}
	r, err := e.stored(action.KindCredential, "crm")
	if err != nil || r.Credential.APIKey == nil || r.Credential.APIKey.Value.Secret != "crm_key" {
		t.Fatalf("stored credential: %+v %v", r, err)
	}
	if !e.g.SecretRefSet(context.Background(), action.SecretRef{Secret: "crm_key"}) {
		t.Fatal("the secret was not stored")
	}
	// An env reference cannot take a value from the form.
	p = b.post("/credentials/crm", url.Values{
		"type": {"api_key"}, "hosts": {"api.crm.example"}, "api_key.in": {"header"}, "api_key.name": {"X-Api-Key"},
		"api_key.value.source": {"env"}, "api_key.value.name": {"CRM_KEY"}, "api_key.value.value": {"x"},
	})
	if got := errorText(p.body, "api_key.value"); !strings.Contains(got, "environment variable") {
		t.Fatalf("env reference with a value: %q", got)
	}
	if p := b.post("/secrets/crm_key/delete", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("delete secret: %d", p.status)
	}
	if e.g.SecretRefSet(context.Background(), action.SecretRef{Secret: "crm_key"}) {
		t.Fatal("the secret survived deletion")
	}
}
