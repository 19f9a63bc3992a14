package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/store/storetest"
)

// testSpec is a workflow's canonical JSON as a run keeps it.
const testSpec = `{"name":"order_shipped","trigger":{"manual":{}},"steps":[{"id":"order","action":"get_order"}]}`

// newWorkflowRun is a queued run of workflow with the least a run needs.
func newWorkflowRun(workflow string) *WorkflowRun {
	return &WorkflowRun{Workflow: workflow, Trigger: "manual", Spec: json.RawMessage(testSpec), Status: RunQueued}
}

// insertWorkflowRun stores r, failing t unless a new run was created.
func insertWorkflowRun(t *testing.T, s *Store, r *WorkflowRun) *WorkflowRun {
	t.Helper()
	got, created, err := s.InsertWorkflowRun(context.Background(), r)
	must(t, err)
	if !created || got != r {
		t.Fatalf("InsertWorkflowRun: created %v, returned %p for %p", created, got, r)
	}
	return r
}

// at is a time as the store keeps it: UTC, whole milliseconds.
func at(t time.Time) *time.Time {
	v := t.UTC().Truncate(time.Millisecond)
	return &v
}

// testWorkflowRunRoundTrip stores a run with every field set, and runs
// with nil and empty values, and reads back exactly what was stored; an
// update saves its fields and leaves the others.
func testWorkflowRunRoundTrip(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	berlin, err := time.LoadLocation("Europe/Berlin")
	must(t, err)
	// Times in another zone and with nanoseconds come back in UTC, to the
	// millisecond.
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, berlin)
	full := &WorkflowRun{
		Workflow: "order_shipped",
		Spec:     json.RawMessage(testSpec),
		Trigger:  "webhook",
		DedupKey: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
		Input: map[string]any{
			"order_id": "A-1001",
			"customer": map[string]any{"email": "ada@example.com", "vip": true},
			"items":    []any{json.Number("3"), json.Number("12345678901234567890"), json.Number("2.5")},
			"note":     nil,
		},
		ContactID:   "01hzcontact0000000000000000",
		Vars:        map[string]any{"tracking": "1Z999", "count": json.Number("7")},
		Status:      RunRunning,
		Seq:         4,
		Cursor:      "steps.1.then.0",
		Visits:      map[string]int{"order": 1, "shipped": 2},
		Error:       "",
		ParentRunID: s.NewID(),
		WakeAt:      &t0,
		LeaseUntil:  ptr(t0.Add(time.Minute)),
		CreatedAt:   t0.Add(-time.Hour),
		UpdatedAt:   t0.Add(-time.Minute),
		StartedAt:   ptr(t0.Add(-59 * time.Minute)),
		FinishedAt:  ptr(t0.Add(time.Hour)),
		Steps: []StepRecord{
			{
				ID: "order", Type: "action", Status: RunCompleted, Visit: 1, Attempts: 2, HTTPStatus: 200,
				Input:   map[string]any{"order_id": "A-1001", "limit": json.Number("10")},
				Output:  `{"shipment":{"tracking_number":"1Z999"}}`,
				Extract: map[string]any{"tracking": "1Z999", "weight": json.Number("1.25"), "boxes": json.Number("2"), "gift": false, "lines": []any{"a", "b"}, "missing": nil},
				RunID:   s.NewID(), StartedAt: t0.Add(-58 * time.Minute).UTC().Truncate(time.Millisecond),
				FinishedAt: at(t0.Add(-57 * time.Minute)), DurationMS: 60000,
			},
			{ID: "shipped", Type: "if", Status: StepSkipped, StartedAt: t0.UTC().Truncate(time.Millisecond)},
			{ID: "note", Type: "action", Status: RunFailed, Visit: 2, Error: "upstream answered 503", StartedAt: t0.UTC().Truncate(time.Millisecond)},
		},
	}
	got := insertWorkflowRun(t, s, full)
	if !validID(got.ID) {
		t.Fatalf("assigned id %q", got.ID)
	}
	want := *full
	want.CreatedAt, want.UpdatedAt = *at(t0.Add(-time.Hour)), *at(t0.Add(-time.Minute))
	want.WakeAt, want.LeaseUntil = at(t0), at(t0.Add(time.Minute))
	want.StartedAt, want.FinishedAt = at(t0.Add(-59*time.Minute)), at(t0.Add(time.Hour))
	if !reflect.DeepEqual(*full, want) {
		t.Fatalf("the inserted run was not given its stored times:\n got %+v\nwant %+v", *full, want)
	}
	stored, err := s.GetWorkflowRun(ctx, full.ID)
	must(t, err)
	if !reflect.DeepEqual(*stored, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", *stored, want)
	}
	if stored.WakeAt.Location() != time.UTC || stored.CreatedAt.Location() != time.UTC {
		t.Fatalf("times not in UTC: %v %v", stored.WakeAt, stored.CreatedAt)
	}
	if e := stored.Steps[0].Extract["boxes"]; e != json.Number("2") {
		t.Fatalf("extract value %#v, want the exact number", e)
	}

	// Nil values stay nil and empty ones empty; the store sets missing
	// times.
	before := time.Now().Add(-time.Second)
	nils := insertWorkflowRun(t, s, newWorkflowRun("order_shipped"))
	empty := newWorkflowRun("order_shipped")
	empty.Input, empty.Vars, empty.Visits, empty.Steps = map[string]any{}, map[string]any{}, map[string]int{}, []StepRecord{}
	insertWorkflowRun(t, s, empty)
	for _, r := range []*WorkflowRun{nils, empty} {
		got, err := s.GetWorkflowRun(ctx, r.ID)
		must(t, err)
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("round trip:\n got %#v\nwant %#v", got, r)
		}
		if got.CreatedAt.Before(before) || !got.UpdatedAt.Equal(got.CreatedAt) || got.WakeAt != nil || got.StartedAt != nil {
			t.Fatalf("times of a run stored without them: %+v", got)
		}
	}
	if got, _ := s.GetWorkflowRun(ctx, empty.ID); got.Input == nil || got.Steps == nil || got.Visits == nil || got.Vars == nil {
		t.Fatalf("empty values came back nil: %#v", got)
	}

	// An update saves its fields, not the ones fixed at the start.
	now := t0.Add(2 * time.Hour)
	up := *stored
	up.Status, up.Seq, up.Cursor, up.Error = RunFailed, 5, "", "step note failed"
	up.Visits = map[string]int{"order": 1, "shipped": 2, "note": 3}
	up.Vars = nil
	up.Steps = append(slices.Clone(stored.Steps), StepRecord{ID: "later", Type: "wait", Status: RunWaiting, Extract: map[string]any{"n": json.Number("-0.5e-3")}, StartedAt: *at(now)})
	up.WakeAt, up.LeaseUntil, up.StartedAt, up.FinishedAt = nil, nil, at(t0), ptr(now.Add(time.Nanosecond))
	up.Input = map[string]any{"changed": true}
	up.Spec = json.RawMessage(`{"changed":true}`)
	must(t, s.UpdateWorkflowRun(ctx, &up, 4, now))
	if up.UpdatedAt != *at(now) || up.UpdatedAt.Location() != time.UTC || !up.FinishedAt.Equal(*at(now)) {
		t.Fatalf("after update: updated_at %v, finished_at %v", up.UpdatedAt, up.FinishedAt)
	}
	got2, err := s.GetWorkflowRun(ctx, full.ID)
	must(t, err)
	wantUp := up
	wantUp.Input, wantUp.Spec = stored.Input, stored.Spec
	if !reflect.DeepEqual(*got2, wantUp) {
		t.Fatalf("after update:\n got %+v\nwant %+v", *got2, wantUp)
	}

	_, err = s.GetWorkflowRun(ctx, s.NewID())
	wantErr(t, err, ErrNotFound)
}

