package action

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// bare drops where resources came from, keeping what they say.
func bare(rs []Resource) []Resource {
	out := make([]Resource, len(rs))
	for i, r := range rs {
		out[i] = Resource{Kind: r.Kind, Action: r.Action, Credential: r.Credential, Agent: r.Agent, Provider: r.Provider, Workflow: r.Workflow}
	}
	return out
}

func decodeFixture(t *testing.T) []Resource {
	t.Helper()
	rs, errs := DecodeFile("testdata/shop.yaml")
	if len(errs) > 0 {
		t.Fatalf("decoding fixture:\n%v", errs)
	}
	return rs
}

// tricky is an action whose strings and values stress YAML quoting.
func tricky() Resource {
	retries, minLen := 0, 0
	minimum, compact := 0.0, false
	return Resource{Kind: KindAction, Action: &Action{
		Name:        "tricky",
		Title:       "yes",
		Description: "  leading spaces\nline two\ttab\n\n",
		Method:      MethodPost,
		URL:         "https://x.example/{{id}}?q=a#frag",
		Query: map[string]string{
			"null": "null", "num": "123", "hash": "#not a comment", "dash": "- item",
			"colon": "a: b", "brace": "{{id}}", "quote": `"'\`, "doc": "---", "crlf": "a\r\nb",
			"page[size]": "~", "unicode": "grüße 🚀", "empty": "",
		},
		Body: &Body{Type: "json", Content: map[string]any{
			"int": 7.0, "float": 0.25, "neg": -3.0, "exp": 1e21, "t": true, "nil": nil,
			"list": []any{"x", 1.0, []any{}, map[string]any{}}, "str": "1.5", "multi": "a\n---\nb\n",
		}},
		Params: Params{
			{Name: "id", Param: &Param{Type: "integer", Required: true, Minimum: &minimum, Enum: []any{1.0, 2.0}, Default: 1.0}},
			{Name: "tags", Param: &Param{Type: "array", Items: &Param{Type: "string", MinLength: &minLen}, Default: []any{"a"}}},
		},
		Response:    &ResponseFilter{Compact: &compact, Exclude: []string{"*_url"}},
		Retries:     &retries,
		Idempotency: "X-Key",
		Confirm:     ConfirmNever,
	}}
}

func TestEncodeYAMLRoundTrip(t *testing.T) {
	want := append(bare(decodeFixture(t)), tricky())
	data, err := EncodeYAML(want)
	if err != nil {
		t.Fatal(err)
	}
	got, errs := Decode("out.yaml", data)
	if len(errs) > 0 {
		t.Fatalf("decoding encoded output:\n%v\n%s", errs, data)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d resources back, want %d", len(got), len(want))
	}
	byKey := map[string]Resource{}
	for _, r := range bare(got) {
		byKey[r.Key()] = r
	}
	for _, w := range want {
		if g := byKey[w.Key()]; !reflect.DeepEqual(g, w) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			t.Errorf("%s changed in the round trip:\n got: %s\nwant: %s", w.Key(), gj, wj)
		}
	}
	// Encoding is deterministic: the decoded set encodes to the same bytes.
	again, err := EncodeYAML(bare(got))
	if err != nil || string(again) != string(data) {
		t.Errorf("second encoding differs (err %v)", err)
	}
}

func TestEncodeYAMLLayout(t *testing.T) {
	temperature := 0.5
	rs := []Resource{
		{Kind: KindAgent, Agent: &Agent{Name: "support", Actions: []string{"b_action"}, Instructions: "Help {{contact.name}}.",
			Model:  &AgentModel{Provider: "llm", Name: "gpt-4.1-mini", Temperature: &temperature, MaxOutputTokens: 500},
			Limits: &TurnLimits{MaxToolCallsPerTurn: 3, TurnTimeout: "1m"}}},
		{Kind: KindProvider, Provider: &Provider{Name: "llm", Type: ProviderOpenAI, BaseURL: "https://api.openai.com/v1",
			APIKey: &SecretRef{Secret: "openai_key"}, Headers: map[string]string{"X-Title": "shop"}, Timeout: "30s"}},
		{Kind: KindAction, Action: &Action{Name: "b_action", Method: "POST", URL: "https://x.example/", Idempotency: DefaultIdempotencyHeader}},
		{Kind: KindAction, Action: &Action{Name: "a_action", Method: "GET", URL: "https://x.example/"}},
		{Kind: KindCredential, Credential: &Credential{Name: "c", Type: CredBearer, Hosts: []string{"x.example"}, Token: &SecretRef{Env: "TOKEN"}}},
	}
	data, err := EncodeYAML(rs)
	if err != nil {
		t.Fatal(err)
	}
	want := `kind: Credential
name: c
type: bearer
hosts:
  - x.example
token: {env: TOKEN}
---
kind: Provider
name: llm
type: openai
base_url: https://api.openai.com/v1
api_key: {secret: openai_key}
headers:
  X-Title: shop
timeout: "30s"
---
kind: Action
name: a_action
method: GET
url: https://x.example/
---
kind: Action
name: b_action
method: POST
url: https://x.example/
idempotency: Idempotency-Key
---
kind: Agent
name: support
model:
  provider: llm
  name: gpt-4.1-mini
  temperature: 0.5
  max_output_tokens: 500
limits:
  max_tool_calls_per_turn: 3
  turn_timeout: "1m"
instructions: Help {{contact.name}}.
actions:
  - b_action
`
	if string(data) != want {
		t.Errorf("EncodeYAML:\n%s\nwant:\n%s", data, want)
	}
}

func TestEncodeYAMLRejectsMismatchedKind(t *testing.T) {
	_, err := EncodeYAML([]Resource{{Kind: KindAction, Agent: &Agent{Name: "x"}}})
	if err == nil || !strings.Contains(err.Error(), "no Action spec") {
		t.Errorf("err = %v", err)
	}
}

func TestSpecJSONRoundTrip(t *testing.T) {
	for _, r := range append(bare(decodeFixture(t)), tricky()) {
		data, err := SpecJSON(r)
		if err != nil {
			t.Fatal(err)
		}
		back, errs := FromSpecJSON(r.Kind, data)
		if len(errs) > 0 {
			t.Fatalf("%s: %v\n%s", r.Key(), errs, data)
		}
		if back.Index != 1 || back.Positions != nil {
			t.Errorf("%s: index %d, positions %v", r.Key(), back.Index, back.Positions)
		}
		if b := bare([]Resource{back})[0]; !reflect.DeepEqual(b, r) {
			t.Errorf("%s changed:\n got: %+v\nwant: %+v", r.Key(), b, r)
		}
		again, _ := SpecJSON(back)
		if string(again) != string(data) {
			t.Errorf("%s: canonical JSON not stable:\n%s\n%s", r.Key(), data, again)
		}
	}
}

func TestFromSpecJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		body string
		want []string
	}{
		{
			name: "unknown fields and wrong types",
			kind: KindAction,
			body: `{"name": "get_order", "methd": "GET", "params": {"id": {"type": "string", "requird": true}}, "retries": "3", "timeout": 10}`,
			want: []string{
				`actions[get_order].methd: unknown field (did you mean "method"?)`,
				`actions[get_order].params.id.requird: unknown field (did you mean "required"?)`,
				`actions[get_order].retries: must be an integer, not a string`,
			},
		},
		{
			name: "plain secret",
			kind: KindCredential,
			body: "{\n\t\"name\": \"c\",\n\t\"type\": \"bearer\",\n\t\"hosts\": [\"x.example\"],\n\t\"token\": \"abc\"\n}",
			want: []string{
				`credentials[c].token: secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret`,
			},
		},
		{
			name: "kind must match",
			kind: KindAgent,
			body: `{"kind": "Action", "name": "a"}`,
			want: []string{`agents[a].kind: must be Agent or left out`},
		},
		{
			name: "invalid JSON",
			kind: KindAgent,
			body: `{"name": "a",}`,
			want: []string{`agents[#1]: invalid JSON: invalid character '}' looking for beginning of object key string`},
		},
		{
			name: "not an object",
			kind: KindAgent,
			body: `["a"]`,
			want: []string{`agents[#1]: must be a JSON object`},
		},
		{
			name: "unknown kind",
			kind: "Flow",
			body: `{}`,
			want: []string{`unknown kind "Flow": must be one of Action, Credential, Agent, Provider, Workflow`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := FromSpecJSON(tt.kind, []byte(tt.body))
			assertLines(t, lines(errs), tt.want)
		})
	}
}

func TestFromSpecJSONValues(t *testing.T) {
	body := `{"kind": "Action", "name": "a", "method": "post", "url": "https://x.example/\u00e9\/x", "idempotency": true,
		"body": {"type": "json", "content": {"n": 1e3, "s": "\ud83d\ude80", "z": -0.5}}}`
	r, errs := FromSpecJSON(KindAction, []byte(body))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	a := r.Action
	if a.Method != "POST" || a.URL != "https://x.example/é/x" || a.Idempotency != DefaultIdempotencyHeader {
		t.Errorf("got method %q url %q idempotency %q", a.Method, a.URL, a.Idempotency)
	}
	want := map[string]any{"n": 1000.0, "s": "🚀", "z": -0.5}
	if !reflect.DeepEqual(a.Body.Content, want) {
		t.Errorf("content = %#v, want %#v", a.Body.Content, want)
	}
}

func TestIdempotencyUnmarshalJSON(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Idempotency
	}{
		{`true`, DefaultIdempotencyHeader}, {`false`, ""}, {`null`, ""}, {`"X-Key"`, "X-Key"},
	} {
		var got Idempotency
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil || got != tt.want {
			t.Errorf("%s -> %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	var i Idempotency
	if err := json.Unmarshal([]byte(`5`), &i); err == nil {
		t.Error("a number was accepted")
	}
}

func FuzzEncodeYAMLStrings(f *testing.F) {
	for _, s := range []string{"", "a", " x", "x ", "a\nb", "a\n\n", "\n", "- x", "#", "a: b", "yes", "0x1F", "1e3", "\t", "a\r\nb", "\u2028", "{{x}}", "'", "\"", "---", "...", "@a", "%x", "\ufeffx"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, s, k string) {
		if !utf8.ValidString(s) || !utf8.ValidString(k) {
			t.Skip()
		}
		want := Resource{Kind: KindAction, Action: &Action{
			Name: "a", Description: s, Query: map[string]string{k: s},
			Body: &Body{Type: "json", Content: map[string]any{k: []any{s}}},
		}}
		data, err := EncodeYAML([]Resource{want})
		if err != nil {
			t.Fatal(err)
		}
		got, errs := Decode("f.yaml", data)

		if len(errs) > 0 || len(got) != 1 {
			t.Fatalf("decoding:\n%v\n%s", errs, data)
		}
		if g := bare(got)[0]; !reflect.DeepEqual(g, want) {
			t.Fatalf("round trip changed %q / %q:\n%s", s, k, data)
		}
	})
}
