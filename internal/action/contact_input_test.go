package action

import (
	"strings"
	"testing"
)

func TestValidateContactInputs(t *testing.T) {
	long := strings.Repeat("é", MaxContactInputDescription+1)
	_, got := load(t, action(`method: POST
url: https://x.example/customers/{{contact.customer_no}}
query: {zip: "{{contact.zip}}"}
headers: {X-Plan: "{{contact.plan}}"}
body: {type: json, content: {note: "for {{contact.order_ref}}"}}
contact_inputs:
  customer_no: {description: Your customer number, pattern: "[0-9]{6}", required: true}
  zip: {pattern: "[0-9"}
  plan: {description: `+long+`}
  order_ref: {}
  email: {description: unused}
  1st: {description: bad name}
  "my key": {}
`))
	assertLines(t, got, []string{
		`t.yaml:10:18: actions[a].contact_inputs.zip.pattern: invalid regular expression: missing closing ]: ` + "`[0-9`",
		`t.yaml:11:23: actions[a].contact_inputs.plan.description: must be at most 500 characters long (it is 501)`,
		`t.yaml:13:3: actions[a].contact_inputs.email: is never used: put {{contact.email}} in the url, query, headers or body, or remove it`,
		`t.yaml:14:3: actions[a].contact_inputs.1st: attribute names must start with a letter and hold only letters, digits and _ (at most 64)`,
		`t.yaml:14:3: actions[a].contact_inputs.1st: is never used: put {{contact.1st}} in the url, query, headers or body, or remove it`,
		`t.yaml:15:3: actions[a].contact_inputs["my key"]: attribute names must start with a letter and hold only letters, digits and _ (at most 64)`,
		`t.yaml:15:3: actions[a].contact_inputs["my key"]: is never used: put {{contact.my key}} in the url, query, headers or body, or remove it`,
	})
}

func TestContactInputsAreNotParams(t *testing.T) {
	// A contact input is used by {{contact.x}}, never by a model param of
	// the same name; and the param keeps its own "never used" check.
	_, got := load(t, action(`method: GET
url: https://x.example/
query: {q: "{{zip}}"}
params: {zip: {type: string}}
contact_inputs: {zip: {description: Postal code}, unknown_field: {descripton: x}}
`))
	assertLines(t, got, []string{
		`t.yaml:7:18: actions[a].contact_inputs.zip: is never used: put {{contact.zip}} in the url, query, headers or body, or remove it`,
		`t.yaml:7:51: actions[a].contact_inputs.unknown_field: is never used: put {{contact.unknown_field}} in the url, query, headers or body, or remove it`,
		`t.yaml:7:67: actions[a].contact_inputs.unknown_field.descripton: unknown field (did you mean "description"?)`,
	})
}

func TestContactInputMatchesTheWholeValue(t *testing.T) {
	tests := []struct {
		pattern string
		value   string
		want    bool
	}{
		{"[0-9]{5}", "12345", true},
		{"[0-9]{5}", "x12345y", false},
		{"[0-9]{5}", "123456", false},
		{"a|b", "a", true},
		{"a|b", "ab", false},
		{"^[A-Z]{2}$", "DE", true},
		{"", "anything at all", true},
		{"[", "[", false},
	}
	for _, tt := range tests {
		in := &ContactInput{Pattern: tt.pattern}
		if got := in.Matches(tt.value); got != tt.want {
			t.Errorf("pattern %q, value %q: Matches = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
}