// testWorkflowRunInvalid checks that a run missing what it needs is
// refused naming the field, and an id in use is ErrConflict.
func testWorkflowRunInvalid(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, c := range []struct {
		field  string
		change func(r *WorkflowRun)
	}{
		{"workflow", func(r *WorkflowRun) { r.Workflow = "" }},
		{"trigger", func(r *WorkflowRun) { r.Trigger = "" }},
		{"status", func(r *WorkflowRun) { r.Status = "" }},
		{"status", func(r *WorkflowRun) { r.Status = StepSkipped }},
		{"spec", func(r *WorkflowRun) { r.Spec = nil }},
		{"spec", func(r *WorkflowRun) { r.Spec = json.RawMessage(`{"steps": [`) }},
		{"id", func(r *WorkflowRun) { r.ID = "run-1" }},
		{"input", func(r *WorkflowRun) { r.Input = map[string]any{"x": math.Inf(1)} }},
		{"vars", func(r *WorkflowRun) { r.Vars = map[string]any{"x": make(chan int)} }},
		{"steps", func(r *WorkflowRun) { r.Steps = []StepRecord{{ID: "a", Input: math.NaN()}} }},
	} {
		r := newWorkflowRun("w")
		c.change(r)
		_, created, err := s.InsertWorkflowRun(ctx, r)
		if err == nil || created || !strings.HasPrefix(strings.TrimPrefix(err.Error(), "store: inserting workflow run: "), c.field) {
			t.Errorf("%s: created %v, error %v; want an error naming %s", c.field, created, err, c.field)
		}
	}
	if counts, err := s.CountWorkflowRuns(ctx); err != nil || len(counts) != 0 {
		t.Fatalf("after refused inserts: counts %v, %v", counts, err)
	}
	r := insertWorkflowRun(t, s, newWorkflowRun("w"))
	again := newWorkflowRun("other")
	again.ID = r.ID
	_, created, err := s.InsertWorkflowRun(ctx, again)
	wantErr(t, err, ErrConflict)
	if created {
		t.Fatal("a run with a taken id was created")
	}
	r.Status = "paused"
	if err := s.UpdateWorkflowRun(ctx, r, r.Seq, time.Now()); err == nil || !strings.Contains(err.Error(), "status") {
		t.Fatalf("update to an unknown status: %v", err)
	}
}

