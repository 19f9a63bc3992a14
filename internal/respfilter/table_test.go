package respfilter

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/redact"
)

// tableRecords rebuilds the records of a decoded table: one object per
// row, without the fields whose cell is null. A cell holding a cut array
// ({"items":[...],"_truncated":...}) becomes the array, its note moving to
// the record's _truncated, where the JSON format puts it.
func tableRecords(t *testing.T, v any) []any {
	t.Helper()
	tab, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("not a table: %v", v)
	}
	fields, ok1 := tab["fields"].([]any)
	rows, ok2 := tab["rows"].([]any)
	if !ok1 || !ok2 {
		t.Fatalf("table without fields and rows: %v", v)
	}
	recs := make([]any, len(rows))
	for i, r := range rows {
		if r == nil {
			continue
		}
		cells, ok := r.([]any)
		if !ok || len(cells) != len(fields) {
			t.Fatalf("row %d has %v cells, want %d: %v", i, len(cells), len(fields), r)
		}
		rec := map[string]any{}
		var notes []string
		for j, c := range cells {
			if c == nil {
				continue
			}
			k := fields[j].(string)
			if w, ok := c.(map[string]any); ok && len(w) == 2 && w["items"] != nil && w[truncatedKey] != nil {
				if _, isList := w["items"].([]any); isList {
					c = w["items"]
					notes = append(notes, k+": "+w[truncatedKey].(string))
				}
			}
			rec[k] = c
		}
		if len(notes) > 0 {
			rec[truncatedKey] = strings.Join(notes, "; ")
		}
		recs[i] = rec
	}
	return recs
}

