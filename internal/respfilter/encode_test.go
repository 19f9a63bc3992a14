package respfilter

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestEncodingIsCompactSortedAndEscaped(t *testing.T) {
	f := newFilter(t)
	body := []byte("{\"z\": 1, \"a\": {\"y\": [1, 2], \"b\": \"<tag> & \\\"q\\\" \\n \\u0001\"}, \"m\": \"bad \xff byte\"}")
	res, err := f.Apply(context.Background(), "application/json", body, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":{"b":"<tag> & \"q\" \n \u0001","y":[1,2]},"m":"bad � byte","z":1}`
	if res.Output != want {
		t.Errorf("got  %s\nwant %s", res.Output, want)
	}
	mustJSON(t, res.Output)
	if got := string(appendString(nil, "a\xffb\u2028")); got != "\"a\\ufffdb\u2028\"" {
		t.Errorf("appendString with invalid UTF-8 = %s", got)
	}
}

func TestMaxItems(t *testing.T) {
	f := newFilter(t)
	body := []byte(`{"labels":["a","b","c","d"],"grid":[[1,2,3],[4]],"n":1}`)
	res, err := f.Apply(context.Background(), "application/json", body, Options{MaxItems: 2})
	if err != nil {
		t.Fatal(err)
	}
	// labels is the main list (the longest); grid's first row is cut inside
	// an array, so it is wrapped to carry its note.
	want := `{"grid":[{"items":[1,2],"_truncated":"showing 2 of 3 items"},[4]],"labels":["a","b"],"n":1,"_truncated":"labels: showing 2 of 4 items"}`
	if res.Output != want {
		t.Errorf("got  %s\nwant %s", res.Output, want)
	}
	if !res.Truncated || res.Note != "showing 2 of 4 items; 1 other array shortened" {
		t.Errorf("Truncated = %v, Note = %q", res.Truncated, res.Note)
	}
	res, err = f.Apply(context.Background(), "application/json", []byte(`[1,2,3,4,5]`), Options{MaxItems: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"items":[1,2,3],"_truncated":"showing 3 of 5 items"}`; res.Output != want {
		t.Errorf("root array: got %s, want %s", res.Output, want)
	}
}

func TestMaxStringCutsOnRuneBoundary(t *testing.T) {
	f := newFilter(t)
	body := []byte(`{"s":"héllo wörld 日本語","short":"ok"}`)
	res, err := f.Apply(context.Background(), "application/json", body, Options{MaxString: 8})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"s":"héllo wö…[7 more chars]","short":"ok"}`; res.Output != want {
		t.Errorf("got %s, want %s", res.Output, want)
	}
	if res.Note != "1 string shortened" {
		t.Errorf("Note = %q", res.Note)
	}
}

// TestBudgetAlwaysHolds filters the same payload under many budgets: the
// output must be valid JSON within budget, saying what it cut.
func TestBudgetAlwaysHolds(t *testing.T) {
	f := newFilter(t)
	var c goldenCase
	for _, gc := range loadCases(t) {
		if gc.Name == "issues_defaults" {
			c = gc
		}
	}
	for _, budget := range []int{60, 120, 250, 500, 1000, 3000} {
		res, err := f.Apply(context.Background(), "application/json", c.body, Options{MaxTokens: budget, Compact: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.OutputTokens > budget {
			t.Errorf("budget %d: %d tokens", budget, res.OutputTokens)
		}
		mustJSON(t, res.Output)
		if !strings.Contains(res.Output, `"_truncated":"showing `) && !strings.Contains(res.Output, `"_truncated":"all 30 items; left out: `) {
			t.Errorf("budget %d: output does not say what was cut: %.200s", budget, res.Output)
		}
		if !res.Truncated || res.Rest == nil {
			t.Errorf("budget %d: Truncated = %v, Rest nil = %v", budget, res.Truncated, res.Rest == nil)
		}
	}
}

func TestBudgetShrinksStringsThenDepthThenFields(t *testing.T) {
	f := newFilter(t)
	long := strings.Repeat("word ", 400)
	body := fmt.Sprintf(`{"note":%q,"deep":{"a":{"b":{"c":{"d":[1,2,3]}}}}}`, long)
	res, err := f.Apply(context.Background(), "application/json", []byte(body), Options{MaxTokens: 80})
	if err != nil {
		t.Fatal(err)
	}
	// The object is a record, so its long text is cut to an excerpt first.
	if res.OutputTokens > 80 || !strings.Contains(res.Output, `word…","deep"`) || !strings.Contains(res.Note, "long text cut") {
		t.Errorf("string not shortened within budget (%d tokens): %s", res.OutputTokens, res.Output)
	}
	// A very wide object under a tiny budget loses fields and says so.
	var b strings.Builder
	b.WriteString("{")
	for i := range 300 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"field_%03d":{"v":%d}`, i, i)
	}
	b.WriteString("}")
	res, err = f.Apply(context.Background(), "application/json", []byte(b.String()), Options{MaxTokens: 60})
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, res.Output)
	if res.OutputTokens > 60 || !strings.Contains(res.Output, `"field_000":`) || !strings.Contains(res.Output, "left out: ") {
		t.Errorf("wide object not cut within budget (%d tokens): %s", res.OutputTokens, res.Output)
	}
	// Deep nesting collapses to summaries before fields are dropped.
	res, err = f.Apply(context.Background(), "application/json", []byte(`{"a":{"b":{"c":{"d":{"e":{"f":"`+strings.Repeat("x ", 300)+`"}}}}},"z":1}`), Options{MaxTokens: 30})
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, res.Output)
	if res.OutputTokens > 30 {
		t.Errorf("deep object over budget (%d tokens): %s", res.OutputTokens, res.Output)
	}
}