// testWorkflowRunDedupRace has 16 inserts of one dedup key, on two stores
// on one database, race: exactly one creates the run and all the others
// get that run. Keys are per workflow, and runs without one never clash.
func testWorkflowRunDedupRace(t *testing.T, newStore factory) {
	s, u := newStore(t)
	replica := openStore(t, u)
	ctx := context.Background()
	const inserters = 16
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created []string
		seen    = map[string]int{}
		errs    []error
	)
	start := make(chan struct{})
	for i := range inserters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := s
			if i%2 == 1 {
				st = replica
			}
			r := newWorkflowRun("order_shipped")
			r.Trigger, r.DedupKey = "webhook", "msg_1"
			r.Input = map[string]any{"inserter": json.Number(fmt.Sprint(i))}
			<-start
			got, ok, err := st.InsertWorkflowRun(ctx, r)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case ok:
				created = append(created, got.ID)
				seen[got.ID]++
			default:
				if got == r || got.DedupKey != "msg_1" || string(got.Spec) != testSpec {
					errs = append(errs, fmt.Errorf("existing run returned as %+v", got))
				}
				if r.ID != "" {
					errs = append(errs, fmt.Errorf("the refused run was given id %s", r.ID))
				}
				seen[got.ID]++
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(created) != 1 || len(seen) != 1 || seen[created[0]] != inserters {
		t.Fatalf("%d inserts created a run (%v); runs returned: %v", len(created), created, seen)
	}
	first, err := s.GetWorkflowRun(ctx, created[0])
	must(t, err)
	// Later inserts of the key get the same run, from either store.
	for _, st := range []*Store{s, replica} {
		r := newWorkflowRun("order_shipped")
		r.DedupKey = "msg_1"
		got, ok, err := st.InsertWorkflowRun(ctx, r)
		must(t, err)
		if ok || !reflect.DeepEqual(got, first) {
			t.Fatalf("repeated key: created %v, got %+v, want %+v", ok, got, first)
		}
	}
	// The same key in another workflow, and runs without a key, are new.
	other := newWorkflowRun("order_cancelled")
	other.DedupKey = "msg_1"
	insertWorkflowRun(t, s, other)
	insertWorkflowRun(t, s, newWorkflowRun("order_shipped"))
	insertWorkflowRun(t, replica, newWorkflowRun("order_shipped"))
	counts, err := s.CountWorkflowRuns(ctx)
	must(t, err)
	if !reflect.DeepEqual(counts, map[string]map[string]int{"order_shipped": {RunQueued: 3}, "order_cancelled": {RunQueued: 1}}) {
		t.Fatalf("counts %v", counts)
	}
}