// issues reads the code host's issues payload.
func issues(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "payloads", "github_issues.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encodeBoth writes body's tree under sh in JSON and in table format.
func encodeBoth(t *testing.T, body string, sh shape) (jsonOut, tableOut any) {
	t.Helper()
	tr, err := parseTree(body, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	path, on := findMain(tr.root)
	var e encoder
	for _, table := range []bool{false, true} {
		out, _ := e.encode(tr.root, sh, paging{on: on, path: path, total: len(mainArray(tr.root, path)), table: table})
		if table {
			tableOut = mustJSON(t, string(out))
		} else {
			jsonOut = mustJSON(t, string(out))
		}
	}
	return jsonOut, tableOut
}

func TestTableRoundTripsTheRecords(t *testing.T) {
	body := string(issues(t))
	for _, sh := range []shape{
		{list: unlimited, items: unlimited, str: unlimited, depth: unlimited, fields: unlimited},
		// Cut rows, strings, nested arrays and deep branches.
		{list: 2, items: 2, str: 30, depth: 2, fields: unlimited},
	} {
		t.Run(fmt.Sprintf("items %d str %d", sh.items, sh.str), func(t *testing.T) {
			jsonOut, tableOut := encodeBoth(t, body, sh)
			want := jsonOut
			if w, ok := jsonOut.(map[string]any); ok {
				// A cut root array is wrapped; so is the table, with the same note.
				want = w["items"]
				if got := tableOut.(map[string]any)[truncatedKey]; got != w[truncatedKey] {
					t.Errorf("table note %q, JSON note %q", got, w[truncatedKey])
				}
			}
			got := tableRecords(t, tableOut)
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("records differ:\ntable %s\njson  %s", g, w)
			}
		})
	}
}

func TestTableThroughApplyMatchesJSON(t *testing.T) {
	f := newFilter(t)
	body := issues(t)
	o := Options{MaxItems: 100, MaxTokens: 100_000, Compact: true}
	jres, err := f.Apply(context.Background(), "application/json", body, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Format = action.FormatTable
	tres, err := f.Apply(context.Background(), "application/json", body, o)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tableRecords(t, mustJSON(t, tres.Output)), mustJSON(t, jres.Output); !reflect.DeepEqual(got, want) {
		t.Errorf("records differ:\ntable %s\njson  %s", tres.Output, jres.Output)
	}
	if tres.OutputTokens >= jres.OutputTokens {
		t.Errorf("table %d tokens, JSON %d", tres.OutputTokens, jres.OutputTokens)
	}
}

// records builds n uniform records of 8 fields.
func records(n int) []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"number":%d,"title":"Checkout fails for order %d","state":"open","author":"user%d","comments":%d,"created_at":"2026-11-%02dT10:00:00Z","priority":"p%d"}`,
			9000+i, 100+i, i, i%7, i%5, 1+i%28, i%3)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

func TestTableCutRowsCarryTheNote(t *testing.T) {
	f := newFilter(t)
	o := Options{MaxItems: 10, Compact: true, Format: action.FormatTable, MoreHint: `call more_results with handle "h1"`}
	res, err := f.Apply(context.Background(), "application/json", records(30), o)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Fields    []string `json:"fields"`
		Rows      [][]any  `json:"rows"`
		Truncated string   `json:"_truncated"`
	}
	if err := json.Unmarshal([]byte(res.Output), &out); err != nil {
		t.Fatalf("%v: %s", err, res.Output)
	}
	wantFields := []string{"author", "comments", "created_at", "id", "number", "priority", "state", "title"}
	if !reflect.DeepEqual(out.Fields, wantFields) {
		t.Errorf("fields = %v, want %v", out.Fields, wantFields)
	}
	if len(out.Rows) != 10 {
		t.Errorf("%d rows, want 10", len(out.Rows))
	}
	if want := `showing 10 of 30 items; call more_results with handle "h1"`; out.Truncated != want {
		t.Errorf("note %q, want %q", out.Truncated, want)
	}
	if !strings.HasSuffix(res.Output, `"_truncated":"showing 10 of 30 items; call more_results with handle \"h1\""}`) {
		t.Errorf("the note is not the table's last field: %s", res.Output)
	}
	if !res.Truncated || res.Rest == nil || !strings.Contains(res.Note, "showing 10 of 30 items") {
		t.Errorf("truncated %v, rest %v, note %q", res.Truncated, res.Rest != nil, res.Note)
	}
}

func TestTableNestedMainList(t *testing.T) {
	f := newFilter(t)
	body := []byte(`{"data":` + string(records(30)) + `,"has_more":true,"object":"list"}`)
	o := Options{MaxItems: 5, Compact: true, Format: action.FormatTable}
	res, err := f.Apply(context.Background(), "application/json", body, o)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(res.Output), &out); err != nil {
		t.Fatalf("%v: %s", err, res.Output)
	}
	if out["has_more"] != true || out["object"] != "list" {
		t.Errorf("the other fields changed: %s", res.Output)
	}
	if recs := tableRecords(t, out["data"]); len(recs) != 5 || recs[0].(map[string]any)["title"] != "Checkout fails for order 0" {
		t.Errorf("data: %v", recs)
	}
	if got := out[truncatedKey]; got != "data: showing 5 of 30 items" {
		t.Errorf("parent note %q: %s", got, res.Output)
	}
	if _, ok := out["data"].(map[string]any)[truncatedKey]; ok {
		t.Errorf("a nested table carries its own note: %s", res.Output)
	}
}

func TestTablePagingThroughNext(t *testing.T) {
	f := newFilter(t)
	body := []byte(`{"data":` + string(records(40)) + `}`)
	o := Options{MaxItems: 50, MaxTokens: 250, Compact: true, Format: action.FormatTable, MoreHint: `call more_results with handle "h2"`}
	pages := pageAll(t, f, "application/json", body, o)
	if len(pages) < 2 {
		t.Fatalf("%d pages: the budget does not force paging", len(pages))
	}
	var ids []int
	for n, p := range pages {
		if p.OutputTokens > o.MaxTokens {
			t.Errorf("page %d: %d tokens over %d", n, p.OutputTokens, o.MaxTokens)
		}
		out := mustJSON(t, p.Output).(map[string]any)
		for _, r := range tableRecords(t, out["data"]) {
			// The reduction keeps each record's number, its identifier.
			id, err := strconv.Atoi(fmt.Sprint(r.(map[string]any)["number"]))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		note, _ := out[truncatedKey].(string)
		if last := n == len(pages)-1; strings.Contains(note, "more_results") == last {
			t.Errorf("page %d (last %v): note %q", n, last, note)
		}
	}
	for i, id := range ids {
		if id != 100+i {
			t.Fatalf("numbers across pages = %v, want 100..139 once each in order", ids)
		}
	}
	if len(ids) != 40 {
		t.Errorf("%d records across the pages, want 40", len(ids))
	}
}

func TestTableStringsStayExact(t *testing.T) {
	f := newFilter(t)
	values := []string{
		`she said "stop"`,
		"line one\nline two\ttabbed\\slash",
		"naïve café, 東京, emoji 🚀",
		"control \u0001 char",
		"</script><b>&amp;</b>",
	}
	var items []string
	for i, v := range values {
		b, _ := json.Marshal(v)
		items = append(items, fmt.Sprintf(`{"id":%d,"text":%s}`, i, b))
	}
	body := []byte("[" + strings.Join(items, ",") + "]")
	res, err := f.Apply(context.Background(), "application/json", body, Options{Compact: true, Format: action.FormatTable})
	if err != nil {
		t.Fatal(err)
	}
	recs := tableRecords(t, mustJSON(t, res.Output))
	for i, v := range values {
		if got := recs[i].(map[string]any)["text"]; got != v {
			t.Errorf("row %d: %q, want %q", i, got, v)
		}
	}
	// A cut string is cut on a rune boundary and says how much it lost.
	res, err = f.Apply(context.Background(), "application/json", body, Options{Compact: true, MaxString: 8, Format: action.FormatTable})
	if err != nil {
		t.Fatal(err)
	}
	recs = tableRecords(t, mustJSON(t, res.Output))
	if got, want := recs[2].(map[string]any)["text"], "naïve ca…[15 more chars]"; got != want {
		t.Errorf("cut string %q, want %q", got, want)
	}
}

func TestTableOnlyForListsOfObjects(t *testing.T) {
	f := newFilter(t)
	for _, c := range []struct{ body, want string }{
		{`[1,2,3]`, `[1,2,3]`},
		{`["a","b"]`, `["a","b"]`},
		{`[{"a":1},2]`, `[{"a":1},2]`},
		{`[[1],[2]]`, `[[1],[2]]`},
		{`[null,null]`, `[null,null]`},
		{`[]`, `[]`},
		{`{"a":1}`, `{"a":1}`},
		{`{"tags":["x","y"],"total":2}`, `{"tags":["x","y"],"total":2}`},
		// A null item is a null row; a missing field a null cell.
		{`[{"a":1,"b":"x"},null,{"c":true,"a":2}]`, `{"fields":["a","b","c"],"rows":[[1,"x",null],null,[2,null,true]]}`},
		// Only the main list becomes a table: a list inside a record stays JSON.
		{`[{"id":1,"tags":[{"n":"x"}]}]`, `{"fields":["id","tags"],"rows":[[1,[{"n":"x"}]]]}`},
	} {
		res, err := f.Apply(context.Background(), "application/json", []byte(c.body), Options{Format: action.FormatTable})
		if err != nil {
			t.Fatal(err)
		}
		if res.Output != c.want {
			t.Errorf("%s → %s, want %s", c.body, res.Output, c.want)
		}
	}
}

func TestTableFieldOrder(t *testing.T) {
	tr, err := parseTree(`[{"b":1,"a":2},{"z":1,"c":2,"a":3},{"d":4,"b":5}]`, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tableFields(tr.root.([]any)), []string{"a", "b", "c", "z", "d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func TestTableFieldCapAndDepth(t *testing.T) {
	tr, err := parseTree(`[{"a":1,"b":{"x":{"y":1}},"c":3},{"a":4,"c":6}]`, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var e encoder
	out, st := e.encode(tr.root, shape{list: unlimited, items: unlimited, str: unlimited, depth: 2, fields: 2}, paging{on: true, total: 2, table: true})
	want := `{"fields":["a","b"],"rows":[[1,{"x":"{1 fields omitted}"}],[4,null]],"_truncated":"showing 2 of 3 fields"}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if st.objectsCut != 2 || st.branchesCut != 1 {
		t.Errorf("stats %+v: want both rows cut to fewer fields and one branch omitted", st)
	}
}

