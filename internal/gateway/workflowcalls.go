package gateway

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/invoke"
)

// CallerWorkflow is the caller of the runs of workflow steps.
const CallerWorkflow = "workflow"

// StepCall is one action call made by a workflow step.
type StepCall struct {
	Workflow string
	RunID    string
	StepID   string
	// Visit counts the step's executions in the run from 1 (an on_error
	// goto may come back to it); each visit has its own idempotency key.
	Visit  int
	Action string
	Args   map[string]any
	// Contact and Vars fill the action's {{contact.x}} and {{vars.x}}.
	Contact map[string]any
	Vars    map[string]any
	// Timeout and Retries, when set, override the action's.
	Timeout time.Duration
	Retries *int
	// Mask lists secrets the step put into Args, masked in every record.
	Mask []string
}

// CallForStep calls an action for a workflow step and records the run.
// A write carries an idempotency key derived from the run, the step and
// the visit (in the action's header, Idempotency-Key when it names none),
// the same on every retry and after a crash; no confirmation is asked (a
// workflow runs without a person: validation refuses actions that always
// need one). The result keeps the masked response body for the step's
// extract. Every failure is in the result's run, as for other calls.
func (g *Gateway) CallForStep(ctx context.Context, c StepCall) (*invoke.Result, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	a := snap.Actions[c.Action]
	if a == nil {
		return nil, fmt.Errorf("gateway: %w: %q", ErrUnknownAction, c.Action)
	}
	contact, res, err := g.checkOperatorCall(ctx, CallerWorkflow, a, c.Args, c.Contact, nil)
	if res != nil || err != nil {
		return res, err
	}
	res = g.invoke(ctx, &invoke.Call{
		Action:            a,
		Credential:        snap.Credentials[a.Auth],
		Caller:            CallerWorkflow,
		Args:              c.Args,
		Contact:           contact,
		Vars:              c.Vars,
		Confirmed:         true,
		IdempotencyScope:  "workflow\x00" + c.RunID + "\x00" + c.StepID + "\x00" + strconv.Itoa(max(c.Visit, 1)),
		IdempotencyHeader: action.DefaultIdempotencyHeader,
		Timeout:           c.Timeout,
		Retries:           c.Retries,
		Mask:              c.Mask,
		KeepBody:          true,
	}, "")
	if err := g.record(ctx, res.Run); err != nil {
		return nil, err
	}
	return res, nil
}

// StepBudget is how long a workflow step calling the named action may
// take at most (the step's timeout when set, the action's otherwise), with
// the margin for filtering and recording: the lease of the step.
func (g *Gateway) StepBudget(ctx context.Context, actionName string, timeout time.Duration) (time.Duration, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	a := snap.Actions[actionName]
	if a == nil {
		return 0, fmt.Errorf("gateway: %w: %q", ErrUnknownAction, actionName)
	}
	budget := a.TimeoutDuration()
	if timeout > 0 {
		budget = min(timeout, action.MaxTimeout)
	}
	return budget + intentMargin + 5*time.Second, nil
}

// RunContact returns the attributes of a run's contact as its templates
// read them ({{contact.x}}), the contact's fields included.
func (g *Gateway) RunContact(ctx context.Context, id string) (map[string]any, error) {
	c, err := g.store.GetContact(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("gateway: the run's contact %q: %w", id, err)
	}
	return ContactValues(c), nil
}

// SetRunContact merges attrs into a run's contact's attributes (a nil
// value removes one), checked like any contact update. It starts no
// contact.updated workflows: a workflow that writes the contact it
// reacts to would otherwise start itself without end.
func (g *Gateway) SetRunContact(ctx context.Context, id string, attrs map[string]any) (map[string]any, error) {
	c, err := g.updateContact(ctx, Operator(), id, ContactPatch{Attributes: attrs}, false)
	if err != nil {
		return nil, err
	}
	return ContactValues(c), nil
}