// testWorkflowRunCAS checks that an update applies only at the seq it was
// made from: a stale one, or one of a missing run, is ErrConflict and
// changes nothing, and of many updates from one seq exactly one applies.
func testWorkflowRunCAS(t *testing.T, newStore factory) {
	s, u := newStore(t)
	replica := openStore(t, u)
	ctx := context.Background()
	r := insertWorkflowRun(t, s, newWorkflowRun("w"))
	now := time.Now().Add(time.Minute).UTC().Truncate(time.Millisecond)

	next := *r
	next.Status, next.Seq = RunRunning, 1
	must(t, s.UpdateWorkflowRun(ctx, &next, 0, now))

	stale := *r
	stale.Status, stale.Seq, stale.Error = RunFailed, 1, "late worker"
	err := replica.UpdateWorkflowRun(ctx, &stale, 0, now.Add(time.Second))
	wantErr(t, err, ErrConflict)
	if !stale.UpdatedAt.Equal(r.UpdatedAt) {
		t.Fatalf("a refused update set updated_at to %v", stale.UpdatedAt)
	}
	got, err := s.GetWorkflowRun(ctx, r.ID)
	must(t, err)
	if got.Status != RunRunning || got.Seq != 1 || got.Error != "" || !got.UpdatedAt.Equal(now) {
		t.Fatalf("after a stale update: %+v", got)
	}

	missing := *r
	missing.ID = s.NewID()
	wantErr(t, s.UpdateWorkflowRun(ctx, &missing, 0, now), ErrConflict)

	const workers = 16
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins []int
		errs []error
	)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := s
			if i%2 == 1 {
				st = replica
			}
			w := *got
			w.Seq, w.Cursor = 2, fmt.Sprintf("worker-%d", i)
			err := st.UpdateWorkflowRun(ctx, &w, 1, now)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				wins = append(wins, i)
			} else if !errors.Is(err, ErrConflict) {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if len(wins) != 1 || len(errs) > 0 {
		t.Fatalf("%d of %d updates from seq 1 applied; other errors: %v", len(wins), workers, errs)
	}
	got, err = s.GetWorkflowRun(ctx, r.ID)
	must(t, err)
	if got.Seq != 2 || got.Cursor != fmt.Sprintf("worker-%d", wins[0]) {
		t.Fatalf("run at seq %d, cursor %q; winner was %d", got.Seq, got.Cursor, wins[0])
	}
}

