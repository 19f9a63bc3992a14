package store

import (
	"context"
	"testing"
	"time"
)

func testHandles(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now()

	must(t, s.PutHandle(ctx, "h1", "support", []byte("page 2"), now.Add(30*time.Minute)))
	wantErr(t, s.PutHandle(ctx, "h1", "support", []byte("x"), now.Add(time.Minute)), ErrConflict)

	p, err := s.GetHandle(ctx, "h1", "support", now)
	must(t, err)
	if string(p) != "page 2" {
		t.Fatalf("GetHandle = %q", p)
	}
	_, err = s.GetHandle(ctx, "h1", "sales", now)
	wantErr(t, err, ErrNotFound)
	_, err = s.GetHandle(ctx, "missing", "support", now)
	wantErr(t, err, ErrNotFound)
	_, err = s.GetHandle(ctx, "h1", "support", now.Add(30*time.Minute))
	wantErr(t, err, ErrExpired)
}

func testPruneExpired(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now()

	must(t, s.PutHandle(ctx, "old", "support", []byte("x"), now.Add(-time.Second)))
	must(t, s.PutHandle(ctx, "live", "support", []byte("y"), now.Add(time.Hour)))
	oldConf := &Confirmation{Agent: "a", Action: "b", CreatedAt: now.Add(-50 * time.Hour), ExpiresAt: now.Add(-ConfirmationRetention - time.Hour)}
	recentConf := &Confirmation{Agent: "a", Action: "b", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}
	must(t, s.CreateConfirmation(ctx, oldConf))
	must(t, s.CreateConfirmation(ctx, recentConf))
	_, _, err := s.ClaimCall(ctx, "support", "conv", "call")
	must(t, err)
	must(t, s.CompleteCall(ctx, "support", "conv", "call", []byte("answer")))

	must(t, s.PruneExpired(ctx, now))
	_, err = s.GetHandle(ctx, "old", "support", now)
	wantErr(t, err, ErrNotFound)
	_, err = s.GetHandle(ctx, "live", "support", now)
	must(t, err)
	_, err = s.GetConfirmation(ctx, oldConf.ID)
	wantErr(t, err, ErrNotFound)
	_, err = s.GetConfirmation(ctx, recentConf.ID)
	must(t, err)
	res, claimed, err := s.ClaimCall(ctx, "support", "conv", "call")
	must(t, err)
	if claimed || string(res) != "answer" {
		t.Fatal("a recent call record was pruned")
	}

	// A day later the call record is gone and the call may run again.
	must(t, s.PruneExpired(ctx, now.Add(CallRetention+time.Minute)))
	_, claimed, err = s.ClaimCall(ctx, "support", "conv", "call")
	must(t, err)
	if !claimed {
		t.Fatal("an old call record survived pruning")
	}
}
