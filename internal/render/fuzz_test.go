package render

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/redact"
)

// fuzzActions puts the same values in every place, one action per place,
// so a value refused in one place does not hide the others.
func fuzzActions() map[string]*action.Action {
	params := action.Params{
		{Name: "q", Param: typed("string")},
		{Name: "n", Param: typed("integer")},
		{Name: "f", Param: typed("number")},
		{Name: "data", Param: typed("object")},
	}
	return map[string]*action.Action{
		"path": {Name: "path", URL: "https://api.example.com:8443/v1/items/{{q}}/sub#top", Params: params},
		"query": {Name: "query", URL: "https://api.example.com:8443/s?x={{q}}&lit=1", Params: params,
			Query: map[string]string{"search": "{{q}}", "pre": "p-{{q}}", "n": "{{n}}", "f": "{{f}}"}},
		"header": {Name: "header", URL: "https://api.example.com:8443/h", Params: params,
			Headers: map[string]string{"X-Val": "v={{q}}", "X-Whole": "{{q}}"}},
		"json": {Name: "json", Method: "POST", URL: "https://api.example.com:8443/j", Params: params,
			Body: &action.Body{Type: BodyJSON, Content: map[string]any{
				"s": "{{q}}", "n": "{{n}}", "f": "{{f}}", "mix": "a{{q}}b", "arr": []any{"{{q}}", "{{n}}"}, "data": "{{data}}",
			}}},
		"form": {Name: "form", Method: "POST", URL: "https://api.example.com:8443/f", Params: params,
			Body: &action.Body{Type: BodyForm, Content: map[string]any{"a": "{{q}}", "b": "x{{q}}"}}},
		"text": {Name: "text", Method: "POST", URL: "https://api.example.com:8443/t", Params: params,
			Body: &action.Body{Type: BodyText, Content: "t:{{q}}"}},
	}
}

