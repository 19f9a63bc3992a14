package action

import (
	"strings"
	"testing"
)

func TestValidateFixture(t *testing.T) {
	rs, errs := LoadFiles([]string{"testdata/shop.yaml"})
	if len(errs) > 0 {
		t.Fatalf("fixture has errors:\n%v", errs)
	}
	kinds := map[Kind]int{}
	creds := map[string]bool{}
	for _, r := range rs {
		kinds[r.Kind]++
		if r.Credential != nil {
			creds[r.Credential.Type] = true
		}
	}
	if kinds[KindAction] != 5 || kinds[KindCredential] != 5 || kinds[KindAgent] != 1 || kinds[KindProvider] != 2 {
		t.Errorf("kinds = %v", kinds)
	}
	if len(creds) != 5 {
		t.Errorf("credential types = %v, want all five", creds)
	}
}

// action wraps action fields (after name) into a document that is
// otherwise valid; the fields start on line 3.
func action(fields string) string {
	return "kind: Action\nname: a\n" + fields
}

func TestValidateAction(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "built-in tool name",
			src:  "kind: Action\nname: remember_contact_input\nmethod: GET\nurl: https://x.example/\n",
			want: []string{`t.yaml:2:7: actions[remember_contact_input].name: "remember_contact_input" is the name of a built-in tool; choose another`},
		},
		{
			name: "method",
			src:  action("method: FETCH\nurl: https://x.example/\n"),
			want: []string{`t.yaml:3:9: actions[a].method: must be one of GET, POST, PUT, PATCH, DELETE`},
		},
		{
			name: "url missing",
			src:  action("method: GET\n"),
			want: []string{`t.yaml:1:1: actions[a].url: required: an absolute http or https URL`},
		},
		{
			name: "relative url",
			src:  action("method: GET\nurl: /orders\n"),
			want: []string{`t.yaml:4:6: actions[a].url: must be an absolute http or https URL (https://host/path)`},
		},
		{
			name: "other scheme",
			src:  action("method: GET\nurl: ftp://x.example/\n"),
			want: []string{`t.yaml:4:6: actions[a].url: scheme must be http or https`},
		},
		{
			name: "placeholder in scheme",
			src:  action("method: GET\nurl: \"{{s}}://x.example/\"\nparams: {s: {type: string}}\n"),
			want: []string{`t.yaml:4:6: actions[a].url: placeholders are not allowed in the scheme`},
		},
		{
			name: "placeholder in host",
			src:  action("method: GET\nurl: https://{{tenant}}.x.example/\nparams: {tenant: {type: string, required: true}}\n"),
			want: []string{`t.yaml:4:6: actions[a].url: placeholders are not allowed in the host, port or userinfo`},
		},
		{
			name: "placeholder in port",
			src:  action("method: GET\nurl: https://x.example:{{port}}/\nparams: {port: {type: integer, required: true}}\n"),
			want: []string{`t.yaml:4:6: actions[a].url: placeholders are not allowed in the host, port or userinfo`},
		},
		{
			name: "userinfo",
			src:  action("method: GET\nurl: https://user:pw@x.example/\n"),
			want: []string{`t.yaml:4:6: actions[a].url: must not contain userinfo (user:password@): use a credential`},
		},
		{
			name: "bad port",
			src:  action("method: GET\nurl: https://x.example:http/\n"),
			want: []string{`t.yaml:4:6: actions[a].url: invalid host or port: invalid port ":http" after host`},
		},
		{
			name: "placeholder in fragment",
			src:  action("method: GET\nurl: https://x.example/p#{{f}}\nparams: {f: {type: string}}\n"),
			want: []string{`t.yaml:4:6: actions[a].url: placeholders are not allowed in the fragment`},
		},
		{
			name: "malformed placeholders",
			src:  action("method: GET\nurl: https://x.example/{{order id}}\nquery: {q: \"{{q\"}\nheaders: {X-A: \"{{foo.bar}}\"}\n"),
			want: []string{
				`t.yaml:4:6: actions[a].url: placeholder {{order id}} at offset 18: invalid name "order id": letters, digits, _ and - only`,
				`t.yaml:5:12: actions[a].query.q: unclosed placeholder at offset 0: missing "}}"`,
				`t.yaml:6:16: actions[a].headers.X-A: placeholder {{foo.bar}} at offset 0: unknown source "foo": use a param name, contact.x, vars.x or secret.X`,
			},
		},
		{
			name: "undeclared, unused and optional path params",
			src: action(`method: GET
url: https://x.example/orders/{{order_id}}/{{line}}
query: {q: "{{query}}", who: "{{contact.email}}"}
params:
  order_id: {type: string}
  line: {type: integer, default: 1}
  spare: {type: string}
`),
			want: []string{
				`t.yaml:5:12: actions[a].query.q: {{query}} names no declared param: declare it under params, or use contact.query, vars.query or secret.query`,
				`t.yaml:7:3: actions[a].params.order_id: is used in the URL path, so it must be required or have a default`,
				`t.yaml:9:3: actions[a].params.spare: is never used: put {{spare}} in the url, query, headers or body, or remove it`,
			},
		},
		{
			name: "headers",
			src: action(`method: GET
url: https://x.example/
headers:
  X Bad: a
  Host: evil.example
  X-Ok: "a\r\nInjected: b"
`),
			want: []string{
				`t.yaml:6:10: actions[a].headers["X Bad"]: invalid header name: letters, digits and !#$%&'*+-.^_` + "`" + `|~ only`,
				`t.yaml:7:9: actions[a].headers.Host: header Host is set by the HTTP client and cannot be overridden`,
				`t.yaml:8:9: actions[a].headers.X-Ok: header values must not contain line breaks`,
			},
		},
		{
			name: "unknown credential",
			src: action(`method: GET
url: https://x.example/
auth: shopp
---
kind: Credential
name: shop
type: bearer
hosts: [x.example]
token: {env: T}
`),
			want: []string{`t.yaml:5:7: actions[a].auth: no Credential named "shopp" (did you mean "shop"?)`},
		},
		{
			name: "credential not bound to the host",
			src: action(`method: GET
url: https://evil.example/
auth: shop
---
kind: Credential
name: shop
type: bearer
hosts: [x.example, "*.x.example"]
token: {env: T}
`),
			want: []string{`t.yaml:5:7: actions[a].auth: credential "shop" may not be sent to evil.example: its hosts are x.example, *.x.example`},
		},
		{
			name: "body type and content",
			src: action(`method: POST
url: https://x.example/
body: {type: xml, content: "<a/>"}
---
kind: Action
name: b
method: POST
url: https://x.example/
body:
  type: form
  content: {qty: 1, note: ok}
---
kind: Action
name: c
method: POST
url: https://x.example/
body: {type: text, content: [a]}
---
kind: Action
name: d
method: POST
url: https://x.example/
body: {type: json}
`),
			want: []string{
				`t.yaml:5:14: actions[a].body.type: must be one of json, form, text`,
				`t.yaml:13:18: actions[b].body.content.qty: must be a string (quote numbers and booleans)`,
				`t.yaml:19:20: actions[c].body.content: a text body must be a string`,
				`t.yaml:25:1: actions[d].body.content: required`,
			},
		},
		{
			name: "json body placeholders",
			src: action(`method: POST
url: https://x.example/
body:
  type: json
  content:
    items: [{sku: "{{sku}}", qty: "{{qty}}"}]
    "{{k}}": 1
params:
  sku: {type: string}
`),
			want: []string{
				`t.yaml:8:35: actions[a].body.content.items[0].qty: {{qty}} names no declared param: declare it under params, or use contact.qty, vars.qty or secret.qty`,
				`t.yaml:9:14: actions[a].body.content["{{k}}"]: placeholders are not allowed in keys, only in values`,
			},
		},
		{
			name: "response filter",
			src: action(`method: GET
url: https://x.example/
response:
  select: .items[] | {id
  exclude: ["*_url", "[a-", ""]
  max_items: -1
  max_string: 2000000
  max_tokens: 100001
  format: csv
`),
			want: []string{
				`t.yaml:6:11: actions[a].response.select: invalid jq expression: unexpected EOF`,
				`t.yaml:7:22: actions[a].response.exclude[1]: invalid pattern: use * ? and [a-z] (path.Match syntax)`,
				`t.yaml:7:29: actions[a].response.exclude[2]: must not be empty`,
				`t.yaml:8:14: actions[a].response.max_items: must be between 0 and 10000 (0 means the default, 20)`,
				`t.yaml:9:15: actions[a].response.max_string: must be between 0 and 1000000 (0 means the default, 1000)`,
				`t.yaml:10:15: actions[a].response.max_tokens: must be between 0 and 100000 (0 means the default, 1000)`,
				`t.yaml:11:11: actions[a].response.format: must be one of json, table`,
			},
		},
		{
			name: "jq compile error",
			src:  action("method: GET\nurl: https://x.example/\nresponse: {select: nosuchfn(1)}\n"),
			want: []string{`t.yaml:5:20: actions[a].response.select: invalid jq expression: function not defined: nosuchfn/1`},
		},
		{
			name: "policy",
			src: action(`method: POST
url: https://x.example/
timeout: "10"
retries: 11
idempotency: Bad Header
confirm: maybe
---
kind: Action
name: b
method: GET
url: https://x.example/
timeout: 5m
---
kind: Action
name: c
method: GET
url: https://x.example/
timeout: 0s
retries: -1
`),
			want: []string{
				`t.yaml:5:10: actions[a].timeout: must be a duration such as 10s or 1m30s`,
				`t.yaml:6:10: actions[a].retries: must be between 0 and 10`,
				`t.yaml:7:14: actions[a].idempotency: must be true, false or a valid header name`,
				`t.yaml:8:10: actions[a].confirm: must be one of auto, always, never`,
				`t.yaml:14:10: actions[b].timeout: must be more than 0s and at most 120s`,
				`t.yaml:20:10: actions[c].timeout: must be more than 0s and at most 120s`,
				`t.yaml:21:10: actions[c].retries: must be between 0 and 10`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := load(t, tt.src)
			assertLines(t, got, tt.want)
		})
	}
}

