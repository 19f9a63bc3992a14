package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/store"
	"github.com/actiongate/actiongate/internal/toolschema"
	"github.com/actiongate/actiongate/internal/webhook"
)

// Workflow run records, as the store keeps them.
type (
	// WorkflowRun is one run of a workflow with its step records.
	WorkflowRun = store.WorkflowRun
	// StepRecord is what one execution of a step did.
	StepRecord = store.StepRecord
	// WorkflowRunFilter selects and pages workflow runs.
	WorkflowRunFilter = store.WorkflowRunFilter
)

// Workflow run and step statuses.
const (
	RunQueued    = store.RunQueued
	RunRunning   = store.RunRunning
	RunWaiting   = store.RunWaiting
	RunCompleted = store.RunCompleted
	RunFailed    = store.RunFailed
	RunCancelled = store.RunCancelled
	StepSkipped  = store.StepSkipped
)

// WorkflowRunStatuses lists every run status, in the order a run may
// pass through them.
func WorkflowRunStatuses() []string { return store.WorkflowRunStatuses() }

// TerminalRun reports whether a run in status is over (completed,
// failed or cancelled).
func TerminalRun(status string) bool { return store.TerminalRun(status) }

// Bounds of workflow run lists.
const (
	DefaultWorkflowRunLimit = store.DefaultWorkflowRunLimit
	MaxWorkflowRunLimit     = store.MaxWorkflowRunLimit
)

// Errors of workflow runs the surfaces branch on.
var (
	// ErrUnknownWorkflow: no workflow has that name.
	ErrUnknownWorkflow = errors.New("unknown workflow")
	// ErrRunState: the run is not in a state the change needs (cancelling
	// a finished run, retrying one that did not fail).
	ErrRunState = errors.New("run state")
)

// Run triggers, as WorkflowRun.Trigger names them: the workflow trigger
// types, and a run started by another run's workflow step.
const (
	TriggerWebhook  = action.TriggerWebhook
	TriggerSchedule = action.TriggerSchedule
	TriggerEvent    = action.TriggerEvent
	TriggerManual   = action.TriggerManual
	TriggerWorkflow = "workflow"
)

// StartRequest asks for a run of a workflow.
type StartRequest struct {
	Workflow string
	// Trigger is one of the Trigger* values; surfaces other than webhooks
	// start TriggerManual runs, which any workflow accepts.
	Trigger string
	// Input is the trigger data; it is checked against the trigger's
	// params when it has any.
	Input map[string]any
	// ContactID, when set, names the contact whose attributes the run
	// reads and writes; it must exist.
	ContactID string
	// DedupKey, when set, makes the start happen once: a second start of
	// the same workflow with the same key returns the first run.
	DedupKey    string
	ParentRunID string
}

// HookError is a webhook refused before a run was stored; Status is the
// HTTP status to answer with and Message says why, naming the header or
// field at fault.
type HookError struct {
	Status  int
	Message string
}

func (e *HookError) Error() string { return "gateway: webhook refused: " + e.Message }

// Bounds of what starts a run.
const (
	// MaxRunInput bounds a run's input encoded as JSON.
	MaxRunInput = 64 << 10
	// MaxHookBody bounds a webhook's body.
	MaxHookBody = 1 << 20
	// MaxDedupKey bounds a dedup key (a webhook-id), in bytes.
	MaxDedupKey = 200
	// MaxRunDepth bounds how many workflow steps may start runs in a chain
	// (a run started by a run started by ...).
	MaxRunDepth = 5
)

// StartRun validates req and stores a new queued run, which a worker then
// executes. Only admins start runs (others get ErrUnauthorized); an unknown
// workflow is ErrUnknownWorkflow and input failing the trigger's params is
// an action.Errors with field paths ("input.order_id"). created is false
// when req.DedupKey matched an earlier run, which is returned instead.
func (g *Gateway) StartRun(ctx context.Context, p *Principal, req StartRequest) (run *WorkflowRun, created bool, err error) {
	if p == nil || !p.Admin {
		return nil, false, fmt.Errorf("gateway: starting a run of %q: %w", req.Workflow, ErrUnauthorized)
	}
	return g.startRun(ctx, req)
}

