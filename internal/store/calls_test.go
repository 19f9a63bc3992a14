package store

import (
	"context"
	"testing"
	"time"
)

func testCalls(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()

	res, claimed, err := s.ClaimCall(ctx, "support", "conv-1", "call-1")
	must(t, err)
	if !claimed || res != nil {
		t.Fatalf("first claim: claimed=%v result=%q", claimed, res)
	}
	_, claimed, err = s.ClaimCall(ctx, "support", "conv-1", "call-1")
	wantErr(t, err, ErrInProgress)
	if claimed {
		t.Fatal("a call in progress was claimed twice")
	}
	// The same ids under another agent are another call.
	_, claimed, err = s.ClaimCall(ctx, "sales", "conv-1", "call-1")
	must(t, err)
	if !claimed {
		t.Fatal("another agent's call with the same ids was not claimable")
	}

	must(t, s.CompleteCall(ctx, "support", "conv-1", "call-1", []byte("order shipped")))
	res, claimed, err = s.ClaimCall(ctx, "support", "conv-1", "call-1")
	must(t, err)
	if claimed || string(res) != "order shipped" {
		t.Fatalf("repeat after completion: claimed=%v result=%q", claimed, res)
	}
	wantErr(t, s.CompleteCall(ctx, "support", "conv-1", "never-claimed", nil), ErrNotFound)

	// A released claim runs afresh; a completed one is not released.
	must(t, s.ReleaseCall(ctx, "sales", "conv-1", "call-1"))
	_, claimed, err = s.ClaimCall(ctx, "sales", "conv-1", "call-1")
	must(t, err)
	if !claimed {
		t.Fatal("a released call was not claimable")
	}
	must(t, s.ReleaseCall(ctx, "support", "conv-1", "call-1"))
	res, _, err = s.ClaimCall(ctx, "support", "conv-1", "call-1")
	must(t, err)
	if string(res) != "order shipped" {
		t.Fatalf("ReleaseCall dropped a completed call: %q", res)
	}

	// A claim whose owner went silent longer than CallClaimTimeout is taken over.
	stale := millis(time.Now().Add(-CallClaimTimeout - time.Minute))
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE calls SET claimed_at = ? WHERE agent = 'sales'`), stale); err != nil {
		t.Fatal(err)
	}
	_, claimed, err = s.ClaimCall(ctx, "sales", "conv-1", "call-1")
	must(t, err)
	if !claimed {
		t.Fatal("a stale claim was not taken over")
	}

	_, _, err = s.ClaimCall(ctx, "support", "", "call-1")
	if err == nil {
		t.Fatal("ClaimCall without a conversation id succeeded")
	}
}
