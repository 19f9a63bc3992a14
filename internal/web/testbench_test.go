package web

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
)

// TestDraftTestWithoutScript tests drafts through plain form posts, as the
// editor's Preview and Send post them without script: a new action is
// sent and recorded without being saved; a draft that would not save
// shows its problems beside the editor's fields and sends nothing; a
// drafted write waits for its confirmation, which keeps every field of
// the draft (its confirmation policy too) and then sends it once.
func TestDraftTestWithoutScript(t *testing.T) {
	srv, calls := benchUpstream(t)
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	page := b.get("/actions/new")
	if !strings.Contains(page.body, `formaction="/actions/new/test#test"`) || !strings.Contains(page.body, `id="test-form"`) {
		t.Fatalf("the new action's editor has no test panel:\n%s", page.body)
	}

	draft := url.Values{"name": {"draft_orders"}, "method": {"GET"}, "url": {srv.URL + "/orders"}, "response.select": {"[.items[] | .id]"}, "mode": {"send"}}
	p := b.post("/actions/new/test", draft)
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="filtered-output">[1,2]</pre>`) || calls.Load() != 1 {
		t.Fatalf("sending a new draft: %d, %d calls\n%s", p.status, calls.Load(), p.body)
	}
	if !strings.Contains(p.body, `value="`+srv.URL+`/orders"`) || !strings.Contains(html.UnescapeString(p.body), `value="[.items[] | .id]"`) {
		t.Fatal("the editor came back without the draft's fields")
	}
	if _, err := e.stored(action.KindAction, "draft_orders"); err == nil {
		t.Fatal("testing a draft saved it")
	}
	runs, _, err := e.g.ListRuns(context.Background(), gateway.RunFilter{Action: "draft_orders", Limit: 5})
	if err != nil || len(runs) != 1 || runs[0].Caller != runlog.CallerConsole || runs[0].Output != "[1,2]" {
		t.Fatalf("the draft's run: %v %+v", err, runs)
	}

	bad := url.Values{"name": {"draft_bad"}, "method": {"GET"}, "url": {srv.URL + "/orders/{{id}}"}, "mode": {"send"}}
	p = b.post("/actions/new/test", bad)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "The draft cannot be tested yet") || errorText(p.body, "url") == "" ||
		!strings.Contains(p.body, `<a href="#f-url">URL: `) || calls.Load() != 1 {
		t.Fatalf("an invalid draft: %d, %d calls, url error %q\n%s", p.status, calls.Load(), errorText(p.body, "url"), p.body)
	}

	write := url.Values{"name": {"draft_ask"}, "method": {"GET"}, "confirm": {"always"}, "url": {srv.URL + "/orders"}, "mode": {"send"}}
	p = b.post("/actions/new/test", write)
	if !strings.Contains(p.body, "Confirm and send") || calls.Load() != 1 {
		t.Fatalf("a draft that asks first: %d calls\n%s", calls.Load(), p.body)
	}
	confirm := formValues(t, strings.Replace(p.body, `class="confirm-box"`, `id="confirm" class="confirm-box"`, 1), "confirm")
	if confirm.Get("confirm") != "always" || confirm.Get("url") != srv.URL+"/orders" {
		t.Fatalf("the confirmation lost the draft's fields: %v", confirm)
	}
	p = b.post("/actions/new/test", confirm)
	if calls.Load() != 2 || !strings.Contains(p.body, `id="tokens-out"`) {
		t.Fatalf("the confirmed draft: %d calls\n%s", calls.Load(), p.body)
	}
}

// TestSelectWords words the problems of real select expressions for
// people, without the filter's internal wording, and leaves other filter
// errors alone.
func TestSelectWords(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		sel, body, want string
	}{
		{"[.items[] | {id", `{"items":[]}`, "ends too early"},
		{".items | ]", `{"items":[]}`, `"]" at character`},
		{"nosuch(1)", `{}`, "calls nosuch with 1 argument(s)"},
		{".orders[]", `{"items":[]}`, "does not have (it is null)"},
		{".items[]", `{"items":3}`, "not a list or an object"},
		{".items.id", `{"items":[1]}`, "not an object"},
	} {
		_, err := e.g.Refilter(context.Background(), "application/json", []byte(c.body), respfilter.Options{Select: c.sel})
		if err == nil {
			t.Fatalf("%s on %s: no error", c.sel, c.body)
		}
		words, ok := selectWords(err)
		if !ok || !strings.Contains(words, c.want) || strings.Contains(words, "respfilter") || strings.Contains(words, "`") {
			t.Errorf("%s on %s: %q (%v), want %q in words for people", c.sel, c.body, words, ok, c.want)
		}
	}
	if _, ok := selectWords(errors.New("respfilter: the response is not JSON")); ok {
		t.Error("an error of the body was taken for a problem of the select")
	}
}
