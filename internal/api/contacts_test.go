package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
)

// contactsFixture serves the contacts API over a gateway with the standard
// agents, and holds an admin token and tokens of two agents.
type contactsFixture struct {
	t                     *testing.T
	srv                   *httptest.Server
	admin, support, sales string
}

func newContactsFixture(t *testing.T) *contactsFixture {
	t.Helper()
	tok, err := adminTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	f := gatewaytest.New(t, tok)
	mux := http.NewServeMux()
	api.RegisterContacts(mux, f.G)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &contactsFixture{t: t, srv: srv, admin: f.Admin, support: f.Token("support"), sales: f.Token("sales")}
}

// do sends one request and returns the status and the decoded object.
func (f *contactsFixture) do(method, path, token, body string) (int, map[string]any) {
	f.t.Helper()
	status, raw := roundTrip(f.t, method, f.srv.URL+path, token, body)
	if len(raw) == 0 {
		return status, nil
	}
	return status, decodeObject(f.t, method, path, raw)
}

// errorFields returns the fields of an error answer.
func errorFields(body map[string]any) map[string]any {
	e, _ := body["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	return fields
}

func TestContactsAPI(t *testing.T) {
	f := newContactsFixture(t)
	status, c := f.do("POST", "/api/v1/contacts", f.support, `{"external_id":"crm-1","name":"Ada","email":"ada@example.com","locale":"en-gb","attributes":{"plan":"pro","seats":12345678901234567890}}`)
	if status != 201 || c["id"] == "" || c["locale"] != "en-GB" || c["created_by"] != "support" {
		t.Fatalf("create: %d %v", status, c)
	}
	id := c["id"].(string)
	attrs := c["attributes"].(map[string]any)
	if fmt.Sprint(attrs["seats"]) != "1.2345678901234567e+19" || attrs["plan"] != "pro" {
		t.Fatalf("attributes: %v", attrs)
	}
	// The raw answer keeps the big integer exact.
	if _, raw := roundTrip(t, "GET", f.srv.URL+"/api/v1/contacts/"+id, f.support, ""); !strings.Contains(string(raw), `"seats":12345678901234567890`) {
		t.Fatalf("number not kept exactly: %s", raw)
	}

	// 422 naming each field; unknown fields refused by name.
	status, body := f.do("POST", "/api/v1/contacts", f.support, `{"email":"a@b@c","phone":"call me","attributes":{"name":"x","1a":2}}`)
	fields := errorFields(body)
	if status != 422 || fields["email"] == nil || fields["phone"] == nil || fields["attributes.name"] == nil || fields["attributes.1a"] == nil || len(fields) != 4 {
		t.Fatalf("invalid contact: %d %v", status, body)
	}
	status, body = f.do("POST", "/api/v1/contacts", f.support, `{"name":"x","id":"mine"}`)
	if status != 400 || errorFields(body)["id"] != "unknown field" {
		t.Fatalf("unknown field: %d %v", status, body)
	}
	status, body = f.do("PATCH", "/api/v1/contacts/"+id, f.support, `{"nmae":"x"}`)
	if status != 400 || errorFields(body)["nmae"] != "unknown field" {
		t.Fatalf("unknown patch field: %d %v", status, body)
	}

	// 409 on a taken external id, at create and at patch.
	status, body = f.do("POST", "/api/v1/contacts", f.admin, `{"external_id":"crm-1"}`)
	if status != 409 || errorFields(body)["external_id"] == nil {
		t.Fatalf("duplicate external id: %d %v", status, body)
	}
	_, other := f.do("POST", "/api/v1/contacts", f.support, `{"external_id":"crm-2"}`)
	status, _ = f.do("PATCH", "/api/v1/contacts/"+other["id"].(string), f.support, `{"external_id":"crm-1"}`)
	if status != 409 {
		t.Fatalf("patch to a taken external id: %d", status)
	}

	// PATCH merges attributes; null removes one; "" clears a field.
	status, c = f.do("PATCH", "/api/v1/contacts/"+id, f.support, `{"email":"","attributes":{"plan":null,"tier":"gold"}}`)
	if status != 200 || c["email"] != nil || c["name"] != "Ada" || fmt.Sprint(c["attributes"]) != "map[seats:1.2345678901234567e+19 tier:gold]" {
		t.Fatalf("patch: %d %v", status, c)
	}

	// Another agent's token and the list: 404 and nothing listed.
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		if status, _ := f.do(m, "/api/v1/contacts/"+id, f.sales, `{"name":"x"}`); status != 404 {
			t.Errorf("%s another agent's contact: %d", m, status)
		}
	}
	_, list := f.do("GET", "/api/v1/contacts", f.sales, "")
	if got := list["contacts"].([]any); len(got) != 0 || list["next_cursor"] != "" {
		t.Fatalf("sales lists: %v", list)
	}
	if status, _ := f.do("GET", "/api/v1/contacts", "", ""); status != 401 {
		t.Fatalf("no token: %d", status)
	}

	// Search and cursor paging.
	_, list = f.do("GET", "/api/v1/contacts?q=ADA", f.admin, "")
	if got := list["contacts"].([]any); len(got) != 1 || got[0].(map[string]any)["id"] != id {
		t.Fatalf("search: %v", list)
	}
	_, page := f.do("GET", "/api/v1/contacts?limit=1", f.support, "")
	next, _ := page["next_cursor"].(string)
	_, page2 := f.do("GET", "/api/v1/contacts?limit=1&cursor="+next, f.support, "")
	if next == "" || len(page2["contacts"].([]any)) != 1 || page2["next_cursor"] != "" ||
		page2["contacts"].([]any)[0].(map[string]any)["id"] != id {
		t.Fatalf("paging: %v then %v", page, page2)
	}
	for _, q := range []string{"limit=0", "limit=501", "cursor=nope", "sort=name"} {
		if status, body := f.do("GET", "/api/v1/contacts?"+q, f.admin, ""); status != 400 || len(errorFields(body)) != 1 {
			t.Errorf("%s: %d %v", q, status, body)
		}
	}
	if status, body := f.do("GET", "/api/v1/contacts?q="+strings.Repeat("q", 201), f.admin, ""); status != 422 || errorFields(body)["q"] == nil {
		t.Errorf("long q: %d %v", status, body)
	}

	// DELETE: 204, then 404.
	if status, _ := f.do("DELETE", "/api/v1/contacts/"+id, f.support, ""); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := f.do("GET", "/api/v1/contacts/"+id, f.admin, ""); status != 404 {
		t.Fatalf("deleted contact: %d", status)
	}
}

