package respfiltertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/jsonlimit/jsonlimittest"
)

// TestAPIsDeterministic checks that every page is the same bytes on every
// call, so goldens and figures do not move between runs.
func TestAPIsDeterministic(t *testing.T) {
	a, b := APIs(), APIs()
	for i := range a {
		if !bytes.Equal(a[i].Body, b[i].Body) {
			t.Errorf("%s: two calls give different bodies", a[i].Name)
		}
	}
}

// TestAPIsBounds keeps generation cheap: each page is built in under
// 20 ms (measured: 0.2 to 2 ms) and allocates at most 8 times its size
// (measured: 5 to 6 times, the growing output buffer included). The
// race detector's slowdown is allowed for.
func TestAPIsBounds(t *testing.T) {
	for _, build := range builders() {
		api := build()
		jsonlimittest.Within(t, api.Name, 8*uint64(len(api.Body)), raceSlowdown*20*time.Millisecond, func() { build() })
	}
}

// TestAPIsShape checks each page is what the golden tests rely on: valid
// JSON holding a list of 30 objects where the API puts it, each with a
// unique id and every essential, values that vary from item to item, and
// items as fat as the real API's.
func TestAPIsShape(t *testing.T) {
	minItemBytes := map[string]int{
		"github_issues": 4000, "github_pulls": 18000, "github_commits": 3000, "github_workflow_runs": 9000,
		"stripe_charges": 3000, "shopify_orders": 8000, "zendesk_tickets": 1500, "hubspot_contacts": 600,
	}
	names := map[string]bool{}
	for _, api := range APIs() {
		t.Run(api.Name, func(t *testing.T) {
			if names[api.Name] || strings.ContainsAny(api.Name, " /") {
				t.Errorf("name %q is repeated or not a file name", api.Name)
			}
			names[api.Name] = true
			items := listOf(t, api)
			if per := len(api.Body) / len(items); per < minItemBytes[api.Name] {
				t.Errorf("items average %d bytes, want at least %d", per, minItemBytes[api.Name])
			}
			ids := map[string]bool{}
			for i, it := range items {
				id, ok := at(it, api.ID)
				if !ok || id == nil {
					t.Fatalf("item %d has no id %q", i+1, api.ID)
				}
				if ids[fmt.Sprint(id)] {
					t.Errorf("item %d repeats id %v", i+1, id)
				}
				ids[fmt.Sprint(id)] = true
			}
			for _, p := range append(api.Essentials, api.Excerpt) {
				if p == "" {
					continue
				}
				seen := map[string]bool{}
				for i, it := range items {
					v, ok := at(it, p)
					if !ok {
						t.Fatalf("item %d has no field %q", i+1, p)
					}
					seen[fmt.Sprint(v)] = true
				}
				if len(seen) < 2 {
					t.Errorf("every item has the same %s", p)
				}
			}
		})
	}
}

// listOf decodes a page and returns the items of its list.
func listOf(t *testing.T, api API) []map[string]any {
	t.Helper()
	var v any
	if err := json.Unmarshal(api.Body, &v); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if api.List != "" {
		for _, k := range strings.Split(api.List, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
	}
	list, _ := v.([]any)
	if len(list) != Items {
		t.Fatalf("%d items at %q, want %d", len(list), api.List, Items)
	}
	items := make([]map[string]any, len(list))
	for i, e := range list {
		var ok bool
		if items[i], ok = e.(map[string]any); !ok {
			t.Fatalf("item %d is not an object", i+1)
		}
	}
	return items
}

// at returns the value at a dotted path of objects.
func at(v any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
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
