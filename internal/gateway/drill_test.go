package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/redact"
	"github.com/actiongate/actiongate/internal/redact/redacttest"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// drillFixture is a gateway whose action list_issues calls, with a bearer
// token, an upstream answering 30 issues; issue 3 echoes the request's
// Authorization header deep inside it.
type drillFixture struct {
	*gatewaytest.Fixture
	secret string
	hits   atomic.Int64
}

func newDrillFixture(t *testing.T) *drillFixture {
	t.Helper()
	f := &drillFixture{Fixture: gatewaytest.New(t, nil)}
	_, f.secret = redacttest.Canary()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		issues := make([]map[string]any, 30)
		for i := range issues {
			issues[i] = map[string]any{
				"number": 1330 - i, "title": fmt.Sprintf("Issue %d", i+1), "state": "open",
				"body": strings.Repeat(fmt.Sprintf("Details of issue %d. ", i+1), 30),
				"user": map[string]any{"login": fmt.Sprintf("dev%d", i+1)},
			}
		}
		issues[2]["debug"] = map[string]any{"request": map[string]any{"headers": map[string]any{"authorization": r.Header.Get("Authorization")}}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(issues)
	}))
	t.Cleanup(up.Close)
	if _, err := f.G.SetSecret(context.Background(), "tracker", []byte(f.secret)); err != nil {
		t.Fatal(err)
	}
	f.Apply(
		action.Resource{Kind: action.KindCredential, Credential: &action.Credential{Name: "tracker", Type: action.CredBearer, Hosts: []string{"127.0.0.1"}, Token: &action.SecretRef{Secret: "tracker"}}},
		action.Resource{Kind: action.KindAction, Action: &action.Action{
			Name: "list_issues", Description: "List the open issues.", Method: action.MethodGet, URL: up.URL + "/issues", Auth: "tracker",
			Response: &action.ResponseFilter{MaxTokens: 400},
		}},
		gatewaytest.Agent("triage", "list_issues"),
	)
	return f
}

// more calls more_results for agent triage.
func (f *drillFixture) more(args map[string]any) *gateway.ToolResult {
	f.T.Helper()
	tr, err := f.G.CallTool(context.Background(), runlog.CallerMCP, "triage", toolschema.MoreResultsTool, args, gateway.CallContext{})
	if err != nil {
		f.T.Fatal(err)
	}
	return tr
}

// list calls list_issues and returns its result, which must carry a handle.
func (f *drillFixture) list() *gateway.ToolResult {
	f.T.Helper()
	tr, err := f.G.CallTool(context.Background(), runlog.CallerMCP, "triage", "list_issues", nil, gateway.CallContext{})
	if err != nil || tr.Status != gateway.StatusOK || tr.Handle == "" {
		f.T.Fatalf("list_issues: %+v, %v", tr, err)
	}
	return tr
}

func TestMoreResultsDrillsWithoutCallingAgain(t *testing.T) {
	f := newDrillFixture(t)
	ctx := context.Background()
	first := f.list()
	note := fmt.Sprintf(`[More: call more_results with {"handle":%q} for the next items, or add "item" (an id or position) for one full record or "fields" (names) for those fields of every item.]`, first.Handle)
	if !strings.HasSuffix(first.Output, note) {
		t.Errorf("the first page does not teach drilling down: %s", first.Output[max(0, len(first.Output)-300):])
	}

	// One record whole, asked for by number, position (a JSON number, as
	// surfaces decode it, or a float) or as text.
	for _, item := range []any{"1328", json.Number("3"), float64(3), "3"} {
		tr := f.more(map[string]any{"handle": first.Handle, "item": item})
		var d struct {
			Item   string `json:"item"`
			Record struct {
				Number int    `json:"number"`
				Body   string `json:"body"`
			} `json:"record"`
		}
		if err := json.Unmarshal([]byte(tr.Output), &d); err != nil || tr.Status != gateway.StatusOK {
			t.Fatalf("item %v: %v: %s", item, err, tr.Output)
		}
		if d.Item != "3 of 30" || d.Record.Number != 1328 || d.Record.Body != strings.Repeat("Details of issue 3. ", 30) || tr.Handle != "" {
			t.Errorf("item %v: %s (handle %q)", item, tr.Output, tr.Handle)
		}
		run, err := f.G.GetRun(ctx, tr.RunID)
		if err != nil || run.Output != tr.Output || run.Action != toolschema.MoreResultsTool || run.RecordsKept != 1 || run.RecordsTotal != 30 {
			t.Errorf("run of item %v: %+v, %v", item, run, err)
		}
	}

	// Some fields of every item, paged under the budget with a new handle.
	tr := f.more(map[string]any{"handle": first.Handle, "fields": []any{"title", "user.login"}})
	if tr.Status != gateway.StatusOK || !strings.Contains(tr.Output, `{"number":1330,"title":"Issue 1","user":{"login":"dev1"}}`) || strings.Contains(tr.Output, "Details of") {
		t.Errorf("fields of every item: %s", tr.Output)
	}
	if tr.Handle != "" {
		next := f.more(map[string]any{"handle": tr.Handle})
		if next.Status != gateway.StatusOK || strings.Contains(next.Output, "Details of") || !strings.Contains(next.Output, `"title":`) {
			t.Errorf("next page of the fields: %s", next.Output)
		}
	}
	if n := f.hits.Load(); n != 1 {
		t.Errorf("the upstream was called %d times, want once", n)
	}
}