// testStalledWorkflowRuns checks each case of a run that lost its job,
// the runs that did not, oldest update first and limited.
func testStalledWorkflowRuns(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	before := now.Add(-5 * time.Minute)
	age := func(d time.Duration) time.Time { return now.Add(-d) }
	stalled := map[string]string{}
	add := func(name string, want bool, status string, updated time.Time, lease, wake *time.Time) {
		r := newWorkflowRun("w")
		r.Status, r.UpdatedAt, r.CreatedAt, r.LeaseUntil, r.WakeAt = status, updated, updated, lease, wake
		insertWorkflowRun(t, s, r)
		if want {
			stalled[r.ID] = name
		}
	}
	add("running, lease expired", true, RunRunning, age(time.Minute), ptr(age(time.Second)), nil)
	add("queued, lease expired", true, RunQueued, age(2*time.Minute), ptr(age(time.Second)), nil)
	add("waiting, lease expired", true, RunWaiting, age(3*time.Minute), ptr(age(time.Second)), ptr(now.Add(time.Hour)))
	add("running, lease held, old update", false, RunRunning, age(time.Hour), ptr(now.Add(time.Second)), nil)
	add("queued, no lease, old update", true, RunQueued, age(10*time.Minute), nil, nil)
	add("running, no lease, old update", true, RunRunning, age(11*time.Minute), nil, nil)
	add("queued, no lease, recent update", false, RunQueued, age(4*time.Minute), nil, nil)
	add("waiting, past wake", true, RunWaiting, age(time.Hour), nil, ptr(age(6*time.Minute)))
	add("waiting, wake within the grace", false, RunWaiting, age(time.Hour), nil, ptr(age(time.Minute)))
	add("waiting, wake ahead", false, RunWaiting, age(2*time.Hour), nil, ptr(now.Add(time.Hour)))
	add("waiting, no wake", false, RunWaiting, age(3*time.Hour), nil, nil)
	add("waiting, lease expired and past wake", true, RunWaiting, age(4*time.Hour), ptr(age(time.Second)), ptr(age(time.Hour)))
	for _, st := range []string{RunCompleted, RunFailed, RunCancelled} {
		add(st+", lease expired and past wake", false, st, age(5*time.Hour), ptr(age(time.Second)), ptr(age(time.Hour)))
		add(st+", old update", false, st, age(5*time.Hour), nil, nil)
	}

	got, err := s.StalledWorkflowRuns(ctx, now, before, 100)
	must(t, err)
	var names []string
	for i, r := range got {
		names = append(names, stalled[r.ID])
		if _, ok := stalled[r.ID]; !ok {
			t.Errorf("not stalled but returned: status %s, updated %v, lease %v, wake %v", r.Status, r.UpdatedAt, r.LeaseUntil, r.WakeAt)
		}
		if i > 0 && r.UpdatedAt.Before(got[i-1].UpdatedAt) {
			t.Errorf("not oldest update first: %v after %v", r.UpdatedAt, got[i-1].UpdatedAt)
		}
		if string(r.Spec) != testSpec {
			t.Errorf("stalled run without its spec: %q", r.Spec)
		}
	}
	if len(got) != len(stalled) {
		t.Fatalf("returned %d runs %q, want %d", len(got), names, len(stalled))
	}
	wantFirst := []string{"waiting, lease expired and past wake", "waiting, past wake", "running, no lease, old update"}
	if !slices.Equal(names[:3], wantFirst) {
		t.Fatalf("order %q, want it to start %q", names, wantFirst)
	}
	top, err := s.StalledWorkflowRuns(ctx, now, before, 3)
	must(t, err)
	if len(top) != 3 || top[0].ID != got[0].ID || top[2].ID != got[2].ID {
		t.Fatalf("limit 3 returned %d runs", len(top))
	}
	_, err = s.StalledWorkflowRuns(ctx, now, before, 0)
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("limit 0: %v", err)
	}
}

// testWorkflowRunList pages through runs newest first, filtered by
// workflow and status, without specs but with steps.
func testWorkflowRunList(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	statuses := WorkflowRunStatuses()
	var all []*WorkflowRun
	for i := range 30 {
		r := newWorkflowRun([]string{"a", "b"}[i%2])
		r.Status = statuses[i%len(statuses)]
		r.Steps = []StepRecord{{ID: "order", Type: "action", Status: RunCompleted, Extract: map[string]any{"i": json.Number(fmt.Sprint(i))}, StartedAt: time.Now().UTC().Truncate(time.Millisecond)}}
		all = append(all, insertWorkflowRun(t, s, r))
	}
	slices.Reverse(all)
	pageThrough := func(f WorkflowRunFilter) []string {
		t.Helper()
		var ids []string
		for page := 0; ; page++ {
			runs, next, err := s.ListWorkflowRuns(ctx, f)
			must(t, err)
			if len(runs) > f.Limit {
				t.Fatalf("page of %d runs, limit %d", len(runs), f.Limit)
			}
			for _, r := range runs {
				if r.Spec != nil || len(r.Steps) != 1 || r.Steps[0].Extract["i"] == nil {
					t.Fatalf("listed run: spec %q, steps %+v", r.Spec, r.Steps)
				}
				ids = append(ids, r.ID)
			}
			if page == 0 && f.Cursor == "" {
				// Runs stored while paging do not show up on later pages.
				extra := newWorkflowRun(cmpOr(f.Workflow, "a"))
				extra.Status = cmpOr(f.Status, RunQueued)
				insertWorkflowRun(t, s, extra)
				defer func() { must(t, deleteWorkflowRun(s, extra.ID)) }()
			}
			if next == "" {
				return ids
			}
			f.Cursor = next
		}
	}
	for _, f := range []WorkflowRunFilter{
		{Limit: 7},
		{Workflow: "a", Limit: 4},
		{Status: RunFailed, Limit: 2},
		{Workflow: "b", Status: RunRunning, Limit: 1},
		{Workflow: "b", Status: RunRunning, Limit: 5},
		{Workflow: "c", Limit: 5},
	} {
		var want []string
		for _, r := range all {
			if (f.Workflow == "" || r.Workflow == f.Workflow) && (f.Status == "" || r.Status == f.Status) {
				want = append(want, r.ID)
			}
		}
		if got := pageThrough(f); !slices.Equal(got, want) {
			t.Errorf("%+v: listed %d runs %v, want %d %v", f, len(got), got, len(want), want)
		}
	}
	_, _, err := s.ListWorkflowRuns(ctx, WorkflowRunFilter{Cursor: "not-a-cursor"})
	wantErr(t, err, ErrInvalidCursor)
	_, _, err = s.ListWorkflowRuns(ctx, WorkflowRunFilter{Status: StepSkipped})
	if err == nil || !strings.Contains(err.Error(), "status") {
		t.Fatalf("listing by a step status: %v", err)
	}
}

