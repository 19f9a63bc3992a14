package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
)

// workflowHandlers serve the runs of workflows. The workflows themselves
// are resources (GET|PUT|DELETE /api/v1/workflows[/{name}]).
type workflowHandlers struct{ g *gateway.Gateway }

// registerWorkflowRuns mounts the workflow run routes, admin only:
//
//	POST /api/v1/workflows/{name}/runs        start a run with {"input": {...}, "contact_id": "..."}
//	GET  /api/v1/workflows/{name}/runs        list (?status=&limit=&cursor=), newest first
//	GET  /api/v1/workflow-runs/{id}           one run with every step's record
//	POST /api/v1/workflow-runs/{id}/cancel    cancel a run that has not finished
//	POST /api/v1/workflow-runs/{id}/retry     continue a failed run from its failed step
func registerWorkflowRuns(mux *http.ServeMux, g *gateway.Gateway) {
	h := &workflowHandlers{g: g}
	adminRoute(mux, g, "POST /api/v1/workflows/{name}/runs", h.start)
	adminRoute(mux, g, "GET /api/v1/workflows/{name}/runs", h.list)
	adminRoute(mux, g, "GET /api/v1/workflow-runs/{id}", h.get)
	adminRoute(mux, g, "POST /api/v1/workflow-runs/{id}/cancel", h.cancel)
	adminRoute(mux, g, "POST /api/v1/workflow-runs/{id}/retry", h.retry)
}

// runRequest is the body of POST /api/v1/workflows/{name}/runs.
type runRequest struct {
	// Input is the trigger data, checked against the trigger's params.
	Input map[string]any `json:"input"`
	// ContactID names the contact whose attributes the run reads and
	// writes.
	ContactID string `json:"contact_id"`
}

// start stores a manual run of the workflow and answers it with 202; a
// worker executes it.
func (h *workflowHandlers) start(w http.ResponseWriter, r *http.Request) error {
	var body runRequest
	if r.ContentLength != 0 {
		if err := httpkit.DecodeJSON(w, r, &body); err != nil {
			return err
		}
	}
	if body.Input == nil {
		body.Input = map[string]any{}
	}
	name := r.PathValue("name")
	run, _, err := h.g.StartRun(r.Context(), httpkit.PrincipalFrom(r.Context()), gateway.StartRequest{
		Workflow: name, Trigger: gateway.TriggerManual, Input: body.Input, ContactID: body.ContactID})
	var errs action.Errors
	switch {
	case errors.Is(err, gateway.ErrUnknownWorkflow):
		return notFound("no workflow named %q", name)
	case errors.Is(err, gateway.ErrNotFound) && body.ContactID != "":
		return &httpkit.Error{Status: http.StatusNotFound, Code: httpkit.CodeNotFound,
			Message: fmt.Sprintf("no contact with id %q", body.ContactID), Fields: map[string]string{"contact_id": "no contact has this id"}}
	case errors.As(err, &errs):
		return invalidInput(errs)
	case err != nil:
		return err
	}
	httpkit.WriteJSON(w, http.StatusAccepted, run)
	return nil
}

// list answers {"runs": [...], "next_cursor": "..."}, newest first. A
// workflow that does not exist and has no runs left is 404; the runs of a
// deleted workflow are still listed.
func (h *workflowHandlers) list(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	f, err := workflowRunFilter(r, name)
	if err != nil {
		return err
	}
	ctx := r.Context()
	runs, next, err := h.g.ListWorkflowRuns(ctx, httpkit.PrincipalFrom(ctx), f)
	if errors.Is(err, gateway.ErrInvalidCursor) {
		return badParam("cursor", "not a cursor this server issued; pass next_cursor from a previous page")
	}
	if err != nil {
		return err
	}
	if len(runs) == 0 && f.Cursor == "" {
		if _, err := h.g.Workflow(ctx, name); errors.Is(err, gateway.ErrUnknownWorkflow) {
			return notFound("no workflow named %q", name)
		} else if err != nil {
			return err
		}
	}
	if runs == nil {
		runs = []gateway.WorkflowRun{}
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"runs": runs, "next_cursor": next})
	return nil
}

