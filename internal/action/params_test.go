package action

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// paramsZAM is an action file whose params are written z, a, m: neither
// sorted nor reverse sorted, so a sort anywhere shows.
const paramsZAM = `kind: Action
name: find
method: GET
url: https://api.example.com/find/{{z}}
query: {a: "{{a}}", m: "{{m}}"}
params:
  z: {type: string, required: true}
  a: {type: integer, description: The second.}
  m:
    type: array
    items: {type: string}
`

func decodeOne(t *testing.T, src string) *Action {
	t.Helper()
	rs, es := Decode("t.yaml", []byte(src))
	if err := withValidation(rs, es).Err(); err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Action == nil {
		t.Fatalf("decoded %d resources, want one action", len(rs))
	}
	return rs[0].Action
}

func TestParamsKeepFileOrder(t *testing.T) {
	a := decodeOne(t, paramsZAM)
	if got := a.Params.Names(); !slices.Equal(got, []string{"z", "a", "m"}) {
		t.Fatalf("decoded params %v, want [z a m]", got)
	}
	if a.Params.Get("a").Description != "The second." || a.Params.Get("m").Items.Type != ParamTypeString {
		t.Errorf("params lost their fields: %+v", a.Params)
	}

	out, err := EncodeYAML([]Resource{{Kind: KindAction, Action: a}})
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	_, params, _ := strings.Cut(text, "\nparams:")
	z, am, m := strings.Index(params, "\n  z:"), strings.Index(params, "\n  a:"), strings.Index(params, "\n  m:")
	if z < 0 || am < 0 || m < 0 || !(z < am && am < m) {
		t.Fatalf("YAML export does not list the params z, a, m in order:\n%s", text)
	}
	again := decodeOne(t, text)
	if !reflect.DeepEqual(again.Params, a.Params) {
		t.Errorf("YAML round trip changed the params:\n got %+v\nwant %+v", again.Params, a.Params)
	}
}

