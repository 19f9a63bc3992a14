package store

import (
	"context"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/runlog"
)

func newRun(act, agent, outcome string, started time.Time) *runlog.Run {
	return &runlog.Run{
		Caller: runlog.CallerTools, Action: act, Agent: agent, Outcome: outcome, StartedAt: started,
		Arguments: map[string]any{"order": "A-1"}, Status: 200, DurationMS: 12.5,
		Request: &runlog.Request{Method: "GET", URL: "https://api.example.com/orders/A-1", Headers: map[string][]string{"Authorization": {"[REDACTED]"}}},
		Output:  `{"status":"shipped"}`,
	}
}

func testRuns(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	r := newRun("lookup", "support", runlog.OutcomeOK, t0)
	must(t, s.InsertRun(ctx, r))
	if !validID(r.ID) {
		t.Fatalf("InsertRun assigned id %q", r.ID)
	}
	got, err := s.GetRun(ctx, r.ID)
	must(t, err)
	if got.ID != r.ID || got.Action != "lookup" || !got.StartedAt.Equal(t0) || got.Request.Headers["Authorization"][0] != "[REDACTED]" ||
		got.Arguments["order"] != "A-1" || got.Output != r.Output || got.DurationMS != 12.5 {
		t.Fatalf("GetRun = %+v", got)
	}
	_, err = s.GetRun(ctx, s.NewID())
	wantErr(t, err, ErrNotFound)
	wantErr(t, s.InsertRun(ctx, r), ErrConflict)

	for _, x := range []*runlog.Run{
		newRun("lookup", "sales", runlog.OutcomeError, t0.Add(time.Hour)),
		newRun("create", "support", runlog.OutcomeConfirmationRequired, t0.Add(2*time.Hour)),
		newRun("create", "", runlog.OutcomeOK, t0.Add(3*time.Hour)),
	} {
		must(t, s.InsertRun(ctx, x))
	}
	for _, c := range []struct {
		f    RunFilter
		want int
	}{
		{RunFilter{}, 4},
		{RunFilter{Action: "lookup"}, 2},
		{RunFilter{Agent: "support"}, 2},
		{RunFilter{Outcome: runlog.OutcomeOK}, 2},
		{RunFilter{Action: "create", Outcome: runlog.OutcomeOK}, 1},
		{RunFilter{Since: t0.Add(90 * time.Minute)}, 2},
		{RunFilter{Since: t0.Add(30 * time.Minute), Until: t0.Add(2 * time.Hour)}, 1},
		{RunFilter{Action: "missing"}, 0},
	} {
		runs, next, err := s.ListRuns(ctx, c.f)
		must(t, err)
		if len(runs) != c.want || next != "" {
			t.Errorf("ListRuns(%+v) = %d runs, next %q; want %d, no next", c.f, len(runs), next, c.want)
		}
		for _, x := range runs {
			if c.f.Action != "" && x.Action != c.f.Action || c.f.Agent != "" && x.Agent != c.f.Agent ||
				c.f.Outcome != "" && x.Outcome != c.f.Outcome || x.StartedAt.Before(c.f.Since) || !c.f.Until.IsZero() && !x.StartedAt.Before(c.f.Until) {
				t.Errorf("ListRuns(%+v) returned %+v", c.f, x)
			}
		}
	}
	_, _, err = s.ListRuns(ctx, RunFilter{Cursor: "not-a-cursor"})
	wantErr(t, err, ErrInvalidCursor)
}

func testRunPagination(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	existing := map[string]bool{}
	for range 30 {
		r := newRun("lookup", "support", runlog.OutcomeOK, time.Now())
		must(t, s.InsertRun(ctx, r))
		existing[r.ID] = true
	}
	seen := map[string]int{}
	var last string
	cursor := ""
	pages := 0
	for {
		runs, next, err := s.ListRuns(ctx, RunFilter{Cursor: cursor, Limit: 7})
		must(t, err)
		pages++
		if len(runs) > 7 {
			t.Fatalf("page of %d runs, limit 7", len(runs))
		}
		for _, r := range runs {
			seen[r.ID]++
			if last != "" && r.ID >= last {
				t.Fatalf("runs not newest first: %s after %s", r.ID, last)
			}
			last = r.ID
		}
		// New runs arrive while the caller pages.
		for range 3 {
			must(t, s.InsertRun(ctx, newRun("lookup", "support", runlog.OutcomeOK, time.Now())))
		}
		if next == "" {
			break
		}
		cursor = next
		if pages > 20 {
			t.Fatal("pagination does not end")
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("run %s listed %d times", id, n)
		}
	}
	for id := range existing {
		if seen[id] != 1 {
			t.Fatalf("run %s missing from the pages", id)
		}
	}
	if pages != 5 {
		t.Fatalf("%d pages for 30 runs of 7, want 5", pages)
	}
	// 45 runs so far; 10 more exceed the default page.
	for range 10 {
		must(t, s.InsertRun(ctx, newRun("lookup", "support", runlog.OutcomeOK, time.Now())))
	}
	runs, next, err := s.ListRuns(ctx, RunFilter{})
	must(t, err)
	if len(runs) != DefaultRunLimit || next == "" {
		t.Fatalf("default page = %d runs, want %d", len(runs), DefaultRunLimit)
	}
}

func testPruneRuns(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now()
	for i := range 6 {
		must(t, s.InsertRun(ctx, newRun("lookup", "support", runlog.OutcomeOK, now.Add(-time.Duration(i)*24*time.Hour))))
	}
	n, err := s.PruneRuns(ctx, now.Add(-(3*24*time.Hour + time.Minute)))
	must(t, err)
	if n != 2 {
		t.Fatalf("PruneRuns deleted %d, want 2", n)
	}
	runs, _, err := s.ListRuns(ctx, RunFilter{})
	must(t, err)
	if len(runs) != 4 {
		t.Fatalf("%d runs left, want 4", len(runs))
	}
	for _, r := range runs {
		if r.StartedAt.Before(now.Add(-3*24*time.Hour - time.Minute)) {
			t.Fatalf("old run %v survived", r.StartedAt)
		}
	}
}
