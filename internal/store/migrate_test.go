package store

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/runlog"
)

func testMigrate(t *testing.T, newStore factory) {
	s, u := newStore(t)
	ctx := context.Background()
	cur, latest, err := s.SchemaVersion(ctx)
	must(t, err)
	if cur != latest || latest < 1 {
		t.Fatalf("SchemaVersion = %d, %d after Migrate", cur, latest)
	}
	// Migrating again, also from another replica, is a no-op.
	must(t, s.Migrate(ctx))
	replica := openStore(t, u)
	must(t, replica.Migrate(ctx))
	must(t, replica.Ping(ctx))
	if replica.Dialect() != s.Dialect() {
		t.Fatalf("replica dialect %s, store %s", replica.Dialect(), s.Dialect())
	}
	// Data written by one replica is read by the other.
	must(t, s.PutSecret(ctx, "S", []byte("ct")))
	ct, err := replica.GetSecret(ctx, "S")
	must(t, err)
	if string(ct) != "ct" {
		t.Fatalf("replica read %q", ct)
	}
}

// testMarkEstimatedRawTokens rolls the schema back to before migration 3,
// stores run records as earlier versions wrote them (no
// raw_tokens_estimated field), and migrates again: the runs of bodies over
// 16 KiB, whose raw tokens were estimated, are marked so, the others are
// not, and nothing else in the records changes, NUL escapes included.
func testMarkEstimatedRawTokens(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	p, err := s.provider()
	must(t, err)
	_, err = p.DownTo(ctx, 2)
	must(t, err)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	old := map[string]*runlog.Run{}
	for i, size := range []int64{100, 16 << 10, 16<<10 + 1, 5 << 20} {
		r := newRun("lookup", "support", runlog.OutcomeOK, t0.Add(time.Duration(i)*time.Minute))
		r.ID, r.RawBytes, r.RawTokens = s.NewID(), size, int(size/4)
		r.Output = "nul \x00, a written \\u0000 and \\\x00, <html> & \"quotes\""
		rec, err := json.Marshal(r)
		must(t, err)
		rec = bytes.Replace(rec, []byte(`,"raw_tokens_estimated":false`), nil, 1)
		if bytes.Contains(rec, []byte("raw_tokens_estimated")) {
			t.Fatalf("could not write a record as earlier versions did: %s", rec)
		}
		_, err = s.exec(ctx, `INSERT INTO runs (id, started_at, action, agent, outcome, caller, record) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.ID, millis(r.StartedAt), r.Action, r.Agent, r.Outcome, r.Caller, string(rec))
		must(t, err)
		old[r.ID] = r
	}
	must(t, s.Migrate(ctx))
	for id, want := range old {
		got, err := s.GetRun(ctx, id)
		must(t, err)
		if got.RawTokensEstimated != (want.RawBytes > 16<<10) {
			t.Errorf("run of %d raw bytes: raw_tokens_estimated = %v", want.RawBytes, got.RawTokensEstimated)
		}
		got.RawTokensEstimated = false
		if !reflect.DeepEqual(got, want) {
			t.Errorf("run of %d raw bytes changed:\n got %+v\nwant %+v", want.RawBytes, got, want)
		}
	}
	// A run recorded afterwards keeps its own mark, and migrating again
	// changes nothing.
	r := newRun("lookup", "support", runlog.OutcomeOK, t0.Add(time.Hour))
	r.RawBytes = 5 << 20
	must(t, s.InsertRun(ctx, r))
	_, err = p.DownTo(ctx, 2)
	must(t, err)
	must(t, s.Migrate(ctx))
	got, err := s.GetRun(ctx, r.ID)
	must(t, err)
	if got.RawTokensEstimated {
		t.Errorf("a run recorded with raw_tokens_estimated false was marked by migrating again")
	}
}
