// Package respfiltertest builds the response bodies the speed figures of a
// call are measured on: a 1 KB object, a 5 KB list of 50 issue-like items
// (longer than the default max_items, so the default filter cuts it and a
// continuation is made) and a 100 KB list. It also builds pages of 30
// items in the wire shapes of well-known APIs (APIs), on which the smart
// defaults are tested. The text is generated from a fixed seed, so every
// run measures the same bytes.
package respfiltertest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Payload is one JSON response body.
type Payload struct {
	// Name is short and has no spaces, for benchmark names.
	Name string
	Body []byte
}

// Payloads returns the three bodies: "object_1KB", "list_5KB" and
// "list_100KB".
func Payloads() []Payload {
	return []Payload{
		{"object_1KB", Object1KB()},
		{"list_5KB", List5KB()},
		{"list_100KB", List100KB()},
	}
}

// words make up the generated titles and bodies.
var words = strings.Fields(`the login page crashes when a user saves a draft with an emoji in its title
while offline and then reconnects to sync the queue retries forever so the export button stays disabled
after upgrading from the previous release memory grows slowly until the worker restarts under load with
timeouts on large uploads because the parser reads every chunk twice`)

// text returns n generated words.
func text(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[r.IntN(len(words))]
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// Object1KB returns a single issue of about 1 KB, with a nested user and
// labels.
func Object1KB() []byte {
	r := rand.New(rand.NewPCG(1, 1))
	return marshal(map[string]any{
		"id": 2210457, "number": 1873, "state": "open", "locked": false, "comments": 7,
		"title":      text(r, 9),
		"body":       text(r, 80),
		"created_at": "2026-10-30T08:12:44Z", "updated_at": "2026-11-02T16:01:09Z", "closed_at": nil,
		"user":      map[string]any{"login": "lena-k", "id": 58121, "type": "User", "site_admin": false},
		"labels":    []any{map[string]any{"name": "bug", "color": "d73a4a"}, map[string]any{"name": "needs-triage", "color": "ededed"}},
		"assignees": []any{},
		"milestone": map[string]any{"title": "v2.4", "number": 12, "state": "open"},
		"html_url":  "https://tracker.example.com/acme/widgets/issues/1873",
		"reactions": map[string]any{"total_count": 3, "+1": 2, "heart": 1},
	})
}

// List5KB returns 50 short issues of about 100 bytes each.
func List5KB() []byte {
	r := rand.New(rand.NewPCG(2, 2))
	items := make([]any, 50)
	for i := range items {
		items[i] = map[string]any{
			"id": 3100 + i, "title": text(r, 5+r.IntN(3)),
			"state": []string{"open", "closed"}[r.IntN(2)], "comments": r.IntN(20),
			"user": []string{"lena-k", "omar", "j.wu", "ines"}[r.IntN(4)],
		}
	}
	return marshal(items)
}

// List100KB returns 100 issues of about 1 KB each.
func List100KB() []byte {
	r := rand.New(rand.NewPCG(3, 3))
	items := make([]any, 100)
	for i := range items {
		n := 5400 + i
		items[i] = map[string]any{
			"id": 9900000 + i, "number": n, "state": []string{"open", "closed"}[r.IntN(2)], "comments": r.IntN(40),
			"title":      text(r, 5+r.IntN(6)),
			"body":       text(r, 92+r.IntN(40)),
			"created_at": fmt.Sprintf("2026-%02d-%02dT%02d:%02d:00Z", 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60)),
			"user":       map[string]any{"login": fmt.Sprintf("user%d", r.IntN(500)), "id": r.IntN(90000), "site_admin": false},
			"labels":     []any{map[string]any{"name": []string{"bug", "docs", "enhancement", "question"}[r.IntN(4)]}},
			"html_url":   fmt.Sprintf("https://tracker.example.com/acme/widgets/issues/%d", n),
		}
	}
	return marshal(items)
}

// marshal encodes v, which holds only maps, slices, strings and numbers.
func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("respfiltertest: encoding a payload: %v", err))
	}
	return b
}