func TestParamsKeepJSONOrder(t *testing.T) {
	a := decodeOne(t, paramsZAM)
	spec, err := SpecJSON(Resource{Kind: KindAction, Action: a})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(spec), `"params":{"z":{"type":"string","required":true},"a":{"type":"integer","description":"The second."},"m":{"type":"array","items":{"type":"string"}}}`) {
		t.Fatalf("spec JSON does not keep the params' order: %s", spec)
	}
	r, errs := FromSpecJSON(KindAction, spec)
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Action.Params, a.Params) {
		t.Errorf("spec JSON round trip changed the params:\n got %+v\nwant %+v", r.Action.Params, a.Params)
	}

	// The type on its own, through encoding/json.
	var ps Params
	if err := json.Unmarshal([]byte(`{"q": {"type": "string"}, "b": {"type": "boolean"}, "k": null}`), &ps); err != nil {
		t.Fatal(err)
	}
	if got := ps.Names(); !slices.Equal(got, []string{"q", "b", "k"}) {
		t.Fatalf("json.Unmarshal gave %v, want [q b k]", got)
	}
	b, err := json.Marshal(ps)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"q":{"type":"string"},"b":{"type":"boolean"},"k":null}`; string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
}

func TestParamsThroughGoYAML(t *testing.T) {
	var ps Params
	if err := yaml.Unmarshal([]byte("z: {type: string}\na: {type: integer}\nm: {type: boolean}\n"), &ps); err != nil {
		t.Fatal(err)
	}
	if got := ps.Names(); !slices.Equal(got, []string{"z", "a", "m"}) {
		t.Fatalf("yaml.Unmarshal gave %v, want [z a m]", got)
	}
	out, err := yaml.Marshal(ps)
	if err != nil {
		t.Fatal(err)
	}
	if want := "z:\n  type: string\na:\n  type: integer\nm:\n  type: boolean\n"; string(out) != want {
		t.Errorf("yaml.Marshal =\n%s\nwant\n%s", out, want)
	}

	err = yaml.UnmarshalWithOptions([]byte("z: {type: string}\na: {type: integer}\nz: {type: boolean}\n"), &ps, yaml.AllowDuplicateMapKey())
	if err == nil || !strings.Contains(err.Error(), `3:1: params.z: duplicate param "z"; first written at line 1, column 1`) {
		t.Errorf("duplicate through go-yaml: got %v", err)
	}
	err = yaml.Unmarshal([]byte("z: {type: string, requird: true}\n"), &ps)
	if err == nil || !strings.Contains(err.Error(), `1:19: params.z.requird: unknown field (did you mean "required"?)`) {
		t.Errorf("unknown field through go-yaml: got %v", err)
	}
}

func TestDuplicateParamIsRefused(t *testing.T) {
	src := strings.Replace(paramsZAM, "  m:\n", "  z: {type: boolean}\n  m:\n", 1)
	_, got := load(t, src)
	assertLines(t, got, []string{
		`t.yaml:9:3: actions[find].params.z: duplicate param "z"; first written at line 7, column 3`,
	})

	_, errs := FromSpecJSON(KindAction, []byte(`{"name": "find", "method": "GET", "url": "https://api.example.com/{{z}}", "params": {"z": {"type": "string", "required": true}, "z": {"type": "integer"}}}`))
	assertLines(t, lines(errs), []string{`actions[find].params.z: duplicate param "z"`})

	var ps Params
	if err := json.Unmarshal([]byte(`{"z": {"type": "string"}, "z": {"type": "integer"}}`), &ps); err == nil || err.Error() != `params.z: duplicate param "z"` {
		t.Errorf("json.Unmarshal of a duplicate: got %v", err)
	}

	// A value built in code cannot be decoded with a repeated name, but
	// validation still refuses one.
	a := decodeOne(t, paramsZAM)
	a.Params = append(a.Params, NamedParam{Name: "a", Param: &Param{Type: ParamTypeString}})
	es := Validate([]Resource{{Kind: KindAction, Action: a, Index: 1}})
	assertLines(t, lines(es), []string{`actions[find].params.a: duplicate param "a"`})
}

func TestParamsSetDeleteKeepOrder(t *testing.T) {
	var ps Params
	for _, n := range []string{"c", "a", "b"} {
		ps.Set(n, &Param{Type: ParamTypeString})
	}
	ps.Set("a", &Param{Type: ParamTypeInteger})
	if got := ps.Names(); !slices.Equal(got, []string{"c", "a", "b"}) || ps.Get("a").Type != ParamTypeInteger {
		t.Fatalf("Set replaced out of place: %v, a is %+v", got, ps.Get("a"))
	}
	ps.Delete("c")
	ps.Delete("nope")
	if got := ps.Names(); !slices.Equal(got, []string{"a", "b"}) || ps.Len() != 2 || ps.Has("c") || ps.Get("c") != nil {
		t.Fatalf("after Delete: %v", got)
	}
	var seen []string
	for name := range ps.All() {
		seen = append(seen, name)
		break
	}
	if !slices.Equal(seen, []string{"a"}) {
		t.Errorf("All did not stop when asked: %v", seen)
	}
}

// TestParamsJSONEscapesAsTheEncoder: the params' text is HTML-escaped
// when the encoder escapes (json.Marshal) and left as written when it
// does not, as a map's would be.
func TestParamsJSONEscapesAsTheEncoder(t *testing.T) {
	ps := Params{{Name: "q", Param: &Param{Type: ParamTypeString, Description: "a < b & c"}}}
	b, err := json.Marshal(ps)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"q":{"type":"string","description":"a \u003c b \u0026 c"}}`; string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ps); err != nil {
		t.Fatal(err)
	}
	if want := `{"q":{"type":"string","description":"a < b & c"}}` + "\n"; buf.String() != want {
		t.Errorf("without HTML escaping = %s, want %s", buf.String(), want)
	}
}

func TestObjectJSONIsCompact(t *testing.T) {
	b, err := Params{{Name: "a", Param: &Param{Type: ParamTypeString}}, {Name: "b"}}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":{"type":"string"},"b":null}`; string(b) != want {
		t.Errorf("MarshalJSON = %q, want %q", b, want)
	}
}