// startRun is StartRun for a caller already allowed to start runs.
func (g *Gateway) startRun(ctx context.Context, req StartRequest) (*WorkflowRun, bool, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, false, err
	}
	wf := snap.Workflows[req.Workflow]
	if wf == nil {
		return nil, false, fmt.Errorf("gateway: %w: %q", ErrUnknownWorkflow, req.Workflow)
	}
	if err := g.checkRunInput(wf, req.Input); err != nil {
		return nil, false, fmt.Errorf("gateway: starting a run of %q: %w", wf.Name, err)
	}
	if len(req.DedupKey) > MaxDedupKey {
		return nil, false, fmt.Errorf("gateway: starting a run of %q: %w", wf.Name,
			action.Errors{{Path: "dedup_key", Message: fmt.Sprintf("is %d bytes; at most %d", len(req.DedupKey), MaxDedupKey)}})
	}
	if req.ContactID != "" {
		if _, err := g.store.GetContact(ctx, req.ContactID); err != nil {
			return nil, false, fmt.Errorf("gateway: starting a run of %q: contact_id %q: %w", wf.Name, req.ContactID, err)
		}
	} else {
		id, err := g.inputContact(ctx, req.Input)
		if err != nil {
			return nil, false, fmt.Errorf("gateway: starting a run of %q: %w", wf.Name, err)
		}
		req.ContactID = id
	}
	spec, err := json.Marshal(wf)
	if err != nil {
		return nil, false, fmt.Errorf("gateway: starting a run of %q: encoding the workflow: %w", wf.Name, err)
	}
	input := req.Input
	if input == nil {
		input = map[string]any{}
	}
	trigger := req.Trigger
	if trigger == "" {
		trigger = TriggerManual
	}
	run := &WorkflowRun{
		Workflow:    wf.Name,
		Spec:        spec,
		Trigger:     trigger,
		DedupKey:    req.DedupKey,
		Input:       input,
		ContactID:   req.ContactID,
		Status:      RunQueued,
		ParentRunID: req.ParentRunID,
	}
	existing, created, err := g.store.InsertWorkflowRun(ctx, run)
	if err != nil {
		return nil, false, fmt.Errorf("gateway: starting a run of %q: %w", wf.Name, err)
	}
	if !created {
		return withSteps(existing), false, nil
	}
	withSteps(run)
	g.metrics.ObserveRunStarted(wf.Name, trigger)
	// The run is stored: from here on it runs even if this enqueue is
	// lost (a crash, a database hiccup), because the reconciler finds runs
	// that have no job.
	if err := g.enqueue(ctx, run.ID, run.Seq, time.Time{}); err != nil {
		g.log.WarnContext(ctx, "queueing a new workflow run; the reconciler will pick it up", "run", run.ID, "err", err)
	}
	return run, true, nil
}

// inputContact returns the contact a run's input names in its "contact"
// member, "" when it names none: {"id": ID} an existing contact, or
// {"external_id": ..., "name", "email", "phone", "locale"} the contact
// with that external id, created with those fields when there is none.
// A webhook's sender can so name the person the run is about.
func (g *Gateway) inputContact(ctx context.Context, input map[string]any) (string, error) {
	raw, ok := input["contact"]
	if !ok {
		return "", nil
	}
	m, _ := raw.(map[string]any)
	field := func(k string) (string, error) {
		switch v := m[k].(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		}
		return "", action.Errors{{Path: "input.contact." + k, Message: "must be a string"}}
	}
	var c Contact
	var err error
	for _, f := range []struct {
		name string
		to   *string
	}{{"id", &c.ID}, {"external_id", &c.ExternalID}, {"name", &c.Name}, {"email", &c.Email}, {"phone", &c.Phone}, {"locale", &c.Locale}} {
		if *f.to, err = field(f.name); err != nil {
			return "", err
		}
	}
	switch {
	case m == nil || (c.ID == "" && c.ExternalID == ""):
		return "", action.Errors{{Path: "input.contact", Message: `must be an object with "id" (an existing contact) or "external_id" (found, or created with name, email, phone and locale)`}}
	case c.ID != "":
		if _, err := g.store.GetContact(ctx, c.ID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return "", action.Errors{{Path: "input.contact.id", Message: fmt.Sprintf("no contact has id %q", c.ID)}}
			}
			return "", err
		}
		return c.ID, nil
	}
	found, _, err := g.FindOrCreateContact(ctx, Operator(), &c)
	var fe action.Errors
	if errors.As(err, &fe) {
		out := make(action.Errors, len(fe))
		for i, e := range fe {
			out[i] = &action.FieldError{Path: "input.contact." + e.Path, Message: e.Message}
		}
		return "", out
	}
	if err != nil {
		return "", err
	}
	return found.ID, nil
}

