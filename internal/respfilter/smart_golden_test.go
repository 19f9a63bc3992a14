package respfilter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/respfilter/respfiltertest"
)

// The target of smart defaults on a page of 30 records: with no response
// section, at least smartMinKept records within the default budget.
const (
	smartMinKept = 20
	// smartMinExcerpt is the fewest characters a shortened string keeps:
	// fewer would name nothing a model can use.
	smartMinExcerpt = 24
	// smartMinHash is the fewest digits an id that is a 40-digit hash (a
	// commit's sha) may be abbreviated to, as git abbreviates it; the
	// abbreviations must still differ within the page.
	smartMinHash = 7
)

// smartPage is one page filtered with the default options, and what its
// output shows.
type smartPage struct {
	res *Result
	// records are the items of the main list in the output, as objects
	// (a table's rows are turned back into objects).
	records []map[string]any
	// fields counts the fields of the first record (a table's columns).
	fields int
	// note is the "_truncated" note next to the main list, or "" when the
	// output has none.
	note string
}

// filterPage filters an API's page with the defaults of an action that has
// no response section, written in format.
func filterPage(tb testing.TB, f *Filter, api respfiltertest.API, format string) smartPage {
	tb.Helper()
	res, err := f.Apply(context.Background(), "application/json; charset=utf-8", api.Body, OptionsFrom(action.ResponseFilter{Format: format}))
	if err != nil {
		tb.Fatalf("%s (%s): Apply: %v", api.Name, format, err)
	}
	p := smartPage{res: res}
	if p.records, p.fields, p.note, err = outputRecords(res.Output, api.List); err != nil {
		tb.Fatalf("%s (%s): reading the output: %v\n%s", api.Name, format, err, res.Output)
	}
	return p
}

// TestSmartGolden filters each realistic page of 30 records with the
// defaults alone, as JSON and as a table, and checks what a model needs:
// the page within the budget, at least 20 records kept, each with its id
// (a commit's sha may be abbreviated as git does) and its essentials (a
// nested object may be collapsed to its label and a text shortened to a
// prefix), an excerpt of its text, when kept, that is the text's start,
// and a note saying what was left out. The
// outputs, indented, are compared with testdata/smart; -update rewrites
// them when every check passes.
func TestSmartGolden(t *testing.T) {
	f := newFilter(t)
	for _, api := range respfiltertest.APIs() {
		t.Run(api.Name, func(t *testing.T) {
			items := pageItems(t, api)
			j := filterPage(t, f, api, action.FormatJSON)
			checkSmart(t, f, api, "json", items, j)
			tab := filterPage(t, f, api, action.FormatTable)
			checkSmart(t, f, api, "table", items, tab)
			// A table's rows cost less, so it keeps more records, or the
			// same records with more of their fields.
			if tab.res.RecordsKept < j.res.RecordsKept && tab.fields <= j.fields {
				t.Errorf("%s: the table keeps %d records of %d fields, JSON %d of %d", api.Name, tab.res.RecordsKept, tab.fields, j.res.RecordsKept, j.fields)
			}
			compareSmartGolden(t, api.Name+".json", j.res.Output)
			compareSmartGolden(t, api.Name+".table.json", tab.res.Output)
		})
	}
}

