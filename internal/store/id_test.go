package store

import (
	"testing"
	"time"
)

func TestNewIDOrderAndShape(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := range 200 {
		id := newIDAt(t0.Add(time.Duration(i) * time.Millisecond))
		if !validID(id) {
			t.Fatalf("invalid id %q", id)
		}
		if id <= prev {
			t.Fatalf("id %s for a later millisecond sorts before %s", id, prev)
		}
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id], prev = true, id
	}
	// Same millisecond: still unique.
	a, b := newIDAt(t0), newIDAt(t0)
	if a == b || a[:10] != b[:10] {
		t.Fatalf("same-millisecond ids %s %s: want a shared time prefix and distinct randomness", a, b)
	}
	for _, bad := range []string{"", "short", "8zzzzzzzzzzzzzzzzzzzzzzzzz", "0123456789abcdefghjkmnpqrI", "0123456789abcdefghjkmnpqru"} {
		if validID(bad) {
			t.Errorf("validID(%q) = true", bad)
		}
	}
}
