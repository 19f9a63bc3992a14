package respfilter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/jsonlimit/jsonlimittest"
)

// issuesBody is a code host's page of 30 issues: numbers 1330-1301, ids
// 9000+position, a long body and a nested user and labels.
func issuesBody() []byte {
	var items []string
	for i := 1; i <= 30; i++ {
		items = append(items, fmt.Sprintf(`{"id":%d,"number":%d,"title":"Issue %d","state":"open","body":"%s","user":{"login":"dev%d","avatar_url":"https://avatars.example/u/%d"},"labels":[{"name":"bug","color":"d73a4a"},{"name":"p%d","color":"cccccc"}]}`,
			9000+i, 1331-i, i, strings.Repeat(fmt.Sprintf("Body of issue %d. ", i), 120), i, i, i%3))
	}
	return []byte("[" + strings.Join(items, ",") + "]")
}

// firstRest applies body under a small budget and returns its Rest.
func firstRest(t *testing.T, f *Filter, body []byte) json.RawMessage {
	t.Helper()
	res, err := f.Apply(context.Background(), "application/json", body, Options{MaxTokens: 400, Compact: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rest == nil || res.RecordsTotal != 30 || res.RecordsKept >= 30 {
		t.Fatalf("first page: Rest nil %v, records %d of %d", res.Rest == nil, res.RecordsKept, res.RecordsTotal)
	}
	return res.Rest
}

// drilled decodes a drill-down of one item.
type drilled struct {
	Item   string `json:"item"`
	Record struct {
		ID     int    `json:"id"`
		Number int    `json:"number"`
		Title  string `json:"title"`
		Body   string `json:"body"`
		User   struct {
			Login string `json:"login"`
		} `json:"user"`
	} `json:"record"`
}

func TestDrillItemByIDOrPosition(t *testing.T) {
	f := newFilter(t)
	rest := firstRest(t, f, issuesBody())
	o := Options{MaxTokens: 3000}
	for _, tt := range []struct {
		item     string
		position int
	}{
		{"1328", 3},  // number
		{"9005", 5},  // id
		{"3", 3},     // no id is 3: a position
		{"30", 30},   // the last position
		{"1301", 30}, // the last number
	} {
		res, err := f.Drill(context.Background(), rest, tt.item, nil, o)
		if err != nil {
			t.Fatalf("item %s: %v", tt.item, err)
		}
		var d drilled
		if err := json.Unmarshal([]byte(res.Output), &d); err != nil {
			t.Fatalf("item %s: %v: %s", tt.item, err, res.Output)
		}
		want := strings.Repeat(fmt.Sprintf("Body of issue %d. ", tt.position), 120)
		if d.Item != fmt.Sprintf("%d of 30", tt.position) || d.Record.ID != 9000+tt.position || d.Record.Body != want {
			t.Errorf("item %s: got item %q id %d, body whole %v: %.200s", tt.item, d.Item, d.Record.ID, d.Record.Body == want, res.Output)
		}
		if res.Truncated || res.Rest != nil || res.RecordsKept != 1 || res.RecordsTotal != 30 || res.OutputTokens > o.MaxTokens {
			t.Errorf("item %s: Truncated %v, Rest %v, records %d of %d, %d tokens", tt.item, res.Truncated, res.Rest != nil, res.RecordsKept, res.RecordsTotal, res.OutputTokens)
		}
	}
}

func TestDrillItemOverBudgetIsCut(t *testing.T) {
	f := newFilter(t)
	rest := firstRest(t, f, issuesBody())
	o := Options{MaxTokens: 200}
	res, err := f.Drill(context.Background(), rest, "2", nil, o)
	if err != nil {
		t.Fatal(err)
	}
	var d drilled
	if err := json.Unmarshal([]byte(res.Output), &d); err != nil {
		t.Fatalf("%v: %s", err, res.Output)
	}
	if d.Item != "2 of 30" || d.Record.Number != 1329 || !res.Truncated || res.OutputTokens > o.MaxTokens || !strings.Contains(d.Record.Body, "more chars]") {
		t.Errorf("item 2 over budget: Truncated %v, %d tokens: %s", res.Truncated, res.OutputTokens, res.Output)
	}
}

func TestDrillItemFields(t *testing.T) {
	f := newFilter(t)
	rest := firstRest(t, f, issuesBody())
	res, err := f.Drill(context.Background(), rest, "1330", []string{"user.login", "labels.name"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"item":"1 of 30","record":{"labels":[{"name":"bug"},{"name":"p1"}],"user":{"login":"dev1"}}}`
	if res.Output != want {
		t.Errorf("got  %s\nwant %s", res.Output, want)
	}
}

func TestDrillFieldsOfEveryItemPages(t *testing.T) {
	f := newFilter(t)
	rest := firstRest(t, f, issuesBody())
	o := Options{MaxTokens: 150}
	res, err := f.Drill(context.Background(), rest, "", []string{"title", "user.login"}, o)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]int{}
	pages := 0
	for {
		pages++
		if res.OutputTokens > o.MaxTokens || pages > 40 {
			t.Fatalf("page %d: %d tokens", pages, res.OutputTokens)
		}
		var page struct {
			Items []map[string]any `json:"items"`
			Note  string           `json:"_truncated"`
		}
		if err := json.Unmarshal([]byte(res.Output), &page); err != nil {
			var all []map[string]any
			if err := json.Unmarshal([]byte(res.Output), &all); err != nil {
				t.Fatalf("page %d: %v: %s", pages, err, res.Output)
			}
			page.Items = all
		}
		for _, it := range page.Items {
			n, _ := it["id"].(float64)
			seen[int(n)]++
			if len(it) != 3 || it["title"] == nil || it["user"].(map[string]any)["login"] == nil {
				t.Errorf("page %d: item %v: want id, title and user.login only", pages, it)
			}
		}
		if pages == 1 && (!strings.HasPrefix(page.Note, "showing ") || !strings.HasSuffix(page.Note, " of 30 items")) {
			t.Errorf("first page note %q", page.Note)
		}
		if res.Rest == nil {
			break
		}
		if res, err = f.Next(context.Background(), res.Rest, o); err != nil {
			t.Fatal(err)
		}
	}
	for n := 9001; n <= 9030; n++ {
		if seen[n] != 1 {
			t.Errorf("issue id %d seen %d times", n, seen[n])
		}
	}
	if pages < 2 {
		t.Errorf("%d pages: the projection should not fit 150 tokens", pages)
	}
}

func TestDrillFieldsKeepsItemsLackingThem(t *testing.T) {
	f := newFilter(t)
	body := `{"data":[{"id":"a","email":"a@x.example","phone":"1"},{"id":"b","phone":"2"},{"id":"c","email":"c@x.example"}],"has_more":false,"note":"` + strings.Repeat("long ", 400) + `"}`
	res, err := f.Apply(context.Background(), "application/json", []byte(body), Options{MaxString: 100})
	if err != nil {
		t.Fatal(err)
	}
	res, err = f.Drill(context.Background(), res.Rest, "", []string{"email"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"email":"a@x.example","id":"a"},{"id":"b"},{"email":"c@x.example","id":"c"}]`; res.Output != want {
		t.Errorf("got  %s\nwant %s", res.Output, want)
	}
	if res.RecordsKept != 3 || res.RecordsTotal != 3 || res.Rest != nil {
		t.Errorf("records %d of %d, Rest %s", res.RecordsKept, res.RecordsTotal, res.Rest)
	}
}

func TestDrillErrorsListTheChoices(t *testing.T) {
	f := newFilter(t)
	rest := firstRest(t, f, issuesBody())
	for _, tt := range []struct {
		item   string
		fields []string
		kind   error
		want   []string
	}{
		{"4711", nil, ErrNoItem, []string{`no item "4711"`, "position from 1 to 30", "id such as 9001, 9002, 9003"}},
		{"dev3", nil, ErrNoItem, []string{"position from 1 to 30"}},
		{"", []string{"usr.login"}, ErrNoField, []string{`no field "usr.login"`, "body, id, labels, number, state, title, user"}},
		{"", []string{"title", "user.nme"}, ErrNoField, []string{`no field "user.nme"`, "user.avatar_url, user.login"}},
		{"2", []string{"user..login"}, ErrNoField, []string{`"user..login" is not a field name`}},
	} {
		_, err := f.Drill(context.Background(), rest, tt.item, tt.fields, Options{})
		var de *DrillError
		if !errors.As(err, &de) || !errors.Is(err, tt.kind) {
			t.Errorf("%q %v: error %v, want %v", tt.item, tt.fields, err, tt.kind)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(de.Detail, w) {
				t.Errorf("%q %v: detail %q lacks %q", tt.item, tt.fields, de.Detail, w)
			}
		}
	}
	many := make([]string, MaxDrillFields+1)
	for i := range many {
		many[i] = "title"
	}
	for _, args := range []struct {
		item   string
		fields []string
	}{{strings.Repeat("9", MaxDrillName+1), nil}, {"", many}, {"", []string{strings.Repeat("f", MaxDrillName+1)}}} {
		if _, err := f.Drill(context.Background(), rest, args.item, args.fields, Options{}); err == nil || !strings.Contains(err.Error(), "at most") && !strings.Contains(err.Error(), "longer than") {
			t.Errorf("item of %d chars, %d fields: error %v", len(args.item), len(args.fields), err)
		}
	}
}

func TestDrillTextAndOneRecord(t *testing.T) {
	f := newFilter(t)
	text, err := f.Apply(context.Background(), "text/plain", []byte(strings.Repeat("a log line of some length\n", 800)), Options{})
	if err != nil || text.Rest == nil {
		t.Fatalf("text: %v, Rest nil %v", err, text.Rest == nil)
	}
	if _, err := f.Drill(context.Background(), text.Rest, "2", nil, Options{}); !errors.Is(err, ErrNoItem) {
		t.Errorf("drill into text: %v", err)
	}
	record := `{"name":"Acme","description":"` + strings.Repeat("We make anvils. ", 200) + `","owner":{"login":"wile"}}`
	one, err := f.Apply(context.Background(), "application/json", []byte(record), Options{MaxString: 50})
	if err != nil || one.Rest == nil || !one.Truncated || Pending(one.Rest) != 0 {
		t.Fatalf("record: %v, Rest nil %v, Pending %d", err, one.Rest == nil, Pending(one.Rest))
	}
	if _, err := f.Drill(context.Background(), one.Rest, "1", nil, Options{}); !errors.Is(err, ErrNoItem) {
		t.Errorf("item of one record: %v", err)
	}
	res, err := f.Drill(context.Background(), one.Rest, "", []string{"description", "owner.login"}, Options{MaxTokens: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"description":"` + strings.Repeat("We make anvils. ", 200) + `","owner":{"login":"wile"}}`; res.Output != want {
		t.Errorf("fields of one record: %.200s", res.Output)
	}
	next, err := f.Next(context.Background(), one.Rest, Options{})
	if err != nil || !strings.Contains(next.Output, "whole result was shown") || next.Rest != nil {
		t.Errorf("Next of one record: %v, %q", err, next.Output)
	}
}

func TestRestWhenEveryItemShownButFieldsCut(t *testing.T) {
	f := newFilter(t)
	body := `[{"id":1,"body":"` + strings.Repeat("x", 3000) + `"},{"id":2,"body":"short"},{"id":3,"body":"` + strings.Repeat("y", 3000) + `"}]`
	res, err := f.Apply(context.Background(), "application/json", []byte(body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || res.Rest == nil || res.RecordsKept != 3 || res.RecordsTotal != 3 || Pending(res.Rest) != 0 {
		t.Fatalf("Truncated %v, Rest nil %v, records %d of %d, Pending %d", res.Truncated, res.Rest == nil, res.RecordsKept, res.RecordsTotal, Pending(res.Rest))
	}
	next, err := f.Next(context.Background(), res.Rest, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(next.Output, "All 3 items were shown already") || !strings.Contains(next.Output, `"item"`) || !strings.Contains(next.Output, `"fields"`) || next.Rest != nil {
		t.Errorf("Next after the last item: %q, Rest %s", next.Output, next.Rest)
	}
	d, err := f.Drill(context.Background(), res.Rest, "3", []string{"body"}, Options{MaxTokens: 2000})
	if err != nil || !strings.Contains(d.Output, strings.Repeat("y", 3000)) {
		t.Errorf("drill of item 3's body: %v, %.100s", err, d.Output)
	}
	whole, err := f.Apply(context.Background(), "application/json", []byte(`[{"id":1},{"id":2}]`), Options{})
	if err != nil || whole.Truncated || whole.Rest != nil {
		t.Errorf("nothing cut: %v, Truncated %v, Rest %s", err, whole.Truncated, whole.Rest)
	}
}

func TestDrillReadsItemsShownOnEarlierPages(t *testing.T) {
	f := newFilter(t)
	rest := firstRest(t, f, issuesBody())
	page2, err := f.Next(context.Background(), rest, Options{MaxTokens: 400})
	if err != nil || page2.Rest == nil {
		t.Fatalf("page 2: %v", err)
	}
	if Pending(page2.Rest) != Pending(rest)-page2.RecordsKept || page2.RecordsTotal != 30 {
		t.Errorf("Pending %d after %d, page 2 kept %d of %d", Pending(page2.Rest), Pending(rest), page2.RecordsKept, page2.RecordsTotal)
	}
	res, err := f.Drill(context.Background(), page2.Rest, "1", nil, Options{MaxTokens: 3000})
	if err != nil || !strings.HasPrefix(res.Output, `{"item":"1 of 30","record":{`) || !strings.Contains(res.Output, `"number":1330`) {
		t.Errorf("item 1 from page 2's rest: %v, %.100s", err, res.Output)
	}
}

func TestOldContinuationsStillRead(t *testing.T) {
	f := newFilter(t)
	// Stored before continuations kept the whole tree: data holds items 3
	// and 4 of 4, and the offset says two were shown.
	old := json.RawMessage(`{"kind":"json","path":["items"],"offset":2,"total":4,"data":{"items":[{"id":"c"},{"id":"d"}],"q":"x"}}`)
	res, err := f.Next(context.Background(), old, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"items":[{"id":"c"},{"id":"d"}],"q":"x","_truncated":"items: showing items 3-4 of 4"}`; res.Output != want || res.Rest != nil {
		t.Errorf("old Next: %s, Rest %s", res.Output, res.Rest)
	}
	if Pending(old) != 2 {
		t.Errorf("Pending(old) = %d", Pending(old))
	}
	for item, want := range map[string]string{"4": `{"item":"4 of 4","record":{"id":"d"}}`, "c": `{"item":"3 of 4","record":{"id":"c"}}`} {
		res, err := f.Drill(context.Background(), old, item, nil, Options{})
		if err != nil || res.Output != want {
			t.Errorf("old drill %s: %v, %s", item, err, res.Output)
		}
	}
	if _, err := f.Drill(context.Background(), old, "1", nil, Options{}); !errors.Is(err, ErrNoItem) {
		t.Errorf("old drill of an item before its data: %v", err)
	}
	// The same offset in a whole-tree continuation means the data starts at
	// item 1.
	whole := json.RawMessage(`{"version":2,"kind":"json","path":["items"],"base":0,"offset":2,"total":4,"data":{"items":[{"id":"a"},{"id":"b"},{"id":"c"},{"id":"d"}],"q":"x"}}`)
	res, err = f.Next(context.Background(), whole, Options{})
	if err != nil || !strings.HasPrefix(res.Output, `{"items":[{"id":"c"},{"id":"d"}]`) {
		t.Errorf("whole Next: %v, %s", err, res.Output)
	}
}

// TestDrillBounds keeps the cost of a drill-down on a stored 5 MB result:
// the time and the memory allocated, as a multiple of its size. Measured:
// 4.1× (an item) and 4.4× (fields of every item) the stored size, 50 to
// 55 ms, mostly parsing; the time bound is far above, so it fails on a
// change of scale, not on a busy machine.
func TestDrillBounds(t *testing.T) {
	f := newFilter(t)
	sized := sizedPayloads(t)
	body := sized[len(sized)-1].body
	o := OptionsFrom(action.ResponseFilter{})
	res, err := f.Apply(context.Background(), "application/json", body, o)
	if err != nil || res.Rest == nil {
		t.Fatalf("Apply: %v", err)
	}
	rest := res.Rest
	for _, c := range []struct {
		name   string
		item   string
		fields []string
	}{
		{"item 3", "3", nil},
		{"fields", "", []string{"title", "user.login"}},
	} {
		drill := func() {
			r, err := f.Drill(context.Background(), rest, c.item, c.fields, o)
			if err != nil || r.OutputTokens > o.MaxTokens {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		drill()
		jsonlimittest.Within(t, "drill "+c.name+" of 5 MB", 6*uint64(len(rest)), time.Second, drill)
	}
}
