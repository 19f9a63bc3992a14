package respfilter

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/redact"
)

// issuePage builds a page of n issues in a code host's shape: full-fat
// users, labels, milestones and URLs, a multi-sentence Markdown body.
func issuePage(n int, state func(i int) string) []byte {
	var items []map[string]any
	for i := range n {
		num := 5000 - i
		login := []string{"octocat", "hubot", "mona", "lena-dev", "tobias"}[i%5]
		user := map[string]any{"login": login, "id": 1000 + i%5, "node_id": "MDQ6VXNlcjE=", "avatar_url": "https://avatars.example/u/1",
			"gravatar_id": "", "url": "https://api.example/users/" + login, "html_url": "https://example/" + login,
			"followers_url": "https://api.example/users/" + login + "/followers", "type": "User", "site_admin": false}
		items = append(items, map[string]any{
			"id": 900000 + i, "node_id": "MDU6SXNzdWUx", "number": num,
			"url":        fmt.Sprintf("https://api.example/repos/o/r/issues/%d", num),
			"html_url":   fmt.Sprintf("https://example/o/r/issues/%d", num),
			"labels_url": "https://api.example/repos/o/r/issues/1/labels{/name}",
			"title":      fmt.Sprintf("Draft with an emoji in its title fails (%d)", i),
			"state":      state(i), "locked": false, "user": user, "assignee": nil,
			"labels": []any{map[string]any{"id": 208045946, "node_id": "MDU6TGFiZWwy", "url": "https://api.example/labels/bug", "name": "bug", "color": "f29513", "default": true}},
			"milestone": map[string]any{"id": 1002604, "number": 1, "title": "v1.0", "state": "open", "url": "https://api.example/milestones/1",
				"creator": user, "open_issues": 4, "closed_issues": 8},
			"comments": i % 7, "created_at": fmt.Sprintf("2026-10-%02dT13:33:48Z", 1+i%28), "updated_at": "2026-11-30T09:00:00Z",
			"closed_at": nil, "author_association": "MEMBER",
			"body": "### Describe the bug\n\nWhen I save a draft whose title holds an emoji, the page shows an error. " +
				"It happens on every browser I tried. <!-- please add steps --> The logs say the encoder failed " + strconv.Itoa(i) + " times. " +
				strings.Repeat("More detail follows here in the body of the issue. ", 20),
			"reactions": map[string]any{"url": "https://api.example/reactions", "total_count": 0, "+1": 0, "-1": 0},
		})
	}
	b, _ := json.Marshal(items)
	return b
}

// applyDefaults filters body with the defaults of an action that has no
// response section.
func applyDefaults(t *testing.T, body []byte, rf action.ResponseFilter) (*Result, []map[string]any) {
	t.Helper()
	res, err := newFilter(t).Apply(context.Background(), "application/json", body, OptionsFrom(rf))
	if err != nil {
		t.Fatal(err)
	}
	var wrapped struct {
		Items     []map[string]any `json:"items"`
		Truncated string           `json:"_truncated"`
	}
	if err := json.Unmarshal([]byte(res.Output), &wrapped); err != nil {
		t.Fatalf("output is not a wrapped list: %v\n%s", err, res.Output)
	}
	return res, wrapped.Items
}

