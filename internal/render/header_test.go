package render

import (
	"errors"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

func TestHeaders(t *testing.T) {
	params := action.Params{
		{Name: "v", Param: typed("string")},
		{Name: "n", Param: typed("integer")},
		{Name: "ids", Param: &action.Param{Type: "array", Items: typed("string")}},
		{Name: "obj", Param: typed("object")},
		{Name: "lang", Param: &action.Param{Type: "string", Default: "en"}},
	}
	tests := []struct {
		name    string
		headers map[string]string
		args    map[string]any
		want    map[string]string // canonical name -> value; a missing name must not be sent
		refused string            // when set, the call is refused with a problem naming this param
	}{
		{"plain", map[string]string{"x-a": "{{v}}"}, map[string]any{"v": "abc"}, map[string]string{"X-A": "abc"}, ""},
		{"in larger value", map[string]string{"X-A": "pre {{v}} post"}, map[string]any{"v": "abc"}, map[string]string{"X-A": "pre abc post"}, ""},
		{"absent whole dropped", map[string]string{"X-A": "{{v}}", "X-B": "1"}, nil, map[string]string{"X-B": "1"}, ""},
		{"absent inside larger value", map[string]string{"X-A": "a{{v}}b"}, nil, map[string]string{"X-A": "ab"}, ""},
		{"default", map[string]string{"Accept-Language": "{{lang}}"}, nil, map[string]string{"Accept-Language": "en"}, ""},
		{"integer", map[string]string{"X-N": "{{n}}"}, map[string]any{"n": 12.0}, map[string]string{"X-N": "12"}, ""},
		{"array joined", map[string]string{"X-Ids": "{{ids}}"}, map[string]any{"ids": []any{"a", "b c"}}, map[string]string{"X-Ids": "a,b c"}, ""},
		{"object compact json", map[string]string{"X-O": "{{obj}}"}, map[string]any{"obj": map[string]any{"k": "v"}}, map[string]string{"X-O": `{"k":"v"}`}, ""},
		{"tab allowed", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": "a\tb"}, map[string]string{"X-A": "a\tb"}, ""},
		{"unicode and rtl", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": "\u202eé日"}, map[string]string{"X-A": "\u202eé日"}, ""},
		{"quotes and backslashes", map[string]string{"X-A": `"{{v}}"`}, map[string]any{"v": `a\"b`}, map[string]string{"X-A": `"a\"b"`}, ""},
		{"placeholder text kept", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": "{{n}}}}"}, map[string]string{"X-A": "{{n}}}}"}, ""},
		{"very long", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": strings.Repeat("x", 100000)}, map[string]string{"X-A": strings.Repeat("x", 100000)}, ""},
		{"crlf", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": "a\r\nX-Admin: 1"}, nil, "v"},
		{"lf", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": "a\nb"}, nil, "v"},
		{"cr", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": "a\rb"}, nil, "v"},
		{"nul", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": "a\x00b"}, nil, "v"},
		{"other control", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": "a\x1bb"}, nil, "v"},
		{"del", map[string]string{"X-A": "{{v}}"}, map[string]any{"v": "a\x7f"}, nil, "v"},
		{"crlf in array element", map[string]string{"X-A": "{{ids}}"}, map[string]any{"ids": []any{"a", "b\r\n"}}, nil, "ids"},
		{"crlf in object", map[string]string{"X-A": "{{obj}}"}, map[string]any{"obj": map[string]any{"k": "\r\n"}}, map[string]string{"X-A": `{"k":"\r\n"}`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &action.Action{Name: "h", URL: "https://api.example.com/", Headers: tt.headers, Params: params}
			if tt.refused != "" {
				err := renderErr(t, a, Input{Args: tt.args})
				var rerr *Error
				if !errors.As(err, &rerr) || rerr.Problems[0].Param != tt.refused {
					t.Fatalf("error %v, want a problem naming %s", err, tt.refused)
				}
				if !strings.Contains(err.Error(), "cannot be used in header X-A: it contains a line break or another control character") {
					t.Errorf("message does not name the header: %v", err)
				}
				return
			}
			req := render(t, a, Input{Args: tt.args})
			if len(req.Header) != len(tt.want) {
				t.Errorf("headers = %q, want %q", req.Header, tt.want)
			}
			for k, v := range tt.want {
				if got := req.Header.Values(k); len(got) != 1 || got[0] != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for k, vs := range req.Header {
				for _, v := range vs {
					if strings.ContainsAny(v, "\r\n\x00") {
						t.Errorf("%s holds a line break: %q", k, v)
					}
				}
			}
		})
	}
}

func TestContentTypeHeader(t *testing.T) {
	params := action.Params{{Name: "ct", Param: typed("string")}}
	body := &action.Body{Type: BodyJSON, Content: map[string]any{"a": 1.0}}
	tests := []struct {
		name    string
		headers map[string]string
		body    *action.Body
		args    map[string]any
		want    string
	}{
		{"from body type", nil, body, nil, ContentTypeJSON},
		{"declared wins", map[string]string{"content-type": "application/vnd.api+json"}, body, nil, "application/vnd.api+json"},
		{"declared from param", map[string]string{"Content-Type": "{{ct}}"}, body, map[string]any{"ct": "application/merge-patch+json"}, "application/merge-patch+json"},
		{"declared but absent falls back", map[string]string{"Content-Type": "{{ct}}"}, body, nil, ContentTypeJSON},
		{"declared without body", map[string]string{"Content-Type": "text/csv"}, nil, nil, "text/csv"},
		{"no body no header", nil, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &action.Action{Name: "c", Method: "POST", URL: "https://api.example.com/", Headers: tt.headers, Body: tt.body, Params: params}
			req := render(t, a, Input{Args: tt.args})
			if req.ContentType != tt.want || req.Header.Get("Content-Type") != tt.want {
				t.Errorf("ContentType %q, header %q, want %q", req.ContentType, req.Header.Get("Content-Type"), tt.want)
			}
		})
	}
}