// checkRunInput checks a run's input: its size and depth, and the
// trigger's params for the members they declare (a webhook sender's other
// members are kept as they came).
func (g *Gateway) checkRunInput(wf *action.Workflow, input map[string]any) error {
	b, err := json.Marshal(input)
	if err != nil {
		return action.Errors{{Path: "input", Message: "must be a JSON object"}}
	}
	if len(b) > MaxRunInput {
		return action.Errors{{Path: "input", Message: fmt.Sprintf("is %d bytes as JSON; at most %d", len(b), MaxRunInput)}}
	}
	var de *jsonlimit.DepthError
	if err := jsonlimit.CheckDepth(b, jsonlimit.MaxDepth); errors.As(err, &de) {
		return action.Errors{{Path: "input", Message: fmt.Sprintf("nests deeper than %d levels at %s", de.Limit, de.Path)}}
	}
	params := wf.Trigger.Params()
	if len(params) == 0 {
		return nil
	}
	declared := make(map[string]any, len(params))
	for _, name := range params.Names() {
		if v, ok := input[name]; ok {
			declared[name] = v
		}
	}
	v, err := g.inputValidator(wf)
	if err != nil {
		return fmt.Errorf("checking the input: %w", err)
	}
	problems, more := v.Validate(declared)
	if len(problems) == 0 {
		return nil
	}
	errs := make(action.Errors, 0, len(problems)+1)
	for _, pr := range problems {
		path := "input"
		if pr.Argument != "" {
			path += "." + pr.Argument
		}
		errs = append(errs, &action.FieldError{Path: path, Message: pr.Message})
	}
	if more > 0 {
		errs = append(errs, &action.FieldError{Path: "input", Message: fmt.Sprintf("and %d more problems", more)})
	}
	return errs
}

// Hook verifies a webhook for the named workflow (Standard Webhooks
// headers webhook-id, webhook-timestamp and webhook-signature; the body
// checked against the trigger's params) and starts a run once per
// webhook-id. It answers once the run is stored. A refusal is a *HookError,
// an unknown workflow or one without a webhook trigger ErrUnknownWorkflow.
func (g *Gateway) Hook(ctx context.Context, workflow string, h http.Header, body []byte) (run *WorkflowRun, created bool, err error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, false, err
	}
	wf := snap.Workflows[workflow]
	if wf == nil || wf.Trigger.Webhook == nil {
		return nil, false, fmt.Errorf("gateway: %w: no workflow %q has a webhook trigger", ErrUnknownWorkflow, workflow)
	}
	wh := wf.Trigger.Webhook
	if len(body) > MaxHookBody {
		return nil, false, &HookError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("the body is %d bytes; at most %d", len(body), MaxHookBody)}
	}
	key, err := g.hookSecret(ctx, wh)
	if err != nil {
		g.log.ErrorContext(ctx, "reading a webhook's signing secret", "workflow", workflow, "secret", wh.Secret.String(), "err", err)
		return nil, false, &HookError{Status: http.StatusServiceUnavailable, Message: fmt.Sprintf("the workflow's signing secret (%s) cannot be read; the operator must set it", wh.Secret.String())}
	}
	defer clear(key)
	tolerance := action.DefaultWebhookTolerance
	if wh.Tolerance != "" {
		if d, err := time.ParseDuration(wh.Tolerance); err == nil && d > 0 {
			tolerance = d
		}
	}
	id, err := webhook.Verify(key, h, body, g.now(), tolerance)
	if err != nil {
		return nil, false, &HookError{Status: http.StatusUnauthorized, Message: strings.TrimPrefix(err.Error(), "webhook: verifying: ")}
	}
	input, err := hookInput(body)
	if err != nil {
		return nil, false, &HookError{Status: http.StatusBadRequest, Message: err.Error()}
	}
	run, created, err = g.startRun(ctx, StartRequest{Workflow: wf.Name, Trigger: TriggerWebhook, Input: input, DedupKey: "webhook:" + id})
	var fe action.Errors
	if errors.As(err, &fe) {
		return nil, false, &HookError{Status: http.StatusUnprocessableEntity, Message: fe.Error()}
	}
	return run, created, err
}

