package store

import (
	"context"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/runlog"
)

func testIntents(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	stale := t0.Add(time.Minute)

	// An intent is on record at once, pending.
	r := newRun("create", "support", runlog.OutcomePending, t0)
	must(t, s.InsertIntent(ctx, r, stale, ""))
	got, err := s.GetRun(ctx, r.ID)
	must(t, err)
	if got.Outcome != runlog.OutcomePending || got.Request.Method != "GET" {
		t.Fatalf("intent stored as %+v", got)
	}
	// Not yet stale: the sweep leaves it.
	n, err := s.SweepRuns(ctx, stale.Add(-time.Millisecond), runlog.OutcomeUnknown, "server stopped")
	must(t, err)
	if n != 0 {
		t.Fatalf("swept %d runs before their stale time", n)
	}

	// Completed: the final record replaces the intent, and no sweep marks it.
	done := *got
	done.Outcome, done.Status, done.Output = runlog.OutcomeOK, 201, `{"id":1}`
	must(t, s.SaveRuns(ctx, RunBatch{Runs: []*runlog.Run{newRun("lookup", "support", runlog.OutcomeOK, t0), &done}}))
	got, err = s.GetRun(ctx, r.ID)
	must(t, err)
	if got.Outcome != runlog.OutcomeOK || got.Status != 201 {
		t.Fatalf("completed intent reads %+v", got)
	}
	if runs, _, err := s.ListRuns(ctx, RunFilter{Outcome: runlog.OutcomePending}); err != nil || len(runs) != 0 {
		t.Fatalf("pending runs after completion: %v, %v", runs, err)
	}

	// Abandoned: past its stale time the sweep marks it unknown, once.
	lost := newRun("create", "support", runlog.OutcomePending, t0)
	must(t, s.InsertIntent(ctx, lost, stale, ""))
	n, err = s.SweepRuns(ctx, stale.Add(time.Millisecond), runlog.OutcomeUnknown, "server stopped")
	must(t, err)
	if n != 1 {
		t.Fatalf("swept %d runs, want the one abandoned", n)
	}
	got, err = s.GetRun(ctx, lost.ID)
	must(t, err)
	if got.Outcome != runlog.OutcomeUnknown || got.Error != "server stopped" || got.Request == nil || got.Arguments["order"] != "A-1" {
		t.Fatalf("swept intent reads %+v", got)
	}
	if runs, _, err := s.ListRuns(ctx, RunFilter{Outcome: runlog.OutcomeUnknown}); err != nil || len(runs) != 1 {
		t.Fatalf("unknown runs listed: %v, %v", runs, err)
	}
	if n, err := s.SweepRuns(ctx, stale.Add(time.Hour), runlog.OutcomeUnknown, "again"); err != nil || n != 0 {
		t.Fatalf("second sweep marked %d, %v", n, err)
	}
	// A final record arriving after the sweep is the real outcome and wins.
	late := *got
	late.Outcome, late.Error = runlog.OutcomeOK, ""
	must(t, s.InsertRun(ctx, &late))
	if got, err := s.GetRun(ctx, lost.ID); err != nil || got.Outcome != runlog.OutcomeOK {
		t.Fatalf("late completion reads %+v, %v", got, err)
	}
	// Intents stored in a batch are pending until their stale time too.
	batched := newRun("create", "support", runlog.OutcomePending, t0)
	must(t, s.SaveRuns(ctx, RunBatch{Intents: []Intent{{Run: batched, StaleAt: stale.Add(time.Hour)}}}))
	if n, err := s.SweepRuns(ctx, stale.Add(time.Minute), runlog.OutcomeUnknown, "x"); err != nil || n != 0 {
		t.Fatalf("swept a batched intent before its time: %d, %v", n, err)
	}
	if n, err := s.SweepRuns(ctx, stale.Add(2*time.Hour), runlog.OutcomeUnknown, "x"); err != nil || n != 1 {
		t.Fatalf("swept %d batched intents after their time, %v; want 1", n, err)
	}
	// A final record whose intent is gone is stored all the same, but one
	// never replaces another final record.
	gone := newRun("create", "support", runlog.OutcomeOK, t0)
	gone.ID = s.NewID()
	must(t, s.InsertRun(ctx, gone))
	again := *gone
	again.Outcome = runlog.OutcomeError
	wantErr(t, s.InsertRun(ctx, &again), ErrConflict)
	if got, err := s.GetRun(ctx, gone.ID); err != nil || got.Outcome != runlog.OutcomeOK {
		t.Fatalf("a second record with the ID of a final one: %+v, %v", got, err)
	}
}