func TestValidateParams(t *testing.T) {
	tests := []struct {
		name  string
		param string // the param `p`, used in the query
		want  []string
	}{
		{"type missing", "{description: x}", []string{`t.yaml:7:3: actions[a].params.p.type: required: one of string, integer, number, boolean, array, object`}},
		{"type unknown", "{type: str}", []string{`t.yaml:7:13: actions[a].params.p.type: must be one of string, integer, number, boolean, array, object`}},
		{"array without items", "{type: array}", []string{`t.yaml:7:3: actions[a].params.p.items: required for an array: the schema of its elements, e.g. {type: string}`}},
		{"items on a string", "{type: string, items: {type: string}}", []string{`t.yaml:7:21: actions[a].params.p.items: only allowed when type is array`}},
		{"items are checked", "{type: array, items: {type: strin, required: true}}", []string{
			`t.yaml:7:34: actions[a].params.p.items.type: must be one of string, integer, number, boolean, array, object`,
		}},
		{"required inside items", "{type: array, items: {type: string, required: true}}", []string{`t.yaml:7:52: actions[a].params.p.items.required: not allowed inside items`}},
		{"bad pattern", "{type: string, pattern: '[a-'}", []string{"t.yaml:7:30: actions[a].params.p.pattern: invalid regular expression: missing closing ]: `[a-`"}},
		{"pattern on integer", "{type: integer, pattern: '^1$'}", []string{`t.yaml:7:31: actions[a].params.p.pattern: only allowed when type is string`}},
		{"minimum above maximum", "{type: number, minimum: 5, maximum: 1}", []string{`t.yaml:7:30: actions[a].params.p.minimum: must not be greater than maximum (1)`}},
		{"bounds on a string", "{type: string, minimum: 1}", []string{`t.yaml:7:30: actions[a].params.p.minimum: only allowed when type is integer or number`}},
		{"lengths on an integer", "{type: integer, max_length: 3}", []string{`t.yaml:7:34: actions[a].params.p.max_length: only allowed when type is string`}},
		{"negative and crossed lengths", "{type: string, min_length: 5, max_length: -1}", []string{
			`t.yaml:7:33: actions[a].params.p.min_length: must not be greater than max_length (-1)`,
			`t.yaml:7:48: actions[a].params.p.max_length: must not be negative`,
		}},
		{"enum of the wrong type", "{type: integer, enum: [1, two, 2.5]}", []string{
			`t.yaml:7:32: actions[a].params.p.enum[1]: must be a whole number`,
			`t.yaml:7:37: actions[a].params.p.enum[2]: must be a whole number`,
		}},
		{"default outside the enum", "{type: string, enum: [a, b], default: c}", []string{`t.yaml:7:44: actions[a].params.p.default: must be one of the enum values`}},
		{"default against pattern", "{type: string, pattern: '^[0-9]+$', default: abc}", []string{`t.yaml:7:51: actions[a].params.p.default: must match pattern ^[0-9]+$`}},
		{"default against bounds", "{type: integer, minimum: 1, maximum: 10, default: 11}", []string{`t.yaml:7:56: actions[a].params.p.default: must be at most 10`}},
		{"default of the wrong type", "{type: boolean, default: 'yes'}", []string{`t.yaml:7:31: actions[a].params.p.default: must be true or false`}},
		{"default too short", "{type: string, min_length: 3, default: ab}", []string{`t.yaml:7:45: actions[a].params.p.default: must be at least 3 characters long`}},
		{"array default checks its items", "{type: array, items: {type: integer}, default: [1, x]}", []string{`t.yaml:7:44: actions[a].params.p.default: element 1 must be a whole number`}},
		{"object default", "{type: object, default: [1]}", []string{`t.yaml:7:21: actions[a].params.p.default: must be a mapping`}},
		{"valid", "{type: number, minimum: 0.5, maximum: 9, enum: [1, 2.5], default: 2.5}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := action("method: GET\nurl: https://x.example/\nquery: {p: \"{{p}}\"}\nparams:\n  p: " + tt.param + "\n")
			_, got := load(t, src)
			assertLines(t, got, tt.want)
		})
	}
}