func TestReductionKeepsEveryRecordsEssentials(t *testing.T) {
	body := issuePage(30, func(i int) string { return []string{"open", "closed"}[i%2] })
	res, items := applyDefaults(t, body, action.ResponseFilter{})
	if res.OutputTokens > 1000 {
		t.Fatalf("%d tokens, over the default budget", res.OutputTokens)
	}
	if res.RecordsTotal != 30 || res.RecordsKept < 20 || len(items) != res.RecordsKept {
		t.Fatalf("records kept %d of %d (%d in the output), want at least 20 of 30: %s", res.RecordsKept, res.RecordsTotal, len(items), res.Output)
	}
	for i, it := range items {
		for _, k := range []string{"number", "title", "state", "user", "created_at"} {
			if _, ok := it[k]; !ok {
				t.Errorf("item %d lost %s: %v", i, k, it)
			}
		}
		if it["user"] != []string{"octocat", "hubot", "mona", "lena-dev", "tobias"}[i%5] {
			t.Errorf("item %d: user = %v, want the login", i, it["user"])
		}
		// The body is the first field to go once records are at their
		// essentials; while it stays, it is an excerpt of its text.
		if b, ok := it["body"].(string); ok && (!strings.HasPrefix(b, "When I save") || !strings.HasSuffix(b, "…")) {
			t.Errorf("item %d: body excerpt = %q", i, b)
		}
		for k := range it {
			if strings.HasSuffix(k, "_url") || k == "url" || k == "node_id" {
				t.Errorf("item %d kept bulk field %s", i, k)
			}
		}
	}
	for _, want := range []string{"left out: ", "by name: user"} {
		if !strings.Contains(res.Note, want) {
			t.Errorf("note %q does not say %q", res.Note, want)
		}
	}
	// The reduced record lists its fields in rank order.
	first := strings.Index(res.Output, `{"id":`)
	if first < 0 || !strings.HasPrefix(res.Output[first:], `{"id":900000,"number":5000,"title":`) {
		t.Errorf("first record does not start with its number and title: %.120s", res.Output[first:])
	}
}

func TestReductionSaysOnceWhatEveryRecordShares(t *testing.T) {
	body := issuePage(30, func(int) string { return "open" })
	res, items := applyDefaults(t, body, action.ResponseFilter{})
	if !strings.Contains(res.Note, "every item: state=open") {
		t.Errorf("note %q does not say every item is open", res.Note)
	}
	for i, it := range items {
		if _, ok := it["state"]; ok {
			t.Errorf("item %d repeats the shared state", i)
		}
	}
}