// checkSmart checks one filtered page against the target. The records
// shown are the first of the page, in order, so the i-th record of the
// output is checked against the i-th item.
func checkSmart(t *testing.T, f *Filter, api respfiltertest.API, format string, items []any, p smartPage) {
	t.Helper()
	res := p.res
	budget := action.DefaultMaxTokens
	if res.OutputTokens > budget {
		t.Errorf("%s (%s): output has %d tokens, budget %d", api.Name, format, res.OutputTokens, budget)
	}
	if got := f.tok.Count(res.Output); got != res.OutputTokens {
		t.Errorf("%s (%s): OutputTokens = %d, counting the output gives %d", api.Name, format, res.OutputTokens, got)
	}
	if res.RecordsTotal != len(items) {
		t.Errorf("%s (%s): RecordsTotal = %d, want %d", api.Name, format, res.RecordsTotal, len(items))
	}
	if res.RecordsKept < smartMinKept {
		t.Errorf("%s (%s): keeps %d of %d records, want at least %d (note %q)", api.Name, format, res.RecordsKept, len(items), smartMinKept, res.Note)
	}
	if len(p.records) != res.RecordsKept {
		t.Errorf("%s (%s): the output shows %d records, RecordsKept = %d", api.Name, format, len(p.records), res.RecordsKept)
	}
	ids := map[string]int{}
	for i, rec := range p.records {
		if i >= len(items) {
			break
		}
		if id, ok := lookup(rec, pathOf(api.ID)); ok {
			if j, seen := ids[valueText(id)]; seen {
				t.Errorf("%s (%s): records %d and %d show the same id %v", api.Name, format, j, i+1, id)
			}
			ids[valueText(id)] = i + 1
		}
		for _, miss := range missingEssentials(items[i], rec, api) {
			t.Errorf("%s (%s): record %d lost %s", api.Name, format, i+1, miss)
		}
	}
	checkSmartNote(t, api, format, p)
}

// checkSmartNote checks that the output says in one line what it left out.
func checkSmartNote(t *testing.T, api respfiltertest.API, format string, p smartPage) {
	t.Helper()
	res := p.res
	if !res.Truncated {
		return
	}
	if p.note == "" {
		t.Errorf("%s (%s): the output was cut but has no _truncated note next to its list:\n%s", api.Name, format, res.Output)
		return
	}
	if strings.Contains(p.note, "\n") {
		t.Errorf("%s (%s): the note is more than one line: %q", api.Name, format, p.note)
	}
	if res.RecordsKept < res.RecordsTotal {
		for _, n := range []int{res.RecordsKept, res.RecordsTotal} {
			if !regexp.MustCompile(`\b` + strconv.Itoa(n) + `\b`).MatchString(p.note) {
				t.Errorf("%s (%s): the note %q does not say %d (records kept %d of %d)", api.Name, format, p.note, n, res.RecordsKept, res.RecordsTotal)
			}
		}
	}
}