func TestValidateParamNames(t *testing.T) {
	_, got := load(t, action(`method: GET
url: https://x.example/
params:
  "bad name": {type: string}
`))
	assertLines(t, got, []string{
		`t.yaml:6:3: actions[a].params["bad name"]: param names must be 1 to 64 letters, digits, _ or -`,
		`t.yaml:6:3: actions[a].params["bad name"]: is never used: put {{bad name}} in the url, query, headers or body, or remove it`,
	})
}

func TestValidateCredential(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "type",
			src:  "kind: Credential\nname: c\ntype: jwt\nhosts: [x.example]\n",
			want: []string{`t.yaml:3:7: credentials[c].type: must be one of bearer, api_key, basic, oauth2_client_credentials, headers`},
		},
		{
			name: "hosts missing",
			src:  "kind: Credential\nname: c\ntype: bearer\ntoken: {env: T}\n",
			want: []string{`t.yaml:1:1: credentials[c].hosts: required: the host names this credential may be sent to, e.g. [api.example.com]`},
		},
		{
			name: "bad hosts",
			src: `kind: Credential
name: c
type: bearer
token: {env: T}
hosts:
  - https://x.example
  - x.example:443
  - x.example/api
  - api.*.example
  - "*.x.example"
  - bad_host.example
  - 10.0.0.1
  - "::1"
  - 999.1.1.1
`,
			want: []string{
				`t.yaml:6:5: credentials[c].hosts[0]: must be a host name, not a URL: drop the scheme`,
				`t.yaml:7:5: credentials[c].hosts[1]: must be a host name without a port`,
				`t.yaml:8:5: credentials[c].hosts[2]: must be a host name without a path`,
				`t.yaml:9:5: credentials[c].hosts[3]: a wildcard is only allowed as a leading *. (*.example.com)`,
				`t.yaml:11:5: credentials[c].hosts[5]: must be a valid host name or IP address`,
				`t.yaml:14:5: credentials[c].hosts[8]: must be a valid host name or IP address`,
			},
		},
		{
			name: "fields of other types",
			src: `kind: Credential
name: c
type: basic
hosts: [x.example]
username: u
password: {env: P}
token: {env: T}
scopes: [a]
`,
			want: []string{
				`t.yaml:7:1: credentials[c].token: not allowed for a basic credential (it belongs to bearer)`,
				`t.yaml:8:1: credentials[c].scopes: not allowed for a basic credential (it belongs to oauth2_client_credentials)`,
			},
		},
		{
			name: "required fields per type",
			src: `kind: Credential
name: b
type: bearer
hosts: [x.example]
---
kind: Credential
name: k
type: api_key
hosts: [x.example]
api_key: {in: cookie, value: {env: K}}
---
kind: Credential
name: u
type: basic
hosts: [x.example]
---
kind: Credential
name: o
type: oauth2_client_credentials
hosts: [x.example]
token_url: http://auth.example.com/token
client_secret: {env: S}
---
kind: Credential
name: h
type: headers
hosts: [x.example]
`,
			want: []string{
				`t.yaml:1:1: credentials[b].token: required: write {env: VAR_NAME} or {secret: NAME}`,
				`t.yaml:10:1: credentials[k].api_key.name: required: the header or query parameter carrying the key`,
				`t.yaml:10:15: credentials[k].api_key.in: must be one of header, query`,
				`t.yaml:12:1: credentials[u].username: required for a basic credential`,
				`t.yaml:12:1: credentials[u].password: required: write {env: VAR_NAME} or {secret: NAME}`,
				`t.yaml:17:1: credentials[o].client_id: required for an oauth2_client_credentials credential`,
				`t.yaml:21:12: credentials[o].token_url: must be an https URL (http only for localhost)`,
				`t.yaml:24:1: credentials[h].headers: required for a headers credential: a mapping of header name to {env: VAR}`,
			},
		},
		{
			name: "secret references",
			src: `kind: Credential
name: c
type: headers
hosts: [x.example]
headers:
  X-Both: {env: A, secret: b}
  X-None: {}
  X-Env: {env: 1BAD}
  X-Secret: {secret: "no spaces"}
  X-Ref: {env: OK, value: x}
  Host: {env: H}
`,
			want: []string{
				`t.yaml:6:3: credentials[c].headers.X-Both: set only one of env, secret`,
				`t.yaml:7:3: credentials[c].headers.X-None: must set env or secret: {env: VAR_NAME} or {secret: NAME}`,
				`t.yaml:8:16: credentials[c].headers.X-Env.env: must be an environment variable name: letters, digits and _, not starting with a digit`,
				`t.yaml:9:22: credentials[c].headers.X-Secret.secret: must be a secret name: 1 to 64 letters, digits, _ or -`,
				`t.yaml:10:20: credentials[c].headers.X-Ref.value: unknown field; allowed: env, secret`,
				`t.yaml:11:3: credentials[c].headers.Host: header Host is set by the HTTP client and cannot be overridden`,
			},
		},
		{
			name: "oauth2 on loopback over http is allowed",
			src: `kind: Credential
name: o
type: oauth2_client_credentials
hosts: [127.0.0.1]
token_url: http://127.0.0.1:9000/token
client_id: id
client_secret: {env: S}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := load(t, tt.src)
			assertLines(t, got, tt.want)
		})
	}
}

func TestValidateAgentAndNames(t *testing.T) {
	_, got := load(t, `kind: Agent
name: support
actions: [get_order, get_ordr, get_order, ""]
---
kind: Action
name: get_order
method: GET
url: https://x.example/
---
kind: Action
name: get_order
method: GET
url: https://y.example/
---
kind: Agent
name: "x y"
`)
	assertLines(t, got, []string{
		`t.yaml:3:22: agents[support].actions[1]: no Action named "get_ordr" (did you mean "get_order"?)`,
		`t.yaml:3:32: agents[support].actions[2]: action "get_order" is listed twice (first at actions[0])`,
		`t.yaml:3:43: agents[support].actions[3]: must name an action`,
		`t.yaml:6:7: actions[get_order].name: duplicate Action name "get_order"; also defined at t.yaml:11:7`,
		`t.yaml:11:7: actions[get_order].name: duplicate Action name "get_order"; also defined at t.yaml:6:7`,
		`t.yaml:16:7: agents[#4].name: must be 1 to 64 letters, digits, _ or - (^[a-zA-Z0-9_-]{1,64}$)`,
	})
}

