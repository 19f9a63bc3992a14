package respfilter

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/itchyny/gojq"
)

// runJQ runs expr on the JSON document doc and returns its one result.
func runJQ(t *testing.T, expr, doc string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	if expr == "" {
		return v
	}
	q, err := gojq.Parse(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	out, ok := q.Run(v).Next()
	if !ok {
		t.Fatalf("%s: no result", expr)
	}
	if err, isErr := out.(error); isErr {
		t.Fatalf("%s: %v", expr, err)
	}
	return out
}

func TestProjectionKeepsExactlyPickedFields(t *testing.T) {
	cases := []struct {
		name  string
		doc   string
		paths []Path
		want  string
	}{
		{"flat", `{"id":1,"status":"ok","url":"http://x"}`, []Path{{"id"}, {"status"}}, `{"id":1,"status":"ok"}`},
		{"nested object", `{"id":1,"customer":{"name":"A","email":"e"}}`, []Path{{"id"}, {"customer", "name"}}, `{"id":1,"customer":{"name":"A"}}`},
		{"object with list", `{"id":1,"items":[{"sku":"a","qty":2,"x":1},{"sku":"b"}]}`, []Path{{"id"}, {"items", Every, "sku"}, {"items", Every, "qty"}}, `{"id":1,"items":[{"sku":"a","qty":2},{"sku":"b","qty":null}]}`},
		{"list root", `[{"id":1,"user":{"login":"u","url":"x"}},{"id":2,"user":{"login":"v"}}]`, []Path{{Every, "id"}, {Every, "user", "login"}}, `[{"id":1,"user":{"login":"u"}},{"id":2,"user":{"login":"v"}}]`},
		{"quoted keys and keywords", `{"a-b":1,"if":2,"then":{"x y":3,"z":4},"c":5}`, []Path{{"a-b"}, {"if"}, {"then", "x y"}}, `{"a-b":1,"if":2,"then":{"x y":3}}`},
		{"whole object", `{"id":1,"customer":{"name":"A","email":"e"},"u":2}`, []Path{{"customer"}}, `{"customer":{"name":"A","email":"e"}}`},
		{"nested lists", `{"rows":[{"cells":[{"v":1,"w":2}]},{"cells":[]}]}`, []Path{{"rows", Every, "cells", Every, "v"}}, `{"rows":[{"cells":[{"v":1}]},{"cells":[]}]}`},
		{"missing parent", `{"id":1}`, []Path{{"id"}, {"items", Every, "sku"}}, `{"id":1,"items":[]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expr := Projection(c.paths)
			got := runJQ(t, expr, c.doc)
			var want any
			if err := json.Unmarshal([]byte(c.want), &want); err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			if string(gb) != string(wb) {
				t.Errorf("%s on %s = %s, want %s", expr, c.doc, gb, wb)
			}
			back, ok := ParseProjection(expr)
			if !ok || !reflect.DeepEqual(back, c.paths) {
				t.Errorf("ParseProjection(%q) = %v, %v; want %v", expr, back, ok, c.paths)
			}
			if again := Projection(back); again != expr {
				t.Errorf("re-picking gives %q, want %q", again, expr)
			}
		})
	}
}

func TestParseProjectionHandEdits(t *testing.T) {
	cases := []struct {
		expr string
		want []Path
	}{
		{`{ id : .id }`, []Path{{"id"}}},
		{`{"a-b": ."a-b"}`, []Path{{"a-b"}}},
		{`{"a-b": .["a-b"]}`, []Path{{"a-b"}}},
		{`{items: [.items[] | {sku}]}`, []Path{{"items", Every, "sku"}}},
		{`{c: (.c|{y})}`, []Path{{"c", "y"}}},
		{`[.[]|{id,name}]`, []Path{{Every, "id"}, {Every, "name"}}},
		{``, nil},
		{`.`, nil},
	}
	for _, c := range cases {
		got, ok := ParseProjection(c.expr)
		if !ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseProjection(%q) = %v, %v; want %v", c.expr, got, ok, c.want)
		}
	}
	for _, expr := range []string{
		`{id: .name}`, `{id: .id + 1}`, `[.[] | select(.id > 1)]`, `map({id})`, `{id: (.id | tostring)}`,
		`.items | length`, `{(.k): .v}`, `{id: .id[1:2]}`, `{$x}`, `def f: .; {id}`, `{id} | .id`, `{{`,
		`{a: .a.b}`, `{"\(.k)": 1}`,
	} {
		if got, ok := ParseProjection(expr); ok {
			t.Errorf("ParseProjection(%q) = %v, ok; want not representable", expr, got)
		}
	}
}