// compareSmartGolden compares an output, indented, with its golden file,
// or writes it under -update when the test has not failed.
func compareSmartGolden(t *testing.T, name, out string) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(out), "", "  "); err != nil {
		t.Fatalf("%s: output is not JSON: %v", name, err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", "smart", name)
	if *update {
		if t.Failed() {
			t.Errorf("%s: not written: the checks above failed", path)
			return
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Errorf("golden file missing: %s: run with -update", path)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s (run with -update to accept):\n%s", path, buf.String())
	}
}

// TestSmartFigures logs, with -v, one markdown row per API for
// docs/benchmarks.md: raw tokens of the page, then records kept, output
// tokens and fields of the first record (kept of total) as JSON, then
// records kept and output tokens as a table. Records kept are those the
// output shows.
func TestSmartFigures(t *testing.T) {
	f := newFilter(t)
	t.Log("| API | raw tokens | records kept (json) | tokens (json) | fields of the first record (json) | records kept (table) | tokens (table) |")
	t.Log("|---|---:|---:|---:|---:|---:|---:|")
	for _, api := range respfiltertest.APIs() {
		items := pageItems(t, api)
		total := 0
		if first, ok := items[0].(map[string]any); ok {
			total = len(first)
		}
		j := filterPage(t, f, api, action.FormatJSON)
		tab := filterPage(t, f, api, action.FormatTable)
		t.Logf("| %s `%s` | %d | %d of %d | %d | %d of %d | %d of %d | %d |", api.Name, api.Endpoint,
			f.tok.Count(string(api.Body)), len(j.records), len(items), j.res.OutputTokens, j.fields, total,
			len(tab.records), len(items), tab.res.OutputTokens)
	}
}

// decodeJSON decodes one JSON value keeping numbers' text.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// pageItems returns the items of an API's page, decoded.
func pageItems(tb testing.TB, api respfiltertest.API) []any {
	tb.Helper()
	v, err := decodeJSON(api.Body)
	if err != nil {
		tb.Fatalf("%s: the page is not JSON: %v", api.Name, err)
	}
	for _, k := range pathOf(api.List) {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	items, ok := v.([]any)
	if !ok || len(items) != respfiltertest.Items {
		tb.Fatalf("%s: no list of %d items at %q", api.Name, respfiltertest.Items, api.List)
	}
	return items
}

// pathOf splits a dotted path; "" is the root.
func pathOf(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

// outputRecords finds the main list in a filtered output at list (a dotted
// path, "" for the root) and returns its records, the number of fields of
// the first one, and the note next to it. The list may be a bare array,
// the {"items":[...],"_truncated":...} of a cut array, or a table
// {"fields":[...],"rows":[...]}.
func outputRecords(out, list string) ([]map[string]any, int, string, error) {
	v, err := decodeJSON([]byte(out))
	if err != nil {
		return nil, 0, "", err
	}
	note := ""
	for _, k := range pathOf(list) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, 0, "", fmt.Errorf("no object holding %q", k)
		}
		if s, ok := m["_truncated"].(string); ok {
			note = s
		}
		v = m[k]
	}
	if m, ok := v.(map[string]any); ok {
		if s, ok := m["_truncated"].(string); ok {
			note = s
		}
		switch {
		case m["rows"] != nil:
			return smartTableRecords(m, note)
		case m["items"] != nil:
			v = m["items"]
		}
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, 0, "", fmt.Errorf("no list at %q", list)
	}
	recs := make([]map[string]any, len(arr))
	for i, e := range arr {
		if recs[i], ok = e.(map[string]any); !ok {
			return nil, 0, "", fmt.Errorf("record %d is not an object", i+1)
		}
	}
	fields := 0
	if len(recs) > 0 {
		fields = len(recs[0])
		if _, ok := recs[0]["_truncated"]; ok {
			fields--
		}
	}
	return recs, fields, note, nil
}

// smartTableRecords turns a table's rows back into objects.
func smartTableRecords(m map[string]any, note string) ([]map[string]any, int, string, error) {
	names, ok := m["fields"].([]any)
	rows, ok2 := m["rows"].([]any)
	if !ok || !ok2 {
		return nil, 0, "", errors.New(`a table needs "fields" and "rows" arrays`)
	}
	recs := make([]map[string]any, len(rows))
	for i, r := range rows {
		row, ok := r.([]any)
		if !ok || len(row) != len(names) {
			return nil, 0, "", fmt.Errorf("row %d is not an array of %d values", i+1, len(names))
		}
		recs[i] = map[string]any{}
		for j, n := range names {
			name, ok := n.(string)
			if !ok {
				return nil, 0, "", fmt.Errorf("field %d of the table is not a string", j+1)
			}
			if row[j] != nil {
				recs[i][name] = row[j]
			}
		}
	}
	return recs, len(names), note, nil
}

// missingEssentials lists what a record of the output lost of the item it
// shows: its id, then each essential the item has a value for, then its
// excerpt when the record kept one that is not the start of the text.
func missingEssentials(item any, rec map[string]any, api respfiltertest.API) []string {
	var missing []string
	check := func(what, p string, exact bool) {
		want, ok := lookup(item, pathOf(p))
		if !ok || want == nil || want == "" {
			return
		}
		if !carries(rec, pathOf(p), want, exact) {
			missing = append(missing, fmt.Sprintf("%s %s = %s (record: %s)", what, p, brief(want), brief(rec)))
		}
	}
	check("id", api.ID, true)
	for _, p := range api.Essentials {
		if p != api.ID {
			check("essential", p, false)
		}
	}
	if api.Excerpt != "" && hasField(rec, pathOf(api.Excerpt)) {
		check("excerpt", api.Excerpt, false)
	}
	return missing
}

// hasField reports whether a record holds a field at path, nested or under a
// flattened dotted key.
func hasField(rec map[string]any, path []string) bool {
	if _, ok := rec[strings.Join(path, ".")]; ok {
		return true
	}
	_, ok := lookup(rec, path)
	return ok
}

// lookup returns the value at a path of objects.
func lookup(v any, path []string) (any, bool) {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// carries reports whether v still holds want at path: under the nested
// keys, or under a flattened dotted key ("user.login"), or in a string a
// nested object was collapsed to (its label), or in an element of an
// array. A string may be shortened to a prefix unless exact.
func carries(v any, path []string, want any, exact bool) bool {
	if len(path) == 0 {
		return sameJSON(v, want, exact)
	}
	switch x := v.(type) {
	case map[string]any:
		for i := len(path); i >= 1; i-- {
			if sub, ok := x[strings.Join(path[:i], ".")]; ok && carries(sub, path[i:], want, exact) {
				return true
			}
		}
	case string:
		return strings.Contains(x, valueText(want))
	case []any:
		for _, e := range x {
			if carries(e, path, want, exact) {
				return true
			}
		}
	}
	return false
}

// sameJSON reports whether got shows want: the same number, bool or
// string; a hash abbreviated to smartMinHash digits or more; or, unless
// exact, a date cut to the day, or a string shortened to a prefix of at
// least smartMinExcerpt characters (or the whole string) of its text
// without Markdown, whitespace aside.
func sameJSON(got, want any, exact bool) bool {
	if g, ok := got.(json.Number); ok {
		return g.String() == valueText(want)
	}
	g, ok := got.(string)
	w, wok := want.(string)
	if !ok || !wok {
		if ok {
			return g == valueText(want)
		}
		return fmt.Sprint(got) == fmt.Sprint(want)
	}
	if g == w {
		return true
	}
	if exact {
		return isSHA1(w) && len(g) >= smartMinHash && strings.HasPrefix(w, g)
	}
	// A date may be cut to the day.
	if len(g) == 10 && isDateValue(&leaf{text: w}) && strings.HasPrefix(w, g) {
		return true
	}
	ellipsis := regexp.MustCompile(`\s*(…|\.\.\.)(\[\d+ more chars\])?$`)
	g = strings.Join(strings.Fields(ellipsis.ReplaceAllString(g, "")), " ")
	// An excerpt may read the text without its Markdown.
	for _, text := range []string{w, plainText(w), flatten(w, maxExcerpt)} {
		text = strings.Join(strings.Fields(text), " ")
		if strings.HasPrefix(text, g) && (g == text || utf8.RuneCountInString(g) >= min(smartMinExcerpt, utf8.RuneCountInString(text))) {
			return true
		}
	}
	return false
}

// isSHA1 reports whether s is a 40-digit hex hash, such as a commit's sha.
func isSHA1(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// valueText returns a scalar's text: a string itself, a number its digits.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// brief returns a value as JSON of at most 200 bytes, for messages.
func brief(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// TestSmartChecks checks the checks of TestSmartGolden on outputs reduced
// by hand: a page in each shape the output may take passes (a cut array,
// a nested table, users collapsed to their login, bodies shortened), and
// each way of losing an essential fails, naming it.
func TestSmartChecks(t *testing.T) {
	apis := respfiltertest.APIs()
	issues, charges := apis[0], apis[4]
	if issues.Name != "github_issues" || charges.Name != "stripe_charges" {
		t.Fatalf("APIs lists %s and %s first, want github_issues and stripe_charges", issues.Name, charges.Name)
	}
	issueItems, chargeItems := pageItems(t, issues), pageItems(t, charges)
	// reduce keeps an item's id, essentials and excerpt, collapsing a
	// nested essential to its value and shortening the excerpt.
	reduce := func(api respfiltertest.API, item any) map[string]any {
		rec := map[string]any{}
		for _, p := range append([]string{api.ID, api.Excerpt}, api.Essentials...) {
			v, ok := lookup(item, pathOf(p))
			if p == "" || !ok || v == nil {
				continue
			}
			if s, ok := v.(string); ok && p == api.Excerpt && utf8.RuneCountInString(s) > 40 {
				v = string([]rune(s)[:40]) + "…"
			}
			rec[pathOf(p)[0]] = v
		}
		return rec
	}
	var recs []any
	for _, it := range issueItems[:22] {
		recs = append(recs, reduce(issues, it))
	}
	out := mustMarshal(t, map[string]any{"items": recs, "_truncated": "showing 22 of 30 items"})
	got, fields, note, err := outputRecords(out, issues.List)
	if err != nil || len(got) != 22 || note != "showing 22 of 30 items" || fields != 6 {
		t.Fatalf("cut array: %d records, %d fields, note %q, %v", len(got), fields, note, err)
	}
	for i, rec := range got {
		if miss := missingEssentials(issueItems[i], rec, issues); len(miss) > 0 {
			t.Errorf("issue %d, reduced by hand, is said to lose %v", i+1, miss)
		}
	}

	names := append([]string{charges.ID}, charges.Essentials[1:]...)
	names = append(names, charges.Excerpt)
	var rows []any
	for _, it := range chargeItems[:21] {
		rec := reduce(charges, it)
		row := make([]any, len(names))
		for j, n := range names {
			row[j] = rec[n]
		}
		rows = append(rows, row)
	}
	out = mustMarshal(t, map[string]any{"data": map[string]any{"fields": names, "rows": rows}, "has_more": true, "_truncated": "data: showing 21 of 30 items"})
	got, fields, note, err = outputRecords(out, charges.List)
	if err != nil || len(got) != 21 || note != "data: showing 21 of 30 items" || fields != len(names) {
		t.Fatalf("nested table: %d records, %d fields, note %q, %v", len(got), fields, note, err)
	}
	for i, rec := range got {
		if miss := missingEssentials(chargeItems[i], rec, charges); len(miss) > 0 {
			t.Errorf("charge %d, reduced by hand, is said to lose %v", i+1, miss)
		}
	}

	first := issueItems[0].(map[string]any)
	body := first["body"].(string)
	for _, c := range []struct {
		name, field string
		value       any
		want        string
	}{
		{"another number", "number", json.Number("1"), "id number"},
		{"no title", "title", nil, "essential title"},
		{"another user", "user", "someone-else", "essential user.login"},
		{"a body from elsewhere", "body", "Something else entirely, which is long enough…", "excerpt body"},
		{"a body cut too short", "body", string([]rune(body)[:5]) + "…", "excerpt body"},
	} {
		rec := reduce(issues, first)
		if c.value == nil {
			delete(rec, c.field)
		} else {
			rec[c.field] = c.value
		}
		miss := missingEssentials(first, rec, issues)
		if len(miss) != 1 || !strings.HasPrefix(miss[0], c.want+" ") {
			t.Errorf("%s: missing = %v, want one %q", c.name, miss, c.want)
		}
	}
}

// TestSmartChecksHash checks that a commit's sha may be abbreviated as
// git does, and no further.
func TestSmartChecksHash(t *testing.T) {
	sha := "8507dfa04e52a449211363e724e0a29eb99db7b2"
	for _, c := range []struct {
		got  string
		want bool
	}{
		{sha, true}, {sha[:12], true}, {sha[:7], true}, {sha[:6], false}, {"8507dfb", false}, {sha[:12] + "…", false},
	} {
		if got := sameJSON(c.got, sha, true); got != c.want {
			t.Errorf("sameJSON(%q, sha, exact) = %v, want %v", c.got, got, c.want)
		}
	}
	if sameJSON("42", "4213", true) {
		t.Error("an id that is not a hash was accepted abbreviated")
	}
}

// mustMarshal encodes v as JSON.
func mustMarshal(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
