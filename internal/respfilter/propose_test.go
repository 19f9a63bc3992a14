package respfilter

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func decodeSample(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func pathStrings(ps []Path) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func TestProposeKeepsEssentialsAndDropsBulk(t *testing.T) {
	sample := decodeSample(t, `[{
		"id": 1347, "node_id": "MDU6SXNzdWUxMzQ3", "number": 1347, "title": "Found a bug",
		"state": "open", "url": "https://api.example.com/issues/1347", "html_url": "https://example.com/issues/1347",
		"body": "I'm having a problem with this.", "created_at": "2011-04-22T13:33:48Z", "comments": 0,
		"repository_url": "https://api.example.com/repos/octo", "locked": false,
		"user": {"login": "octocat", "id": 1, "avatar_url": "https://example.com/a.png", "gravatar_id": "", "followers_url": "https://x/f", "type": "User"},
		"labels": [{"id": 208045946, "name": "bug", "color": "f29513", "url": "https://x/l"}],
		"reactions": {"url": "https://x/r", "total_count": 0, "+1": 0},
		"_links": {"self": {"href": "https://x"}}
	}]`)
	p := Propose(sample)
	if p == nil {
		t.Fatal("no proposal for a list of issues")
	}
	kept := pathStrings(p.Kept)
	for _, want := range []string{".[].id", ".[].number", ".[].title", ".[].state", ".[].created_at", ".[].body", ".[].user.login", ".[].user.id", ".[].labels[].name"} {
		if !slices.Contains(kept, want) {
			t.Errorf("kept %v, want %s among them", kept, want)
		}
	}
	for _, gone := range []string{".[].url", ".[].html_url", ".[].node_id", ".[].repository_url", ".[].user.avatar_url", ".[].user.followers_url", ".[].labels[].url", ".[]._links"} {
		if slices.Contains(kept, gone) {
			t.Errorf("kept %s, which is bulk", gone)
		}
		if !slices.Contains(pathStrings(p.Dropped), gone) {
			t.Errorf("dropped %v, want %s among them", pathStrings(p.Dropped), gone)
		}
	}
	if p.Select != Projection(p.Kept) {
		t.Errorf("select %q is not the projection of the kept fields", p.Select)
	}
	if !strings.HasPrefix(p.Select, "[.[] | {id, number,") {
		t.Errorf("select %q: want identifiers first in a list projection", p.Select)
	}
	// The same sample proposes the same filter, whatever the map order.
	for range 20 {
		if again := Propose(decodeSample(t, sampleText(t, sample))); again.Select != p.Select {
			t.Fatalf("proposal changed: %q then %q", p.Select, again.Select)
		}
	}
}

func sampleText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestProposeLeavesOutFieldsThatMayHoldCredentials(t *testing.T) {
	p := Propose(decodeSample(t, `{"id": 7, "name": "Ada", "access_token": "x", "refresh_token": "y", "api_key": "k",
		"client_secret": "s", "password_hint": "h", "session_id": "z", "signature": "sig", "key": "k-7", "session_count": 3}`))
	if p == nil {
		t.Fatal("no proposal")
	}
	want := "{id, key, name, session_count}"
	if p.Select != want {
		t.Errorf("select = %s, want %s", p.Select, want)
	}
	for _, gone := range []string{"access_token", "refresh_token", "api_key", "client_secret", "password_hint", "session_id", "signature"} {
		if !slices.Contains(pathStrings(p.Dropped), gone) {
			t.Errorf("dropped %v, want %s among them", pathStrings(p.Dropped), gone)
		}
	}
}

func TestProposeOnAnObjectWithAList(t *testing.T) {
	p := Propose(decodeSample(t, `{"total_count": 2, "next": "https://x/?page=2", "data": [
		{"id": "ord_1", "amount": 1200, "currency": "eur", "status": "paid", "customer": {"email": "kim@example.com", "name": "Kim"}, "metadata": {}}
	]}`))
	want := "{total_count, data: [.data[]? | {id, status, amount, currency, customer: (.customer | {email, name})}]}"
	if p == nil || p.Select != want {
		t.Fatalf("select = %v, want %s", p, want)
	}
}

func TestProposeBounds(t *testing.T) {
	if Propose(decodeSample(t, `"just text"`)) != nil || Propose(decodeSample(t, `[1, 2, 3]`)) != nil || Propose(decodeSample(t, `{"url": "https://x"}`)) != nil {
		t.Error("a sample with no field worth keeping gave a proposal")
	}
	// At most 12 fields of one object, the identifiers among them.
	wide := map[string]any{"id": json.Number("1")}
	for i := range 300 {
		wide[fmt.Sprintf("field%03d", i)] = "v"
	}
	p := Propose(wide)
	if len(p.Kept) != proposeFields || p.Kept[0].String() != "id" {
		t.Errorf("kept %d fields starting %v, want %d starting with id", len(p.Kept), p.Kept[0], proposeFields)
	}
	// Nesting is followed 4 levels deep, however deep the sample goes.
	deep := any(map[string]any{"id": "leaf"})
	for range 10_000 {
		deep = map[string]any{"child": deep, "name": "n"}
	}
	start := time.Now()
	p = Propose(deep)
	if d := time.Since(start); d > time.Second {
		t.Errorf("a 10,000-level sample took %v", d)
	}
	for _, k := range p.Kept {
		if len(k) > proposeDepth {
			t.Errorf("kept %s, deeper than %d", k, proposeDepth)
		}
	}
}
