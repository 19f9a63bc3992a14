package action

import (
	"strings"
	"testing"
)

// provider wraps provider fields (after name) into a document; the fields
// start on line 3.
func provider(fields string) string {
	return "kind: Provider\nname: p\n" + fields
}

func TestValidateProvider(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "valid with every field",
			src: provider(`type: anthropic
base_url: https://api.anthropic.com
api_key: {secret: anthropic_key}
headers: {anthropic-beta: tools-2024}
timeout: 90s
`),
		},
		{
			name: "valid local server without a key",
			src:  provider("type: openai\nbase_url: http://127.0.0.1:11434/v1\n"),
		},
		{
			name: "type and base_url missing",
			src:  "kind: Provider\nname: p\n",
			want: []string{
				`t.yaml:1:1: providers[p].type: required: one of openai, anthropic`,
				`t.yaml:1:1: providers[p].base_url: required: an absolute http or https URL, e.g. https://api.openai.com/v1`,
			},
		},
		{
			name: "misspelled type",
			src:  provider("type: antropic\nbase_url: https://api.anthropic.com\n"),
			want: []string{`t.yaml:3:7: providers[p].type: must be one of openai, anthropic (did you mean "anthropic"?)`},
		},
		{
			name: "unrelated type",
			src:  provider("type: bedrock\nbase_url: https://x.example\n"),
			want: []string{`t.yaml:3:7: providers[p].type: must be one of openai, anthropic`},
		},
		{
			name: "bad names",
			src:  "kind: Provider\nname: \"open ai\"\ntype: openai\nbase_url: https://x.example\n",
			want: []string{`t.yaml:2:7: providers[#1].name: must be 1 to 64 letters, digits, _ or - (^[a-zA-Z0-9_-]{1,64}$)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := load(t, tt.src)
			assertLines(t, got, tt.want)
		})
	}
}

func TestValidateProviderBaseURL(t *testing.T) {
	tests := []struct {
		url  string
		want string
	}{
		{"https://api.openai.com/v1", ""},
		{"http://localhost:8080", ""},
		{"http://[::1]:8000/v1", ""},
		{"api.openai.com/v1", "must be an absolute http or https URL, e.g. https://api.openai.com/v1"},
		{"/v1", "must be an absolute http or https URL, e.g. https://api.openai.com/v1"},
		{"mailto:a@b.example", "must be an absolute http or https URL, e.g. https://api.openai.com/v1"},
		{"ftp://x.example/", "scheme must be http or https"},
		{"https://user:pw@x.example/v1", "must not contain userinfo (user:password@): put the key in api_key"},
		{"https://x.example/v1?api-version=1", "must not have a query (?...): the request path is appended to base_url"},
		{"https://x.example/v1?", "must not have a query (?...): the request path is appended to base_url"},
		{"https://x.example/v1#top", "must not have a fragment (#...)"},
		{"https://x.example/v1#", "must not have a fragment (#...)"},
		{"https:///v1", "must name a valid host"},
		{"https://bad_host.example/", "must name a valid host"},
		{"https://x.example:http/", `invalid URL: invalid port ":http" after host`},
		{"https://{{tenant}}.x.example/", "placeholders are not allowed in base_url"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, got := load(t, provider("type: openai\nbase_url: \""+tt.url+"\"\n"))
			var want []string
			if tt.want != "" {
				want = []string{"t.yaml:4:11: providers[p].base_url: " + tt.want}
			}
			assertLines(t, got, want)
		})
	}
}

func TestValidateProviderKeyHeadersAndTimeout(t *testing.T) {
	_, got := load(t, provider(`type: openai
base_url: https://openrouter.ai/api/v1
api_key: {env: 1KEY}
headers:
  HTTP-Referer: https://shop.example
  Authorization: Bearer sk-live
  X-Api-Key: sk-live
  Host: evil.example
  Bad Name: x
  X-Title: "a\r\nInjected: b"
timeout: 11m
---
kind: Provider
name: q
type: openai
base_url: https://x.example
api_key: {env: K, secret: k}
timeout: 500ms
---
kind: Provider
name: r
type: openai
base_url: https://x.example
api_key: "sk-live"
timeout: soon
`))
	assertLines(t, got, []string{
		`t.yaml:5:16: providers[p].api_key.env: must be an environment variable name: letters, digits and _, not starting with a digit`,
		`t.yaml:8:18: providers[p].headers.Authorization: header Authorization carries a key: put keys in api_key ({secret: NAME} or {env: VAR}), not in headers`,
		`t.yaml:9:14: providers[p].headers.X-Api-Key: header X-Api-Key carries a key: put keys in api_key ({secret: NAME} or {env: VAR}), not in headers`,
		`t.yaml:10:9: providers[p].headers.Host: header Host is set by the HTTP client and cannot be overridden`,
		`t.yaml:11:13: providers[p].headers["Bad Name"]: invalid header name: letters, digits and !#$%&'*+-.^_` + "`" + `|~ only`,
		`t.yaml:12:12: providers[p].headers.X-Title: header values must not contain line breaks`,
		`t.yaml:13:10: providers[p].timeout: must be between 1s and 10m`,
		`t.yaml:19:1: providers[q].api_key: set only one of env, secret`,
		`t.yaml:20:10: providers[q].timeout: must be between 1s and 10m`,
		`t.yaml:26:10: providers[r].api_key: secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret`,
		`t.yaml:27:10: providers[r].timeout: must be a duration such as 60s or 90s`,
	})
	for _, line := range got {
		if strings.Contains(line, "sk-live") {
			t.Errorf("an error repeats the key: %s", line)
		}
	}
}

func TestProviderUnknownFields(t *testing.T) {
	_, got := load(t, provider(`type: openai
base_url: https://x.example
base_ur: https://y.example
api_key: {secret: k, vault: v}
organization: acme
`))
	assertLines(t, got, []string{
		`t.yaml:5:1: providers[p].base_ur: unknown field (did you mean "base_url"?)`,
		`t.yaml:6:22: providers[p].api_key.vault: unknown field; allowed: env, secret`,
		`t.yaml:7:1: providers[p].organization: unknown field; allowed: api_key, base_url, headers, name, timeout, type`,
	})
}

func TestProviderFromSpecJSON(t *testing.T) {
	r, errs := FromSpecJSON(KindProvider, []byte(`{"kind":"Provider","name":"p","type":"openai","base_url":"https://x.example/v1","api_key":{"secret":"k"},"timeout":"30s","region":"eu"}`))
	assertLines(t, lines(errs), []string{`providers[p].region: unknown field; allowed: api_key, base_url, headers, name, timeout, type`})
	if r.Provider == nil || r.Provider.APIKey == nil || r.Provider.APIKey.Secret != "k" || r.Provider.TimeoutDuration().String() != "30s" {
		t.Fatalf("decoded provider = %+v", r.Provider)
	}
	_, errs = FromSpecJSON(KindProvider, []byte(`{"kind":"Agent","name":"p"}`))
	assertLines(t, lines(errs), []string{`providers[p].kind: must be Provider or left out`})
}
