package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// abandonedConfirmation asks create_thing for agent helper, approves it and
// leaves it as a server killed while sending leaves it; the next command's
// start marks it unknown. It returns the confirmation id.
func (h *cliHarness) abandonedConfirmation(name string) string {
	h.t.Helper()
	ctx := context.Background()
	g := h.gateway()
	defer g.Close()
	tr, err := g.CallTool(ctx, runlog.CallerTools, "helper", "create_thing", map[string]any{"name": name}, gateway.CallContext{})
	if err != nil || tr.Status != gateway.StatusConfirmationRequired {
		h.t.Fatalf("create_thing: %+v, %v", tr, err)
	}
	gatewaytest.Abandon(h.t, h.config(), tr.ConfirmationID, &runlog.Run{Caller: runlog.CallerTools, Agent: "helper", Action: "create_thing",
		Outcome: runlog.OutcomePending, StartedAt: time.Now().UTC()})
	return tr.ConfirmationID
}

func TestConfirmationCommandsListRetryAndClose(t *testing.T) {
	h := newCLI(t)
	h.ok("stored-token\n", "secret", "set", "bin_token")
	h.ok("", "apply", h.resourceDir())
	retry, closeID := h.abandonedConfirmation("retry me"), h.abandonedConfirmation("close me")

	list := h.ok("", "confirmation", "list", "--state", "unknown").stdout
	if !strings.Contains(list, retry) || !strings.Contains(list, closeID) || !strings.Contains(list, "POST http://") {
		t.Fatalf("confirmation list --state unknown:\n%s", list)
	}
	sent := len(h.up.requests())
	out := h.ok("", "confirmation", "retry", retry).stdout
	if !strings.Contains(out, `"status": "ok"`) || len(h.up.requests()) != sent+1 {
		t.Fatalf("confirmation retry: %s (%d requests sent)", out, len(h.up.requests())-sent)
	}
	if r := h.fails("", "confirmation", "retry", retry); !strings.Contains(r.stderr, "is done") {
		t.Fatalf("a second retry: %s", r.stderr)
	}
	if out := h.ok("", "confirmation", "close", closeID).stdout; !strings.Contains(out, "closed confirmation "+closeID) {
		t.Fatalf("confirmation close: %s", out)
	}
	if list := h.ok("", "confirmation", "list", "--state", "closed").stdout; !strings.Contains(list, closeID) {
		t.Fatalf("closed confirmation not listed:\n%s", list)
	}
	if r := h.fails("", "confirmation", "list", "--state", "lost"); !strings.Contains(r.stderr, "--state") {
		t.Fatalf("a bad state: %s", r.stderr)
	}
	if len(h.up.requests()) != sent+1 {
		t.Fatal("closing sent a request")
	}
}
