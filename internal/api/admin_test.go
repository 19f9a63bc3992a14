package api_test

import (
	"strings"
	"testing"
)

// canary is the stored secret's value; no response may ever contain it.
const canary = "canary-7f3a9c2e-never-in-output"

// adminStep is one request of a scenario and what its answer must hold.
type adminStep struct {
	name   string
	method string
	path   string
	// token names an entry of the scenario's tokens ("admin", "agent", ...);
	// "" sends none, any other text is sent as it is.
	token  string
	body   string
	status int
	// want maps a "/"-separated JSON path to the expected value; a value
	// starting with "~" only has to be contained.
	want map[string]string
	// absent lists JSON paths that must not exist.
	absent []string
	// hits is how many requests the upstream must receive.
	hits int64
	// save stores a string of the answer (at the JSON path savePath) as a
	// token name.
	save, savePath string
}

// runAdminSteps runs a scenario in order against one fixture.
func runAdminSteps(t *testing.T, f *adminFixture, steps []adminStep) {
	t.Helper()
	tokens := map[string]string{"admin": f.admin}
	for _, s := range steps {
		tok, ok := tokens[s.token]
		if !ok {
			tok = s.token
		}
		path := strings.ReplaceAll(s.path, "{{upstream}}", f.upstreamURL())
		body := strings.ReplaceAll(s.body, "{{upstream}}", f.upstreamURL())
		before := f.hits.Load()
		status, out := f.do(s.method, path, tok, body)
		if status != s.status {
			t.Errorf("%s: %s %s: status %d, want %d; body %v", s.name, s.method, s.path, status, s.status, out)
			continue
		}
		if got := f.hits.Load() - before; got != s.hits {
			t.Errorf("%s: upstream received %d requests, want %d", s.name, got, s.hits)
		}
		for p, want := range s.want {
			v, ok := jsonAt(out, p)
			got := jsonText(v)
			switch {
			case !ok:
				t.Errorf("%s: no %s in %v", s.name, p, out)
			case strings.HasPrefix(want, "~") && !strings.Contains(got, want[1:]):
				t.Errorf("%s: %s = %q, want it to contain %q", s.name, p, got, want[1:])
			case !strings.HasPrefix(want, "~") && got != want:
				t.Errorf("%s: %s = %q, want %q", s.name, p, got, want)
			}
		}
		for _, p := range s.absent {
			if v, ok := jsonAt(out, p); ok {
				t.Errorf("%s: %s should be absent, is %v", s.name, p, v)
			}
		}
		if s.save != "" {
			v, _ := jsonAt(out, s.savePath)
			tokens[s.save] = jsonText(v)
		}
	}
}

const (
	credShop = `{"type":"bearer","hosts":["127.0.0.1"],"token":{"secret":"shop_token"}}`
	getOrder = `{"title":"Get an order","method":"GET","url":"{{upstream}}/anything/orders/{{order_id}}","auth":"shop",
		"params":{"order_id":{"type":"string","required":true,"description":"The order number"}},
		"response":{"select":"{url, headers}"}}`
	createTicket = `{"method":"POST","url":"{{upstream}}/anything/tickets","auth":"shop",
		"body":{"type":"json","content":{"subject":"{{subject}}"}},
		"params":{"subject":{"type":"string","required":true}}}`
	agentSupport = `{"description":"Support desk","actions":["get_order","create_ticket"]}`
)

