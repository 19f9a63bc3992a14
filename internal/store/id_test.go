package store

import (
	"testing"
	"time"
)

func TestNewIDOrderAndShape(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var g idSource
	seen := map[string]bool{}
	prev := ""
	for i := range 200 {
		id := g.next(t0.Add(time.Duration(i) * time.Millisecond))
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
	// Same millisecond, and a clock that steps back: still strictly
	// increasing, so runs list in the order they were made.
	t1 := t0.Add(time.Hour)
	first := g.next(t1)
	if first <= prev {
		t.Fatalf("id %s sorts before %s", first, prev)
	}
	prev = first
	for i := range 1000 {
		at := t1
		if i%7 == 0 {
			at = t1.Add(-time.Second)
		}
		id := g.next(at)
		if id <= prev || id[:10] != first[:10] {
			t.Fatalf("id %d in the same millisecond: %s after %s", i, id, prev)
		}
		prev = id
	}
	// Separate sources (replicas) in one millisecond still differ.
	var g2 idSource
	if a, b := g.next(t0.Add(2*time.Hour)), g2.next(t0.Add(2*time.Hour)); a == b {
		t.Fatalf("two sources made the same id %s", a)
	}
	for _, bad := range []string{"", "short", "8zzzzzzzzzzzzzzzzzzzzzzzzz", "0123456789abcdefghjkmnpqrI", "0123456789abcdefghjkmnpqru"} {
		if validID(bad) {
			t.Errorf("validID(%q) = true", bad)
		}
	}
}
