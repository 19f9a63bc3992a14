package action

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// load decodes src as file t.yaml and validates it the way LoadFiles does,
// returning the resources and the error lines.
func load(t *testing.T, src string) ([]Resource, []string) {
	t.Helper()
	rs, es := Decode("t.yaml", []byte(src))
	return rs, lines(withValidation(rs, es))
}

func lines(es Errors) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Error()
	}
	return out
}

func assertLines(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "misspelled top-level field",
			src: `kind: Action
name: a
methd: GET
url: https://x.example/
`,
			want: []string{
				`t.yaml:1:1: actions[a].method: required: one of GET, POST, PUT, PATCH, DELETE`,
				`t.yaml:3:1: actions[a].methd: unknown field (did you mean "method"?)`,
			},
		},
		{
			name: "misspelled nested field",
			src: `kind: Action
name: a
method: GET
url: https://x.example/{{id}}
params:
  id:
    type: string
    requird: true
`,
			want: []string{
				`t.yaml:6:3: actions[a].params.id: is used in the URL path, so it must be required or have a default`,
				`t.yaml:8:5: actions[a].params.id.requird: unknown field (did you mean "required"?)`,
			},
		},
		{
			name: "unknown field without a near name lists the allowed ones",
			src: `kind: Agent
name: a
llm: gpt
`,
			want: []string{
				`t.yaml:3:1: agents[a].llm: unknown field; allowed: actions, description, instructions, limits, model, name`,
			},
		},
		{
			name: "wrong types",
			src: `kind: Action
name: a
method: GET
url: https://x.example/
retries: many
params: [id]
response:
  compact: "yes"
  max_items: 2.5
---
kind: Credential
name: c
type: bearer
hosts: api.example.com
token: {env: [A]}
`,
			want: []string{
				`t.yaml:5:10: actions[a].retries: must be an integer, not a string`,
				`t.yaml:6:1: actions[a].params: must be a mapping, not a list`,
				`t.yaml:8:12: actions[a].response.compact: must be true or false, not a string`,
				`t.yaml:9:14: actions[a].response.max_items: must be an integer, not a number`,
				`t.yaml:14:8: credentials[c].hosts: must be a list, not a string`,
				`t.yaml:15:1: credentials[c].token: must set env or secret: {env: VAR_NAME} or {secret: NAME}`,
				`t.yaml:15:9: credentials[c].token.env: must be a string, not a list`,
			},
		},
		{
			name: "kind missing, unknown, and a document that is no mapping",
			src: `name: a
---
kind: Acton
name: b
---
just text
`,
			want: []string{
				`t.yaml:1:1: documents[#1]: missing kind: must be one of Action, Credential, Agent, Provider, Workflow`,
				`t.yaml:3:7: documents[#2].kind: must be one of Action, Credential, Agent, Provider, Workflow (did you mean "Action"?)`,
				`t.yaml:6:1: documents[#3]: must be a mapping with a kind (Action, Credential, Agent, Provider, Workflow)`,
			},
		},
		{
			name: "plain secret",
			src: `kind: Credential
name: c
type: bearer
hosts: [api.example.com]
token: s3cr3t-value
`,
			want: []string{
				`t.yaml:5:8: credentials[c].token: secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret`,
			},
		},
		{
			name: "plain secrets in every secret-bearing place",
			src: `kind: Credential
name: k
type: api_key
hosts: [api.example.com]
api_key: {in: header, name: X-Key, value: abc}
---
kind: Credential
name: b
type: basic
hosts: [api.example.com]
username: u
password: hunter2
---
kind: Credential
name: o
type: oauth2_client_credentials
hosts: [api.example.com]
token_url: https://auth.example.com/token
client_id: id
client_secret: xyz
---
kind: Credential
name: h
type: headers
hosts: [api.example.com]
headers:
  X-Token: tok
`,
			want: []string{
				`t.yaml:5:43: credentials[k].api_key.value: secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret`,
				`t.yaml:12:11: credentials[b].password: secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret`,
				`t.yaml:20:16: credentials[o].client_secret: secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret`,
				`t.yaml:27:12: credentials[h].headers.X-Token: secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret`,
			},
		},
		{
			name: "syntax error in one document, others still checked",
			src: `kind: Agent
name: a
actions: [x
---
kind: Agent
name: b
actionz: []
`,
			want: []string{
				`t.yaml:3:10: invalid YAML: sequence end token ']' not found`,
				`t.yaml:7:1: agents[b].actionz: unknown field (did you mean "actions"?)`,
			},
		},
		{
			name: "duplicate keys",
			src: `kind: Agent
name: a
name: b
`,
			want: []string{
				`t.yaml:3:1: agents[a].name: duplicate field "name"; first written at line 2, column 1`,
			},
		},
		{
			name: "no valid name uses the document number",
			src: `kind: Agent
name: a
---
kind: Agent
name: bad name
descripton: x
`,
			want: []string{
				`t.yaml:5:7: agents[#2].name: must be 1 to 64 letters, digits, _ or - (^[a-zA-Z0-9_-]{1,64}$)`,
				`t.yaml:6:1: agents[#2].descripton: unknown field (did you mean "description"?)`,
			},
		},
		{
			name: "idempotency must be a boolean or a header name",
			src: `kind: Action
name: a
method: POST
url: https://x.example/
idempotency: 5
`,
			want: []string{
				`t.yaml:5:14: actions[a].idempotency: must be true, false or a header name, not a number`,
			},
		},
		{
			name: "odd map keys are quoted in paths",
			src: `kind: Action
name: a
method: GET
url: https://x.example/
query:
  "page[size]": [1]
`,
			want: []string{
				`t.yaml:6:3: actions[a].query["page[size]"]: must be a string, not a list`,
			},
		},
		{
			name: "unknown alias and merge keys",
			src: `kind: Agent
name: a
description: *nowhere
---
kind: Agent
name: b
<<: {description: x}
`,
			want: []string{
				`t.yaml:3:14: agents[a].description: unknown alias *nowhere`,
				`t.yaml:7:1: agents[b]: merge keys (<<) are not supported: write the fields out`,
			},
		},
		{
			name: "huge integer in a body",
			src: `kind: Action
name: a
method: POST
url: https://x.example/
body:
  type: json
  content: {id: 123456789012345678901}
`,
			want: []string{
				`t.yaml:7:17: actions[a].body.content.id: integer too large to keep exactly: quote it to send a string`,
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

func TestDecodeValues(t *testing.T) {
	src := `# leading comment
---
---
kind: Action
name: a
method: post
url: https://x.example/items
idempotency: true
query:
  limit: 20
  ratio: 0.5
  flag: yes
  tagged: !!str 010
headers:
  X-Base: &base "{{vars.base}}"
  X-Copy: *base
body:
  type: json
  content:
    n: 3
    f: 1e3
    s: "3"
    big: 9007199254740992
    list: [true, null, x]
    nested: {k: v}
---
- kind: Agent
  name: one
- kind: Agent
  name: two
  actions: [a]
`
	rs, errs := Decode("t.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatalf("unexpected errors:\n%v", errs)
	}
	if len(rs) != 3 {
		t.Fatalf("got %d resources, want 3", len(rs))
	}
	a := rs[0].Action
	if a.Method != "POST" {
		t.Errorf("method = %q, want POST (normalised)", a.Method)
	}
	if a.Idempotency != DefaultIdempotencyHeader {
		t.Errorf("idempotency = %q, want %q", a.Idempotency, DefaultIdempotencyHeader)
	}
	wantQuery := map[string]string{"limit": "20", "ratio": "0.5", "flag": "yes", "tagged": "010"}
	if !reflect.DeepEqual(a.Query, wantQuery) {
		t.Errorf("query = %v, want %v", a.Query, wantQuery)
	}
	if a.Headers["X-Copy"] != "{{vars.base}}" {
		t.Errorf("alias not followed: X-Copy = %q", a.Headers["X-Copy"])
	}
	wantContent := map[string]any{
		"n": 3.0, "f": 1000.0, "s": "3", "big": 9007199254740992.0,
		"list": []any{true, nil, "x"}, "nested": map[string]any{"k": "v"},
	}
	if !reflect.DeepEqual(a.Body.Content, wantContent) {
		t.Errorf("content = %#v, want %#v", a.Body.Content, wantContent)
	}
	if rs[1].Index != 2 || rs[2].Index != 3 || rs[2].Agent.Name != "two" {
		t.Errorf("list documents: got %+v %+v", rs[1], rs[2])
	}
	if rs[0].Source != "t.yaml:4:1" || rs[0].File != "t.yaml" || rs[0].Index != 1 {
		t.Errorf("source = %q file = %q index = %d", rs[0].Source, rs[0].File, rs[0].Index)
	}
	for path, want := range map[string]Pos{
		"":                     {4, 1},
		"method":               {6, 9},
		"query":                {9, 1},
		"query.limit":          {10, 10},
		"body.content.list":    {24, 5},
		"body.content.list[2]": {24, 24},
	} {
		if got := rs[0].Positions[path]; got != want {
			t.Errorf("position of %q = %v, want %v", path, got, want)
		}
	}
}

func TestDecodeIdempotencyForms(t *testing.T) {
	for _, tt := range []struct {
		value string
		want  Idempotency
	}{
		{"true", DefaultIdempotencyHeader},
		{"false", ""},
		{"X-Request-Id", "X-Request-Id"},
		{"", ""},
	} {
		src := "kind: Action\nname: a\nidempotency: " + tt.value + "\n"
		rs, errs := Decode("t.yaml", []byte(src))
		if len(errs) > 0 || len(rs) != 1 {
			t.Fatalf("%q: errors %v", tt.value, errs)
		}
		if got := rs[0].Action.Idempotency; got != tt.want {
			t.Errorf("idempotency: %s -> %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestDecodeJSONFile(t *testing.T) {
	src := "{\n\t\"kind\": \"Agent\",\n\t\"name\": \"support\",\n\t\"actions\": [\"a\", 1],\n\t\"extra\": true\n}\n"
	rs, errs := Decode("agent.json", []byte(src))
	assertLines(t, lines(errs), []string{
		`agent.json:5:2: agents[support].extra: unknown field; allowed: actions, description, instructions, limits, model, name`,
	})
	if len(rs) != 1 || !slices.Equal(rs[0].Agent.Actions, []string{"a", "1"}) {
		t.Errorf("got %+v", rs)
	}
}

func TestFieldErrorFormat(t *testing.T) {
	for _, tt := range []struct {
		e    FieldError
		want string
	}{
		{FieldError{File: "f.yaml", Line: 3, Col: 7, Path: "actions[a].url", Message: "required"}, "f.yaml:3:7: actions[a].url: required"},
		{FieldError{Path: "actions[a].url", Message: "required"}, "actions[a].url: required"},
		{FieldError{File: "f.yaml", Message: "cannot read file"}, "f.yaml: cannot read file"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	var none Errors
	if none.Err() != nil {
		t.Error("empty Errors.Err() is not nil")
	}
	two := Errors{{Path: "a", Message: "x"}, {Path: "b", Message: "y"}}
	if two.Err().Error() != "a: x\nb: y" {
		t.Errorf("Errors.Error() = %q", two.Error())
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("kind: Action\nname: a\nmethod: GET\nurl: https://x.example/{{id}}\nparams: {id: {type: string}}\n"))
	f.Add([]byte("---\n---\n- kind: Agent\n  name: &a x\n  description: *a\n"))
	f.Add([]byte(`{"kind": "Credential", "name": "c", "type": "bearer", "hosts": ["x"], "token": {"env": "T"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, _ := Decode("f.yaml", data)
		Validate(rs)
		FromSpecJSON(KindAction, data)
	})
}

func TestDecodeCRLF(t *testing.T) {
	rs, errs := Decode("t.yaml", []byte("kind: Agent\r\nname: a\r\ndescription: |\r\n  x\r\n---\r\nkind: Agent\r\nname: b\r\n"))
	if len(errs) > 0 || len(rs) != 2 {
		t.Fatalf("got %d resources, errors %v", len(rs), errs)
	}
	if rs[0].Agent.Description != "x\n" || rs[1].Agent.Name != "b" || rs[1].Positions["name"] != (Pos{7, 7}) {
		t.Errorf("got %q, %q, %v", rs[0].Agent.Description, rs[1].Agent.Name, rs[1].Positions["name"])
	}
}
