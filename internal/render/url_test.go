package render

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

func TestPathValues(t *testing.T) {
	a := &action.Action{
		Name:   "get",
		URL:    "https://api.example.com:8443/v1/items/{{id}}/detail",
		Params: action.Params{{Name: "id", Param: typed("")}},
	}
	long := strings.Repeat("ab/", 10000)
	tests := []struct {
		name string
		val  any
		want string // escaped path; empty means the call is refused
	}{
		{"plain", "A-17", "/v1/items/A-17/detail"},
		{"slash", "a/b", "/v1/items/a%2Fb/detail"},
		{"dot dot slash", "../admin", "/v1/items/..%2Fadmin/detail"},
		{"dot dot only", "..", ""},
		{"dot only", ".", ""},
		{"empty", "", ""},
		{"three dots", "...", "/v1/items/.../detail"},
		{"encoded dots", "%2e%2e", "/v1/items/%252e%252e/detail"},
		{"encoded slash", "%2F", "/v1/items/%252F/detail"},
		{"query", "?x=y", "/v1/items/%3Fx=y/detail"},
		{"fragment", "#frag", "/v1/items/%23frag/detail"},
		{"userinfo", "@evil.example", "/v1/items/@evil.example/detail"},
		{"authority", "//evil.example:80/x", "/v1/items/%2F%2Fevil.example:80%2Fx/detail"},
		{"backslash", `..\..\etc`, "/v1/items/..%5C..%5Cetc/detail"},
		{"semicolon", "..;", "/v1/items/..%3B/detail"},
		{"quotes", `"a'b`, "/v1/items/%22a%27b/detail"},
		{"placeholder text", "{{x}}}}", "/v1/items/%7B%7Bx%7D%7D%7D%7D/detail"},
		{"space", "a b", "/v1/items/a%20b/detail"},
		{"crlf", "a\r\nb", "/v1/items/a%0D%0Ab/detail"},
		{"nul", "a\x00b", "/v1/items/a%00b/detail"},
		{"rtl override", "\u202egnp.exe", "/v1/items/%E2%80%AEgnp.exe/detail"},
		{"unicode", "日本", "/v1/items/%E6%97%A5%E6%9C%AC/detail"},
		{"integer float", 42.0, "/v1/items/42/detail"},
		{"big integer", json.Number("123456789012345678901234567890"), "/v1/items/123456789012345678901234567890/detail"},
		{"float", 0.1, "/v1/items/0.1/detail"},
		{"boolean", false, "/v1/items/false/detail"},
		{"array", []any{"a/b", "c", 3.0}, "/v1/items/a%2Fb,c,3/detail"},
		{"array with comma", []any{"a,b"}, "/v1/items/a%2Cb/detail"},
		{"empty array", []any{}, ""},
		{"object", map[string]any{"k": "v/w"}, "/v1/items/%7B%22k%22:%22v%2Fw%22%7D/detail"},
		{"very long", long, "/v1/items/" + strings.Repeat("ab%2F", 10000) + "/detail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Args: map[string]any{"id": tt.val}}
			if tt.want == "" {
				var rerr *Error
				if err := renderErr(t, a, in); !errors.As(err, &rerr) || rerr.Problems[0].Param != "id" {
					t.Fatalf("error %v, want a problem naming id", err)
				}
				return
			}
			u := render(t, a, in).URL
			if u.Scheme != "https" || u.Host != "api.example.com:8443" || u.User != nil {
				t.Errorf("scheme/host/user changed: %s", u)
			}
			if got := u.EscapedPath(); got != tt.want {
				t.Errorf("path\n got %s\nwant %s", got, tt.want)
			}
			if u.RawQuery != "" || u.Fragment != "" {
				t.Errorf("value leaked into query or fragment: %s", u)
			}
		})
	}
}

