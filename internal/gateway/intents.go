package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
)

// A write's run record is durable before its request leaves: the engine's
// BeforeSend stores it as an intent (outcome pending) and waits for the
// commit, which concurrent writes share (a confirmation's send, which must
// also find the confirmation still executing, commits alone); the final
// record replaces it afterwards, committed like any other run. A server killed in between
// leaves the intent pending; a sweep marks it unknown once its call is
// certainly over.
//
// When is that? Replicas on one PostgreSQL (or a CLI command beside the
// server on one SQLite file) cannot tell a dead peer from a slow one, so
// the sweep goes by time, not by owner: an intent is stale once the
// action's whole time budget (egress enforces it for every attempt) plus
// intentMargin has passed since it was stored. By then its request is over
// wherever it ran, so no request is still in flight when a person retries.
// The margin covers the answer's filtering and recording and clock skew
// between replicas; a final record that still arrives later replaces the
// unknown outcome with the real one.

// intentMargin is added to an action's timeout to decide when a pending
// intent is abandoned.
const intentMargin = 10 * time.Second

// SweepInterval is how often PruneLoop marks abandoned intents unknown.
const SweepInterval = 5 * time.Second

// unknownOutcome is the error of a run swept as unknown.
const unknownOutcome = "outcome unknown: the server stopped while sending this request, before its answer was seen; the upstream may or may not have received it"

// invoke runs c through the engine. A write, and any approved confirmation
// (confirmation is its id), is first stored as an intent, and its final
// record, stored by record under the intent's ID, replaces it. Reads take
// the engine's path unchanged.
func (g *Gateway) invoke(ctx context.Context, c *invoke.Call, confirmation string) *invoke.Result {
	if action.IsWrite(c.Action.Method) || confirmation != "" {
		budget := c.Action.TimeoutDuration()
		if c.Timeout > 0 {
			budget = min(c.Timeout, action.MaxTimeout)
		}
		c.BeforeSend = func(r *runlog.Run) error { return g.storeIntent(ctx, c.Action, budget, r, confirmation) }
	}
	return g.engine.Invoke(ctx, c)
}

// storeIntent stores r, the record of a call of a about to be sent within
// budget, and
// returns once it is committed; an error, written for the model, stops the
// send.
func (g *Gateway) storeIntent(ctx context.Context, a *action.Action, budget time.Duration, r *runlog.Run, confirmation string) error {
	r.ConfirmationID = confirmation
	r.Arguments = runlog.BoundArguments(r.Arguments)
	stale := g.now().Add(budget + intentMargin)
	var err error
	if confirmation != "" {
		err = g.store.InsertIntent(context.WithoutCancel(ctx), r, stale, confirmation)
	} else {
		r.ID = g.store.NewID()
		err = g.runs.intent(ctx, r, stale)
	}
	switch {
	case errors.Is(err, store.ErrConflict) && confirmation != "":
		return reason("This confirmation was declared abandoned before it was sent, so the request was not sent. A person can retry or close it.")
	case err != nil:
		g.log.ErrorContext(ctx, "storing a write's run record before sending", "action", a.Name, "err", err)
		return reason("The request was not sent because its run record could not be stored (a server problem). Try again later.")
	}
	return nil
}

// reason is an error whose text is written for the model.
type reason string

func (r reason) Error() string { return string(r) }

// Sweep marks the run records and confirmations abandoned by a stopped
// server as outcome unknown, and returns how many runs it marked. Open
// sweeps once; PruneLoop every SweepInterval. Replicas may sweep at once.
func (g *Gateway) Sweep(ctx context.Context) (int64, error) {
	now := g.now()
	n, err := g.store.SweepRuns(ctx, now, runlog.OutcomeUnknown, unknownOutcome)
	if err != nil {
		return n, fmt.Errorf("gateway: %w", err)
	}
	if _, err := g.store.SweepConfirmations(ctx, now); err != nil {
		return n, fmt.Errorf("gateway: %w", err)
	}
	return n, nil
}
