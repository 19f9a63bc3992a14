package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
)

// recordsSeen is an upstream that, on each request, looks in the database
// (not through the gateway, which would wait for queued records) for the
// runs of the call that is arriving.
type recordsSeen struct {
	mu   sync.Mutex
	seen map[string][]string // the request's "note" -> outcomes of its runs
	st   *store.Store
}

func (rs *recordsSeen) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	note := r.URL.Query().Get("note")
	if r.Method != http.MethodGet {
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		note, _ = body["note"].(string)
	}
	runs, _, err := rs.st.ListRuns(r.Context(), store.RunFilter{Limit: store.MaxRunLimit})
	var outcomes []string
	for _, run := range runs {
		if err == nil && run.Arguments["note"] == note {
			outcomes = append(outcomes, run.Outcome)
		}
	}
	rs.mu.Lock()
	rs.seen[note] = outcomes
	rs.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (rs *recordsSeen) outcomes(note string) []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.seen[note]
}

func TestWriteIsOnRecordBeforeItIsSentAndReadsAreNot(t *testing.T) {
	f := gatewaytest.New(t, nil)
	ctx := context.Background()
	// The server's gateway: agent calls answer before their record is
	// committed, which is what left crashed writes without a record.
	g := gatewaytest.Open(t, f.Cfg, gateway.Options{AsyncRuns: true})
	rs := &recordsSeen{seen: map[string][]string{}, st: g.Store()}
	up := httptest.NewServer(rs)
	t.Cleanup(up.Close)
	note := &action.Param{Type: "string", Description: "A note.", Required: true}
	f.Apply(
		action.Resource{Kind: action.KindAction, Action: &action.Action{Name: "add_note", Description: "Add a note.",
			Method: action.MethodPost, URL: up.URL + "/notes", Confirm: action.ConfirmNever,
			Body:   &action.Body{Type: "json", Content: map[string]any{"note": "{{note}}"}},
			Params: action.Params{{Name: "note", Param: note}}}},
		action.Resource{Kind: action.KindAction, Action: &action.Action{Name: "find_note", Description: "Find a note.",
			Method: action.MethodGet, URL: up.URL + "/notes", Query: map[string]string{"note": "{{note}}"},
			Params: action.Params{{Name: "note", Param: note}}}},
		gatewaytest.Agent("support", "add_note", "find_note"),
	)
	g.Invalidate()

	tr, err := g.CallTool(ctx, runlog.CallerTools, "support", "add_note", map[string]any{"note": "w-1"}, gateway.CallContext{})
	if err != nil || tr.Status != gateway.StatusOK {
		t.Fatalf("add_note: %+v, %v", tr, err)
	}
	if got := rs.outcomes("w-1"); len(got) != 1 || got[0] != runlog.OutcomePending {
		t.Fatalf("when the write reached the upstream its runs were %v, want one pending record", got)
	}
	run, err := g.GetRun(ctx, tr.RunID)
	if err != nil || run.Outcome != runlog.OutcomeOK || run.Status != 200 {
		t.Fatalf("the write's final record: %+v, %v", run, err)
	}
	if pending, _, _ := g.ListRuns(ctx, store.RunFilter{Outcome: runlog.OutcomePending}); len(pending) != 0 {
		t.Fatalf("%d runs still pending after the write completed", len(pending))
	}

	// A read is recorded after it answers, as before: nothing on record
	// while it is sent.
	tr, err = g.CallTool(ctx, runlog.CallerTools, "support", "find_note", map[string]any{"note": "r-1"}, gateway.CallContext{})
	if err != nil || tr.Status != gateway.StatusOK {
		t.Fatalf("find_note: %+v, %v", tr, err)
	}
	if got := rs.outcomes("r-1"); len(got) != 0 {
		t.Fatalf("a read had runs %v on record while it was sent, want none", got)
	}
	if run, err := g.GetRun(ctx, tr.RunID); err != nil || run.Outcome != runlog.OutcomeOK {
		t.Fatalf("the read's record: %+v, %v", run, err)
	}
}

