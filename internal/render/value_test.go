package render

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

func TestToNumber(t *testing.T) {
	tests := []struct {
		in      any
		integer bool
		want    string // empty means refused
	}{
		{3.0, true, "3"},
		{-3.0, true, "-3"},
		{3.5, true, ""},
		{1e300, true, "1" + zeros(300)},
		{1e21, false, "1e+21"},
		{1e20, false, "100000000000000000000"},
		{0.1, false, "0.1"},
		{1e-7, false, "1e-7"},
		{-2.5e-10, false, "-2.5e-10"},
		{math.NaN(), false, ""},
		{math.Inf(-1), true, ""},
		{float32(0.5), false, "0.5"},
		{int8(-8), true, "-8"},
		{int16(16), true, "16"},
		{int32(32), true, "32"},
		{int64(math.MinInt64), true, "-9223372036854775808"},
		{uint(1), true, "1"},
		{uint8(8), true, "8"},
		{uint16(16), true, "16"},
		{uint32(32), true, "32"},
		{uint64(math.MaxUint64), true, "18446744073709551615"},
		{json.Number("-0"), true, "-0"},
		{json.Number("007"), true, ""},
		{json.Number("1.0"), true, "1"},
		{json.Number("1.0"), false, "1.0"},
		{json.Number("2E+3"), true, "2000"},
		{json.Number("2.5e-3"), false, "2.5e-3"},
		{json.Number("2.5e-3"), true, ""},
		{json.Number("1e400"), false, ""},
		{json.Number("1."), false, ""},
		{json.Number(".5"), false, ""},
		{json.Number("1e"), false, ""},
		{json.Number("1e+"), false, ""},
		{json.Number("+1"), false, ""},
		{json.Number("0x10"), false, ""},
		{json.Number(""), false, ""},
		{json.Number("NaN"), false, ""},
		{"5", false, ""},
		{true, false, ""},
	}
	for _, tt := range tests {
		got, ok := toNumber(tt.in, tt.integer)
		if tt.want == "" {
			if ok {
				t.Errorf("toNumber(%#v, %v) = %q, want refused", tt.in, tt.integer, got)
			}
			continue
		}
		if !ok || string(got) != tt.want {
			t.Errorf("toNumber(%#v, %v) = %q, %v; want %q", tt.in, tt.integer, got, ok, tt.want)
		}
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

// Contact and variable values come from Go code as well as JSON; common
// Go shapes are accepted and written like their JSON equivalents.
func TestAttributeValueShapes(t *testing.T) {
	a := &action.Action{
		Name:  "c",
		URL:   "https://api.example.com/",
		Query: map[string]string{"tags": "{{contact.tags}}", "attrs": "{{contact.attrs}}", "age": "{{vars.age}}", "ok": "{{vars.ok}}"},
	}
	req := render(t, a, Input{
		Contact: map[string]any{"tags": []string{"a", "b"}, "attrs": map[string]string{"k": "v"}},
		Vars:    map[string]any{"age": int32(41), "ok": true},
	})
	want := "age=41&attrs=%7B%22k%22%3A%22v%22%7D&ok=true&tags=a&tags=b"
	if req.URL.RawQuery != want {
		t.Errorf("query\n got %s\nwant %s", req.URL.RawQuery, want)
	}
}

func TestNormalizeNested(t *testing.T) {
	prm := &action.Param{Type: "array", Items: &action.Param{Type: "object"}}
	if _, err := normalize([]any{map[string]any{"k": []any{1.0, "x", nil}}}, prm, "argument a"); err != nil {
		t.Errorf("valid nested value refused: %v", err)
	}
	_, err := normalize([]any{map[string]any{"k": []any{math.Inf(1)}}}, prm, "argument a")
	if err == nil || err.Error() != "argument a[0].k[0] must be a finite number" {
		t.Errorf("error = %v", err)
	}
	_, err = normalize([]any{"x"}, prm, "argument a")
	if err == nil || err.Error() != "argument a[0] must be an object" {
		t.Errorf("error = %v", err)
	}
	_, err = normalize("x", &action.Param{Type: "date"}, "argument d")
	if err == nil || err.Error() != `argument d has unsupported param type "date"` {
		t.Errorf("error = %v", err)
	}
}
