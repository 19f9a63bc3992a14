package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// lastRuns is how many recent runs the workflows list shows per workflow.
const lastRuns = 5

// statusCount is how many runs of a workflow are in one status.
type statusCount struct {
	Status string
	N      int
}

// triggerView says what starts a workflow's runs, for people.
type triggerView struct {
	// Type is webhook, schedule, event or manual.
	Type string
	// Detail is the webhook's path, the cron expression with its zone or
	// the event type.
	Detail string
	// Agent is the agent an event trigger is limited to, "" for any.
	Agent string
}

// describeTrigger builds the trigger's view for the workflow name.
func describeTrigger(name string, t action.Trigger) triggerView {
	v := triggerView{Type: t.Type()}
	switch {
	case t.Webhook != nil:
		v.Detail = "POST /hooks/" + url.PathEscape(name)
	case t.Schedule != nil:
		tz := t.Schedule.Timezone
		if tz == "" {
			tz = "UTC"
		}
		v.Detail = t.Schedule.Cron + " (" + tz + ")"
	case t.Event != nil:
		v.Detail, v.Agent = t.Event.Type, t.Event.Agent
	case t.Manual != nil:
		v.Detail = "started from the console, the API or the CLI"
	}
	return v
}

// statusCounts lists the non-zero counts of byStatus in the order a run
// passes through the statuses.
func statusCounts(byStatus map[string]int) []statusCount {
	var out []statusCount
	for _, st := range []string{gateway.RunQueued, gateway.RunRunning, gateway.RunWaiting, gateway.RunCompleted, gateway.RunFailed, gateway.RunCancelled} {
		if n := byStatus[st]; n > 0 {
			out = append(out, statusCount{Status: st, N: n})
		}
	}
	return out
}

// countSteps counts steps, nested ones included.
func countSteps(steps []*action.Step) int {
	n := 0
	for _, s := range steps {
		if s == nil {
			continue
		}
		n++
		n += countSteps(s.Then) + countSteps(s.Else)
		for _, c := range s.Switch {
			if c != nil {
				n += countSteps(c.Steps)
			}
		}
	}
	return n
}

// workflowRow is one line of the workflows list.
type workflowRow struct {
	Name        string
	Description string
	Trigger     triggerView
	Steps       int
	// Runs are the latest runs, newest first.
	Runs   []gateway.WorkflowRun
	Counts []statusCount
}

// workflowsData is the workflows list's model.
type workflowsData struct {
	Rows []workflowRow
}

