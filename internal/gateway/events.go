package gateway

import (
	"context"
	"maps"
	"slices"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/runlog"
)

// event is something that happened which workflows with an event
// trigger start on. ID is unique per type: a second event with the same
// type and ID starts no second run.
type event struct {
	Type      string
	ID        string
	Agent     string
	ContactID string
	Data      map[string]any
}

// emit starts a run of every workflow whose event trigger matches ev. It
// runs after the change it reports is stored and never fails that change:
// a run that cannot be started is logged. Events are delivered at most
// once: a server that stops between the change and the start loses the
// event.
func (g *Gateway) emit(ctx context.Context, ev event) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		g.log.ErrorContext(ctx, "reading workflows for an event", "event", ev.Type, "err", err)
		return
	}
	if !snap.listens[ev.Type] {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(snap.Workflows)) {
		et := snap.Workflows[name].Trigger.Event
		if et == nil || et.Type != ev.Type || (et.Agent != "" && et.Agent != ev.Agent) {
			continue
		}
		input := maps.Clone(ev.Data)
		if input == nil {
			input = map[string]any{}
		}
		input["type"] = ev.Type
		if ev.Agent != "" {
			input["agent"] = ev.Agent
		}
		_, _, err := g.startRun(context.WithoutCancel(ctx), StartRequest{
			Workflow:  name,
			Trigger:   TriggerEvent,
			Input:     input,
			ContactID: ev.ContactID,
			DedupKey:  "event:" + ev.Type + ":" + ev.ID,
		})
		if err != nil {
			g.log.ErrorContext(ctx, "starting a workflow on an event", "workflow", name, "event", ev.Type, "err", err)
		}
	}
}

// listeners returns the event types some workflow starts on.
func listeners(workflows map[string]*action.Workflow) map[string]bool {
	out := map[string]bool{}
	for _, wf := range workflows {
		if et := wf.Trigger.Event; et != nil {
			out[et.Type] = true
		}
	}
	return out
}

// emitRunFailed reports a failed tool call of an agent (event
// run.failed); runs of other callers (workflow steps, operators' tests)
// are not reported, so a workflow reacting to failures cannot feed on its
// own.
func (g *Gateway) emitRunFailed(ctx context.Context, r *runlog.Run) {
	if r.Outcome != runlog.OutcomeError || r.Agent == "" {
		return
	}
	g.emit(ctx, event{Type: action.EventRunFailed, ID: r.ID, Agent: r.Agent, Data: map[string]any{
		"run_id": r.ID, "action": r.Action, "status": r.Status, "error": r.Error,
		"conversation_id": r.ConversationID,
	}})
}

// contactEvent is the event of a created or updated contact.
func contactEvent(typ string, c *Contact, id string) event {
	return event{Type: typ, ID: id, Agent: c.CreatedBy, ContactID: c.ID, Data: map[string]any{"contact": ContactValues(c)}}
}