func TestValidateWithoutPositions(t *testing.T) {
	rs := []Resource{
		{Kind: KindAction, Action: &Action{Name: "a", Method: "GET", URL: "https://x.example/{{id}}"}},
		{Kind: KindAgent, Agent: &Agent{Name: "b", Actions: []string{"zzz"}}},
		{Kind: KindCredential},
	}
	assertLines(t, lines(Validate(rs)), []string{
		`actions[a].url: {{id}} names no declared param: declare it under params, or use contact.id, vars.id or secret.id`,
		`agents[b].actions[0]: no Action named "zzz"`,
		`credentials[#0]: has no Credential spec`,
	})
}

func TestManyErrorsAtOnce(t *testing.T) {
	rs, errs := LoadFiles([]string{"testdata/broken.yaml"})
	want := []string{
		`testdata/broken.yaml:4:9: credentials[shop].hosts[0]: must be a host name, not a URL: drop the scheme`,
		`testdata/broken.yaml:5:8: credentials[shop].token: secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret`,
		`testdata/broken.yaml:7:1: actions[get_order].method: required: one of GET, POST, PUT, PATCH, DELETE`,
		`testdata/broken.yaml:9:1: actions[get_order].methd: unknown field (did you mean "method"?)`,
		`testdata/broken.yaml:10:6: actions[get_order].url: {{expand}} names no declared param: declare it under params, or use contact.expand, vars.expand or secret.expand`,
		`testdata/broken.yaml:11:7: actions[get_order].auth: credential "shop" may not be sent to api.other.example: its hosts are https://api.shop.example`,
		`testdata/broken.yaml:13:3: actions[get_order].params.order_id: is used in the URL path, so it must be required or have a default`,
		`testdata/broken.yaml:14:11: actions[get_order].params.order_id.type: must be one of string, integer, number, boolean, array, object`,
		`testdata/broken.yaml:15:5: actions[get_order].params.order_id.requird: unknown field (did you mean "required"?)`,
		`testdata/broken.yaml:16:3: actions[get_order].params.limit: is never used: put {{limit}} in the url, query, headers or body, or remove it`,
		`testdata/broken.yaml:16:35: actions[get_order].params.limit.minimum: must not be greater than maximum (1)`,
		`testdata/broken.yaml:16:60: actions[get_order].params.limit.default: must be at least 10`,
		`testdata/broken.yaml:18:11: actions[get_order].response.select: invalid jq expression: unexpected EOF`,
		`testdata/broken.yaml:19:15: actions[get_order].response.max_tokens: must be between 0 and 100000 (0 means the default, 1000)`,
		`testdata/broken.yaml:20:11: actions[get_order].response.format: must be one of json, table`,
		`testdata/broken.yaml:21:10: actions[get_order].timeout: must be a duration such as 10s or 1m30s`,
		`testdata/broken.yaml:22:10: actions[get_order].confirm: must be one of auto, always, never`,
		`testdata/broken.yaml:26:22: agents[support].actions[1]: no Action named "refund_order"`,
		`testdata/broken.yaml:27:1: agents[support].tools: unknown field; allowed: actions, description, instructions, limits, model, name`,
		`testdata/broken.yaml:29:7: documents[#4].kind: must be one of Action, Credential, Agent, Provider, Workflow (did you mean "Action"?)`,
	}
	got := lines(errs)
	assertLines(t, got, want)
	for _, line := range got {
		if strings.Contains(line, "sk_live") {
			t.Errorf("an error repeats the plain secret: %s", line)
		}
	}
	if len(rs) == 0 {
		t.Error("no resources returned alongside the errors")
	}
}
