package respfilter

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// pageAll applies body and follows Rest to the end, returning every page.
func pageAll(t *testing.T, f *Filter, contentType string, body []byte, o Options) []*Result {
	t.Helper()
	res, err := f.Apply(context.Background(), contentType, body, o)
	if err != nil {
		t.Fatal(err)
	}
	pages := []*Result{res}
	// A Rest with no items pending holds a page whose fields were cut, for
	// a drill-down; the pages end there.
	for res.Rest != nil && Pending(res.Rest) > 0 {
		if len(pages) > 500 {
			t.Fatal("paging does not end")
		}
		if res, err = f.Next(context.Background(), res.Rest, o); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, res)
	}
	return pages
}

func TestPagingRootArrayRecoversEveryItemOnce(t *testing.T) {
	f := newFilter(t)
	var items []string
	for i := range 100 {
		items = append(items, fmt.Sprintf(`{"id":%d,"name":"customer %d","email":"c%d@mail.example","notes":"%s"}`, i, i, i, strings.Repeat("n", i%7*20)))
	}
	body := []byte("[" + strings.Join(items, ",") + "]")
	o := Options{MaxItems: 15, MaxTokens: 300, Compact: true, MoreHint: `call more_results with handle "h1"`}
	pages := pageAll(t, f, "application/json", body, o)
	seen := map[int]int{}
	for n, p := range pages {
		if p.OutputTokens > o.MaxTokens {
			t.Errorf("page %d: %d tokens", n, p.OutputTokens)
		}
		var page struct {
			Items []struct {
				ID int `json:"id"`
			} `json:"items"`
			Truncated string `json:"_truncated"`
		}
		if err := json.Unmarshal([]byte(p.Output), &page); err != nil {
			t.Fatalf("page %d: %v: %s", n, err, p.Output)
		}
		for _, it := range page.Items {
			seen[it.ID]++
		}
		last := n == len(pages)-1
		if strings.Contains(page.Truncated, "more_results") == last {
			t.Errorf("page %d (last %v): note %q", n, last, page.Truncated)
		}
		if n > 0 && !strings.HasPrefix(page.Truncated, "showing items ") {
			t.Errorf("page %d: note %q", n, page.Truncated)
		}
	}
	for i := range 100 {
		if seen[i] != 1 {
			t.Errorf("item %d shown %d times", i, seen[i])
		}
	}
	if len(pages) < 7 {
		t.Errorf("%d pages: max_items 15 should give at least 7", len(pages))
	}
	if want := "showing items 1-"; !strings.Contains(pages[len(pages)-1].Output, "of 100") || strings.Contains(pages[0].Output, want) {
		t.Errorf("first/last notes wrong: %q / %q", pages[0].Note, pages[len(pages)-1].Note)
	}
}

func TestPagingNestedListKeepsContext(t *testing.T) {
	f := newFilter(t)
	var c goldenCase
	for _, gc := range loadCases(t) {
		if gc.Name == "search" {
			c = gc
		}
	}
	o := OptionsFrom(c.Filter)
	pages := pageAll(t, f, c.ContentType, c.body, o)
	seen := map[string]int{}
	for n, p := range pages {
		var page struct {
			Query   string `json:"query"`
			Total   int    `json:"total_count"`
			Results []struct {
				ID string `json:"id"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(p.Output), &page); err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		if page.Query != "refund shipping costs" || page.Total != 1342 {
			t.Errorf("page %d lost its context: %.200s", n, p.Output)
		}
		for _, r := range page.Results {
			seen[r.ID]++
		}
	}
	if len(seen) != 50 {
		t.Errorf("saw %d distinct results, want 50", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s shown %d times", id, n)
		}
	}
}

func TestPagingText(t *testing.T) {
	f := newFilter(t)
	var lines []string
	for i := range 400 {
		lines = append(lines, fmt.Sprintf("line %04d: some log text here", i))
	}
	o := Options{MaxTokens: 500}
	pages := pageAll(t, f, "text/plain", []byte(strings.Join(lines, "\n")), o)
	var got []string
	for n, p := range pages {
		if p.OutputTokens > o.MaxTokens {
			t.Errorf("page %d: %d tokens", n, p.OutputTokens)
		}
		for l := range strings.SplitSeq(p.Output, "\n") {
			if strings.HasPrefix(l, "line ") {
				got = append(got, l)
			}
		}
	}
	if strings.Join(got, "\n") != strings.Join(lines, "\n") {
		t.Errorf("paging text gave %d lines, want the 400 originals in order", len(got))
	}
	if !strings.HasSuffix(pages[1].Output, "of 400]") {
		t.Errorf("second page does not say where it is: %q", pages[1].Output[len(pages[1].Output)-40:])
	}
}

func TestNextRejectsBadContinuations(t *testing.T) {
	f := newFilter(t)
	for _, rest := range []string{`not json`, `{"kind":"other"}`, `{"kind":"json","path":["x"],"data":{"y":[1]}}`, `{"kind":"json","data":{"y":1}}`} {
		if _, err := f.Next(context.Background(), json.RawMessage(rest), Options{}); err == nil {
			t.Errorf("Next(%s): no error", rest)
		}
	}
}

func TestFindMain(t *testing.T) {
	tests := []struct {
		body string
		want string
		ok   bool
	}{
		{`[1,2]`, "", true},
		{`{"a":[1],"b":{"c":[1,2,3]},"d":[1,2]}`, "b.c", true},
		{`{"a":[1,2],"b":[3,4]}`, "a", true},
		{`{"a":1}`, "", false},
		{`"x"`, "", false},
	}
	for _, tt := range tests {
		v, err := parseJSON(strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		path, ok := findMain(normalize(v, nil, false).root)
		if ok != tt.ok || strings.Join(path, ".") != tt.want {
			t.Errorf("findMain(%s) = %v, %v; want %q, %v", tt.body, path, ok, tt.want, tt.ok)
		}
	}
}