// crashedIntent leaves in the database what a server killed while sending
// a write leaves: a pending intent, stale at staleAt.
func crashedIntent(t *testing.T, st *store.Store, note, confirmation string, staleAt time.Time) string {
	t.Helper()
	r := &runlog.Run{Caller: runlog.CallerTools, Agent: "support", Action: "create_ticket", Outcome: runlog.OutcomePending,
		StartedAt: time.Now().UTC(), Arguments: map[string]any{"subject": note}, ConfirmationID: confirmation,
		Request: &runlog.Request{Method: "POST", URL: "http://127.0.0.1/tickets"}}
	if err := st.InsertIntent(context.Background(), r, staleAt, confirmation); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestRestartMarksAbandonedWritesUnknown(t *testing.T) {
	f := gatewaytest.New(t, nil)
	ctx := context.Background()
	abandoned := crashedIntent(t, f.G.Store(), "lost", "", time.Now().Add(-time.Second))
	// Another replica's write still within its time budget is left alone.
	inFlight := crashedIntent(t, f.G.Store(), "in flight", "", time.Now().Add(time.Hour))

	g := gatewaytest.Open(t, f.Cfg, gateway.Options{AsyncRuns: true}) // the restart
	run, err := g.GetRun(ctx, abandoned)
	if err != nil || run.Outcome != runlog.OutcomeUnknown || !strings.Contains(run.Error, "server stopped") || run.Arguments["subject"] != "lost" {
		t.Fatalf("abandoned write after restart: %+v, %v; want outcome unknown saying the server stopped", run, err)
	}
	if run, err := g.GetRun(ctx, inFlight); err != nil || run.Outcome != runlog.OutcomePending {
		t.Fatalf("another replica's write in flight after restart: %+v, %v; want still pending", run, err)
	}
}

func TestUnknownConfirmationIsRetriedOrClosedByAnAdmin(t *testing.T) {
	f := gatewaytest.New(t, nil)
	ctx := context.Background()
	ask := func(subject string) string {
		tr, err := f.G.CallTool(ctx, runlog.CallerTools, "support", "create_ticket", map[string]any{"subject": subject},
			gateway.CallContext{Contact: map[string]any{"email": "ann@example.com"}})
		if err != nil || tr.Status != gateway.StatusConfirmationRequired {
			t.Fatalf("create_ticket: %+v, %v", tr, err)
		}
		return tr.ConfirmationID
	}
	retried, closed := ask("Retry me"), ask("Close me")
	for _, id := range []string{retried, closed} {
		// Approved, and the server died while sending.
		if _, won, err := f.G.Store().ClaimConfirmation(ctx, id, true, time.Now()); err != nil || !won {
			t.Fatalf("claim %s: %v %v", id, won, err)
		}
		crashedIntent(t, f.G.Store(), id, id, time.Now().Add(-time.Second))
	}

	g := gatewaytest.Open(t, f.Cfg, gateway.Options{AsyncRuns: true}) // the restart
	info, err := g.ConfirmationInfo(ctx, retried)
	if err != nil || info.State != store.ConfirmationUnknown {
		t.Fatalf("after restart the confirmation is %+v, %v; want unknown", info, err)
	}
	list, err := g.ListConfirmations(ctx, store.ConfirmationUnknown, 0)
	if err != nil || len(list) != 2 {
		t.Fatalf("ListConfirmations(unknown) = %v, %v", list, err)
	}
	// Approving again neither sends nor pretends it is being sent.
	tr, err := g.Decide(ctx, gateway.Operator(), retried, true)
	if err != nil || tr.Status != gateway.StatusError || !strings.Contains(tr.Output, "outcome_unknown") || f.Hits("POST", "/tickets") != 0 {
		t.Fatalf("approving an unknown confirmation: %+v, %v, %d hits", tr, err, f.Hits("POST", "/tickets"))
	}
	agent := &gateway.Principal{Agent: "support"}
	if _, err := g.RetryConfirmation(ctx, agent, retried); !isForbidden(err) {
		t.Fatalf("an agent token retried: %v", err)
	}
	if _, err := g.CloseConfirmation(ctx, agent, closed); !isForbidden(err) {
		t.Fatalf("an agent token closed: %v", err)
	}

	tr, err = g.RetryConfirmation(ctx, gateway.Operator(), retried)
	if err != nil || tr.Status != gateway.StatusOK || f.Hits("POST", "/tickets") != 1 {
		t.Fatalf("retry: %+v, %v, %d hits", tr, err, f.Hits("POST", "/tickets"))
	}
	if info, _ := g.ConfirmationInfo(ctx, retried); info.State != store.ConfirmationDone || info.Result.RunID != tr.RunID {
		t.Fatalf("retried confirmation: %+v", info)
	}
	var se *gateway.StateError
	if _, err := g.RetryConfirmation(ctx, gateway.Operator(), retried); !asState(err, &se) || se.State != store.ConfirmationDone {
		t.Fatalf("retrying a done confirmation: %v", err)
	}

	if info, err := g.CloseConfirmation(ctx, gateway.Operator(), closed); err != nil || info.State != store.ConfirmationClosed {
		t.Fatalf("close: %+v, %v", info, err)
	}
	if tr, err := g.Decide(ctx, gateway.Operator(), closed, true); err != nil || !strings.Contains(tr.Output, "closed") || f.Hits("POST", "/tickets") != 1 {
		t.Fatalf("approving a closed confirmation: %+v, %v", tr, err)
	}
}

// isForbidden reports whether err is a *gateway.ForbiddenError.
func isForbidden(err error) bool {
	var fe *gateway.ForbiddenError
	return errors.As(err, &fe)
}

// asState reports whether err is a *gateway.StateError, storing it in se.
func asState(err error, se **gateway.StateError) bool { return errors.As(err, se) }