// testWorkflowRunListBounds checks the default and the largest page.
func testWorkflowRunListBounds(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	for range MaxWorkflowRunLimit + 1 {
		insertWorkflowRun(t, s, newWorkflowRun("w"))
	}
	runs, next, err := s.ListWorkflowRuns(ctx, WorkflowRunFilter{})
	must(t, err)
	if len(runs) != DefaultWorkflowRunLimit || next != runs[len(runs)-1].ID {
		t.Fatalf("limit 0: %d runs, next %q", len(runs), next)
	}
	runs, next, err = s.ListWorkflowRuns(ctx, WorkflowRunFilter{Limit: 1 << 30})
	must(t, err)
	if len(runs) != MaxWorkflowRunLimit || next == "" {
		t.Fatalf("a huge limit: %d runs, next %q", len(runs), next)
	}
	runs, next, err = s.ListWorkflowRuns(ctx, WorkflowRunFilter{Limit: MaxWorkflowRunLimit, Cursor: next})
	must(t, err)
	if len(runs) != 1 || next != "" {
		t.Fatalf("last page: %d runs, next %q", len(runs), next)
	}
}

// testCountWorkflowRuns counts runs by workflow and status as they move.
func testCountWorkflowRuns(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	counts, err := s.CountWorkflowRuns(ctx)
	must(t, err)
	if len(counts) != 0 {
		t.Fatalf("counts of no runs: %v", counts)
	}
	want := map[string]map[string]int{}
	var last *WorkflowRun
	for i, st := range []string{RunQueued, RunQueued, RunRunning, RunCompleted, RunFailed, RunCompleted, RunWaiting} {
		r := newWorkflowRun([]string{"a", "b", "c"}[i%3])
		r.Status = st
		last = insertWorkflowRun(t, s, r)
		if want[r.Workflow] == nil {
			want[r.Workflow] = map[string]int{}
		}
		want[r.Workflow][st]++
	}
	last.Status, last.Seq = RunCancelled, 1
	must(t, s.UpdateWorkflowRun(ctx, last, 0, time.Now()))
	want[last.Workflow][RunWaiting]--
	if want[last.Workflow][RunWaiting] == 0 {
		delete(want[last.Workflow], RunWaiting)
	}
	want[last.Workflow][RunCancelled]++
	counts, err = s.CountWorkflowRuns(ctx)
	must(t, err)
	if !reflect.DeepEqual(counts, want) {
		t.Fatalf("counts %v, want %v", counts, want)
	}
}

