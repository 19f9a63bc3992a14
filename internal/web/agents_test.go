package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/api"
)

// TestDeletedAgentTokensAreNotInherited deletes an agent, once through the
// admin API and once through the console, and creates it again in the
// console each time: the old tokens are neither listed on the new agent's
// page nor reach its tools.
func TestDeletedAgentTokensAreNotInherited(t *testing.T) {
	e := newEnv(t, api.RegisterAdmin, registerTools)
	tokenPattern := regexp.MustCompile(`agt_[a-z2-7]+`)
	b := e.browser()
	b.signIn(e.admin)
	tools := func(token string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/agents/sales/tools", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	create := func() {
		t.Helper()
		if p := b.post("/agents", url.Values{"name": {"sales"}}); p.status != http.StatusSeeOther {
			t.Fatalf("creating the agent: %d\n%s", p.status, p.body)
		}
	}
	issue := func(name string) string {
		t.Helper()
		p := b.post("/agents/sales/tokens", url.Values{"token_name": {name}})
		tok := tokenPattern.FindString(p.body)
		if p.status != http.StatusOK || tok == "" || tools(tok) != http.StatusOK {
			t.Fatalf("issuing token %s: %d, token %q", name, p.status, tok)
		}
		return tok
	}
	check := func(how, name, tok string) {
		t.Helper()
		create()
		if page := b.get("/agents/sales"); strings.Contains(page.body, name) {
			t.Errorf("after a delete through %s, the new agent lists the old token %s", how, name)
		}
		if s := tools(tok); s != http.StatusUnauthorized {
			t.Errorf("after a delete through %s, the old token reaches the new agent: %d, want 401", how, s)
		}
	}

	create()
	old := issue("laptop-one")
	req, _ := http.NewRequest("DELETE", e.srv.URL+"/api/v1/agents/sales", nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE /api/v1/agents/sales: %v %v", resp, err)
	}
	resp.Body.Close()
	check("the API", "laptop-one", old)

	old = issue("laptop-two")
	if p := b.post("/agents/sales/delete", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("deleting in the console: %d", p.status)
	}
	check("the console", "laptop-two", old)
}
