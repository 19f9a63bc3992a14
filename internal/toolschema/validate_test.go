package toolschema

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

// decode parses JSON arguments the way the invoke API and MCP server do.
func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// firstProblems returns the problems Validate describes.
func firstProblems(v *Validator, args map[string]any) []Problem {
	ps, _ := v.Validate(args)
	return ps
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name, action, args string
		want               []Problem
	}{
		{"valid, no arguments", "list_orders", `{}`, nil},
		{"valid, all arguments", "list_orders", `{"status":"open","limit":5,"since":"2024-05-01"}`, nil},
		{"integral float is an integer", "list_orders", `{"limit":5.0}`, nil},
		{"nulls for optional params", "list_orders", `{"status":null,"limit":null,"since":null}`, nil},
		{"valid body with arrays", "create_order", `{"customer_id":"cus_9","skus":["ABC-1234","XYZ-0001"],"quantities":[1,2],"gift":true}`, nil},
		{"free-form object", "update_contact", `{"attributes":{"phone":"+1 555 0100","tags":["vip"]},"priority":0.5}`, nil},
		{"enum", "list_orders", `{"status":"pending"}`, []Problem{
			{"status", `status must be one of open, shipped, cancelled (got "pending")`},
		}},
		{"unknown argument", "list_orders", `{"customer":"x"}`, []Problem{
			{"customer", "unknown argument customer; expected one of status, limit, since"},
		}},
		{"tool without arguments", "store_hours", `{"day":"monday"}`, []Problem{
			{"day", "unknown argument day; this tool takes no arguments"},
		}},
		{"integer as string", "list_orders", `{"limit":"5"}`, []Problem{
			{"limit", "limit must be an integer, not a string: send 5 without quotes"},
		}},
		{"word for integer", "list_orders", `{"limit":"five"}`, []Problem{
			{"limit", `limit must be an integer (got "five")`},
		}},
		{"fraction for integer", "list_orders", `{"limit":2.5}`, []Problem{
			{"limit", "limit must be an integer (got 2.5)"},
		}},
		{"below minimum", "list_orders", `{"limit":0}`, []Problem{
			{"limit", "limit must be at least 1 (got 0)"},
		}},
		{"above maximum", "update_contact", `{"attributes":{},"priority":1.5}`, []Problem{
			{"priority", "priority must be at most 1 (got 1.5)"},
		}},
		{"pattern", "list_orders", `{"since":"yesterday"}`, []Problem{
			{"since", `since must match the pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ (got "yesterday")`},
		}},
		{"string too short", "cancel_order", `{"order_id":"A1"}`, []Problem{
			{"order_id", "order_id must be at least 6 characters long (got 2)"},
		}},
		{"string too long", "create_order", `{"customer_id":"cus_1","skus":["ABC-1234"],"note":"` + strings.Repeat("x", 201) + `"}`, []Problem{
			{"note", "note must be at most 200 characters long (got 201)"},
		}},
		{"missing required", "cancel_order", `{}`, []Problem{
			{"order_id", "order_id is required (string, The order number)"},
		}},
		{"missing required with enum and array", "create_order", `{"gift":"yes"}`, []Problem{
			{"customer_id", "customer_id is required (string, The customer's id, starting with cus_)"},
			{"gift", `gift must be a boolean (got "yes")`},
			{"skus", "skus is required (array of string, Product codes to order)"},
		}},
		{"null for required", "cancel_order", `{"order_id":null}`, []Problem{
			{"order_id", "order_id must be a string (got null)"},
		}},
		{"array items", "create_order", `{"customer_id":"cus_1","skus":["ABC-1234","abc",7],"quantities":[1,"2",0]}`, []Problem{
			{"quantities/1", "quantities/1 must be an integer, not a string: send 2 without quotes"},
			{"quantities/2", "quantities/2 must be at least 1 (got 0)"},
			{"skus/1", `skus/1 must match the pattern ^[A-Z]{3}-[0-9]{4}$ (got "abc")`},
			{"skus/2", "skus/2 must be a string (got 7)"},
		}},
		{"empty array", "create_order", `{"customer_id":"cus_1","skus":[]}`, []Problem{
			{"skus", "skus must have at least 1 item (got 0)"},
		}},
		{"array for string", "cancel_order", `{"order_id":["123456"]}`, []Problem{
			{"order_id", "order_id must be a string (got an array)"},
		}},
		{"string for object", "update_contact", `{"attributes":"phone=1"}`, []Problem{
			{"attributes", `attributes must be an object (got "phone=1")`},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := NewValidator(actionNamed(t, c.action))
			if err != nil {
				t.Fatal(err)
			}
			got := firstProblems(v, decode(t, c.args))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Validate(%s)\n got %#v\nwant %#v", c.args, got, c.want)
			}
		})
	}
}

func TestValidateNilArguments(t *testing.T) {
	v, err := NewValidator(actionNamed(t, "cancel_order"))
	if err != nil {
		t.Fatal(err)
	}
	if got := firstProblems(v, nil); len(got) != 1 || got[0].Argument != "order_id" {
		t.Errorf("Validate(nil) = %v, want order_id required", got)
	}
}

func TestValidateJSONNumbers(t *testing.T) {
	v, err := NewValidator(actionNamed(t, "list_orders"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(`{"limit": 7}`)))
	dec.UseNumber()
	var args map[string]any
	if err := dec.Decode(&args); err != nil {
		t.Fatal(err)
	}
	if ps := firstProblems(v, args); ps != nil {
		t.Errorf("json.Number argument rejected: %v", ps)
	}
	if ps := firstProblems(v, map[string]any{"limit": 99}); len(ps) != 1 || ps[0].Message != "limit must be at most 50 (got 99)" {
		t.Errorf("Go int argument: %v", ps)
	}
}