func TestReductionOnlyWhenOverBudget(t *testing.T) {
	body := issuePage(2, func(int) string { return "open" })
	res, err := newFilter(t).Apply(context.Background(), "application/json", body, Options{MaxTokens: 20000, MaxString: 5000, Compact: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Truncated || !strings.Contains(res.Output, `"html_url":`) || !strings.Contains(res.Output, `"avatar_url":`) {
		t.Errorf("a body within the budget was reduced: %.300s", res.Output)
	}
}

func TestReductionNeverDropsAskedFields(t *testing.T) {
	body := issuePage(30, func(int) string { return "open" })
	res, items := applyDefaults(t, body, action.ResponseFilter{
		Select: "map({number, html_url, node_id, locked, body, user})",
	})
	if len(items) == 0 {
		t.Fatalf("no items: %s", res.Output)
	}
	for i, it := range items {
		for _, k := range []string{"number", "html_url", "node_id", "locked", "body"} {
			if _, ok := it[k]; !ok {
				t.Errorf("item %d lost asked field %s: %v", i, k, it)
			}
		}
		// An asked object is kept as it is, not collapsed to its label.
		if _, ok := it["user"].(map[string]any); !ok {
			t.Errorf("item %d: asked user = %v, want the object", i, it["user"])
		}
	}
}

func TestFieldRanking(t *testing.T) {
	root, err := parseTree(`{"zeta":1,"updated_at":"2026-11-30T09:00:00Z","body":"text","created_at":"2026-11-01T09:00:00Z",
		"user":{"login":"a","id":1},"amount":12,"state":"open","title":"T","id":7,"number":3,"labels":[{"id":1,"name":"bug"}],
		"locked":false,"repository_id":9,"html_url":"https://x","closed_at":"2026-11-02T00:00:00Z","comments":2,"kind":"k"}`, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	o := root.root.(*object)
	r := &reducer{ranks: map[rankKey]rank{}}
	id := recordID(o)
	if id != "id" {
		t.Fatalf("recordID = %q, want id", id)
	}
	keys := slices.Clone(o.keys)
	slices.SortStableFunc(keys, func(a, b string) int {
		av, _ := o.lookup(a)
		bv, _ := o.lookup(b)
		if r.rankOf(a, av, true, id).before(r.rankOf(b, bv, true, id), a, b) {
			return -1
		}
		return 1
	})
	want := []string{"id", "number", "title", "state", "amount", "created_at", "user", "body", "updated_at", "labels",
		"closed_at", "comments", "zeta", "kind", "locked", "repository_id", "html_url"}
	if !slices.Equal(keys, want) {
		t.Errorf("ranking:\n got %v\nwant %v", keys, want)
	}
}

func TestLabelCollapse(t *testing.T) {
	for _, c := range []struct {
		body  string
		label string
		ok    bool
	}{
		{`{"login":"octocat","id":1,"avatar_url":"https://a"}`, "octocat", true},
		{`{"id":3,"number":1,"title":"v1.0","state":"open"}`, "v1.0", true},
		{`{"id":"cus_1","email":"kim@example.com","first_name":"Kim","last_name":"Lee"}`, "Kim Lee", true},
		{`{"id":"li_1","name":"Mug","quantity":2,"price":"9.00"}`, "", false},       // a line item keeps its fields
		{`{"name":"Kim","email":"kim@example.com","date":"2026-11-01"}`, "", false}, // no identifier: not a reference
		{`{"id":5,"color":"f29513"}`, "", false},                                    // no label
	} {
		tr, err := parseTree(c.body, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		l, ok := label(tr.root.(*object))
		if l != c.label || ok != c.ok {
			t.Errorf("label(%s) = %q, %v; want %q, %v", c.body, l, ok, c.label, c.ok)
		}
	}
}

func TestExcerpt(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"Short.", 40, "Short."},
		{"First sentence here. Second sentence is longer than the limit allows.", 40, "First sentence here.…"},
		{"## Steps\n\n1. Open the **page**\n2. Click [save](https://x.example/a)", 60, "1. Open the page 2. Click save"},
		{"<!-- a template comment -->The real text starts here and goes on for a while.", 30, "The real text starts here and…"},
		{"one two three four five six seven", 12, "one two…"},
		{"a " + redact.Mask + " tail", 4, "a…"},
	} {
		got, _ := excerpt(c.in, c.n)
		if got != c.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
		if strings.Contains(got, redact.Mask[:3]) && !strings.Contains(got, redact.Mask) {
			t.Errorf("excerpt(%q) split a mask: %q", c.in, got)
		}
	}
}

func TestExcerptNeverSplitsAMask(t *testing.T) {
	s := strings.Repeat("x", 20) + " " + redact.Mask + "rest of the text goes here"
	for n := 18; n < 30; n++ {
		got, _ := excerpt(s, n)
		body := strings.TrimSuffix(got, "…")
		if i := strings.Index(body, "•"); i >= 0 && !strings.HasPrefix(body[i:], redact.Mask) {
			t.Errorf("n=%d: %q splits the mask", n, got)
		}
	}
}

func TestAskedFields(t *testing.T) {
	got := askedFields(`map({number, title: .title, "quoted": .x, user: .user.login, labels: [.labels[].name]}) | .[] | select(.state == "open")`)
	for _, k := range []string{"number", "title", "quoted", "x", "user", "login", "labels", "name", "state"} {
		if !got[k] {
			t.Errorf("askedFields misses %q: %v", k, got)
		}
	}
	if askedFields("") != nil || len(askedFields("(")) != 0 {
		t.Error("an empty or broken select asks for nothing")
	}
}

func TestReductionUnderATinyBudget(t *testing.T) {
	body := issuePage(30, func(int) string { return "open" })
	for _, budget := range []int{40, 60, 120, 250} {
		res, err := newFilter(t).Apply(context.Background(), "application/json", body, Options{MaxTokens: budget, Compact: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.OutputTokens > budget {
			t.Errorf("budget %d: %d tokens: %s", budget, res.OutputTokens, res.Output)
		}
		mustJSON(t, res.Output)
	}
}

func TestSingleRecordIsReduced(t *testing.T) {
	// A root object with no list is one record: its bulk goes first.
	var b strings.Builder
	b.WriteString(`{"id":42,"name":"widget","description":"` + strings.Repeat("A long description. ", 200) + `"`)
	for i := range 60 {
		fmt.Fprintf(&b, `,"link_%02d_url":"https://api.example/widgets/42/link/%d"`, i, i)
	}
	b.WriteString(`}`)
	res, err := newFilter(t).Apply(context.Background(), "application/json", []byte(b.String()), Options{MaxTokens: 200, Compact: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Output, `{"id":42,"name":"widget","description":"A long description.`) || strings.Contains(res.Output, "_url") {
		t.Errorf("record not reduced to its essentials: %s", res.Output)
	}
	if !strings.Contains(res.Output, `"_truncated":"left out: 60 fields (links, ids, …); long text cut"`) {
		t.Errorf("the record does not say what was left out: %s", res.Output)
	}
}

func TestShortenedHashStillNamesItsItem(t *testing.T) {
	var items []string
	for i := range 30 {
		sha := testSHA(i)
		items = append(items, fmt.Sprintf(`{"sha":%q,"commit":{"message":"Change number %d of the parser so it reads longer inputs without copying them","author":{"name":"Dev %d","email":"dev%d@example.com","date":"2026-11-%02dT10:00:00Z"}},"url":"https://api.example/commits/%s"}`, sha, i, i%4, i%4, 1+i%28, sha))
	}
	f := newFilter(t)
	res, err := f.Apply(context.Background(), "application/json", []byte("["+strings.Join(items, ",")+"]"), Options{MaxTokens: 700, Compact: true})
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Items []struct {
			SHA string `json:"sha"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(res.Output), &page); err != nil || len(page.Items) < 3 {
		t.Fatalf("%v: %s", err, res.Output)
	}
	short := page.Items[2].SHA
	if len(short) != shortHash || !strings.Contains(res.Note, "hashes to 10 digits") {
		t.Fatalf("sha %q not shortened, note %q", short, res.Note)
	}
	d, err := f.Drill(context.Background(), res.Rest, short, []string{"sha"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := testSHA(2)
	if !strings.Contains(d.Output, want) {
		t.Errorf("drilling into %q gave %s, want the item with sha %s", short, d.Output, want)
	}
}

// testSHA returns a 40-digit hex hash, different for each i in its first
// ten digits.
func testSHA(i int) string {
	return fmt.Sprintf("%08x%02x%030x", 0x8507dfa0+i*7919, i, i*104729)
}

func TestDrilledRecordOverBudgetLosesItsBulkFirst(t *testing.T) {
	f := newFilter(t)
	res, err := f.Apply(context.Background(), "application/json", issuePage(30, func(int) string { return "open" }), OptionsFrom(action.ResponseFilter{}))
	if err != nil || res.Rest == nil {
		t.Fatalf("%v, rest %v", err, res.Rest != nil)
	}
	d, err := f.Drill(context.Background(), res.Rest, "4998", nil, Options{MaxTokens: 400})
	if err != nil {
		t.Fatal(err)
	}
	if d.OutputTokens > 400 || !d.Truncated || !strings.Contains(d.Note, "links, node ids, avatars and empty values left out") {
		t.Errorf("%d tokens, truncated %v, note %q", d.OutputTokens, d.Truncated, d.Note)
	}
	for _, bulk := range []string{"_url", `"node_id"`, `"url"`} {
		if strings.Contains(d.Output, bulk) {
			t.Errorf("the record kept %s: %s", bulk, d.Output)
		}
	}
	// Its own fields stay whole where they fit: the title, the user's login.
	if !strings.Contains(d.Output, `"title":"Draft with an emoji in its title fails (2)"`) || !strings.Contains(d.Output, `"login":"mona"`) {
		t.Errorf("the record lost its own fields: %s", d.Output)
	}
}

// excerpt cuts s to an excerpt of about n characters as a reduction step
// does: flattened once for the longest excerpt, then cut.
func excerpt(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	return cutFlat(s, flatten(s, maxExcerpt), n)
}
