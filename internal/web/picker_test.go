package web

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// pickCall posts body to /console/pick as the signed-in b (with its CSRF
// token unless csrf is false) and returns the status and the answer.
func pickCall(t *testing.T, e *env, b *browser, body string, csrf bool) (int, pickResponse) {
	t.Helper()
	r, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/console/pick", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if csrf {
		r.Header.Set(csrfHeader, b.csrf)
	}
	p := b.do(r)
	var out pickResponse
	if p.status != http.StatusForbidden {
		if err := json.Unmarshal([]byte(p.body), &out); err != nil {
			t.Fatalf("pick answer is not JSON: %v\n%s", err, p.body)
		}
	}
	return p.status, out
}

func TestPickPathsToSelectAndBack(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)

	status, got := pickCall(t, e, b, `{"paths":[["[]","id"],["[]","owner","login"],["[]","name"]]}`, true)
	if status != http.StatusOK || !got.OK || got.Select != "[.[] | {id, owner: (.owner | {login}), name}]" {
		t.Fatalf("paths → select: %d %+v", status, got)
	}
	// The select the picker wrote reads back to the same ticks, so
	// re-picking is stable.
	sel, _ := json.Marshal(map[string]string{"select": got.Select})
	_, back := pickCall(t, e, b, string(sel), true)
	want := [][]string{{"[]", "id"}, {"[]", "owner", "login"}, {"[]", "name"}}
	if !back.OK || !reflect.DeepEqual(back.Paths, want) {
		t.Fatalf("select → paths: %+v, want %v", back, want)
	}
	// An equivalent hand edit ticks the same boxes.
	_, edited := pickCall(t, e, b, `{"select":"{id: .id, items: [.items[] | {sku}]}"}`, true)
	if !edited.OK || !reflect.DeepEqual(edited.Paths, [][]string{{"id"}, {"items", "[]", "sku"}}) {
		t.Fatalf("hand-edited projection: %+v", edited)
	}
	// Nothing ticked is no select: the whole response.
	if _, none := pickCall(t, e, b, `{"paths":[]}`, true); !none.OK || none.Select != "" {
		t.Fatalf("no paths: %+v", none)
	}
	if _, empty := pickCall(t, e, b, `{"select":"  "}`, true); !empty.OK || len(empty.Paths) != 0 {
		t.Fatalf("empty select: %+v", empty)
	}
}

func TestPickLeavesHandWrittenSelectAlone(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	for _, sel := range []string{`[.[] | select(.private) | .id]`, `{id: .name}`, `.[[[`, `length`} {
		body, _ := json.Marshal(map[string]string{"select": sel})
		status, got := pickCall(t, e, b, string(body), true)
		if status != http.StatusOK || got.OK || got.Note != handWritten || len(got.Paths) != 0 || got.Select != sel {
			t.Fatalf("select %q: %d %+v", sel, status, got)
		}
	}
}

func TestPickRejectsBadRequests(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	for _, c := range []struct{ body, want string }{
		{`nope`, "not valid JSON"},
		{`{}`, "either paths or select"},
		{`{"paths":[["id"]],"select":"{id}"}`, "either paths or select"},
		{`{"paths":[["id"],[]]}`, "paths[1]: a field path has 1 to 32 segments"},
		{`{"paths":[["a",""]]}`, "paths[0][1]: a field name is empty"},
		{`{"paths":[` + strings.Repeat(`["a"],`, maxPickPaths) + `["a"]]}`, "at most 2000 fields"},
	} {
		status, got := pickCall(t, e, b, c.body, true)
		if status != http.StatusBadRequest || !strings.Contains(got.Error, c.want) {
			t.Fatalf("%.40s: %d %+v, want an error with %q", c.body, status, got, c.want)
		}
	}
	if status, _ := pickCall(t, e, b, `{"paths":[["id"]]}`, false); status != http.StatusForbidden {
		t.Fatalf("pick without the CSRF token: %d, want 403", status)
	}
	anon := e.browser()
	anon.csrf = "stale-token"
	if status, got := pickCall(t, e, anon, `{"paths":[["id"]]}`, true); status != http.StatusUnauthorized || got.Select != "" {
		t.Fatalf("pick without a session: %d %+v", status, got)
	}
}

// reposServer answers a list of repositories as JSON at /repos and a page
// of HTML anywhere else.
func reposServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/repos" {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<p>hi</p>"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":1,"name":"a","html_url":"https://x/a","owner":{"login":"o","avatar_url":"https://x/o.png"}},{"id":2,"name":"b","topics":["x"]}]`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTestPanelShowsFieldTree(t *testing.T) {
	srv := reposServer(t)
	e := newEnv(t)
	e.putYAML("kind: Action\nname: list_repos\nmethod: GET\nurl: " + srv.URL + "/repos\n---\nkind: Action\nname: page\nmethod: GET\nurl: " + srv.URL + "/page\n")
	b := e.browser()
	b.signIn(e.admin)

	p := b.post("/actions/list_repos/test", url.Values{"mode": {"send"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="field-picker"`) {
		t.Fatalf("send: %d, no field picker\n%s", p.status, p.body)
	}
	body := html.UnescapeString(p.body)
	// The items' fields appear once, under "every item", each with a
	// checkbox carrying its path, the nested ones too.
	for _, path := range []string{`["[]","id"]`, `["[]","name"]`, `["[]","html_url"]`, `["[]","owner"]`, `["[]","owner","login"]`, `["[]","topics"]`} {
		if n := strings.Count(body, `data-pick-path="`+path+`"`); n != 1 {
			t.Errorf("checkbox for %s appears %d times", path, n)
		}
	}
	if !strings.Contains(body, "every item") || !strings.Contains(body, `data-pick-exclude="html_url"`) {
		t.Errorf("no every-item row or exclude control\n%s", body)
	}
	if p := b.post("/actions/list_repos/test", url.Values{"mode": {"preview"}}); strings.Contains(p.body, `id="field-picker"`) {
		t.Errorf("a preview, which sends nothing, shows a field picker")
	}
	if p := b.post("/actions/page/test", url.Values{"mode": {"send"}}); p.status != http.StatusOK || strings.Contains(p.body, `id="field-picker"`) {
		t.Errorf("an HTML answer shows a field picker: %d", p.status)
	}
}