func FuzzRender(f *testing.F) {
	seeds := []string{
		"", ".", "..", "../admin", "a/b", "@evil.example", "#frag", "?x=y", "%2e%2e", "%2F", `"'\`,
		"}}", "{{n}}", "{{secret.X}}", "a\r\nX-Admin: 1", "\x00", "\u202e\u2028", "日本", "\xff\xfe", "x&admin=true",
		strings.Repeat("long/", 500),
	}
	for i, s := range seeds {
		f.Add(s, int64(i)-3, float64(i)/7, `{"k":[1,"v",null,{"n":-0.5e-3}]}`)
	}
	f.Add("v", int64(math.MaxInt64), math.Inf(1), `{}`)
	f.Add("v", int64(math.MinInt64), math.NaN(), `{"a":1e999}`)
	f.Add("v", int64(1)<<53+1, 1e300, `[1]`)

	actions := fuzzActions()
	f.Fuzz(func(t *testing.T, v string, n int64, fv float64, rawData string) {
		args := map[string]any{"q": v, "f": fv}
		nText := strconv.FormatInt(n, 10)
		if n > -(1<<53) && n < 1<<53 {
			args["n"] = float64(n)
		} else {
			args["n"] = json.Number(nText)
		}
		var data any
		dec := json.NewDecoder(strings.NewReader(rawData))
		dec.UseNumber()
		if err := dec.Decode(&data); err == nil {
			if _, isObj := data.(map[string]any); isObj {
				args["data"] = data
			}
		}
		if _, isObj := data.(map[string]any); !isObj {
			data = nil
		}
		finite := !math.IsNaN(fv) && !math.IsInf(fv, 0)
		in := Input{Args: args}

		check := func(place string, wantOK bool) *Request {
			req, err := Render(context.Background(), actions[place], in, &redact.Redactor{})
			if err != nil {
				var rerr *Error
				if !errors.As(err, &rerr) {
					t.Fatalf("%s: error is not *Error: %v", place, err)
				}
				if wantOK {
					t.Fatalf("%s: unexpected error for %q: %v", place, v, err)
				}
				return nil
			}
			if !wantOK {
				t.Fatalf("%s: %q accepted, want refused; URL %s", place, v, req.URL)
			}
			u := req.URL
			if u.Scheme != "https" || u.Host != "api.example.com:8443" || u.Port() != "8443" || u.User != nil {
				t.Fatalf("%s: authority changed: %s", place, u)
			}
			for k, vs := range req.Header {
				for _, hv := range vs {
					if strings.ContainsAny(hv, "\r\n\x00") {
						t.Fatalf("%s: header %s holds a line break or NUL: %q", place, k, hv)
					}
				}
			}
			return req
		}

		// Path: one segment, decoded back to the value.
		if req := check("path", v != "" && v != "." && v != ".."); req != nil {
			segs := strings.Split(req.URL.EscapedPath(), "/")
			if len(segs) != 5 || segs[1] != "v1" || segs[2] != "items" || segs[4] != "sub" {
				t.Fatalf("path structure changed: %q", req.URL.EscapedPath())
			}
			if got, err := url.PathUnescape(segs[3]); err != nil || got != v {
				t.Fatalf("path value %q does not round-trip to %q (%v)", segs[3], v, err)
			}
			if req.URL.Fragment != "top" || req.URL.RawQuery != "" {
				t.Fatalf("query or fragment changed: %s", req.URL)
			}
		}

		// Query: every entry parses back to its value.
		if req := check("query", finite); req != nil {
			if req.URL.Path != "/s" || req.URL.Fragment != "" {
				t.Fatalf("query value changed the path or fragment: %s", req.URL)
			}
			q, err := url.ParseQuery(req.URL.RawQuery)
			if err != nil {
				t.Fatalf("query does not parse: %v", err)
			}
			want := url.Values{"x": {v}, "lit": {"1"}, "search": {v}, "pre": {"p-" + v}, "n": {nText}, "f": q["f"]}
			if !reflect.DeepEqual(q, want) {
				t.Fatalf("query\n got %q\nwant %q", q, want)
			}
			if got, err := strconv.ParseFloat(q.Get("f"), 64); err != nil || got != fv {
				t.Fatalf("number %q does not round-trip to %v", q.Get("f"), fv)
			}
		}

		// Headers: refused exactly when the value holds a control character.
		if req := check("header", !hasControl(v)); req != nil {
			if got := req.Header.Values("X-Val"); len(got) != 1 || got[0] != "v="+v {
				t.Fatalf("X-Val = %q, want %q", got, "v="+v)
			}
		}

		// JSON: always valid, each value round-trips exactly.
		if req := check("json", utf8.ValidString(v) && finite && !hasHugeNumber(data)); req != nil {
			if !json.Valid(req.Body) {
				t.Fatalf("body is not valid JSON: %s", req.Body)
			}
			var got map[string]any
			dec := json.NewDecoder(bytes.NewReader(req.Body))
			dec.UseNumber()
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got["s"] != v || got["mix"] != "a"+v+"b" || got["n"] != json.Number(nText) {
				t.Fatalf("values do not round-trip: %s", req.Body)
			}
			if !reflect.DeepEqual(got["arr"], []any{v, json.Number(nText)}) {
				t.Fatalf("array does not round-trip: %s", req.Body)
			}
			if num, _ := got["f"].(json.Number); num.String() == "" || mustFloat(t, num) != fv {
				t.Fatalf("number %v does not round-trip to %v", got["f"], fv)
			}
			if !reflect.DeepEqual(got["data"], data) {
				t.Fatalf("object does not round-trip:\n got %#v\nwant %#v", got["data"], data)
			}
		}

		// Form: parses back to the values.
		if req := check("form", true); req != nil {
			form, err := url.ParseQuery(string(req.Body))
			if err != nil || !reflect.DeepEqual(form, url.Values{"a": {v}, "b": {"x" + v}}) {
				t.Fatalf("form %q does not parse back (%v)", req.Body, err)
			}
		}

		// Text: verbatim.
		if req := check("text", true); req != nil && string(req.Body) != "t:"+v {
			t.Fatalf("text body %q", req.Body)
		}
	})
}

func mustFloat(t *testing.T, n json.Number) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		t.Fatalf("number %q: %v", n, err)
	}
	return f
}

// hasHugeNumber reports whether a decoded JSON value holds a number
// outside the float64 range, which rendering refuses as not finite.
func hasHugeNumber(x any) bool {
	switch x := x.(type) {
	case json.Number:
		_, err := strconv.ParseFloat(string(x), 64)
		return err != nil
	case []any:
		for _, e := range x {
			if hasHugeNumber(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasHugeNumber(e) {
				return true
			}
		}
	}
	return false
}
