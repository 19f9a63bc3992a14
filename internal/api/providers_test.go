package api_test

import (
	"strings"
	"testing"
)

const providerOpenAI = `{"type":"openai","base_url":"https://api.openai.com/v1","api_key":{"secret":"openai_key"},"headers":{"X-Title":"shop"},"timeout":"30s"}`

func TestAdminAPIProviders(t *testing.T) {
	f := newAdminFixture(t)
	runAdminSteps(t, f, []adminStep{
		{name: "set key", method: "PUT", path: "/api/v1/secrets/openai_key", token: "admin", body: `{"value":"` + canary + `"}`, status: 201},
		{name: "agent before its provider", method: "PUT", path: "/api/v1/agents/talker", token: "admin",
			body: `{"model":{"provider":"openai","name":"gpt-4.1-mini"}}`, status: 422,
			want: map[string]string{"error/code": "validation_failed", "error/fields/agents[talker].model.provider": `no Provider named "openai"`}},
		{name: "create provider", method: "PUT", path: "/api/v1/providers/openai", token: "admin", body: providerOpenAI, status: 201,
			want: map[string]string{"change": "created", "resource/name": "openai", "resource/type": "openai",
				"resource/api_key/source": "secret", "resource/api_key/name": "openai_key", "resource/api_key/set": "true"},
			absent: []string{"resource/api_key/secret", "resource/api_key/value"}},
		{name: "provider unchanged", method: "PUT", path: "/api/v1/providers/openai", token: "admin", body: providerOpenAI, status: 200,
			want: map[string]string{"change": "unchanged"}},
		{name: "provider with an env key not set", method: "PUT", path: "/api/v1/providers/local", token: "admin",
			body: `{"type":"anthropic","base_url":"http://127.0.0.1:9/","api_key":{"env":"NOT_SET_ANYWHERE"}}`, status: 201,
			want: map[string]string{"resource/api_key/source": "env", "resource/api_key/set": "false"}},
		{name: "bad provider", method: "PUT", path: "/api/v1/providers/bad", token: "admin",
			body: `{"type":"openia","base_url":"https://x.example/v1?k=1","headers":{"x-api-key":"k"},"timeout":"1h"}`, status: 422,
			want: map[string]string{"error/code": "validation_failed",
				"error/fields/providers[bad].type":              `must be one of openai, anthropic (did you mean "openai"?)`,
				"error/fields/providers[bad].base_url":          "~must not have a query",
				"error/fields/providers[bad].headers.x-api-key": "~put keys in api_key",
				"error/fields/providers[bad].timeout":           "must be between 1s and 10m"}},
		{name: "provider unknown field", method: "PUT", path: "/api/v1/providers/bad", token: "admin",
			body: `{"type":"openai","base_url":"https://x.example","organisation":"o"}`, status: 422,
			want: map[string]string{"error/fields/providers[bad].organisation": "~unknown field"}},
		{name: "plain key", method: "PUT", path: "/api/v1/providers/bad", token: "admin",
			body: `{"type":"openai","base_url":"https://x.example","api_key":"` + canary + `"}`, status: 422,
			want: map[string]string{"error/fields/providers[bad].api_key": "~secrets must not sit in resource files"}},
		{name: "agent with model", method: "PUT", path: "/api/v1/agents/talker", token: "admin",
			body: `{"model":{"provider":"openai","name":"gpt-4.1-mini","temperature":0.2},"limits":{"max_tool_calls_per_turn":4},"instructions":"Help {{contact.name}}."}`, status: 201,
			want: map[string]string{"resource/model/provider": "openai", "resource/limits/max_tool_calls_per_turn": "4"}},
		{name: "agent with a bad model", method: "PUT", path: "/api/v1/agents/talker", token: "admin",
			body: `{"model":{"provider":"openai","name":"m","temperature":3},"instructions":"{{secret.openai_key}}"}`, status: 422,
			want: map[string]string{"error/fields/agents[talker].model.temperature": "must be between 0 and 2",
				"error/fields/agents[talker].instructions": "~{{secret.openai_key}} is not allowed in instructions"}},
		{name: "list providers", method: "GET", path: "/api/v1/providers", token: "admin", status: 200,
			want: map[string]string{"providers/0/name": "local", "providers/0/used_by": "[]",
				"providers/1/name": "openai", "providers/1/api_key/set": "true", "providers/1/used_by": `["talker"]`},
			absent: []string{"providers/2"}},
		{name: "get provider", method: "GET", path: "/api/v1/providers/openai", token: "admin", status: 200,
			want: map[string]string{"resource/base_url": "https://api.openai.com/v1", "resource/headers/X-Title": "shop", "used_by": `["talker"]`}},
		{name: "get unknown provider", method: "GET", path: "/api/v1/providers/nope", token: "admin", status: 404,
			want: map[string]string{"error/code": "not_found", "error/message": `~no Provider named "nope"`}},
		{name: "delete used provider", method: "DELETE", path: "/api/v1/providers/openai", token: "admin", status: 409,
			want: map[string]string{"error/code": "conflict", "error/message": "~Agent/talker",
				"error/fields/agents[talker].model.provider": `still talks through provider "openai"`}},
		{name: "delete agent", method: "DELETE", path: "/api/v1/agents/talker", token: "admin", status: 204},
		{name: "delete provider", method: "DELETE", path: "/api/v1/providers/openai", token: "admin", status: 204},
		{name: "delete it again", method: "DELETE", path: "/api/v1/providers/openai", token: "admin", status: 404},
	})
	for _, b := range f.bodies {
		if strings.Contains(b, canary) {
			t.Fatalf("a response holds the key: %s", b)
		}
	}
}
