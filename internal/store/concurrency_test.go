package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/runlog"
)

// testConcurrency runs many goroutines over two stores on the same database
// (two replicas) doing every kind of operation at once. Any error fails the
// test, so a "database is locked" surfacing anywhere does too.
func testConcurrency(t *testing.T, newStore factory) {
	const (
		workers = 16
		iters   = 12
		shared  = 4 // confirmations and calls every worker races for
	)
	s, u := newStore(t)
	replica := openStore(t, u)
	ctx := context.Background()
	now := time.Now()

	confs := make([]*Confirmation, shared)
	for i := range confs {
		confs[i] = &Confirmation{Agent: "support", Action: "refund", Payload: []byte("{}"), ExpiresAt: now.Add(time.Hour)}
		must(t, s.CreateConfirmation(ctx, confs[i]))
	}
	v0 := version(t, s)

	var changes atomic.Int64
	var confWins, callWins [shared]atomic.Int32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			st := s
			if w%2 == 1 {
				st = replica
			}
			fail := func(op string, err error) { t.Errorf("worker %d %s: %v", w, op, err) }
			count := func(ch Change) {
				if ch != Unchanged {
					changes.Add(1)
				}
			}
			for i := range iters {
				ch, err := st.Put(ctx, agentRes(fmt.Sprintf("own-%d", w), fmt.Sprint(i)))
				if err != nil {
					fail("Put", err)
					return
				}
				count(ch)
				applied, err := st.Apply(ctx, []action.Resource{
					agentRes("shared", fmt.Sprintf("w%d-%d", w, i)),
					actionRes("lookup", "https://api.example.com/"),
					credRes(fmt.Sprintf("cred-%d", w), fmt.Sprintf("h%d.example.com", i)),
				})
				if err != nil {
					fail("Apply", err)
					return
				}
				for _, a := range applied {
					count(a.Change)
				}
				if _, err := st.Get(ctx, action.KindAgent, "shared"); err != nil {
					fail("Get", err)
				}
				if _, err := st.List(ctx, action.KindAgent); err != nil {
					fail("List", err)
				}
				if err := st.InsertRun(ctx, newRun("lookup", "support", runlog.OutcomeOK, time.Now())); err != nil {
					fail("InsertRun", err)
				}
				if _, _, err := st.ListRuns(ctx, RunFilter{Limit: 5}); err != nil {
					fail("ListRuns", err)
				}
				k := (w + i) % shared
				if _, won, err := st.ClaimConfirmation(ctx, confs[k].ID, true, now); err != nil {
					fail("ClaimConfirmation", err)
				} else if won {
					confWins[k].Add(1)
					if err := st.CompleteConfirmation(ctx, confs[k].ID, []byte("done")); err != nil {
						fail("CompleteConfirmation", err)
					}
				}
				res, claimed, err := st.ClaimCall(ctx, "support", "conv", fmt.Sprint(k))
				switch {
				case errors.Is(err, ErrInProgress):
				case err != nil:
					fail("ClaimCall", err)
				case claimed:
					callWins[k].Add(1)
					if err := st.CompleteCall(ctx, "support", "conv", fmt.Sprint(k), []byte("answer")); err != nil {
						fail("CompleteCall", err)
					}
				case string(res) != "answer":
					t.Errorf("worker %d: repeated call got %q", w, res)
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	if v := version(t, s); v-v0 != changes.Load() {
		t.Errorf("Version moved by %d, but %d changes were reported: an update was lost", v-v0, changes.Load())
	}
	for w := range workers {
		r, err := replica.Get(ctx, action.KindAgent, fmt.Sprintf("own-%d", w))
		must(t, err)
		if r.Agent.Description != fmt.Sprint(iters-1) {
			t.Errorf("own-%d holds %q, want the last write %d", w, r.Agent.Description, iters-1)
		}
	}
	for k := range shared {
		if n := confWins[k].Load(); n != 1 {
			t.Errorf("confirmation %d won %d times, want exactly once", k, n)
		}
		if n := callWins[k].Load(); n != 1 {
			t.Errorf("call %d claimed %d times, want exactly once", k, n)
		}
	}
	ids := map[string]bool{}
	cursor := ""
	for {
		runs, next, err := s.ListRuns(ctx, RunFilter{Cursor: cursor, Limit: MaxRunLimit})
		must(t, err)
		for _, r := range runs {
			ids[r.ID] = true
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(ids) != workers*iters {
		t.Errorf("%d distinct runs stored, want %d", len(ids), workers*iters)
	}
}
