package toolschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/actiongate/actiongate/internal/action"
)

// strictKeywords are the schema keywords OpenAI strict mode accepts.
var strictKeywords = map[string]bool{
	"type": true, "description": true, "enum": true, "const": true, "anyOf": true,
	"properties": true, "required": true, "additionalProperties": true, "items": true,
	"pattern": true, "format": true, "minimum": true, "maximum": true,
	"exclusiveMinimum": true, "exclusiveMaximum": true, "multipleOf": true,
	"minItems": true, "maxItems": true,
}

// checkStrict reports every way s breaks OpenAI strict-mode rules.
func checkStrict(path string, s map[string]any) []string {
	var errs []string
	for k := range s {
		if !strictKeywords[k] {
			errs = append(errs, fmt.Sprintf("%s: keyword %s is not accepted in strict mode", path, k))
		}
	}
	types, ok := s["type"].([]any)
	if !ok {
		types = []any{s["type"]}
	}
	if slices.Contains(types, any("object")) {
		if s["additionalProperties"] != false {
			errs = append(errs, path+": object without additionalProperties false")
		}
		props, _ := s["properties"].(Properties)
		if props == nil {
			errs = append(errs, path+": object without properties")
		}
		required, _ := s["required"].([]string)
		for _, p := range props {
			if !slices.Contains(required, p.Name) {
				errs = append(errs, fmt.Sprintf("%s: property %s not in required", path, p.Name))
			}
			errs = append(errs, checkStrict(path+"/"+p.Name, p.Schema)...)
		}
	}
	if slices.Contains(types, any("array")) {
		items, ok := s["items"].(map[string]any)
		if !ok {
			errs = append(errs, path+": array without items")
		} else {
			errs = append(errs, checkStrict(path+"/items", items)...)
		}
	}
	if enum, ok := s["enum"].([]any); ok && slices.Contains(types, any("null")) && !slices.Contains(enum, nil) {
		errs = append(errs, path+": nullable enum without null")
	}
	return errs
}

func TestOpenAIStrictRules(t *testing.T) {
	actions := append(loadActions(t), MoreResultsAction())
	strictCount := 0
	for _, a := range actions {
		tool := OpenAIToolFor(a)
		if !tool.Function.Strict {
			continue
		}
		strictCount++
		for _, e := range checkStrict(a.Name, tool.Function.Parameters) {
			t.Error(e)
		}
	}
	if strictCount != len(actions)-1 {
		t.Errorf("%d of %d tools strict, want all but update_contact", strictCount, len(actions))
	}
}

func TestStrictFallback(t *testing.T) {
	free := &action.Param{Type: "object"}
	cases := map[string]*action.Param{
		"object":             free,
		"array of objects":   {Type: "array", Items: free},
		"array without item": {Type: "array"},
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			a := &action.Action{Name: "x", Method: action.MethodPost, Params: action.Params{{Name: "p", Param: p}, {Name: "q", Param: &action.Param{Type: "string"}}}}
			if s, ok := StrictInputSchema(a); ok || s != nil {
				t.Errorf("StrictInputSchema = %v, %v; want nil, false", s, ok)
			}
			tool := OpenAIToolFor(a)
			if tool.Function.Strict {
				t.Error("tool marked strict")
			}
			if tool.Function.Parameters["additionalProperties"] != false {
				t.Error("fallback schema allows unknown arguments")
			}
		})
	}
}

// compile compiles a schema map with the JSON Schema 2020-12 rules.
func compile(t *testing.T, s map[string]any) *jsonschema.Schema {
	t.Helper()
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("urn:test", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("urn:test")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// What OpenAI strict mode makes a model send — every optional argument
// present, null when left out — is valid for the strict schema and for the
// Validator, and DropNulls turns it into what the other formats send.
func TestStrictArgumentsRoundTrip(t *testing.T) {
	a := actionNamed(t, "create_order")
	strict, ok := StrictInputSchema(a)
	if !ok {
		t.Fatal("create_order has no strict schema")
	}
	args := map[string]any{"customer_id": "cus_42", "skus": []any{"ABC-1234"}, "quantities": nil, "note": nil, "gift": nil}
	if err := compile(t, strict).Validate(args); err != nil {
		t.Errorf("strict schema rejects strict-mode arguments: %v", err)
	}
	if err := compile(t, InputSchema(a)).Validate(args); err == nil {
		t.Error("plain schema accepts null for optional params; the null handling is not exercised")
	}
	v, err := NewValidator(a)
	if err != nil {
		t.Fatal(err)
	}
	if ps := firstProblems(v, args); ps != nil {
		t.Errorf("Validator rejects strict-mode arguments: %v", ps)
	}
	dropped := DropNulls(args, a)
	if len(dropped) != 2 || dropped["customer_id"] != "cus_42" {
		t.Errorf("DropNulls = %v, want customer_id and skus only", dropped)
	}
	if err := compile(t, InputSchema(a)).Validate(dropped); err != nil {
		t.Errorf("plain schema rejects arguments after DropNulls: %v", err)
	}
}

func TestInputSchemaCompilesForEveryFixture(t *testing.T) {
	for _, a := range append(loadActions(t), MoreResultsAction()) {
		compile(t, InputSchema(a))
		if s, ok := StrictInputSchema(a); ok {
			compile(t, s)
		}
	}
}

func TestInputSchemaDoesNotAliasParams(t *testing.T) {
	a := actionNamed(t, "list_orders")
	s := InputSchema(a)
	enum := schemaProperty(t, s, "status")["enum"].([]any)
	enum[0] = "changed"
	if a.Params.Get("status").Enum[0] != "open" {
		t.Error("changing the schema changed the action's enum")
	}
	strict, _ := StrictInputSchema(a)
	if got := len(schemaProperty(t, strict, "status")["enum"].([]any)); got != 4 {
		t.Errorf("strict enum has %d values, want 3 and null", got)
	}
	if len(a.Params.Get("status").Enum) != 3 {
		t.Error("strict schema appended null to the action's enum")
	}
}

// schemaProperty returns the schema of the property called name.
func schemaProperty(t *testing.T, s map[string]any, name string) map[string]any {
	t.Helper()
	for _, p := range s["properties"].(Properties) {
		if p.Name == name {
			return p.Schema
		}
	}
	t.Fatalf("schema has no property %q", name)
	return nil
}

// The strict-mode checker itself finds the breaches of a plain schema.
func TestCheckStrictCatchesPlainSchema(t *testing.T) {
	errs := checkStrict("create_order", InputSchema(actionNamed(t, "create_order")))
	want := []string{
		"create_order: property gift not in required",
		"create_order/gift: keyword default is not accepted in strict mode",
		"create_order/note: keyword maxLength is not accepted in strict mode",
	}
	for _, w := range want {
		if !slices.Contains(errs, w) {
			t.Errorf("checker missed %q; found %v", w, errs)
		}
	}
}