// testPruneWorkflowRuns checks that pruning old runs deletes workflow
// runs that finished before the cutoff and keeps the rest.
func testPruneWorkflowRuns(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now()
	cutoff := now.Add(-30 * 24 * time.Hour)
	kept := map[string]bool{}
	for _, st := range WorkflowRunStatuses() {
		for _, old := range []bool{true, false} {
			r := newWorkflowRun("w")
			r.Status, r.CreatedAt, r.UpdatedAt = st, cutoff.Add(-time.Hour), cutoff.Add(time.Minute)
			if old {
				r.UpdatedAt = cutoff.Add(-time.Minute)
			}
			insertWorkflowRun(t, s, r)
			kept[r.ID] = !old || !TerminalRun(st)
		}
	}
	// A run that finished recently is kept however long ago it started.
	r := newWorkflowRun("w")
	r.CreatedAt = cutoff.Add(-time.Hour)
	insertWorkflowRun(t, s, r)
	r.Status, r.Seq, r.FinishedAt = RunCompleted, 1, &now
	must(t, s.UpdateWorkflowRun(ctx, r, 0, now))
	kept[r.ID] = true

	n, err := s.PruneRuns(ctx, cutoff)
	must(t, err)
	if n != 3 {
		t.Fatalf("PruneRuns deleted %d, want the 3 old finished workflow runs", n)
	}
	for id, keep := range kept {
		_, err := s.GetWorkflowRun(ctx, id)
		if keep && err != nil || !keep && !errors.Is(err, ErrNotFound) {
			t.Errorf("run %s (kept %v): %v", id, keep, err)
		}
	}
	if n, err = s.PruneRuns(ctx, cutoff); err != nil || n != 0 {
		t.Fatalf("pruning again: %d, %v", n, err)
	}
}

// deleteWorkflowRun removes a run a test added.
func deleteWorkflowRun(s *Store, id string) error {
	_, err := s.exec(context.Background(), `DELETE FROM workflow_runs WHERE id = ?`, id)
	return err
}

// cmpOr is the first of a and b that is not empty.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// BenchmarkWorkflowRunSQLite measures a run's writes on SQLite: one
// insert and three updates, as a run of one action step makes them
// (workflowRunWrites). It reports runs/s.
func BenchmarkWorkflowRunSQLite(b *testing.B) {
	s, err := Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	benchmarkWorkflowRun(b, s)
}

// BenchmarkWorkflowRunPostgres is BenchmarkWorkflowRunSQLite on the
// PostgreSQL server named by ACTIONGATE_TEST_POSTGRES_URL.
func BenchmarkWorkflowRunPostgres(b *testing.B) {
	s, err := Open(context.Background(), storetest.PostgresURL(b, "store_bench"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	benchmarkWorkflowRun(b, s)
}

// benchmarkWorkflowRun stores runs of one action step: one at a time,
// and from 16 goroutines at once, as busy workers do.
func benchmarkWorkflowRun(b *testing.B, s *Store) {
	var n atomic.Int64
	input := map[string]any{"order_id": "A-1001", "customer": map[string]any{"email": "ada@example.com"}}
	spec := json.RawMessage(strings.Repeat(" ", 1500) + testSpec)
	one := func() error { return workflowRunWrites(s, fmt.Sprint("msg_", n.Add(1)), spec, input) }
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := one(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
	})
	b.Run("parallel16", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(8) // 8 per CPU: 16 on 2 CPUs
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := one(); err != nil {
					b.Error(err) // Fatal is for the benchmark's own goroutine
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
	})
}

// workflowRunWrites makes the writes of one run of one action step: an
// insert and three updates (started with a lease, the step recorded,
// completed).
func workflowRunWrites(s *Store, key string, spec json.RawMessage, input map[string]any) error {
	ctx := context.Background()
	r := &WorkflowRun{Workflow: "order_shipped", Trigger: "webhook", DedupKey: key, Spec: spec, Input: input, Status: RunQueued}
	if _, _, err := s.InsertWorkflowRun(ctx, r); err != nil {
		return err
	}
	now := time.Now()
	r.Status, r.Seq, r.Cursor, r.StartedAt, r.LeaseUntil = RunRunning, 1, "0", &now, ptr(now.Add(time.Minute))
	r.Steps = []StepRecord{{ID: "order", Type: "action", Status: RunRunning, Visit: 1, Attempts: 1, StartedAt: now}}
	if err := s.UpdateWorkflowRun(ctx, r, 0, now); err != nil {
		return err
	}
	r.Seq, r.Cursor, r.Steps[0].Status, r.Steps[0].HTTPStatus = 2, "1", RunCompleted, 200
	r.Steps[0].Output, r.Steps[0].Extract = `{"tracking":"1Z999"}`, map[string]any{"tracking": "1Z999"}
	if err := s.UpdateWorkflowRun(ctx, r, 1, now); err != nil {
		return err
	}
	r.Status, r.Seq, r.Cursor, r.LeaseUntil, r.FinishedAt = RunCompleted, 3, "", nil, &now
	return s.UpdateWorkflowRun(ctx, r, 2, now)
}