// TestTableCutsNeverSplitAMask cuts a masked value in a table cell at
// every position of its mask: the cell goes through the same cutter as a
// JSON string, so the mask is kept whole or dropped whole.
func TestTableCutsNeverSplitAMask(t *testing.T) {
	f := newFilter(t)
	for pad := 1; pad <= 6; pad++ {
		value := strings.Repeat("x", pad) + redact.Mask + "yz"
		body := []byte(`[{"id":1,"token":"` + value + `"}]`)
		res, err := f.Apply(context.Background(), "application/json", body, Options{MaxString: 4, Format: action.FormatTable})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(res.Output, `{"fields":["id","token"]`) {
			t.Fatalf("not a table: %s", res.Output)
		}
		if n := strings.Count(res.Output, "•"); n != 0 && n != 4 {
			t.Errorf("%d before the mask: the mask was cut: %s", pad, res.Output)
		}
	}
}

// TestTableSavesTokens compares the tokens of the same records in both
// formats. Run with -v for the figures.
func TestTableSavesTokens(t *testing.T) {
	f := newFilter(t)
	uniform := records(30)
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"30 uniform records of 8 fields", uniform},
		{"30 code host issues", issues(t)},
	} {
		tokens := map[string]int{}
		for _, format := range []string{action.FormatJSON, action.FormatTable} {
			res, err := f.Apply(context.Background(), "application/json", c.body, Options{MaxItems: 30, MaxTokens: 100_000, Compact: true, Format: format})
			if err != nil {
				t.Fatal(err)
			}
			tokens[format] = res.OutputTokens
		}
		saved := 100 * float64(tokens[action.FormatJSON]-tokens[action.FormatTable]) / float64(tokens[action.FormatJSON])
		t.Logf("%s: json %d tokens, table %d tokens (%.0f%% fewer)", c.name, tokens[action.FormatJSON], tokens[action.FormatTable], saved)
		if c.name == "30 uniform records of 8 fields" && tokens[action.FormatTable] >= tokens[action.FormatJSON] {
			t.Errorf("table %d tokens, json %d", tokens[action.FormatTable], tokens[action.FormatJSON])
		}
	}
	// Within the default budget the table shows more of the records.
	for _, format := range []string{action.FormatJSON, action.FormatTable} {
		res, err := f.Apply(context.Background(), "application/json", records(50), Options{MaxItems: 50, MaxTokens: 600, Compact: true, Format: format})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("50 uniform records within 600 tokens, %s: %s", format, res.Note)
	}
}

// BenchmarkFormats filters the sized bodies, and two of the code host's
// issues (7 KB), in both formats under the default options.
func BenchmarkFormats(b *testing.B) {
	f := newFilter(b)
	var list []any
	if err := json.Unmarshal(issues(b), &list); err != nil {
		b.Fatal(err)
	}
	two, err := json.Marshal(list[:2])
	if err != nil {
		b.Fatal(err)
	}
	payloads := append(sizedPayloads(b), benchPayload{name: "json 7 KB", contentType: "application/json", body: two})
	for _, p := range payloads {
		for _, format := range []string{action.FormatJSON, action.FormatTable} {
			o := OptionsFrom(action.ResponseFilter{Format: format})
			b.Run(strings.ReplaceAll(p.name, " ", "_")+"_"+format, func(b *testing.B) {
				b.SetBytes(int64(len(p.body)))
				for b.Loop() {
					if _, err := f.Apply(context.Background(), p.contentType, p.body, o); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