// workflowRunFilter reads a run listing's query parameters; unknown ones
// are refused so a misspelt filter does not silently list everything.
func workflowRunFilter(r *http.Request, name string) (gateway.WorkflowRunFilter, error) {
	f := gateway.WorkflowRunFilter{Workflow: name}
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "status":
			if statuses := runStatuses(); !slices.Contains(statuses, v) {
				return f, badParam(key, "must be one of "+strings.Join(statuses, ", "))
			}
			f.Status = v
		case "cursor":
			f.Cursor = v
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > gateway.MaxWorkflowRunLimit {
				return f, badParam(key, "must be an integer from 1 to "+strconv.Itoa(gateway.MaxWorkflowRunLimit))
			}
			f.Limit = n
		default:
			return f, badParam(key, "unknown parameter; filters are status, limit and cursor")
		}
	}
	return f, nil
}

// get answers one run with every step's record.
func (h *workflowHandlers) get(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	run, err := h.g.WorkflowRun(r.Context(), httpkit.PrincipalFrom(r.Context()), id)
	if err != nil {
		return runError(id, err)
	}
	httpkit.WriteJSON(w, http.StatusOK, run)
	return nil
}

// cancel cancels a run that has not finished and answers it.
func (h *workflowHandlers) cancel(w http.ResponseWriter, r *http.Request) error {
	return h.change(w, r, h.g.CancelRun, "cancelled", "only a queued, running or waiting run can be cancelled")
}

// retry continues a failed run from its failed step and answers it.
func (h *workflowHandlers) retry(w http.ResponseWriter, r *http.Request) error {
	return h.change(w, r, h.g.RetryRun, "retried", "only a failed run can be retried, from its failed step")
}

// change applies a change of state to the run in the path and answers the
// run; a run not in a state the change needs is 409 saying what it is and
// which state the change needs.
func (h *workflowHandlers) change(w http.ResponseWriter, r *http.Request,
	do func(ctx context.Context, p *gateway.Principal, id string) (*gateway.WorkflowRun, error), verb, needs string) error {
	ctx, p, id := r.Context(), httpkit.PrincipalFrom(r.Context()), r.PathValue("id")
	run, err := do(ctx, p, id)
	if errors.Is(err, gateway.ErrRunState) {
		status := "in another state"
		if cur, getErr := h.g.WorkflowRun(ctx, p, id); getErr == nil {
			status = cur.Status
		}
		return httpkit.Errorf(http.StatusConflict, httpkit.CodeConflict, "run %s is %s and cannot be %s: %s", id, status, verb, needs)
	}
	if err != nil {
		return runError(id, err)
	}
	httpkit.WriteJSON(w, http.StatusOK, run)
	return nil
}

// runError turns the gateway's errors about the run id into API errors.
func runError(id string, err error) error {
	if errors.Is(err, gateway.ErrNotFound) {
		return notFound("no workflow run with id %q", id)
	}
	return err
}

// invalidInput is a 400 listing every problem of a run's input by field
// path ("input.order_id").
func invalidInput(errs action.Errors) *httpkit.Error {
	e := validationError(errs)
	e.Status = http.StatusBadRequest
	e.Message = "invalid input: " + errs.Error()
	return e
}

// runStatuses lists the run statuses in the order a run may pass through
// them.
func runStatuses() []string {
	return []string{gateway.RunQueued, gateway.RunRunning, gateway.RunWaiting, gateway.RunCompleted, gateway.RunFailed, gateway.RunCancelled}
}

// workflowItem is one entry of the workflow list.
type workflowItem struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Trigger is webhook, schedule, event or manual.
	Trigger string `json:"trigger"`
	// Hook is the path a webhook trigger answers on.
	Hook string `json:"hook,omitempty"`
	// Steps counts the top-level steps.
	Steps int `json:"steps"`
	// Runs counts the workflow's runs by status.
	Runs    map[string]int  `json:"runs"`
	LastRun *workflowRunRef `json:"last_run"`
}