func TestAdminAPIScenario(t *testing.T) {
	f := newAdminFixture(t)
	runAdminSteps(t, f, []adminStep{
		// Authentication.
		{name: "no token", method: "GET", path: "/api/v1/actions", status: 401,
			want: map[string]string{"error/code": "unauthorized", "error/message": "~missing bearer token"}},
		{name: "unknown token", method: "GET", path: "/api/v1/actions", token: "agt_notatoken", status: 401,
			want: map[string]string{"error/code": "unauthorized"}},
		{name: "not a bearer token", method: "GET", path: "/api/v1/runs", token: "x", status: 401,
			want: map[string]string{"error/code": "unauthorized"}},

		// Secrets: set, list (names only), validation.
		{name: "set secret", method: "PUT", path: "/api/v1/secrets/shop_token", token: "admin", body: `{"value":"` + canary + `"}`, status: 201,
			want: map[string]string{"change": "created", "secret/name": "shop_token"}, absent: []string{"secret/value", "value"}},
		{name: "set secret again", method: "PUT", path: "/api/v1/secrets/shop_token", token: "admin", body: `{"value":"` + canary + `"}`, status: 200,
			want: map[string]string{"change": "updated"}},
		{name: "secret bad name", method: "PUT", path: "/api/v1/secrets/bad.name", token: "admin", body: `{"value":"x"}`, status: 422,
			want: map[string]string{"error/code": "validation_failed", "error/fields/name": "~invalid name"}},
		{name: "secret without value", method: "PUT", path: "/api/v1/secrets/other", token: "admin", body: `{}`, status: 422,
			want: map[string]string{"error/fields/value": "~required"}},
		{name: "secret empty value", method: "PUT", path: "/api/v1/secrets/other", token: "admin", body: `{"value":""}`, status: 422,
			want: map[string]string{"error/fields/value": "must not be empty"}},
		{name: "secret unknown field", method: "PUT", path: "/api/v1/secrets/other", token: "admin", body: `{"value":"x","vaule":"y"}`, status: 400,
			want: map[string]string{"error/code": "invalid_json", "error/fields/vaule": "unknown field"}},
		{name: "list secrets", method: "GET", path: "/api/v1/secrets", token: "admin", status: 200,
			want: map[string]string{"secrets/0/name": "shop_token", "secrets/0/created_at": "~T"}, absent: []string{"secrets/0/value", "secrets/1"}},

		// Resources: create in dependency order.
		{name: "action before its credential", method: "PUT", path: "/api/v1/actions/get_order", token: "admin", body: getOrder, status: 422,
			want: map[string]string{"error/code": "validation_failed", "error/fields/actions[get_order].auth": `~no Credential named "shop"`}},
		{name: "create credential", method: "PUT", path: "/api/v1/credentials/shop", token: "admin", body: credShop, status: 201,
			want: map[string]string{"change": "created", "resource/name": "shop", "resource/token/source": "secret",
				"resource/token/name": "shop_token", "resource/token/set": "true"},
			absent: []string{"resource/token/secret", "resource/token/value"}},
		{name: "credential unchanged", method: "PUT", path: "/api/v1/credentials/shop", token: "admin", body: credShop, status: 200,
			want: map[string]string{"change": "unchanged"}},
		{name: "create action", method: "PUT", path: "/api/v1/actions/get_order", token: "admin", body: getOrder, status: 201,
			want: map[string]string{"change": "created", "resource/name": "get_order", "resource/method": "GET"}},
		{name: "create write action", method: "PUT", path: "/api/v1/actions/create_ticket", token: "admin", body: createTicket, status: 201},
		{name: "create agent", method: "PUT", path: "/api/v1/agents/support", token: "admin", body: agentSupport, status: 201,
			want: map[string]string{"resource/actions": `["get_order","create_ticket"]`}},
		{name: "update action", method: "PUT", path: "/api/v1/actions/get_order", token: "admin",
			body: strings.Replace(getOrder, "Get an order", "Look up an order", 1), status: 200,
			want: map[string]string{"change": "updated", "resource/title": "Look up an order"}},

		// Validation errors, with the CLI's field paths.
		{name: "bad param type", method: "PUT", path: "/api/v1/actions/get_order", token: "admin",
			body: strings.Replace(getOrder, `"type":"string"`, `"type":"strnig"`, 1), status: 422,
			want: map[string]string{"error/code": "validation_failed", "error/fields/actions[get_order].params.order_id.type": "~must be one of"}},
		{name: "unknown field", method: "PUT", path: "/api/v1/actions/get_order", token: "admin",
			body: strings.Replace(getOrder, `"title"`, `"titel"`, 1), status: 422,
			want: map[string]string{"error/fields/actions[get_order].titel": "~"}},
		{name: "wrong field type", method: "PUT", path: "/api/v1/agents/support", token: "admin", body: `{"actions":"get_order"}`, status: 422,
			want: map[string]string{"error/fields/agents[support].actions": "~"}},
		{name: "name mismatch", method: "PUT", path: "/api/v1/agents/support", token: "admin", body: `{"name":"sales","actions":[]}`, status: 422,
			want: map[string]string{"error/fields/agents[support].name": "~must match the name in the URL"}},
		{name: "agent with unknown action", method: "PUT", path: "/api/v1/agents/sales", token: "admin", body: `{"actions":["get_ordr"]}`, status: 422,
			want: map[string]string{"error/fields/agents[sales].actions[0]": `~no Action named "get_ordr"`}},
		{name: "credential change breaking an action", method: "PUT", path: "/api/v1/credentials/shop", token: "admin",
			body: strings.Replace(credShop, "127.0.0.1", "api.example.com", 1), status: 422,
			want: map[string]string{"error/fields/actions[get_order].auth": "~may not be sent to 127.0.0.1"}},
		{name: "malformed JSON", method: "PUT", path: "/api/v1/actions/get_order", token: "admin", body: `{"method":`, status: 400,
			want: map[string]string{"error/code": "invalid_json"}},
		{name: "not an object", method: "PUT", path: "/api/v1/actions/get_order", token: "admin", body: `[1]`, status: 422,
			want: map[string]string{"error/code": "validation_failed"}},
		{name: "oversize body", method: "PUT", path: "/api/v1/actions/get_order", token: "admin",
			body: `{"description":"` + strings.Repeat("x", 1<<20) + `"}`, status: 413,
			want: map[string]string{"error/code": "body_too_large"}},

		// Reading resources.
		{name: "list actions", method: "GET", path: "/api/v1/actions", token: "admin", status: 200,
			want: map[string]string{"actions/0/name": "create_ticket", "actions/0/needs_confirmation": "true",
				"actions/1/name": "get_order", "actions/1/method": "GET", "actions/1/host": "~127.0.0.1:",
				"actions/1/activated_for": `["support"]`, "actions/1/last_run": "null"}},
		{name: "get action", method: "GET", path: "/api/v1/actions/get_order", token: "admin", status: 200,
			want: map[string]string{"resource/params/order_id/type": "string", "activated_for": `["support"]`}},
		{name: "get unknown action", method: "GET", path: "/api/v1/actions/nope", token: "admin", status: 404,
			want: map[string]string{"error/code": "not_found", "error/message": `~"nope"`}},
		{name: "list credentials", method: "GET", path: "/api/v1/credentials", token: "admin", status: 200,
			want: map[string]string{"credentials/0/name": "shop", "credentials/0/token/set": "true",
				"credentials/0/used_by": `["create_ticket","get_order"]`}},
		{name: "get credential", method: "GET", path: "/api/v1/credentials/shop", token: "admin", status: 200,
			want: map[string]string{"resource/token/source": "secret", "used_by": `["create_ticket","get_order"]`}},
		{name: "list agents", method: "GET", path: "/api/v1/agents", token: "admin", status: 200,
			want: map[string]string{"agents/0/name": "support"}},
		{name: "get agent", method: "GET", path: "/api/v1/agents/support", token: "admin", status: 200,
			want: map[string]string{"resource/description": "Support desk"}},

		// Tokens.
		{name: "create agent token", method: "POST", path: "/api/v1/tokens", token: "admin", body: `{"name":"support-bot","agent":"support"}`, status: 201,
			want: map[string]string{"token": "~agt_", "name": "support-bot", "agent": "support", "admin": "false"}, save: "agent", savePath: "token"},
		{name: "agent token on admin API", method: "GET", path: "/api/v1/actions", token: "agent", status: 403,
			want: map[string]string{"error/code": "forbidden"}},
		{name: "agent token creating tokens", method: "POST", path: "/api/v1/tokens", token: "agent", body: `{"name":"x","admin":true}`, status: 403},
		{name: "token for unknown agent", method: "POST", path: "/api/v1/tokens", token: "admin", body: `{"name":"x","agent":"nobody"}`, status: 422,
			want: map[string]string{"error/fields/agent": "~nobody"}},
		{name: "token admin and agent", method: "POST", path: "/api/v1/tokens", token: "admin", body: `{"name":"x","admin":true,"agent":"support"}`, status: 422},
		{name: "token without name", method: "POST", path: "/api/v1/tokens", token: "admin", body: `{"admin":true}`, status: 422,
			want: map[string]string{"error/fields/name": "required"}},
		{name: "token name taken", method: "POST", path: "/api/v1/tokens", token: "admin", body: `{"name":"support-bot","agent":"support"}`, status: 409,
			want: map[string]string{"error/code": "conflict"}},
		{name: "create second admin token", method: "POST", path: "/api/v1/tokens", token: "admin", body: `{"name":"ops","admin":true}`, status: 201,
			save: "ops", savePath: "token"},
		{name: "second admin token works", method: "GET", path: "/api/v1/tokens", token: "ops", status: 200,
			want: map[string]string{"tokens/0/name": "admin", "tokens/2/name": "ops"}, absent: []string{"tokens/0/hash", "tokens/0/token"}},
		{name: "revoke it", method: "DELETE", path: "/api/v1/tokens/ops", token: "admin", status: 204},
		{name: "revoked token stops at once", method: "GET", path: "/api/v1/tokens", token: "ops", status: 401,
			want: map[string]string{"error/code": "unauthorized"}},
		{name: "revoke again", method: "DELETE", path: "/api/v1/tokens/ops", token: "admin", status: 404},

		// Test calls.
		{name: "dry run", method: "POST", path: "/api/v1/actions/get_order/test", token: "admin",
			body: `{"arguments":{"order_id":"A-1"},"dry_run":true}`, status: 200, hits: 0,
			want: map[string]string{"outcome": "dry_run", "caller": "api", "request/method": "GET", "request/url": "~/anything/orders/A-1"}},
		{name: "read call", method: "POST", path: "/api/v1/actions/get_order/test", token: "admin",
			body: `{"arguments":{"order_id":"A-2"}}`, status: 200, hits: 1,
			want: map[string]string{"outcome": "ok", "status": "200", "output": "~/anything/orders/A-2", "id": "~"}},
		{name: "invalid arguments", method: "POST", path: "/api/v1/actions/get_order/test", token: "admin",
			body: `{"arguments":{}}`, status: 200, hits: 0,
			want: map[string]string{"outcome": "error", "output": "~order_id"}},
		{name: "write without confirm", method: "POST", path: "/api/v1/actions/create_ticket/test", token: "admin",
			body: `{"arguments":{"subject":"Broken"}}`, status: 200, hits: 0,
			want: map[string]string{"outcome": "confirmation_required", "request/method": "POST"}},
		{name: "write with confirm", method: "POST", path: "/api/v1/actions/create_ticket/test", token: "admin",
			body: `{"arguments":{"subject":"Broken"},"confirm":true}`, status: 200, hits: 1,
			want: map[string]string{"outcome": "ok", "status": "200"}},
		{name: "test unknown action", method: "POST", path: "/api/v1/actions/nope/test", token: "admin", body: `{}`, status: 404,
			want: map[string]string{"error/code": "not_found"}},
		{name: "test unknown body field", method: "POST", path: "/api/v1/actions/get_order/test", token: "admin", body: `{"args":{}}`, status: 400,
			want: map[string]string{"error/fields/args": "unknown field"}},

		// Runs.
		{name: "list runs", method: "GET", path: "/api/v1/runs", token: "admin", status: 200,
			want: map[string]string{"runs/0/action": "create_ticket", "runs/0/outcome": "ok", "next_cursor": ""}, absent: []string{"runs/5"}},
		{name: "filter runs", method: "GET", path: "/api/v1/runs?action=get_order&outcome=ok", token: "admin", status: 200,
			want: map[string]string{"runs/0/arguments/order_id": "A-2"}, absent: []string{"runs/1"}},
		{name: "page runs", method: "GET", path: "/api/v1/runs?limit=2", token: "admin", status: 200,
			want: map[string]string{"next_cursor": "~"}, absent: []string{"runs/2"}, save: "cursor", savePath: "next_cursor"},
		{name: "runs since the future", method: "GET", path: "/api/v1/runs?since=2999-01-01T00:00:00Z", token: "admin", status: 200,
			want: map[string]string{"runs": "[]"}},
		{name: "runs bad since", method: "GET", path: "/api/v1/runs?since=yesterday", token: "admin", status: 400,
			want: map[string]string{"error/fields/since": "~RFC 3339"}},
		{name: "runs bad limit", method: "GET", path: "/api/v1/runs?limit=0", token: "admin", status: 400,
			want: map[string]string{"error/fields/limit": "~integer"}},
		{name: "runs bad outcome", method: "GET", path: "/api/v1/runs?outcome=fine", token: "admin", status: 400},
		{name: "runs bad cursor", method: "GET", path: "/api/v1/runs?cursor=zzz", token: "admin", status: 400,
			want: map[string]string{"error/fields/cursor": "~cursor"}},
		{name: "runs unknown filter", method: "GET", path: "/api/v1/runs?acton=x", token: "admin", status: 400,
			want: map[string]string{"error/fields/acton": "~unknown parameter"}},
		{name: "action shows last run", method: "GET", path: "/api/v1/actions/create_ticket", token: "admin", status: 200,
			want: map[string]string{"last_run/outcome": "ok", "last_run/caller": "api"}},
		{name: "unknown run", method: "GET", path: "/api/v1/runs/01abc", token: "admin", status: 404},

		// Deleting.
		{name: "delete activated action", method: "DELETE", path: "/api/v1/actions/get_order", token: "admin", status: 409,
			want: map[string]string{"error/code": "conflict", "error/message": "~Agent/support", "error/fields/agents[support].actions": "~get_order"}},
		{name: "delete used credential", method: "DELETE", path: "/api/v1/credentials/shop", token: "admin", status: 409,
			want: map[string]string{"error/fields/actions[get_order].auth": "~shop", "error/fields/actions[create_ticket].auth": "~shop"}},
		{name: "delete agent", method: "DELETE", path: "/api/v1/agents/support", token: "admin", status: 204},
		{name: "agent is gone", method: "GET", path: "/api/v1/agents/support", token: "admin", status: 404},
		{name: "delete action", method: "DELETE", path: "/api/v1/actions/get_order", token: "admin", status: 204},
		{name: "delete unknown action", method: "DELETE", path: "/api/v1/actions/get_order", token: "admin", status: 404},
		{name: "delete secret", method: "DELETE", path: "/api/v1/secrets/shop_token", token: "admin", status: 204},
		{name: "credential secret no longer set", method: "GET", path: "/api/v1/credentials/shop", token: "admin", status: 200,
			want: map[string]string{"resource/token/set": "false"}},
		{name: "delete unknown secret", method: "DELETE", path: "/api/v1/secrets/shop_token", token: "admin", status: 404},
	})
	for _, b := range f.bodies {
		if strings.Contains(b, canary) {
			t.Fatalf("a response holds the secret value: %s", b)
		}
	}
}
