package web

import (
	"encoding/json"
	"net/http"
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
