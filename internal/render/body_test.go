package render

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

func bodyParams() action.Params {
	return action.Params{
		{Name: "s", Param: typed("string")},
		{Name: "n", Param: typed("integer")},
		{Name: "f", Param: typed("number")},
		{Name: "b", Param: typed("boolean")},
		{Name: "ids", Param: &action.Param{Type: "array", Items: typed("integer")}},
		{Name: "obj", Param: typed("object")},
		{Name: "qty", Param: &action.Param{Type: "integer", Default: uint64(1)}},
		{Name: "note", Param: typed("string")},
	}
}

func TestJSONBody(t *testing.T) {
	tests := []struct {
		name    string
		content any
		args    map[string]any
		want    string
	}{
		{"string", map[string]any{"v": "{{s}}"}, map[string]any{"s": "abc"}, `{"v":"abc"}`},
		{"integer stays integer", map[string]any{"v": "{{n}}"}, map[string]any{"n": 42.0}, `{"v":42}`},
		{"large integer without exponent", map[string]any{"v": "{{n}}"}, map[string]any{"n": 1e21}, `{"v":1000000000000000000000}`},
		{"json.Number integer exact", map[string]any{"v": "{{n}}"}, map[string]any{"n": json.Number("123456789012345678901234567890")}, `{"v":123456789012345678901234567890}`},
		{"json.Number integer written with exponent", map[string]any{"v": "{{n}}"}, map[string]any{"n": json.Number("1.5e3")}, `{"v":1500}`},
		{"integer given as int", map[string]any{"v": "{{n}}"}, map[string]any{"n": -7}, `{"v":-7}`},
		{"number", map[string]any{"v": "{{f}}"}, map[string]any{"f": 2.5}, `{"v":2.5}`},
		{"number exact text", map[string]any{"v": "{{f}}"}, map[string]any{"f": json.Number("0.10000000000000000001")}, `{"v":0.10000000000000000001}`},
		{"boolean", map[string]any{"v": "{{b}}"}, map[string]any{"b": true}, `{"v":true}`},
		{"array typed", map[string]any{"v": "{{ids}}"}, map[string]any{"ids": []any{1.0, json.Number("2")}}, `{"v":[1,2]}`},
		{"object structured", map[string]any{"v": "{{obj}}"}, map[string]any{"obj": map[string]any{"z": []any{1.0, nil}, "a": map[string]any{"q": `"`}}}, `{"v":{"a":{"q":"\""},"z":[1,null]}}`},
		{"default", map[string]any{"qty": "{{qty}}"}, nil, `{"qty":1}`},
		{"absent field dropped", map[string]any{"note": "{{note}}", "k": 1.0}, nil, `{"k":1}`},
		{"absent element dropped", []any{"{{note}}", "x", "{{s}}"}, map[string]any{"s": "y"}, `["x","y"]`},
		{"absent inside string is empty", map[string]any{"m": "note: {{note}}."}, nil, `{"m":"note: ."}`},
		{"concatenated typed values", map[string]any{"m": "{{n}}x{{b}} {{ids}} {{obj}}"}, map[string]any{"n": 3.0, "b": false, "ids": []any{1.0, 2.0}, "obj": map[string]any{"k": "v"}}, `{"m":"3xfalse 1,2 {\"k\":\"v\"}"}`},
		{"quotes and backslashes", map[string]any{"v": "{{s}}", "m": "<{{s}}>"}, map[string]any{"s": `"},"admin":true,"x":"\`}, `{"m":"\u003c\"},\"admin\":true,\"x\":\"\\\u003e","v":"\"},\"admin\":true,\"x\":\"\\"}`},
		{"control and unicode", map[string]any{"v": "{{s}}"}, map[string]any{"s": "a\r\n\x00\u202e\u2028"}, "{\"v\":\"a\\r\\n\\u0000\u202e\\u2028\"}"},
		{"placeholder text not expanded", map[string]any{"v": "{{s}}", "m": "x{{s}}"}, map[string]any{"s": "{{n}}}}"}, `{"m":"x{{n}}}}","v":"{{n}}}}"}`},
		{"keys are literal", map[string]any{"{{s}}": "{{s}}"}, map[string]any{"s": "v"}, `{"{{s}}":"v"}`},
		{"nested template", map[string]any{"order": map[string]any{"lines": []any{map[string]any{"qty": "{{qty}}", "sku": "SKU-{{s}}"}}}}, map[string]any{"s": "9"}, `{"order":{"lines":[{"qty":1,"sku":"SKU-9"}]}}`},
		{"literal values kept", map[string]any{"i": int64(-3), "u": uint64(18446744073709551615), "f": 0.5, "b": false, "z": nil}, nil, `{"b":false,"f":0.5,"i":-3,"u":18446744073709551615,"z":null}`},
		{"whole body is one value", "{{obj}}", map[string]any{"obj": map[string]any{"a": 1.0}}, `{"a":1}`},
		{"top-level string", "id {{n}}", map[string]any{"n": 5.0}, `"id 5"`},
		{"undeclared argument ignored", map[string]any{"v": "{{s}}"}, map[string]any{"s": "a", "admin": true}, `{"v":"a"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &action.Action{Name: "j", Method: "POST", URL: "https://api.example.com/", Params: bodyParams(),
				Body: &action.Body{Type: BodyJSON, Content: tt.content}}
			req := render(t, a, Input{Args: tt.args})
			if string(req.Body) != tt.want {
				t.Errorf("body\n got %s\nwant %s", req.Body, tt.want)
			}
			if !json.Valid(req.Body) {
				t.Errorf("body is not valid JSON: %s", req.Body)
			}
		})
	}
}

func TestJSONBodyAbsentWholeBody(t *testing.T) {
	a := &action.Action{Name: "j", Method: "POST", URL: "https://api.example.com/", Params: bodyParams(),
		Body: &action.Body{Type: BodyJSON, Content: "{{obj}}"}}
	req := render(t, a, Input{})
	if req.Body != nil || req.ContentType != "" {
		t.Errorf("body %q type %q, want none", req.Body, req.ContentType)
	}
}

func TestJSONBodyRefusesInvalidUTF8(t *testing.T) {
	for _, content := range []any{"{{s}}", "x{{s}}", map[string]any{"k": "{{obj}}"}} {
		a := &action.Action{Name: "j", Method: "POST", URL: "https://api.example.com/", Params: bodyParams(),
			Body: &action.Body{Type: BodyJSON, Content: content}}
		err := renderErr(t, a, Input{Args: map[string]any{"s": "a\xffb", "obj": map[string]any{"\xfe": "x"}}})
		if !strings.Contains(err.Error(), "is not valid UTF-8 text") {
			t.Errorf("%v: error %v", content, err)
		}
	}
}

func TestFormBody(t *testing.T) {
	tests := []struct {
		name    string
		content map[string]any
		args    map[string]any
		want    string
	}{
		{"sorted and escaped", map[string]any{"z": "{{s}}", "a": "lit eral"}, map[string]any{"s": "x&admin=true"}, "a=lit+eral&z=x%26admin%3Dtrue"},
		{"absent dropped", map[string]any{"note": "{{note}}", "k": "v"}, nil, "k=v"},
		{"absent inside larger value", map[string]any{"m": "[{{note}}]"}, nil, "m=%5B%5D"},
		{"array repeated", map[string]any{"id": "{{ids}}"}, map[string]any{"ids": []any{1.0, 2.0}}, "id=1&id=2"},
		{"typed values as text", map[string]any{"n": "{{n}}", "b": "{{b}}", "f": "{{f}}", "q": "{{qty}}"}, map[string]any{"n": 1e20, "b": true, "f": 0.25}, "b=true&f=0.25&n=100000000000000000000&q=1"},
		{"literal scalars", map[string]any{"n": uint64(3), "b": false, "x": nil}, nil, "b=false&n=3"},
		{"object as json", map[string]any{"o": "{{obj}}"}, map[string]any{"obj": map[string]any{"k": 1.0}}, "o=%7B%22k%22%3A1%7D"},
		{"crlf and unicode", map[string]any{"s": "{{s}}"}, map[string]any{"s": "a\r\n\u202e"}, "s=a%0D%0A%E2%80%AE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &action.Action{Name: "f", Method: "POST", URL: "https://api.example.com/", Params: bodyParams(),
				Body: &action.Body{Type: BodyForm, Content: tt.content}}
			req := render(t, a, Input{Args: tt.args})
			if string(req.Body) != tt.want {
				t.Errorf("body\n got %s\nwant %s", req.Body, tt.want)
			}
			if req.ContentType != ContentTypeForm {
				t.Errorf("content type %q", req.ContentType)
			}
			if s, ok := tt.args["s"].(string); ok {
				if got, err := url.ParseQuery(string(req.Body)); err != nil || got.Get("s") != s && got.Get("z") != s {
					t.Errorf("value does not parse back: %v %v", got, err)
				}
			}
		})
	}
}

func TestTextBody(t *testing.T) {
	a := &action.Action{Name: "t", Method: "POST", URL: "https://api.example.com/", Params: bodyParams(),
		Body: &action.Body{Type: BodyText, Content: "Order {{n}}: {{s}}{{note}}!"}}
	for _, s := range []string{"plain", "{{n}} stays", "\r\n\x00\u202e", `"quotes" \ back`} {
		req := render(t, a, Input{Args: map[string]any{"n": 7.0, "s": s}})
		if want := "Order 7: " + s + "!"; string(req.Body) != want {
			t.Errorf("body %q, want %q", req.Body, want)
		}
		if req.ContentType != ContentTypeText {
			t.Errorf("content type %q", req.ContentType)
		}
	}
}
