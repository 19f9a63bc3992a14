package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
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
		if p.status != http.StatusSeeOther {
			t.Fatalf("issuing token %s: %d, want a redirect", name, p.status)
		}
		p = b.get(p.location)
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

// TestAgentModelSettings gives an agent a model and limits in its
// settings: numbers that are not numbers and an unknown provider come back
// beside their fields, a good form stores the settings, and switching an
// action on afterwards keeps them.
func TestAgentModelSettings(t *testing.T) {
	e := newEnv(t)
	e.putYAML(`kind: Provider
name: local
type: openai
base_url: http://127.0.0.1:11434/v1
---
kind: Action
name: ping
description: Ping.
method: GET
url: https://api.example.com/ping
---
kind: Agent
name: support
instructions: Be brief.
`)
	b := e.browser()
	b.signIn(e.admin)
	page := b.get("/agents/support?tab=settings")
	if !strings.Contains(page.body, `<option>local</option>`) || !strings.Contains(page.body, "No model") {
		t.Fatalf("the settings do not offer the provider:\n%s", page.body)
	}
	if chat := b.get("/agents/support/chat"); !strings.Contains(chat.body, "This agent has no model") || !strings.Contains(chat.body, "#model-settings") {
		t.Errorf("the playground of an agent without a model does not say how to give it one")
	}

	bad := b.post("/agents/support", url.Values{"instructions": {"Be brief."}, "model.provider": {"local"}, "model.name": {"llama3"},
		"model.temperature": {"warm"}, "limits.max_tool_calls_per_turn": {"many"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad numbers: %d", bad.status)
	}
	for _, key := range []string{"model.temperature", "limits.max_tool_calls_per_turn"} {
		if !strings.Contains(bad.body, `id="err-`+key+`"`) {
			t.Errorf("no problem beside %s", key)
		}
	}
	bad = b.post("/agents/support", url.Values{"model.provider": {"nowhere"}, "model.name": {"llama3"}, "limits.turn_timeout": {"forever"}})
	for _, key := range []string{"model.provider", "limits.turn_timeout"} {
		if !strings.Contains(bad.body, `id="err-`+key+`"`) {
			t.Errorf("no problem beside %s:\n%s", key, bad.body)
		}
	}

	ok := b.post("/agents/support", url.Values{"instructions": {"Be brief with {{contact.name}}."}, "model.provider": {"local"}, "model.name": {"llama3"},
		"model.temperature": {"0.2"}, "model.max_output_tokens": {"512"}, "limits.max_tool_calls_per_turn": {"4"}, "limits.turn_timeout": {"45s"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("saving the model: %d\n%s", ok.status, ok.body)
	}
	if p := b.post("/agents/support/actions/ping", url.Values{"on": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("activating: %d", p.status)
	}
	r, err := e.stored(action.KindAgent, "support")
	if err != nil {
		t.Fatal(err)
	}
	ag := r.Agent
	if m := ag.Model; m == nil || m.Provider != "local" || m.Name != "llama3" || m.Temperature == nil || *m.Temperature != 0.2 || m.MaxOutputTokens != 512 {
		t.Fatalf("stored model: %+v", ag.Model)
	}
	if l := ag.Limits; l == nil || l.MaxToolCallsPerTurn != 4 || l.TurnTimeout != "45s" || l.MaxTurnTokens != 0 {
		t.Fatalf("stored limits: %+v", ag.Limits)
	}
	if len(ag.Actions) != 1 || ag.Instructions != "Be brief with {{contact.name}}." {
		t.Fatalf("stored agent: %+v", ag)
	}
	page = b.get("/agents/support?tab=settings")
	for _, want := range []string{`<option selected>local</option>`, `value="llama3"`, `value="0.2"`, `value="512"`, `value="45s"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the settings do not show %s", want)
		}
	}
}