// workflowRunRef is the short form of a run shown beside its workflow.
type workflowRunRef struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Trigger    string     `json:"trigger"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Error      string     `json:"error,omitempty"`
}

// listWorkflows answers {"workflows": [item...]}, ordered by name.
func (h *resourceHandlers) listWorkflows(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	list, err := h.g.Workflows(ctx)
	if err != nil {
		return err
	}
	stats, err := h.g.WorkflowStats(ctx)
	if err != nil {
		return err
	}
	items := make([]*workflowItem, 0, len(list))
	for _, wf := range list {
		last, err := lastWorkflowRun(r, h.g, wf.Name)
		if err != nil {
			return err
		}
		items = append(items, &workflowItem{Name: wf.Name, Description: wf.Description, Trigger: wf.Trigger.Type(),
			Hook: hookPath(wf), Steps: len(wf.Steps), Runs: runCounts(stats[wf.Name]), LastRun: last})
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"workflows": items})
	return nil
}

// getWorkflow answers {"resource": spec, "hook": ..., "runs": {...},
// "last_run": ...}.
func (h *resourceHandlers) getWorkflow(w http.ResponseWriter, r *http.Request) error {
	ctx, name := r.Context(), r.PathValue("name")
	wf, err := h.g.Workflow(ctx, name)
	if errors.Is(err, gateway.ErrUnknownWorkflow) {
		return notFound("no %s named %q", h.kind, name)
	}
	if err != nil {
		return err
	}
	view, err := workflowView(ctx, h.g, wf)
	if err != nil {
		return err
	}
	stats, err := h.g.WorkflowStats(ctx)
	if err != nil {
		return err
	}
	last, err := lastWorkflowRun(r, h.g, name)
	if err != nil {
		return err
	}
	out := map[string]any{"resource": view, "runs": runCounts(stats[name]), "last_run": last}
	if p := hookPath(wf); p != "" {
		out["hook"] = p
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// workflowView is a workflow as responses show it: the webhook's signing
// secret reduced to a secretStatus.
func workflowView(ctx context.Context, g *gateway.Gateway, wf *action.Workflow) (map[string]any, error) {
	b, err := json.Marshal(wf)
	if err != nil {
		return nil, fmt.Errorf("api: encoding workflow %s: %w", wf.Name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("api: encoding workflow %s: %w", wf.Name, err)
	}
	if hook := wf.Trigger.Webhook; hook != nil && hook.Secret != nil {
		if trig, ok := m["trigger"].(map[string]any); ok {
			if wh, ok := trig["webhook"].(map[string]any); ok {
				wh["secret"] = refStatus(ctx, g, hook.Secret)
			}
		}
	}
	return m, nil
}

// lastWorkflowRun returns the newest run of the named workflow, nil when
// it never ran.
func lastWorkflowRun(r *http.Request, g *gateway.Gateway, name string) (*workflowRunRef, error) {
	runs, _, err := g.ListWorkflowRuns(r.Context(), httpkit.PrincipalFrom(r.Context()), gateway.WorkflowRunFilter{Workflow: name, Limit: 1})
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	run := runs[0]
	return &workflowRunRef{ID: run.ID, Status: run.Status, Trigger: run.Trigger, CreatedAt: run.CreatedAt,
		FinishedAt: run.FinishedAt, Error: run.Error}, nil
}

// runCounts is a workflow's run counts with every status present.
func runCounts(byStatus map[string]int) map[string]int {
	out := make(map[string]int, 6)
	for _, s := range runStatuses() {
		out[s] = byStatus[s]
	}
	return out
}

// hookPath is the path a workflow's webhook trigger answers on, "" when it
// has none.
func hookPath(wf *action.Workflow) string {
	if wf.Trigger.Webhook == nil {
		return ""
	}
	return "/hooks/" + wf.Name
}
