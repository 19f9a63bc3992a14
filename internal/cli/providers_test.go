package cli

import (
	"strings"
	"testing"
)

const providerYAML = `kind: Provider
name: llm
type: openai
base_url: http://127.0.0.1:11434/v1
api_key: {secret: llm_key}
headers: {X-Title: shop}
timeout: 45s
---
kind: Agent
name: talker
description: Talks.
model: {provider: llm, name: qwen3, temperature: 0.1, max_output_tokens: 600}
limits: {max_tool_calls_per_turn: 4, turn_timeout: 2m}
instructions: Help {{contact.name}}.
actions: [zip_lookup]
---
kind: Action
name: zip_lookup
description: Look up a postal code.
method: GET
url: http://HOST/anything/{{contact.zip}}
contact_inputs:
  zip: {description: Your postal code, pattern: "[0-9]{5}", required: true}
`

func TestProvidersApplyExportAndDelete(t *testing.T) {
	h := newCLI(t)
	path := h.file("p.yaml", providerYAML)
	h.ok("", "validate", path)
	r := h.ok("", "apply", path)
	wantChanges(t, r.stdout, map[string]string{"Provider/llm": "created", "Agent/talker": "created", "Action/zip_lookup": "created"})

	exp := h.ok("", "export")
	for _, want := range []string{"kind: Provider\nname: llm\ntype: openai\nbase_url: http://127.0.0.1:11434/v1\napi_key: {secret: llm_key}\n",
		"model:\n  provider: llm\n", "contact_inputs:\n  zip:\n"} {
		if !strings.Contains(exp.stdout, want) {
			t.Fatalf("export lacks %q:\n%s", want, exp.stdout)
		}
	}
	r = h.ok("", "apply", h.file("exported.yaml", exp.stdout))
	wantChanges(t, r.stdout, map[string]string{"Provider/llm": "unchanged", "Agent/talker": "unchanged", "Action/zip_lookup": "unchanged"})

	only := h.ok("", "export", "--kind", "providers")
	if !strings.Contains(only.stdout, "kind: Provider") || strings.Contains(only.stdout, "kind: Agent") {
		t.Fatalf("export --kind providers:\n%s", only.stdout)
	}

	// A file may name a stored provider; a misspelled one is refused with
	// its position.
	r = h.fails("", "apply", h.file("typo.yaml", "kind: Agent\nname: other\nmodel: {provider: lm, name: m}\n"))
	if !strings.Contains(r.stderr, `typo.yaml:3:19: agents[other].model.provider: no Provider named "lm" (did you mean "llm"?)`) {
		t.Fatalf("apply with a misspelled provider: %q", r.stderr)
	}
	h.ok("", "apply", h.file("ok.yaml", "kind: Agent\nname: other\nmodel: {provider: llm, name: m}\n"))

	// The provider's key is a user of the secret.
	h.ok("k\n", "secret", "set", "llm_key")
	r = h.ok("", "secret", "delete", "llm_key")
	if !strings.Contains(r.stderr, "Provider/llm") {
		t.Fatalf("deleting the provider's key did not warn: %q", r.stderr)
	}
}

func TestExamplesAreValid(t *testing.T) {
	h := newCLI(t)
	r := h.ok("", "validate", "../../examples")
	if !strings.Contains(r.stdout, "resource(s) valid") {
		t.Fatalf("validate examples: %+v", r)
	}
}