func TestDrillDownNeverRevealsASecret(t *testing.T) {
	f := newDrillFixture(t)
	ctx := context.Background()
	first := f.list()
	payload, err := f.G.Store().GetHandle(ctx, first.Handle, "triage", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wantMasked := `"authorization":"Bearer ` + redact.Mask + `"`
	surfaces := map[string]string{"first page": first.Output, "stored handle": string(payload)}
	if !strings.Contains(string(payload), wantMasked) {
		t.Errorf("the stored handle does not hold issue 3's masked header: %.300s", payload)
	}
	item := f.more(map[string]any{"handle": first.Handle, "item": "3"})
	field := f.more(map[string]any{"handle": first.Handle, "fields": []any{"debug.request.headers.authorization"}})
	both := f.more(map[string]any{"handle": first.Handle, "item": "1328", "fields": []any{"debug"}})
	for name, tr := range map[string]*gateway.ToolResult{"item 3": item, "fields": field, "item 3 fields": both} {
		if tr.Status != gateway.StatusOK || !strings.Contains(tr.Output, wantMasked) {
			t.Errorf("%s: the masked header is not shown: %s", name, tr.Output)
		}
		surfaces[name] = tr.Output
		run, err := f.G.GetRun(ctx, tr.RunID)
		if err != nil {
			t.Fatal(err)
		}
		surfaces[name+" run"] = run.Output
	}
	for name, s := range surfaces {
		if strings.Contains(s, f.secret) || strings.Contains(s, f.secret[:12]) {
			t.Errorf("%s reveals the secret", name)
		}
	}
}

func TestMoreResultsRefusesBadDrillArguments(t *testing.T) {
	f := newDrillFixture(t)
	h := f.list().Handle
	many := make([]any, 51)
	for i := range many {
		many[i] = "title"
	}
	for _, c := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"unknown argument", map[string]any{"handle": h, "page": 2}, `no argument "page"`},
		{"empty handle", map[string]any{"handle": ""}, `needs "handle"`},
		{"handle not a string", map[string]any{"handle": 7}, `"handle" must be a string`},
		{"item not a string", map[string]any{"handle": h, "item": true}, `"item" must be an id or a position`},
		{"item too long", map[string]any{"handle": h, "item": strings.Repeat("7", 201)}, `"item" is longer than 200 characters`},
		{"fields not an array", map[string]any{"handle": h, "fields": "body"}, `"fields" must be an array of field names`},
		{"field not a string", map[string]any{"handle": h, "fields": []any{"body", 3}}, `"fields" item 2 must be a field name`},
		{"too many fields", map[string]any{"handle": h, "fields": many}, `"fields" lists 51 names; ask for at most 50`},
		{"field too long", map[string]any{"handle": h, "fields": []any{strings.Repeat("f", 201)}}, `"fields" item 1 is longer than 200 characters`},
		{"no such item", map[string]any{"handle": h, "item": "9999"}, `"item": no item "9999": give a position from 1 to 30, or a number such as 1330, 1329, 1328`},
		{"no such field", map[string]any{"handle": h, "fields": []any{"user.name"}}, `"fields": no field "user.name"; the fields there are user.login`},
	} {
		tr := f.more(c.args)
		var out struct {
			Error struct {
				Message string `json:"message"`
				Type    string `json:"type"`
			} `json:"error"`
		}
		_ = json.Unmarshal([]byte(tr.Output), &out)
		if tr.Status != gateway.StatusError || out.Error.Type != "invalid_arguments" || !strings.Contains(out.Error.Message, c.want) {
			t.Errorf("%s: %s, want an invalid_arguments error with %s", c.name, tr.Output, c.want)
		}
	}
	// A null item or fields, as strict schemas send for an absent one, is
	// the next page.
	tr := f.more(map[string]any{"handle": h, "item": nil, "fields": nil})
	if tr.Status != gateway.StatusOK || !strings.Contains(tr.Output, "showing items ") {
		t.Errorf("null item and fields: %s", tr.Output)
	}
}

func TestHandleWhenOnlyFieldsWereCut(t *testing.T) {
	f := newDrillFixture(t)
	f.Apply(
		action.Resource{Kind: action.KindAction, Action: &action.Action{
			Name: "list_few", Description: "List a few items.", Method: action.MethodGet, URL: f.Upstream.URL + "/items",
			Response: &action.ResponseFilter{Select: ".items[:3]", MaxString: 4},
		}},
		gatewaytest.Agent("triage", "list_issues", "list_few"),
	)
	tr, err := f.G.CallTool(context.Background(), runlog.CallerMCP, "triage", "list_few", nil, gateway.CallContext{})
	if err != nil || tr.Status != gateway.StatusOK || tr.Handle == "" {
		t.Fatalf("list_few: %+v, %v", tr, err)
	}
	if want := fmt.Sprintf(`[Cut to fit: call more_results with {"handle":%q} and "item"`, tr.Handle); !strings.Contains(tr.Output, want) || !strings.Contains(tr.Output, "item…[2 more chars]") {
		t.Errorf("every item shown, strings cut: %s", tr.Output)
	}
	next := f.more(map[string]any{"handle": tr.Handle})
	if next.Status != gateway.StatusOK || !strings.HasPrefix(next.Output, "All 3 items were shown already") || next.Handle != "" {
		t.Errorf("next page after every item: %+v", next)
	}
	item := f.more(map[string]any{"handle": tr.Handle, "item": "item-2"})
	if item.Status != gateway.StatusOK || item.Output != `{"item":"3 of 3","record":{"name":"item-2","price":2}}` {
		t.Errorf("item-2 by name: %s", item.Output)
	}
}
