package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func testConfirmations(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now()

	expires := now.Add(time.Hour)
	if err := s.CreateConfirmation(ctx, &Confirmation{Agent: "support", Action: "refund"}); err == nil || !strings.Contains(err.Error(), "ExpiresAt") {
		t.Fatalf("a confirmation without an expiry: %v, want an error naming ExpiresAt", err)
	}
	c := &Confirmation{Agent: "support", Action: "refund", Payload: []byte(`{"amount":5}`), ExpiresAt: expires}
	must(t, s.CreateConfirmation(ctx, c))
	if !validID(c.ID) || c.State != ConfirmationPending || !c.ExpiresAt.Equal(expires.UTC().Truncate(time.Millisecond)) {
		t.Fatalf("CreateConfirmation filled %+v", c)
	}
	got, err := s.GetConfirmation(ctx, c.ID)
	must(t, err)
	if got.Agent != "support" || got.Action != "refund" || string(got.Payload) != `{"amount":5}` || got.State != ConfirmationPending ||
		!got.ExpiresAt.Equal(c.ExpiresAt) || got.Result != nil {
		t.Fatalf("GetConfirmation = %+v", got)
	}
	if n, err := s.CountPending(ctx, now); err != nil || n != 1 {
		t.Fatalf("CountPending = %d, %v; want 1", n, err)
	}
	if n, err := s.CountPending(ctx, expires); err != nil || n != 0 {
		t.Fatalf("CountPending at the expiry = %d, %v; want 0", n, err)
	}
	_, err = s.GetConfirmation(ctx, "missing")
	wantErr(t, err, ErrNotFound)
	wantErr(t, s.CreateConfirmation(ctx, &Confirmation{ID: c.ID, ExpiresAt: expires}), ErrConflict)

	// Completing before a claim is out of order.
	wantErr(t, s.CompleteConfirmation(ctx, c.ID, []byte("x")), ErrConflict)

	cl, won, err := s.ClaimConfirmation(ctx, c.ID, true, now)
	must(t, err)
	if !won || cl.State != ConfirmationExecuting {
		t.Fatalf("first approve: won=%v state=%s", won, cl.State)
	}
	cl, won, err = s.ClaimConfirmation(ctx, c.ID, true, now)
	must(t, err)
	if won || cl.State != ConfirmationExecuting {
		t.Fatalf("second approve while executing: won=%v state=%s", won, cl.State)
	}
	must(t, s.CompleteConfirmation(ctx, c.ID, []byte("sent: 201")))
	wantErr(t, s.CompleteConfirmation(ctx, c.ID, []byte("again")), ErrConflict)
	cl, won, err = s.ClaimConfirmation(ctx, c.ID, true, now)
	must(t, err)
	if won || cl.State != ConfirmationDone || string(cl.Result) != "sent: 201" {
		t.Fatalf("approve after done: won=%v %+v", won, cl)
	}
	// A reject after the approval changes nothing.
	cl, won, err = s.ClaimConfirmation(ctx, c.ID, false, now)
	must(t, err)
	if won || cl.State != ConfirmationDone {
		t.Fatalf("reject after done: won=%v state=%s", won, cl.State)
	}

	r := &Confirmation{Agent: "support", Action: "refund", Payload: []byte("{}"), ExpiresAt: expires}
	must(t, s.CreateConfirmation(ctx, r))
	cl, won, err = s.ClaimConfirmation(ctx, r.ID, false, now)
	must(t, err)
	if !won || cl.State != ConfirmationRejected {
		t.Fatalf("reject: won=%v state=%s", won, cl.State)
	}
	cl, won, err = s.ClaimConfirmation(ctx, r.ID, true, now)
	must(t, err)
	if won || cl.State != ConfirmationRejected {
		t.Fatalf("approve after reject: won=%v state=%s", won, cl.State)
	}

	e := &Confirmation{Agent: "support", Action: "refund", Payload: []byte("{}"), CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	must(t, s.CreateConfirmation(ctx, e))
	_, won, err = s.ClaimConfirmation(ctx, e.ID, true, now.Add(time.Minute))
	wantErr(t, err, ErrExpired)
	if won {
		t.Fatal("an expired confirmation was won")
	}
	_, _, err = s.ClaimConfirmation(ctx, "missing", true, now)
	wantErr(t, err, ErrNotFound)
}
