package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
)

// contactPath matches a contact page's path in a redirect.
var contactPath = regexp.MustCompile(`^/contacts/([A-Za-z0-9_-]+)\?done=created$`)

// TestContactForms creates a contact through the form (a bad email and a
// taken external id come back beside their fields), edits its attributes
// and deletes it with its conversations.
func TestContactForms(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b := e.browser()
	b.signIn(e.admin)
	if p := b.get("/contacts/new"); p.status != http.StatusOK || !strings.Contains(p.body, "New contact") {
		t.Fatalf("new contact page: %d", p.status)
	}
	bad := b.post("/contacts/new", url.Values{"name": {"Ana"}, "email": {"not an email"}, "attributes.0.key": {"plan"}, "attributes.0.value": {"gold"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="err-email"`) || !strings.Contains(bad.body, `value="gold"`) {
		t.Fatalf("a bad email: %d\n%s", bad.status, bad.body)
	}
	bad = b.post("/contacts/new", url.Values{"name": {"Ana"}, "attributes.0.key": {""}, "attributes.0.value": {"orphan"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="err-attributes.0.key"`) {
		t.Fatalf("an attribute without a name: %d\n%s", bad.status, bad.body)
	}

	ok := b.post("/contacts/new", url.Values{"name": {"Ana Lopez"}, "email": {"ana@example.com"}, "external_id": {"crm-1"}, "locale": {"es-ES"},
		"attributes.0.key": {"plan"}, "attributes.0.value": {"gold"}, "attributes.1.key": {"city"}, "attributes.1.value": {"Sevilla"}})
	m := contactPath.FindStringSubmatch(ok.location)
	if ok.status != http.StatusSeeOther || m == nil {
		t.Fatalf("creating a contact: %d %q\n%s", ok.status, ok.location, ok.body)
	}
	id := m[1]
	ct, err := e.g.Contact(ctx, adminPrincipal(t, e), id)
	if err != nil || ct.Name != "Ana Lopez" || ct.ExternalID != "crm-1" || ct.Attributes["plan"] != "gold" || ct.Attributes["city"] != "Sevilla" {
		t.Fatalf("stored contact %+v, %v", ct, err)
	}
	taken := b.post("/contacts/new", url.Values{"name": {"Other"}, "external_id": {"crm-1"}})
	if taken.status != http.StatusUnprocessableEntity || !strings.Contains(taken.body, `id="err-external_id"`) {
		t.Fatalf("a taken external id: %d\n%s", taken.status, taken.body)
	}

	page := b.get("/contacts/" + id)
	for _, want := range []string{"Ana Lopez", `value="Sevilla"`, "No conversations yet"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the contact page lacks %q", want)
		}
	}
	// Remove city, change plan, keep the rest.
	if p := b.post("/contacts/"+id, url.Values{"name": {"Ana López"}, "email": {"ana@example.com"}, "external_id": {"crm-1"}, "locale": {"es-ES"},
		"attributes.0.key": {"plan"}, "attributes.0.value": {"platinum"}, "attributes.1.key": {""}, "attributes.1.value": {""}}); p.status != http.StatusSeeOther {
		t.Fatalf("editing: %d\n%s", p.status, p.body)
	}
	ct, _ = e.g.Contact(ctx, adminPrincipal(t, e), id)
	if ct.Name != "Ana López" || ct.Attributes["plan"] != "platinum" || len(ct.Attributes) != 1 {
		t.Fatalf("edited contact %+v", ct)
	}
	if p := b.post("/contacts/"+id, url.Values{"email": {"nope"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="err-email"`) {
		t.Errorf("a bad email on edit: %d", p.status)
	}

	conv := &gateway.Conversation{Agent: "support", ContactID: id, Channel: gateway.ChannelConsole}
	if err := e.g.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/contacts/" + id); !strings.Contains(p.body, "/conversations/"+conv.ID) {
		t.Errorf("the contact page does not list its conversation")
	}
	if p := b.post("/contacts/"+id+"/delete", url.Values{"csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Errorf("a delete without the CSRF token: %d", p.status)
	}
	if p := b.post("/contacts/"+id+"/delete", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("deleting: %d", p.status)
	}
	if p := b.get("/contacts/" + id); p.status != http.StatusNotFound {
		t.Errorf("a deleted contact's page: %d", p.status)
	}
	if p := b.get("/conversations/" + conv.ID); p.status != http.StatusNotFound {
		t.Errorf("the deleted contact's conversation: %d", p.status)
	}
}

// TestContactsListSearchesAndPages lists contacts a page at a time with a
// next-page link, and narrows them with a search.
func TestContactsListSearchesAndPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := adminPrincipal(t, e)
	for i := range gateway.DefaultContactLimit + 3 {
		if _, err := e.g.CreateContact(ctx, p, &gateway.Contact{Name: fmt.Sprintf("Person %02d", i), Email: fmt.Sprintf("p%02d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.g.CreateContact(ctx, p, &gateway.Contact{Name: "Zoë Unique", ExternalID: "zz-9"}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn(e.admin)
	first := b.get("/contacts")
	rows := strings.Count(first.body, `<a class="strong" href="/contacts/`)
	next := regexp.MustCompile(`href="(/contacts\?[^"]*cursor=[^"]+)" rel="next"`).FindStringSubmatch(first.body)
	if rows != gateway.DefaultContactLimit || next == nil {
		t.Fatalf("first page: %d rows, next link %v", rows, next)
	}
	second := b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := strings.Count(second.body, `<a class="strong" href="/contacts/`); n != 4 || strings.Contains(second.body, `rel="next"`) {
		t.Fatalf("second page: %d rows (want 4), next link shown: %v", n, strings.Contains(second.body, `rel="next"`))
	}
	found := b.get("/contacts?q=zz-9")
	if n := strings.Count(found.body, `<a class="strong" href="/contacts/`); n != 1 || !strings.Contains(found.body, "Zoë Unique") {
		t.Fatalf("search by external id: %d rows", n)
	}
	if p := b.get("/contacts?q=" + strings.Repeat("x", maxSearch+1)); p.status != http.StatusBadRequest {
		t.Errorf("an oversized search: %d", p.status)
	}
	if p := b.get("/contacts?cursor=forged"); p.status != http.StatusOK || !strings.Contains(p.body, "no longer valid") {
		t.Errorf("a forged cursor: %d", p.status)
	}
}

// adminPrincipal authenticates the env's admin token.
func adminPrincipal(t *testing.T, e *env) *gateway.Principal {
	t.Helper()
	p, err := e.g.Authenticate(context.Background(), e.admin)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