// maxInputValidators bounds the compiled trigger schemas kept.
const maxInputValidators = 256

// inputValidator returns the compiled schema of wf's trigger params,
// compiled once per stored version of the workflow.
func (g *Gateway) inputValidator(wf *action.Workflow) (*toolschema.Validator, error) {
	g.inputsMu.Lock()
	v := g.inputs[wf]
	g.inputsMu.Unlock()
	if v != nil {
		return v, nil
	}
	v, err := toolschema.NewValidator(&action.Action{Name: wf.Name, Params: wf.Trigger.Params()})
	if err != nil {
		return nil, err
	}
	g.inputsMu.Lock()
	if g.inputs == nil || len(g.inputs) >= maxInputValidators {
		g.inputs = map[*action.Workflow]*toolschema.Validator{}
	}
	g.inputs[wf] = v
	g.inputsMu.Unlock()
	return v, nil
}

// hookSecret reads a webhook trigger's signing key.
func (g *Gateway) hookSecret(ctx context.Context, wh *action.WebhookTrigger) ([]byte, error) {
	if wh.Secret == nil {
		return nil, errors.New("no secret is configured")
	}
	raw, err := g.secrets.ResolveSecret(ctx, *wh.Secret)
	if err != nil {
		return nil, err
	}
	return webhook.DecodeSecret(raw)
}

// hookInput decodes a webhook body: a JSON object, at most
// jsonlimit.MaxDepth deep. An empty body is an empty object.
func hookInput(body []byte) (map[string]any, error) {
	if len(body) == 0 {
		return map[string]any{}, nil
	}
	var de *jsonlimit.DepthError
	if err := jsonlimit.CheckDepth(body, jsonlimit.MaxDepth); errors.As(err, &de) {
		return nil, fmt.Errorf("the body nests deeper than %d levels at %s", de.Limit, de.Path)
	}
	var input map[string]any
	if err := json.Unmarshal(body, &input); err != nil || input == nil {
		return nil, errors.New("the body must be a JSON object")
	}
	return input, nil
}

// WorkflowRun returns a run with every step's record; only admins reach
// runs (others get ErrNotFound).
func (g *Gateway) WorkflowRun(ctx context.Context, p *Principal, id string) (*WorkflowRun, error) {
	if p == nil || !p.Admin {
		return nil, fmt.Errorf("gateway: workflow run %q: %w", id, ErrNotFound)
	}
	r, err := g.store.GetWorkflowRun(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("gateway: workflow run %q: %w", id, err)
	}
	return withSteps(r), nil
}

// ListWorkflowRuns returns the runs matching f, newest first, and the
// cursor of the next page ("" at the end). f.Limit 0 means
// DefaultWorkflowRunLimit; above MaxWorkflowRunLimit it is an
// action.Errors naming "limit". Non-admins see no runs.
func (g *Gateway) ListWorkflowRuns(ctx context.Context, p *Principal, f WorkflowRunFilter) ([]WorkflowRun, string, error) {
	if p == nil || !p.Admin {
		return nil, "", nil
	}
	var errs action.Errors
	if f.Limit < 0 || f.Limit > MaxWorkflowRunLimit {
		errs = append(errs, &action.FieldError{Path: "limit", Message: fmt.Sprintf("must be from 1 to %d", MaxWorkflowRunLimit)})
	}
	if f.Status != "" && !slices.Contains(store.WorkflowRunStatuses(), f.Status) {
		errs = append(errs, &action.FieldError{Path: "status", Message: fmt.Sprintf("%q: must be one of %v", f.Status, store.WorkflowRunStatuses())})
	}
	if err := errs.Err(); err != nil {
		return nil, "", fmt.Errorf("gateway: listing workflow runs: %w", err)
	}
	list, next, err := g.store.ListWorkflowRuns(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("gateway: %w", err)
	}
	for i := range list {
		withSteps(&list[i])
	}
	return list, next, nil
}

// withSteps gives a run without step records an empty list of them, so
// the surfaces show [] rather than null.
func withSteps(r *WorkflowRun) *WorkflowRun {
	if r.Steps == nil {
		r.Steps = []StepRecord{}
	}
	return r
}