func TestPathSegmentRules(t *testing.T) {
	params := action.Params{{Name: "a", Param: typed("string")}, {Name: "b", Param: typed("string")}}
	tests := []struct {
		name, url string
		args      map[string]any
		want      string // full URL; empty means refused
	}{
		{"two values form dot dot", "https://x.example/{{a}}{{b}}/z", map[string]any{"a": ".", "b": "."}, ""},
		{"literal dot and value form dot dot", "https://x.example/.{{a}}/z", map[string]any{"a": "."}, ""},
		{"encoded literal dot and value form dot dot", "https://x.example/%2e{{a}}/z", map[string]any{"a": "."}, ""},
		{"value next to literal", "https://x.example/v-{{a}}/z", map[string]any{"a": ""}, "https://x.example/v-/z"},
		{"absent optional leaves empty segment", "https://x.example/{{a}}/z", map[string]any{}, ""},
		{"absent optional inside segment", "https://x.example/id-{{a}}", map[string]any{}, "https://x.example/id-"},
		{"trailing slash literal kept", "https://x.example/{{a}}/", map[string]any{"a": "k"}, "https://x.example/k/"},
		{"literal dot dot is the template's", "https://x.example/a/../{{a}}", map[string]any{"a": "k"}, "https://x.example/a/../k"},
		{"query right after value", "https://x.example/{{a}}?x=1", map[string]any{"a": "k?y=2"}, "https://x.example/k%3Fy=2?x=1"},
		{"port kept", "http://x.example:8080/{{a}}", map[string]any{"a": ":9090"}, "http://x.example:8080/:9090"},
		{"ipv6 host kept", "http://[::1]:8080/{{a}}", map[string]any{"a": "@[::2]"}, "http://[::1]:8080/@%5B::2%5D"},
		{"literal fragment kept", "https://x.example/{{a}}#top", map[string]any{"a": "#x"}, "https://x.example/%23x#top"},
		{"no path", "https://x.example?q={{a}}", map[string]any{"a": "/p"}, "https://x.example?q=%2Fp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &action.Action{Name: "p", URL: tt.url, Params: params}
			if tt.want == "" {
				var rerr *Error
				if err := renderErr(t, a, Input{Args: tt.args}); !errors.As(err, &rerr) {
					t.Fatalf("error %v, want *Error", err)
				}
				return
			}
			if got := render(t, a, Input{Args: tt.args}).URL.String(); got != tt.want {
				t.Errorf("URL\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestQuery(t *testing.T) {
	params := action.Params{
		{Name: "q", Param: typed("string")},
		{Name: "n", Param: typed("integer")},
		{Name: "f", Param: typed("number")},
		{Name: "ids", Param: &action.Param{Type: "array", Items: typed("integer")}},
		{Name: "obj", Param: typed("object")},
		{Name: "flag", Param: &action.Param{Type: "boolean", Default: true}},
	}
	tests := []struct {
		name  string
		url   string
		query map[string]string
		args  map[string]any
		want  string // raw query
	}{
		{"url template value escaped", "?q={{q}}&fixed=a%20b", nil, map[string]any{"q": "x&admin=true#f"}, "q=x%26admin%3Dtrue%23f&fixed=a%20b"},
		{"url template absent entry dropped", "?q={{q}}&fixed=1", nil, nil, "fixed=1"},
		{"url template absent inside larger value", "?q=pre-{{q}}", nil, nil, "q=pre-"},
		{"url template array repeated", "?id={{ids}}", nil, map[string]any{"ids": []any{1.0, 2.0}}, "id=1&id=2"},
		{"url template array in larger value", "?id=x{{ids}}", nil, map[string]any{"ids": []any{1.0, 2.0}}, "id=x1,2"},
		{"url template value in key", "?{{q}}=1", nil, map[string]any{"q": "a=b&c"}, "a%3Db%26c=1"},
		{"url template bare key", "?{{q}}", nil, map[string]any{"q": "k v"}, "k+v"},
		{"url template second equals is literal", "?a=b=c{{q}}", nil, map[string]any{"q": "="}, "a=b=c%3D"},
		{"map keys sorted after url query", "?z=1", map[string]string{"b": "{{q}}", "a": "lit eral"}, map[string]any{"q": "v"}, "z=1&a=lit+eral&b=v"},
		{"map injection escaped", "", map[string]string{"q": "{{q}}"}, map[string]any{"q": "x&admin=true"}, "q=x%26admin%3Dtrue"},
		{"map key escaped", "", map[string]string{"a b&c": "1"}, nil, "a+b%26c=1"},
		{"map absent dropped", "", map[string]string{"q": "{{q}}", "n": "{{n}}"}, map[string]any{"n": 7.0}, "n=7"},
		{"map absent inside larger value", "", map[string]string{"q": "<{{q}}>"}, nil, "q=%3C%3E"},
		{"map default used", "", map[string]string{"flag": "{{flag}}"}, nil, "flag=true"},
		{"map array repeated", "", map[string]string{"id": "{{ids}}"}, map[string]any{"ids": []any{3.0, json.Number("12345678901234567890")}}, "id=3&id=12345678901234567890"},
		{"map empty array dropped", "", map[string]string{"id": "{{ids}}"}, map[string]any{"ids": []any{}}, ""},
		{"map object compact json", "", map[string]string{"o": "{{obj}}"}, map[string]any{"obj": map[string]any{"b": 1.0, "a": "x y"}}, "o=%7B%22a%22%3A%22x+y%22%2C%22b%22%3A1%7D"},
		{"integer without exponent", "", map[string]string{"n": "{{n}}"}, map[string]any{"n": 1e20}, "n=100000000000000000000"},
		{"float shortest", "", map[string]string{"f": "{{f}}"}, map[string]any{"f": 0.0000001234}, "f=1.234e-7"},
		{"float small fixed", "", map[string]string{"f": "{{f}}"}, map[string]any{"f": 0.000001234}, "f=0.000001234"},
		{"float large", "", map[string]string{"f": "{{f}}"}, map[string]any{"f": 1.5e300}, "f=1.5e%2B300"},
		{"json number exact", "", map[string]string{"f": "{{f}}"}, map[string]any{"f": json.Number("3.14159265358979323846264")}, "f=3.14159265358979323846264"},
		{"negative zero", "", map[string]string{"n": "{{n}}"}, map[string]any{"n": math.Copysign(0, -1)}, "n=0"},
		{"unicode and nul", "", map[string]string{"q": "{{q}}"}, map[string]any{"q": "\u202e\x00é"}, "q=%E2%80%AE%00%C3%A9"},
		{"value never re-expanded", "", map[string]string{"q": "{{q}}"}, map[string]any{"q": "{{n}}"}, "q=%7B%7Bn%7D%7D"},
		{"fragment value escaped", "", map[string]string{"q": "{{q}}"}, map[string]any{"q": "#x"}, "q=%23x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &action.Action{Name: "q", URL: "https://api.example.com/s" + tt.url, Query: tt.query, Params: params}
			u := render(t, a, Input{Args: tt.args}).URL
			if u.Host != "api.example.com" || u.Path != "/s" || u.Fragment != "" {
				t.Errorf("structure changed: %s", u)
			}
			if u.RawQuery != tt.want {
				t.Errorf("query\n got %s\nwant %s", u.RawQuery, tt.want)
			}
		})
	}
}

func TestURLValuesNeverChangeAuthority(t *testing.T) {
	attacks := []string{"@evil.example", "evil.example", "//evil.example", ":1", "\\\\evil", "http://evil.example/", "%40evil", "\r\nHost: evil"}
	a := &action.Action{
		Name:   "a",
		URL:    "https://api.example.com/{{p}}/x?q={{p}}",
		Query:  map[string]string{"m": "{{p}}"},
		Params: action.Params{{Name: "p", Param: typed("string")}},
	}
	for _, v := range attacks {
		u := render(t, a, Input{Args: map[string]any{"p": v}}).URL
		if u.Scheme != "https" || u.Host != "api.example.com" || u.User != nil || u.Fragment != "" {
			t.Errorf("%q changed the URL: %s", v, u)
		}
		if got := u.Query(); got.Get("q") != v || got.Get("m") != v {
			t.Errorf("%q did not round-trip: %v", v, got)
		}
		if segs := strings.Split(u.EscapedPath(), "/"); len(segs) != 3 {
			t.Errorf("%q changed the path: %s", v, u.EscapedPath())
		}
	}
}
