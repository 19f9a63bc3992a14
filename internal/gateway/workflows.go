package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/store"
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

// StartRun validates req and stores a new queued run, which a worker then
// executes. Only admins start runs (others get ErrUnauthorized); an unknown
// workflow is ErrUnknownWorkflow and input failing the trigger's params is
// an action.Errors with field paths ("input.order_id"). created is false
// when req.DedupKey matched an earlier run, which is returned instead.
func (g *Gateway) StartRun(ctx context.Context, p *Principal, req StartRequest) (run *WorkflowRun, created bool, err error) {
	panic("gateway: StartRun is being written")
}

// Hook verifies a webhook for the named workflow (Standard Webhooks
// headers webhook-id, webhook-timestamp and webhook-signature; the body
// checked against the trigger's params) and starts a run once per
// webhook-id. It answers once the run is stored. A refusal is a *HookError,
// an unknown workflow or one without a webhook trigger ErrUnknownWorkflow.
func (g *Gateway) Hook(ctx context.Context, workflow string, h http.Header, body []byte) (run *WorkflowRun, created bool, err error) {
	panic("gateway: Hook is being written")
}

// WorkflowRun returns a run with every step's record; only admins reach
// runs (others get ErrNotFound).
func (g *Gateway) WorkflowRun(ctx context.Context, p *Principal, id string) (*WorkflowRun, error) {
	panic("gateway: WorkflowRun is being written")
}

// ListWorkflowRuns returns the runs matching f, newest first, and the
// cursor of the next page ("" at the end). f.Limit 0 means
// DefaultWorkflowRunLimit; above MaxWorkflowRunLimit it is an
// action.Errors naming "limit".
func (g *Gateway) ListWorkflowRuns(ctx context.Context, p *Principal, f WorkflowRunFilter) ([]WorkflowRun, string, error) {
	panic("gateway: ListWorkflowRuns is being written")
}

// CancelRun cancels a run that has not finished: its next step never
// runs (a step in flight finishes, and its outcome is recorded). A run
// already finished is ErrRunState.
func (g *Gateway) CancelRun(ctx context.Context, p *Principal, id string) (*WorkflowRun, error) {
	panic("gateway: CancelRun is being written")
}

// RetryRun continues a failed run from its failed step, with the same
// idempotency keys as before. A run that did not fail is ErrRunState.
func (g *Gateway) RetryRun(ctx context.Context, p *Principal, id string) (*WorkflowRun, error) {
	panic("gateway: RetryRun is being written")
}

// Workflows returns every workflow, sorted by name.
func (g *Gateway) Workflows(ctx context.Context) ([]*action.Workflow, error) {
	panic("gateway: Workflows is being written")
}

// Workflow returns the named workflow, ErrUnknownWorkflow when none.
func (g *Gateway) Workflow(ctx context.Context, name string) (*action.Workflow, error) {
	panic("gateway: Workflow is being written")
}

// WorkflowStats counts runs by workflow and status.
func (g *Gateway) WorkflowStats(ctx context.Context) (map[string]map[string]int, error) {
	panic("gateway: WorkflowStats is being written")
}