// CancelRun cancels a run that has not finished: its next step never
// runs (a step in flight finishes, and its outcome is recorded). A run
// already finished is ErrRunState.
func (g *Gateway) CancelRun(ctx context.Context, p *Principal, id string) (*WorkflowRun, error) {
	return g.changeRun(ctx, p, id, "cancelling", func(r *WorkflowRun) error {
		if store.TerminalRun(r.Status) {
			return fmt.Errorf("%w: the run is already %s", ErrRunState, r.Status)
		}
		now := g.now().UTC()
		r.Status, r.FinishedAt, r.WakeAt = RunCancelled, &now, nil
		for i := range r.Steps {
			if st := &r.Steps[i]; st.Status == RunWaiting || st.Status == RunRunning {
				st.Status, st.FinishedAt = RunCancelled, &now
			}
		}
		return nil
	})
}

// RecordCancelledStep stores the outcome of a step that was in flight
// when its run was cancelled, in place of the step's record that the
// cancel marked cancelled. A run that is not cancelled, or has no such
// record, is left as it is.
func (g *Gateway) RecordCancelledStep(ctx context.Context, runID string, rec StepRecord) error {
	for range 5 {
		r, err := g.store.GetWorkflowRun(ctx, runID)
		if err != nil {
			return fmt.Errorf("gateway: recording a cancelled run's step: %w", err)
		}
		if r.Status != RunCancelled {
			return nil
		}
		i := len(r.Steps) - 1
		for ; i >= 0; i-- {
			if s := r.Steps[i]; s.ID == rec.ID && s.Visit == rec.Visit && s.Status == RunCancelled {
				break
			}
		}
		if i < 0 {
			return nil
		}
		r.Steps[i] = rec
		err = g.store.UpdateWorkflowRun(ctx, r, r.Seq, g.now())
		if !errors.Is(err, store.ErrConflict) {
			if err != nil {
				return fmt.Errorf("gateway: recording a cancelled run's step: %w", err)
			}
			return nil
		}
	}
	return nil
}

// RetryRun continues a failed run from its failed step, with the same
// idempotency keys as before. A run that did not fail is ErrRunState.
func (g *Gateway) RetryRun(ctx context.Context, p *Principal, id string) (*WorkflowRun, error) {
	return g.changeRun(ctx, p, id, "retrying", func(r *WorkflowRun) error {
		if r.Status != RunFailed || r.Cursor == "" {
			return fmt.Errorf("%w: only a failed run can be retried; this one is %s", ErrRunState, r.Status)
		}
		r.Status, r.FinishedAt, r.Error = RunQueued, nil, ""
		return nil
	})
}

// changeRun applies change to a run and stores it as a new transition
// (AdvanceRun: a run that is not finished afterwards gets a job),
// retrying when a worker saved the run in between.
func (g *Gateway) changeRun(ctx context.Context, p *Principal, id, doing string, change func(*WorkflowRun) error) (*WorkflowRun, error) {
	if p == nil || !p.Admin {
		return nil, fmt.Errorf("gateway: %s workflow run %q: %w", doing, id, ErrNotFound)
	}
	for range 20 {
		r, err := g.store.GetWorkflowRun(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("gateway: %s workflow run %q: %w", doing, id, err)
		}
		if err := change(r); err != nil {
			return nil, fmt.Errorf("gateway: %s workflow run %q: %w", doing, id, err)
		}
		err = g.AdvanceRun(ctx, r)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("gateway: %s workflow run %q: %w", doing, id, err)
		}
		return r, nil
	}
	return nil, fmt.Errorf("gateway: %s workflow run %q: it kept changing under us; try again", doing, id)
}

// Workflows returns every workflow, sorted by name.
func (g *Gateway) Workflows(ctx context.Context) ([]*action.Workflow, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*action.Workflow, 0, len(snap.Workflows))
	for _, name := range slices.Sorted(maps.Keys(snap.Workflows)) {
		out = append(out, snap.Workflows[name])
	}
	return out, nil
}

// Workflow returns the named workflow, ErrUnknownWorkflow when none.
func (g *Gateway) Workflow(ctx context.Context, name string) (*action.Workflow, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	wf := snap.Workflows[name]
	if wf == nil {
		return nil, fmt.Errorf("gateway: %w: %q", ErrUnknownWorkflow, name)
	}
	return wf, nil
}

// WorkflowStats counts runs by workflow and status.
func (g *Gateway) WorkflowStats(ctx context.Context) (map[string]map[string]int, error) {
	m, err := g.store.CountWorkflowRuns(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return m, nil
}
