package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/runlog"
)

// testRunRecordsKept stores runs that say how many records of the
// response's main list the model received, through every path that writes
// a run: one insert, a batch of several, and a final record replacing the
// intent of a write. Each reads back with its own counts, by id and in a
// listing; a run of a response without a list reads 0 of 0 and its record
// holds neither field.
func testRunRecordsKept(t *testing.T, newStore factory) {
	s, u := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	with := func(r *runlog.Run, kept, total int) *runlog.Run {
		r.RecordsKept, r.RecordsTotal = kept, total
		return r
	}

	single := with(newRun("list_issues", "support", runlog.OutcomeOK, t0), 22, 30)
	must(t, s.InsertRun(ctx, single))
	batch := []*runlog.Run{
		with(newRun("list_orders", "support", runlog.OutcomeOK, t0.Add(time.Minute)), 50, 120),
		with(newRun("get_order", "support", runlog.OutcomeOK, t0.Add(2*time.Minute)), 0, 0),
		with(newRun("list_tickets", "sales", runlog.OutcomeOK, t0.Add(3*time.Minute)), 30, 30),
	}
	intent := newRun("create_ticket", "support", runlog.OutcomePending, t0.Add(4*time.Minute))
	must(t, s.InsertIntent(ctx, intent, t0.Add(time.Hour), ""))
	final := *intent
	final.Outcome, final.Status = runlog.OutcomeOK, 201
	with(&final, 1, 3)
	must(t, s.SaveRuns(ctx, RunBatch{Runs: append(batch, &final), Intents: []Intent{{
		Run: newRun("close_ticket", "support", runlog.OutcomePending, t0.Add(5*time.Minute)), StaleAt: t0.Add(time.Hour),
	}}}))

	want := map[string][2]int{single.ID: {22, 30}, final.ID: {1, 3}}
	for _, r := range batch {
		want[r.ID] = [2]int{r.RecordsKept, r.RecordsTotal}
	}
	// Another replica reads what this one wrote.
	replica := openStore(t, u)
	for id, w := range want {
		got, err := replica.GetRun(ctx, id)
		must(t, err)
		if got.RecordsKept != w[0] || got.RecordsTotal != w[1] {
			t.Errorf("run %s (%s) reads records kept: %d of %d, want %d of %d", id, got.Action, got.RecordsKept, got.RecordsTotal, w[0], w[1])
		}
	}
	runs, _, err := replica.ListRuns(ctx, RunFilter{Outcome: runlog.OutcomeOK})
	must(t, err)
	if len(runs) != len(want) {
		t.Fatalf("listed %d finished runs, want %d", len(runs), len(want))
	}
	for _, got := range runs {
		if w := want[got.ID]; got.RecordsKept != w[0] || got.RecordsTotal != w[1] {
			t.Errorf("listed run %s (%s): records kept: %d of %d, want %d of %d", got.ID, got.Action, got.RecordsKept, got.RecordsTotal, w[0], w[1])
		}
	}

	var rec string
	must(t, s.rdb.QueryRowContext(ctx, s.q(`SELECT record FROM runs WHERE id = ?`), batch[1].ID).Scan(&rec))
	if strings.Contains(rec, "records_") {
		t.Errorf("the record of a response without a list holds record counts: %s", rec)
	}
}

// testRunRecordsKeptOfEarlierRuns stores run records as versions before
// the counts wrote them, then upgrades the schema: they read 0 of 0 and
// nothing else in them changes.
func testRunRecordsKeptOfEarlierRuns(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	p, err := s.provider()
	must(t, err)
	_, err = p.DownTo(ctx, 3)
	must(t, err)
	old := newRun("list_issues", "support", runlog.OutcomeOK, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	old.ID, old.RawBytes, old.RawTokens, old.OutputTokens = s.NewID(), 90_000, 22_000, 950
	rec, err := json.Marshal(old)
	must(t, err)
	if strings.Contains(string(rec), "records_") {
		t.Fatalf("could not write a record as earlier versions did: %s", rec)
	}
	_, err = s.exec(ctx, `INSERT INTO runs (id, started_at, action, agent, outcome, caller, record) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		old.ID, millis(old.StartedAt), old.Action, old.Agent, old.Outcome, old.Caller, string(rec))
	must(t, err)
	must(t, s.Migrate(ctx))

	got, err := s.GetRun(ctx, old.ID)
	must(t, err)
	if got.RecordsKept != 0 || got.RecordsTotal != 0 {
		t.Errorf("an earlier run reads records kept: %d of %d, want 0 of 0", got.RecordsKept, got.RecordsTotal)
	}
	if got.RawTokens != old.RawTokens || got.OutputTokens != old.OutputTokens || got.Output != old.Output {
		t.Errorf("an earlier run changed: %+v", got)
	}
	runs, _, err := s.ListRuns(ctx, RunFilter{})
	must(t, err)
	if len(runs) != 1 || runs[0].RecordsKept != 0 || runs[0].RecordsTotal != 0 {
		t.Errorf("listed earlier runs: %+v", runs)
	}
}