func TestValidateEnumOfNumbers(t *testing.T) {
	a := &action.Action{Name: "rate", Method: action.MethodPost, Params: action.Params{
		{Name: "stars", Param: &action.Param{Type: "integer", Required: true, Enum: []any{1, 2, 3}}},
	}}
	v, err := NewValidator(a)
	if err != nil {
		t.Fatal(err)
	}
	if ps := firstProblems(v, decode(t, `{"stars":2}`)); ps != nil {
		t.Errorf("valid enum number rejected: %v", ps)
	}
	want := []Problem{{"stars", "stars must be one of 1, 2, 3 (got 4)"}}
	if got := firstProblems(v, decode(t, `{"stars":4}`)); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestNewValidatorRejectsBadPattern(t *testing.T) {
	a := &action.Action{Name: "bad", Method: action.MethodGet, Params: action.Params{
		{Name: "code", Param: &action.Param{Type: "string", Pattern: "([a-z"}},
	}}
	_, err := NewValidator(a)
	if err == nil || !strings.Contains(err.Error(), "toolschema: compiling schema of bad") {
		t.Errorf("err = %v, want a compile error naming the action", err)
	}
}

func TestMoreResultsValidation(t *testing.T) {
	v, err := NewValidator(MoreResultsAction())
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range []string{`{"handle":"h_123"}`, `{"handle":"h_123","item":"1347"}`, `{"handle":"h_123","fields":["body","user.login"]}`, `{"handle":"h_123","item":"2","fields":["body"]}`} {
		if ps := firstProblems(v, decode(t, args)); ps != nil {
			t.Errorf("valid arguments %s rejected: %v", args, ps)
		}
	}
	if ps := firstProblems(v, decode(t, `{"handle":"h_123","fields":"body"}`)); len(ps) == 0 {
		t.Error("fields given as a string accepted; the schema says an array of names")
	}
	got := ProblemsText(MoreResultsTool, firstProblems(v, decode(t, `{}`)), 0)
	want := "Invalid arguments for more_results: handle is required (string, The handle from the truncated tool output, copied exactly.)."
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestProblemsText(t *testing.T) {
	v, err := NewValidator(&action.Action{Name: "get_order", Method: action.MethodGet, Params: action.Params{
		{Name: "order_id", Param: &action.Param{Type: "string", Required: true, Description: "The order number"}},
		{Name: "status", Param: &action.Param{Type: "string", Enum: []any{"open", "closed"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := ProblemsText("get_order", firstProblems(v, decode(t, `{"status":"pending"}`)), 0)
	want := `Invalid arguments for get_order: order_id is required (string, The order number); status must be one of open, closed (got "pending").`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := ProblemsText("get_order", nil, 0); got != "" {
		t.Errorf("no problems: %q, want empty", got)
	}
}

func TestProblemMessagesAreBounded(t *testing.T) {
	v, err := NewValidator(&action.Action{Name: "x", Method: action.MethodGet, Params: action.Params{
		{Name: "q", Param: &action.Param{Type: "string", Required: true, Description: strings.Repeat("very long description ", 20), Enum: []any{"a"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range []string{`{}`, `{"q":"` + strings.Repeat("z", 500) + `"}`} {
		for _, p := range firstProblems(v, decode(t, args)) {
			if len(p.Message) > 200 {
				t.Errorf("message of %d bytes: %s", len(p.Message), p.Message)
			}
		}
	}
}

func TestValidateConcurrently(t *testing.T) {
	v, err := NewValidator(actionNamed(t, "list_orders"))
	if err != nil {
		t.Fatal(err)
	}
	good, bad := decode(t, `{"status":"open","limit":5}`), decode(t, `{"limit":0}`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if ps := firstProblems(v, good); ps != nil {
					t.Errorf("valid arguments rejected: %v", ps)
				}
				if ps := firstProblems(v, bad); len(ps) != 1 {
					t.Errorf("invalid arguments: %v", ps)
				}
			}
		})
	}
	wg.Wait()
}

func TestDropNulls(t *testing.T) {
	a := actionNamed(t, "cancel_order")
	args := decode(t, `{"order_id":null,"reason":null,"extra":null}`)
	got := DropNulls(args, a)
	want := map[string]any{"order_id": nil, "extra": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DropNulls = %v, want %v (only optional params dropped)", got, want)
	}
	if len(args) != 3 {
		t.Error("DropNulls modified its argument")
	}
	same := decode(t, `{"order_id":"123456"}`)
	same2 := DropNulls(same, a)
	same2["marker"] = true
	if same["marker"] != true {
		t.Error("DropNulls copied a map with nothing to drop")
	}
}

func BenchmarkValidate(b *testing.B) {
	v, err := NewValidator(actionNamed(b, "list_orders"))
	if err != nil {
		b.Fatal(err)
	}
	args := decode(b, `{"status":"open","limit":5,"since":"2024-05-01"}`)
	b.ReportAllocs()
	for b.Loop() {
		if ps := firstProblems(v, args); ps != nil {
			b.Fatal(ps)
		}
	}
}

func BenchmarkValidateInvalid(b *testing.B) {
	v, err := NewValidator(actionNamed(b, "list_orders"))
	if err != nil {
		b.Fatal(err)
	}
	args := decode(b, `{"status":"pending","limit":"5","since":"2024-05-01"}`)
	b.ReportAllocs()
	for b.Loop() {
		if ps := firstProblems(v, args); len(ps) != 2 {
			b.Fatal(ps)
		}
	}
}
