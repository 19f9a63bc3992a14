package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// TestConsoleApprovesAndRetriesConfirmations signs in, approves one
// pending write and rejects another, then retries and closes two whose
// server stopped while sending them.
func TestConsoleApprovesAndRetriesConfirmations(t *testing.T) {
	var calls atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"saved":true}`))
	}))
	defer up.Close()
	e := newEnv(t)
	e.putYAML(`kind: Action
name: add_note
description: Add a note.
method: POST
url: ` + up.URL + `/notes
body: {type: json, content: {text: "{{text}}"}}
params:
  text: {type: string, required: true}
---
kind: Agent
name: support
actions: [add_note]
`)
	ctx := context.Background()
	ask := func(text string) string {
		tr, err := e.g.CallTool(ctx, runlog.CallerTools, "support", "add_note", map[string]any{"text": text}, gateway.CallContext{})
		if err != nil || tr.Status != gateway.StatusConfirmationRequired {
			t.Fatalf("add_note: %+v, %v", tr, err)
		}
		return tr.ConfirmationID
	}
	approve, reject, retry, closeID := ask("approve me"), ask("reject me"), ask("retry me"), ask("close me")
	for _, id := range []string{retry, closeID} {
		gatewaytest.Abandon(t, e.cfg, id, &runlog.Run{Action: "add_note", Agent: "support", Outcome: runlog.OutcomePending, StartedAt: time.Now()})
	}
	if _, err := e.g.Sweep(ctx); err != nil {
		t.Fatal(err)
	}

	b := e.browser()
	b.signIn(e.admin)
	page := b.get("/confirmations")
	for _, want := range []string{approve, reject, retry, closeID, "approve me", "Outcome unknown", `value="retry"`, `value="approve"`} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("the confirmations page lacks %q:\n%s", want, page.body)
		}
	}
	for _, step := range []struct{ id, do, state string }{
		{approve, "approve", gateway.ConfirmationDone},
		{reject, "reject", gateway.ConfirmationRejected},
		{retry, "retry", gateway.ConfirmationDone},
		{closeID, "close", gateway.ConfirmationClosed},
	} {
		p := b.post("/confirmations/"+step.id, url.Values{"do": {step.do}})
		want := "/confirmations?done="
		if step.do == "approve" || step.do == "retry" {
			want = "/confirmations/" + step.id + "?done="
		}
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, want) {
			t.Fatalf("%s %s: %d %q\n%s", step.do, step.id, p.status, p.location, p.body)
		}
		if c, err := e.g.Confirmation(ctx, step.id); err != nil || c.State != step.state {
			t.Fatalf("after %s the confirmation is %+v, %v; want %s", step.do, c, err, step.state)
		}
	}
	if calls.Load() != 2 {
		t.Fatalf("the upstream got %d requests, want 2 (approve and retry)", calls.Load())
	}
	if p := b.post("/confirmations/"+retry, url.Values{"do": {"retry"}}); p.status != http.StatusConflict {
		t.Fatalf("retrying a done confirmation: %d", p.status)
	}
	if p := b.post("/confirmations/"+approve, url.Values{"do": {"approve"}, "csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Fatalf("a post without the session's CSRF token: %d", p.status)
	}
}