// TestContactsAPIBounds checks that a body over 64 KiB and 101 attributes
// are refused, quickly and without much memory.
func TestContactsAPIBounds(t *testing.T) {
	f := newContactsFixture(t)
	big := `{"name":"` + strings.Repeat("x", 65<<10) + `"}`
	var many strings.Builder
	many.WriteString(`{"attributes":{`)
	for i := range 101 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `"a%d":%d`, i, i)
	}
	many.WriteString("}}")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	status, body := f.do("POST", "/api/v1/contacts", f.admin, big)
	if status != 413 {
		t.Fatalf("65 KiB body: %d %v", status, body)
	}
	status, body = f.do("PATCH", "/api/v1/contacts/01jnotacontact000000000000", f.admin, big)
	if status != 413 {
		t.Fatalf("65 KiB patch: %d %v", status, body)
	}
	status, body = f.do("POST", "/api/v1/contacts", f.admin, many.String())
	if status != 422 || errorFields(body)["attributes"] == nil {
		t.Fatalf("101 attributes: %d %v", status, body)
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if elapsed > 2*time.Second {
		t.Errorf("refusing took %v", elapsed)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("refusing allocated %d bytes", alloc)
	}
	t.Logf("three refusals: %v, %d KiB allocated (client and server)", elapsed, (after.TotalAlloc-before.TotalAlloc)>>10)
	_, list := f.do("GET", "/api/v1/contacts", f.admin, "")
	if len(list["contacts"].([]any)) != 0 {
		t.Fatalf("refused contacts stored: %v", list)
	}
}