func testConfirmationOutcomeUnknown(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now()
	c := &Confirmation{Agent: "support", Action: "refund", Payload: []byte(`{}`), ExpiresAt: now.Add(15 * time.Minute)}
	must(t, s.CreateConfirmation(ctx, c))
	_, won, err := s.ClaimConfirmation(ctx, c.ID, true, now)
	must(t, err)
	if !won {
		t.Fatal("claim lost")
	}
	// The send's intent moves the confirmation's stale time with it.
	sendStale := now.Add(ExecutingTTL + time.Hour)
	must(t, s.InsertIntent(ctx, newRun("refund", "support", runlog.OutcomePending, now), sendStale, c.ID))
	if n, err := s.SweepConfirmations(ctx, now.Add(ExecutingTTL+time.Minute)); err != nil || n != 0 {
		t.Fatalf("a confirmation whose send is within its time was swept: %d, %v", n, err)
	}
	n, err := s.SweepConfirmations(ctx, sendStale.Add(time.Millisecond))
	must(t, err)
	if got, _ := s.GetConfirmation(ctx, c.ID); n != 1 || got.State != ConfirmationUnknown {
		t.Fatalf("sweep marked %d, state %s; want unknown", n, got.State)
	}
	// The unknown confirmation no longer takes an intent: a send that
	// started too late does not go out.
	wantErr(t, s.InsertIntent(ctx, newRun("refund", "support", runlog.OutcomePending, now), sendStale, c.ID), ErrConflict)
	if runs, _, _ := s.ListRuns(ctx, RunFilter{}); len(runs) != 1 {
		t.Fatalf("a refused intent was stored: %d runs", len(runs))
	}
	// Unknown ones are listed, kept past expiry, and retried by one caller.
	list, err := s.ListConfirmations(ctx, ConfirmationUnknown, 0)
	must(t, err)
	if len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("ListConfirmations(unknown) = %v", list)
	}
	must(t, s.PruneExpired(ctx, c.ExpiresAt.Add(ConfirmationRetention+time.Hour)))
	_, err = s.GetConfirmation(ctx, c.ID)
	must(t, err)
	got, won, err := s.RetryConfirmation(ctx, c.ID, now)
	must(t, err)
	if !won || got.State != ConfirmationExecuting {
		t.Fatalf("retry: won %v, state %s", won, got.State)
	}
	if _, won, _ := s.RetryConfirmation(ctx, c.ID, now); won {
		t.Fatal("a second retry won while the first is executing")
	}
	// An executing retry without an intent is swept after ExecutingTTL.
	if n, _ := s.SweepConfirmations(ctx, now.Add(ExecutingTTL+time.Millisecond)); n != 1 {
		t.Fatalf("abandoned retry swept %d", n)
	}
	// A late result still completes it; closed is final.
	must(t, s.CompleteConfirmation(ctx, c.ID, []byte("sent")))
	if _, won, _ := s.CloseConfirmation(ctx, c.ID); won {
		t.Fatal("closed a done confirmation")
	}

	d := &Confirmation{Agent: "support", Action: "refund", Payload: []byte(`{}`), ExpiresAt: now.Add(15 * time.Minute)}
	must(t, s.CreateConfirmation(ctx, d))
	_, _, err = s.ClaimConfirmation(ctx, d.ID, true, now)
	must(t, err)
	_, err = s.SweepConfirmations(ctx, now.Add(ExecutingTTL+time.Millisecond))
	must(t, err)
	got, won, err = s.CloseConfirmation(ctx, d.ID)
	must(t, err)
	if !won || got.State != ConfirmationClosed {
		t.Fatalf("close: won %v, state %s", won, got.State)
	}
	if _, won, _ := s.RetryConfirmation(ctx, d.ID, now); won {
		t.Fatal("retried a closed confirmation")
	}
	wantErr(t, s.CompleteConfirmation(ctx, d.ID, []byte("x")), ErrConflict)
}