// workflowsList shows every workflow with its trigger, its latest runs and
// its runs counted by status.
func (c *Console) workflowsList(w http.ResponseWriter, r *http.Request, s *session) {
	wfs, err := c.g.Workflows(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	stats, err := c.g.WorkflowStats(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d := &workflowsData{}
	for _, wf := range wfs {
		runs, _, err := c.g.ListWorkflowRuns(r.Context(), s.Principal, gateway.WorkflowRunFilter{Workflow: wf.Name, Limit: lastRuns})
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		d.Rows = append(d.Rows, workflowRow{Name: wf.Name, Description: wf.Description, Trigger: describeTrigger(wf.Name, wf.Trigger),
			Steps: countSteps(wf.Steps), Runs: runs, Counts: statusCounts(stats[wf.Name])})
	}
	c.render(w, r, http.StatusOK, "workflows", s, d)
}

// wfNode is one step of the workflow diagram.
type wfNode struct {
	ID   string
	Type string
	// Action is the action an action step calls; ActionMissing is true
	// when no such action is stored.
	Action        string
	ActionMissing bool
	// With are the arguments of an action step or the input of a workflow
	// step, as written.
	With []kv
	// Extract maps the extracted names to their jq expressions.
	Extract []kv
	Retries string
	Timeout string
	// Cond is the expression of an if step.
	Cond string
	Then []*wfNode
	Else []*wfNode
	// Cases are a switch's cases in order, the default last.
	Cases []wfCase
	// Set lists what a set step stores ("vars.x", "contact.y").
	Set []kv
	// Agent, Input and Output describe an agent step.
	Agent  string
	Input  string
	Output []kv
	// Wait is a wait step's duration or time.
	Wait string
	// Workflow is the workflow a workflow step starts.
	Workflow string
	// OnError is "continue" or "goto" when the step says what its failure
	// does, with Goto the step it goes to.
	OnError string
	Goto    string
}

// wfCase is one case of a switch step.
type wfCase struct {
	When    string
	Default bool
	Steps   []*wfNode
}

// buildDiagram turns steps into diagram nodes; actions names the stored
// actions, to mark calls of missing ones.
func buildDiagram(steps []*action.Step, actions map[string]*action.Action) []*wfNode {
	var out []*wfNode
	for _, s := range steps {
		if s == nil {
			continue
		}
		n := &wfNode{ID: s.ID, Type: s.Type(), Timeout: s.Timeout}
		if s.Retries != nil {
			n.Retries = strconv.Itoa(*s.Retries)
		}
		if s.OnError != nil && s.OnError.Do != action.OnErrorFail {
			n.OnError, n.Goto = s.OnError.Do, s.OnError.Goto
		}
		switch n.Type {
		case action.StepAction:
			n.Action, n.ActionMissing = s.Action, actions[s.Action] == nil
			n.With = valueRows(s.With)
			for _, k := range slices.Sorted(maps.Keys(s.Extract)) {
				n.Extract = append(n.Extract, kv{Key: k, Value: s.Extract[k]})
			}
		case action.StepIf:
			n.Cond = s.If
			n.Then = buildDiagram(s.Then, actions)
			n.Else = buildDiagram(s.Else, actions)
		case action.StepSwitch:
			for _, sc := range s.Switch {
				if sc == nil {
					continue
				}
				n.Cases = append(n.Cases, wfCase{When: sc.When, Default: sc.When == "", Steps: buildDiagram(sc.Steps, actions)})
			}
		case action.StepSet:
			n.Set = valueRows(s.Set)
		case action.StepAgent:
			n.Agent, n.Input = s.Agent, s.Input
			for _, k := range slices.Sorted(maps.Keys(s.Output)) {
				n.Output = append(n.Output, kv{Key: k, Value: outputType(s.Output[k])})
			}
		case action.StepWait:
			n.Wait = s.Wait
		case action.StepWorkflow:
			n.Workflow = s.Workflow
			n.With = valueRows(s.With)
		}
		out = append(out, n)
	}
	return out
}

// valueRows lists a mapping by key, each value as written: strings as
// they are, anything else as JSON.
func valueRows(m map[string]any) []kv {
	var out []kv
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v, ok := m[k].(string)
		if !ok {
			v = jsonText(m[k], false)
		}
		out = append(out, kv{Key: k, Value: v})
	}
	return out
}

// outputType names an agent output field's type, with an enum's values.
func outputType(p *action.Param) string {
	if p == nil {
		return ""
	}
	if len(p.Enum) == 0 {
		return p.Type
	}
	vals := make([]string, len(p.Enum))
	for i, v := range p.Enum {
		vals[i] = enumText(v)
	}
	return p.Type + ": " + strings.Join(vals, " | ")
}

// sampleInput builds trigger data a manual run can start with: for each
// param its default, else its enum's first value, else an example of its
// type; a schedule's fixed input; an empty object otherwise.
func sampleInput(t action.Trigger) map[string]any {
	if t.Schedule != nil && t.Schedule.Input != nil {
		return t.Schedule.Input
	}
	out := map[string]any{}
	for name, p := range t.Params().All() {
		if p != nil {
			out[name] = sampleValue(p)
		}
	}
	return out
}

// sampleValue is an example value that p accepts when its bounds allow.
func sampleValue(p *action.Param) any {
	switch {
	case p.Default != nil:
		return p.Default
	case len(p.Enum) > 0:
		return p.Enum[0]
	}
	switch p.Type {
	case action.ParamTypeInteger:
		return int64(sampleNumber(p, 1, true))
	case action.ParamTypeNumber:
		return sampleNumber(p, 1.5, false)
	case action.ParamTypeBoolean:
		return true
	case action.ParamTypeArray:
		if p.Items == nil {
			return []any{}
		}
		return []any{sampleValue(p.Items)}
	case action.ParamTypeObject:
		return map[string]any{}
	}
	s := "example"
	if p.MinLength != nil && len(s) < *p.MinLength {
		s += strings.Repeat("x", *p.MinLength-len(s))
	}
	if p.MaxLength != nil && *p.MaxLength >= 0 && len(s) > *p.MaxLength {
		s = s[:*p.MaxLength]
	}
	return s
}

// sampleNumber is v moved inside p's minimum and maximum (whole when
// integral is set).
func sampleNumber(p *action.Param, v float64, integral bool) float64 {
	if p.Minimum != nil && v < *p.Minimum {
		v = *p.Minimum
		if integral {
			v = math.Ceil(v)
		}
	}
	if p.Maximum != nil && v > *p.Maximum {
		v = *p.Maximum
		if integral {
			v = math.Floor(v)
		}
	}
	return v
}

// runForm is the "Run with sample input" form as typed.
type runForm struct {
	Input     string
	ContactID string
}

// workflowPageData is the workflow page's model.
type workflowPageData struct {
	Workflow *action.Workflow
	Trigger  triggerView
	Steps    []*wfNode
	// OnError and Goto are the workflow's own on_error, when not fail.
	OnError string
	Goto    string
	Form    runForm
	Errors  fieldErrors
	Counts  []statusCount
	Runs    []gateway.WorkflowRun
	// Next links the older runs, "" on the last page.
	Next    string
	Invalid bool
}

// workflowPage shows a workflow's steps as a diagram, the form that runs
// it with sample input, and its recent runs.
func (c *Console) workflowPage(w http.ResponseWriter, r *http.Request, s *session) {
	wf, ok := c.storedWorkflow(w, r)
	if !ok {
		return
	}
	f := runForm{Input: jsonText(sampleInput(wf.Trigger), true)}
	c.showWorkflow(w, r, s, http.StatusOK, wf, f, fieldErrors{})
}

// storedWorkflow returns the workflow named by the path, or answers 404
// (or 500) and reports false.
func (c *Console) storedWorkflow(w http.ResponseWriter, r *http.Request) (*action.Workflow, bool) {
	name := r.PathValue("name")
	wf, err := c.g.Workflow(r.Context(), name)
	switch {
	case errors.Is(err, gateway.ErrUnknownWorkflow):
		c.notFound(w, r, "The workflow "+name)
		return nil, false
	case err != nil:
		c.serverError(w, r, err)
		return nil, false
	}
	return wf, true
}

// showWorkflow renders the workflow page with the run form as given.
func (c *Console) showWorkflow(w http.ResponseWriter, r *http.Request, s *session, status int, wf *action.Workflow, f runForm, errs fieldErrors) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	stats, err := c.g.WorkflowStats(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d := &workflowPageData{Workflow: wf, Trigger: describeTrigger(wf.Name, wf.Trigger), Steps: buildDiagram(wf.Steps, snap.Actions),
		Form: f, Errors: errs, Counts: statusCounts(stats[wf.Name])}
	if wf.OnError != nil && wf.OnError.Do != action.OnErrorFail {
		d.OnError, d.Goto = wf.OnError.Do, wf.OnError.Goto
	}
	runs, next, err := c.g.ListWorkflowRuns(r.Context(), s.Principal, gateway.WorkflowRunFilter{Workflow: wf.Name, Cursor: r.URL.Query().Get("cursor")})
	switch {
	case errors.Is(err, gateway.ErrInvalidCursor):
		d.Invalid = true
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	d.Runs = runs
	if next != "" {
		d.Next = "/workflows/" + url.PathEscape(wf.Name) + "?" + url.Values{"cursor": {next}}.Encode() + "#h-runs"
	}
	c.render(w, r, status, "workflow", s, d)
}

// workflowStart starts a manual run with the posted input and sends the
// browser to it; input the workflow refuses comes back beside the form,
// as typed.
func (c *Console) workflowStart(w http.ResponseWriter, r *http.Request, s *session) {
	wf, ok := c.storedWorkflow(w, r)
	if !ok {
		return
	}
	f := runForm{Input: r.PostForm.Get("input"), ContactID: strings.TrimSpace(r.PostForm.Get("contact_id"))}
	errs := fieldErrors{}
	input, msg := decodeRunInput([]byte(f.Input))
	if msg != "" {
		errs.add("input", msg)
		c.showWorkflow(w, r, s, http.StatusUnprocessableEntity, wf, f, errs)
		return
	}
	run, _, err := c.g.StartRun(r.Context(), s.Principal, gateway.StartRequest{Workflow: wf.Name, Trigger: gateway.TriggerManual, Input: input, ContactID: f.ContactID})
	var verrs action.Errors
	switch {
	case err == nil:
		http.Redirect(w, r, "/workflow-runs/"+url.PathEscape(run.ID), http.StatusSeeOther)
		return
	case errors.Is(err, gateway.ErrUnknownWorkflow):
		c.notFound(w, r, "The workflow "+wf.Name)
		return
	case errors.Is(err, gateway.ErrNotFound) && f.ContactID != "":
		errs.add("contact_id", "no contact has this id")
	case errors.As(err, &verrs):
		for _, e := range verrs {
			key := "input"
			if e.Path == "contact_id" || strings.HasPrefix(e.Path, "contact_id.") {
				key = "contact_id"
			}
			errs.add(key, e.Error())
		}
	default:
		c.serverError(w, r, err)
		return
	}
	c.showWorkflow(w, r, s, http.StatusUnprocessableEntity, wf, f, errs)
}

// decodeRunInput reads the typed input: a JSON object, or nothing for an
// empty one. Input larger than the tool arguments' bound or nested deeper
// than jsonlimit.MaxDepth is refused before it is parsed. The message says
// what is wrong, "" when the input is good.
func decodeRunInput(raw []byte) (map[string]any, string) {
	if len(raw) > toolresult.MaxArgumentBytes {
		return nil, "the input is larger than " + num(toolresult.MaxArgumentBytes) + " bytes"
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return map[string]any{}, ""
	}
	if err := jsonlimit.CheckDepth(raw, jsonlimit.MaxDepth); err != nil {
		return nil, "the input's " + err.Error()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, "the input is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	if dec.More() {
		return nil, "the input holds more than one JSON value; give one object"
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, "the input must be a JSON object, such as {\"order_id\": \"SO-1042\"}"
	}
	return m, ""
}

// stepRecordView is one step record of a run's timeline.
type stepRecordView struct {
	gateway.StepRecord
	InputText  string
	OutputText string
	// Took is the step's duration, "" while it runs.
	Took    string
	Extract []kv
	// RunLink is the action run's page or the started workflow run's,
	// RunLabel says which.
	RunLink  string
	RunLabel string
}

// workflowRunData is the run page's model.
type workflowRunData struct {
	Run      *gateway.WorkflowRun
	Contact  string
	Input    string
	Steps    []stepRecordView
	Finished bool
	CanRetry bool
	// Refresh is how many seconds the page waits before reloading itself,
	// 0 once the run has finished: longer while the run sleeps.
	Refresh int
}

// workflowRunPage shows a run with its step timeline; while the run goes
// on the page reloads itself.
func (c *Console) workflowRunPage(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	run, err := c.g.WorkflowRun(r.Context(), s.Principal, id)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		c.notFound(w, r, "The workflow run "+id)
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	d := &workflowRunData{Run: run, Finished: gateway.TerminalRun(run.Status), CanRetry: run.Status == gateway.RunFailed}
	if !d.Finished {
		d.Refresh = 2
		if run.Status == gateway.RunWaiting {
			d.Refresh = 10
		}
	}
	if run.ContactID != "" {
		d.Contact = c.contactName(r, s, run.ContactID, map[string]string{})
	}
	if len(run.Input) > 0 {
		d.Input = jsonText(run.Input, true)
	}
	for _, st := range run.Steps {
		v := stepRecordView{StepRecord: st, OutputText: prettyJSON(st.Output)}
		if st.FinishedAt != nil {
			v.Took = formatMS(float64(st.DurationMS))
		}
		if st.Input != nil {
			v.InputText = jsonText(st.Input, true)
		}
		for _, k := range slices.Sorted(maps.Keys(st.Extract)) {
			v.Extract = append(v.Extract, kv{Key: k, Value: jsonText(st.Extract[k], false)})
		}
		if st.RunID != "" {
			switch st.Type {
			case action.StepAction:
				v.RunLink, v.RunLabel = "/runs/"+url.PathEscape(st.RunID), "action run"
			case action.StepWorkflow:
				v.RunLink, v.RunLabel = "/workflow-runs/"+url.PathEscape(st.RunID), "workflow run"
			}
		}
		d.Steps = append(d.Steps, v)
	}
	c.render(w, r, http.StatusOK, "workflowrun", s, d)
}

// workflowRunRetry continues a failed run from its failed step.
func (c *Console) workflowRunRetry(w http.ResponseWriter, r *http.Request, s *session) {
	c.changeRun(w, r, s, c.g.RetryRun, "run-retried", "retry-refused")
}

// workflowRunCancel cancels a run that has not finished.
func (c *Console) workflowRunCancel(w http.ResponseWriter, r *http.Request, s *session) {
	c.changeRun(w, r, s, c.g.CancelRun, "run-cancelled", "cancel-refused")
}

// changeRun applies change to the run the path names and sends the
// browser back to it with done, or with refused when the run's state does
// not allow the change.
func (c *Console) changeRun(w http.ResponseWriter, r *http.Request, s *session,
	change func(ctx context.Context, p *gateway.Principal, id string) (*gateway.WorkflowRun, error), done, refused string) {
	id := r.PathValue("id")
	_, err := change(r.Context(), s.Principal, id)
	target := "/workflow-runs/" + url.PathEscape(id)
	switch {
	case err == nil:
		redirectDone(w, r, target, done)
	case errors.Is(err, gateway.ErrRunState):
		redirectDone(w, r, target, refused)
	case errors.Is(err, gateway.ErrNotFound):
		c.notFound(w, r, "The workflow run "+id)
	default:
		c.serverError(w, r, err)
	}
}

// runTook is how long a run has taken from its start to its finish, or
// to now while it goes on; "" before it starts.
func runTook(r *gateway.WorkflowRun) string {
	if r.StartedAt == nil {
		return ""
	}
	end := time.Now()
	if r.FinishedAt != nil {
		end = *r.FinishedAt
	}
	return formatMS(float64(end.Sub(*r.StartedAt)) / float64(time.Millisecond))
}

// runStatusClass is the badge style of a run or step status.
func runStatusClass(status string) string {
	switch status {
	case gateway.RunCompleted:
		return "ok"
	case gateway.RunFailed:
		return "bad"
	case gateway.RunWaiting:
		return "warn"
	case gateway.RunRunning, gateway.RunQueued:
		return "info"
	}
	return "none"
}
