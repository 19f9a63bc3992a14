package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

// TestProviderForm creates a provider through the form: problems come back
// beside their fields with what was typed kept, a good form stores the
// provider the way apply would, and the list shows whether its key is set.
func TestProviderForm(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	if p := b.get("/providers/new"); p.status != http.StatusOK || !strings.Contains(p.body, "OpenAI-compatible") {
		t.Fatalf("new provider page: %d", p.status)
	}

	bad := b.post("/providers/new", url.Values{
		"name": {"local"}, "type": {"openai"}, "base_url": {"not a url"}, "timeout": {"soon"},
		"api_key.source": {"secret"}, "api_key.name": {""},
		"headers.0.key": {"X-Team"}, "headers.0.value": {"support"},
	})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad provider: status %d\n%s", bad.status, bad.body)
	}
	for _, want := range []string{`id="err-api_key"`, `value="not a url"`, `value="X-Team"`} {
		if !strings.Contains(bad.body, want) {
			t.Errorf("the refused form lacks %s", want)
		}
	}
	bad = b.post("/providers/new", url.Values{
		"name": {"local"}, "type": {"openai"}, "base_url": {"not a url"}, "timeout": {"soon"}, "api_key.source": {"none"},
	})
	for _, key := range []string{"base_url", "timeout"} {
		if !strings.Contains(bad.body, `id="err-`+key+`"`) || !strings.Contains(bad.body, `aria-describedby="err-`+key+`"`) {
			t.Errorf("no problem shown beside %s:\n%s", key, bad.body)
		}
	}
	if _, err := e.stored(action.KindProvider, "local"); err == nil {
		t.Fatal("a refused provider was stored")
	}

	ok := b.post("/providers/new", url.Values{
		"name": {"local"}, "type": {"openai"}, "base_url": {"http://127.0.0.1:11434/v1"}, "timeout": {"30s"},
		"api_key.source": {"secret"}, "api_key.name": {"local_key"},
		"headers.0.key": {"X-Team"}, "headers.0.value": {"support"}, "headers.1.key": {""}, "headers.1.value": {""},
	})
	if ok.status != http.StatusSeeOther || ok.location != "/providers/local?done=created" {
		t.Fatalf("creating the provider: %d %q\n%s", ok.status, ok.location, ok.body)
	}
	r, err := e.stored(action.KindProvider, "local")
	if err != nil {
		t.Fatal(err)
	}
	p := r.Provider
	if p.Type != "openai" || p.BaseURL != "http://127.0.0.1:11434/v1" || p.Timeout != "30s" || p.APIKey == nil || p.APIKey.Secret != "local_key" || p.Headers["X-Team"] != "support" || len(p.Headers) != 1 {
		t.Fatalf("stored provider: %+v", p)
	}
	list := b.get("/providers")
	if !strings.Contains(list.body, "secret:local_key") || !strings.Contains(list.body, "not set") {
		t.Errorf("the list does not say the key is missing:\n%s", list.body)
	}
	edit := b.get("/providers/local")
	if !strings.Contains(edit.body, `value="local_key"`) || !strings.Contains(edit.body, `value="X-Team"`) {
		t.Errorf("the editor does not show the stored fields")
	}

	// Switching to no key, an env variable and back keeps the rest.
	if p := b.post("/providers/local", url.Values{"type": {"anthropic"}, "base_url": {"https://api.anthropic.com"}, "api_key.source": {"env"}, "api_key.name": {"ANTHROPIC_API_KEY"}}); p.status != http.StatusSeeOther {
		t.Fatalf("editing: %d\n%s", p.status, p.body)
	}
	r, _ = e.stored(action.KindProvider, "local")
	if r.Provider.Type != "anthropic" || r.Provider.APIKey == nil || r.Provider.APIKey.Env != "ANTHROPIC_API_KEY" || r.Provider.Headers != nil {
		t.Fatalf("edited provider: %+v", r.Provider)
	}

	if p := b.post("/providers/new", url.Values{"name": {"local"}, "type": {"openai"}, "base_url": {"http://127.0.0.1/v1"}, "api_key.source": {"none"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "exists already") {
		t.Errorf("a second provider of the same name: %d", p.status)
	}
	if p := b.post("/providers/local/delete", url.Values{"csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Errorf("a delete without the session's CSRF token: %d", p.status)
	}
}

// TestProviderInUseIsNotDeleted refuses to delete a provider an agent's
// model runs on, naming the agent, and deletes it once no agent does.
func TestProviderInUseIsNotDeleted(t *testing.T) {
	e := newEnv(t)
	e.putYAML(`kind: Provider
name: openai
type: openai
base_url: https://api.openai.com/v1
api_key: {env: OPENAI_API_KEY}
---
kind: Agent
name: support
model: {provider: openai, name: gpt-4.1-mini}
`)
	b := e.browser()
	b.signIn(e.admin)
	if p := b.get("/providers"); !strings.Contains(p.body, `href="/agents/support?tab=settings"`) {
		t.Errorf("the list does not name the agent using the provider")
	}
	p := b.post("/providers/openai/delete", url.Values{})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "support") {
		t.Fatalf("deleting a provider in use: %d\n%s", p.status, p.body)
	}
	if _, err := e.stored(action.KindProvider, "openai"); err != nil {
		t.Fatal("the provider in use was deleted")
	}
	if p := b.post("/agents/support", url.Values{"model.provider": {""}, "model.name": {""}}); p.status != http.StatusSeeOther {
		t.Fatalf("removing the agent's model: %d\n%s", p.status, p.body)
	}
	if p := b.post("/providers/openai/delete", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("deleting the unused provider: %d\n%s", p.status, p.body)
	}
	if _, err := e.stored(action.KindProvider, "openai"); err == nil {
		t.Fatal("the provider was not deleted")
	}
	if p := b.get("/providers/openai"); p.status != http.StatusNotFound {
		t.Errorf("a deleted provider's page: %d", p.status)
	}
}
