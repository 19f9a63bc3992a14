package invoke

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actiongate/actiongate/internal/runlog"
)

func TestBeforeSendRunsBeforeTheRequestAndCanStopIt(t *testing.T) {
	var hits atomic.Int64
	var sawBeforeHit atomic.Bool
	var sent atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer up.Close()
	as, _ := decode(t, `
kind: Action
name: add_note
description: Add a note.
method: POST
url: `+up.URL+`/notes
confirm: never
params:
  note: {type: string, description: The note., required: true}
body:
  type: json
  content: {note: "{{note}}", key: "{{secret.NOTE_KEY}}"}
`)
	e := newTestEngine(t, map[string]string{"ACTIONGATE_SECRET_NOTE_KEY": canary})

	var intent runlog.Run
	res := e.Invoke(context.Background(), &Call{Action: as["add_note"], Args: map[string]any{"note": "hello " + canary},
		BeforeSend: func(r *runlog.Run) error {
			sawBeforeHit.Store(hits.Load() == 0)
			sent.Add(1)
			intent = *r
			r.ID = "run-from-hook"
			return nil
		}})
	if sent.Load() != 1 || !sawBeforeHit.Load() || hits.Load() != 1 {
		t.Fatalf("BeforeSend called %d times, before the request: %v; upstream hits %d", sent.Load(), sawBeforeHit.Load(), hits.Load())
	}
	if intent.Outcome != runlog.OutcomePending || intent.Request == nil || intent.Request.Method != "POST" {
		t.Fatalf("intent = %+v, want outcome pending with the request", intent)
	}
	if strings.Contains(intent.Request.Body, canary) || strings.Contains(intent.Arguments["note"].(string), canary) {
		t.Fatalf("the intent carries the secret: %+v", intent)
	}
	if res.Run.ID != "run-from-hook" || res.Run.Outcome != runlog.OutcomeOK {
		t.Fatalf("final run %+v, want the hook's ID and outcome ok", res.Run)
	}

	res = e.Invoke(context.Background(), &Call{Action: as["add_note"], Args: map[string]any{"note": "stop"},
		BeforeSend: func(*runlog.Run) error { return errors.New("Not sent: the record could not be stored.") }})
	if hits.Load() != 1 || res.Run.Outcome != runlog.OutcomeError || !strings.Contains(res.Run.Output, "the record could not be stored") {
		t.Fatalf("a failing BeforeSend: %d hits, run %+v", hits.Load(), res.Run)
	}
}
