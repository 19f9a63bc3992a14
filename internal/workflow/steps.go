package workflow

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/runtime"
)

// job is one job's work on a run.
type job struct {
	e   *Engine
	run *gateway.WorkflowRun
	wf  *action.Workflow
	d   *data
	// external is set once the job ran a step with an effect outside the
	// run; the next such step goes to a new job.
	external bool
	// abandoned is set when the run changed under the job (cancelled, or
	// taken over after its lease expired): the job stops without saving.
	abandoned bool
	// inflight is the index of the record of the external step the job
	// ran under a lease, -1 before one.
	inflight int
}

// outcome is what a step's execution came to.
type outcome struct {
	// failed is the error when the step failed.
	failed string
	// branch, when set, is where the run goes next (into a branch).
	branch *position
	// waiting is set when the run now waits (a wait step).
	waiting bool
	// stop is set when the job must stop without going on (the run
	// changed under it).
	stop bool
}

// loadData reads what the run's templates see.
func (x *job) loadData(ctx context.Context) error {
	d := &data{trigger: x.run.Input, vars: x.run.Vars, steps: map[string]any{}}
	for i := range x.run.Steps {
		d.steps[x.run.Steps[i].ID] = stepData(&x.run.Steps[i])
	}
	if x.run.ContactID != "" {
		c, err := x.e.g.RunContact(ctx, x.run.ContactID)
		switch {
		case errors.Is(err, gateway.ErrNotFound):
		case err != nil:
			return err
		default:
			d.contact = c
		}
	}
	x.d = d
	return nil
}

// stepData is a step record as templates and conditions read it
// (steps.ID.status, .http_status, .output, .extract.NAME, .run_id, .error).
func stepData(r *gateway.StepRecord) map[string]any {
	m := map[string]any{"status": r.Status, "output": r.Output, "run_id": r.RunID, "error": r.Error, "http_status": r.HTTPStatus}
	extract := map[string]any{}
	maps.Copy(extract, r.Extract)
	m["extract"] = extract
	return m
}

// external reports whether a step has an effect outside the run.
func external(s *action.Step) bool {
	t := s.Type()
	return t == action.StepAction || t == action.StepAgent
}

// step takes the run's next step; more is false when the job is done
// with the run (it finished, waits, or the next step needs a new job).
func (x *job) step(ctx context.Context) (more bool, err error) {
	run := x.run
	if run.Status != gateway.RunRunning {
		return false, nil
	}
	if run.Cursor == endCursor {
		run.Status, run.Cursor = gateway.RunCompleted, ""
		return false, nil
	}
	pos, err := parsePosition(run.Cursor)
	if err != nil {
		x.e.failRun(run, "", err.Error())
		return false, nil
	}
	s := pos.step(x.wf)
	if s == nil {
		run.Status, run.Cursor = gateway.RunCompleted, ""
		return false, nil
	}
	if external(s) && x.external {
		return false, nil
	}
	i := x.begin(s)
	start := time.Now()
	out, err := x.execute(ctx, s, i)
	if err != nil || out.stop {
		return false, err
	}
	rec := &run.Steps[i]
	now := time.Now().UTC()
	if !out.waiting {
		rec.FinishedAt = &now
		rec.DurationMS = now.Sub(rec.StartedAt).Milliseconds()
	}
	switch {
	case out.failed != "":
		rec.Status, rec.Error = gateway.RunFailed, out.failed
	case out.waiting:
		rec.Status = gateway.RunWaiting
	default:
		rec.Status = gateway.RunCompleted
	}
	x.d.steps[s.ID] = stepData(rec)
	x.e.g.ObserveStep(x.wf.Name, s.Type(), rec.Status, time.Since(start))
	if out.failed != "" {
		return x.onError(s, pos, out.failed), nil
	}
	if out.branch != nil {
		return x.e.arrive(run, x.wf, *out.branch), nil
	}
	if out.waiting {
		// The run sleeps on the step after the wait; after a last step it
		// completes when it wakes.
		if next, ok := pos.next(x.wf); ok {
			x.e.arrive(run, x.wf, next)
		} else {
			run.Cursor = endCursor
		}
		return false, nil
	}
	return x.advance(pos), nil
}

// advance moves the run to the step after pos, completing it at the end.
func (x *job) advance(pos position) bool {
	next, ok := pos.next(x.wf)
	if !ok {
		x.run.Status, x.run.Cursor = gateway.RunCompleted, ""
		return false
	}
	return x.e.arrive(x.run, x.wf, next)
}

// onError applies a failed step's on_error: fail the run, continue with
// the next step, or go to a top-level step.
func (x *job) onError(s *action.Step, pos position, msg string) bool {
	policy := s.OnError
	if policy == nil {
		policy = x.wf.OnError
	}
	switch {
	case policy != nil && policy.Do == action.OnErrorContinue:
		return x.advance(pos)
	case policy != nil && policy.Do == action.OnErrorGoto:
		target, ok := topLevel(x.wf, policy.Goto)
		if !ok {
			x.e.failRun(x.run, s.ID, msg+fmt.Sprintf(" (and its on_error goto names no step %q)", policy.Goto))
			return false
		}
		return x.e.arrive(x.run, x.wf, target)
	}
	x.e.failRun(x.run, s.ID, msg)
	return false
}

// begin starts the record of step s's execution and returns its index:
// the record a crashed execution of the same visit left running is taken
// up again, with one more attempt.
func (x *job) begin(s *action.Step) int {
	run := x.run
	visit := max(run.Visits[s.ID], 1)
	now := time.Now().UTC()
	attempts := 1
	for i := range run.Steps {
		if r := &run.Steps[i]; r.ID == s.ID && r.Visit == visit {
			attempts++
		}
	}
	if n := len(run.Steps); n > 0 {
		if r := &run.Steps[n-1]; r.ID == s.ID && r.Visit == visit && r.Status == gateway.RunRunning {
			r.Attempts, r.StartedAt = r.Attempts+1, now
			return n - 1
		}
	}
	run.Steps = append(run.Steps, gateway.StepRecord{ID: s.ID, Type: s.Type(), Status: gateway.RunRunning, Visit: visit, Attempts: attempts, StartedAt: now})
	return len(run.Steps) - 1
}

// execute runs step s, whose record is run.Steps[i].
func (x *job) execute(ctx context.Context, s *action.Step, i int) (outcome, error) {
	switch s.Type() {
	case action.StepAction:
		return x.action(ctx, s, i)
	case action.StepAgent:
		return x.agent(ctx, s, i)
	case action.StepIf:
		return x.ifStep(ctx, s, i)
	case action.StepSwitch:
		return x.switchStep(ctx, s, i)
	case action.StepSet:
		return x.set(ctx, s, i)
	case action.StepWait:
		return x.wait(ctx, s, i)
	case action.StepWorkflow:
		return x.startWorkflow(ctx, s, i)
	}
	return outcome{failed: "the step does nothing: it needs one of action, if, switch, set, agent, wait or workflow"}, nil
}

// renderer returns a renderer over the run's data.
func (x *job) renderer(ctx context.Context, secrets bool) *renderer {
	return &renderer{ctx: ctx, d: x.d, secret: x.e.g.StepSecret, secrets: secrets}
}

// lease stores the run with a lease of d before the external step whose
// record is run.Steps[i]; false when the run changed meanwhile and the
// step must not run.
func (x *job) lease(ctx context.Context, i int, d time.Duration) (bool, error) {
	err := x.e.g.LeaseStep(ctx, x.run, d)
	if errors.Is(err, gateway.ErrConflict) {
		x.abandoned = true
		return false, nil
	}
	if err != nil {
		return false, err
	}
	x.external, x.inflight = true, i
	return true, nil
}

// action calls the step's action.
func (x *job) action(ctx context.Context, s *action.Step, i int) (outcome, error) {
	r := x.renderer(ctx, true)
	with, err := r.value(map[string]any(s.With))
	if err != nil {
		return outcome{failed: "with: " + err.Error()}, nil
	}
	args, _ := with.(map[string]any)
	for k, v := range args {
		if v == nil {
			delete(args, k)
		}
	}
	rec := &x.run.Steps[i]
	rec.Input = masked(args, r.masks)
	timeout := stepTimeout(s)
	budget, err := x.e.g.StepBudget(ctx, s.Action, timeout)
	if err != nil {
		return outcome{failed: err.Error()}, nil
	}
	if ok, err := x.lease(ctx, i, budget); !ok {
		return outcome{stop: true}, err
	}
	res, err := x.e.g.CallForStep(ctx, gateway.StepCall{
		Workflow: x.wf.Name, RunID: x.run.ID, StepID: s.ID, Visit: rec.Visit,
		Action: s.Action, Args: args, Contact: x.d.contact, Vars: x.d.vars,
		Timeout: timeout, Retries: s.Retries, Mask: r.masks,
	})
	if err != nil {
		return outcome{}, err
	}
	rec = &x.run.Steps[i]
	rec.RunID, rec.HTTPStatus, rec.Output = res.Run.ID, res.Run.Status, res.Run.Output
	if res.Run.Outcome != runlog.OutcomeOK {
		return outcome{failed: cmp.Or(res.Run.Error, res.Run.Output)}, nil
	}
	if len(s.Extract) > 0 {
		values, err := x.e.g.Extract(ctx, res.Body, s.Extract)
		if err != nil {
			return outcome{failed: strings.TrimPrefix(strings.TrimPrefix(err.Error(), "gateway: "), "respfilter: ")}, nil
		}
		rec.Extract = values
	}
	return outcome{}, nil
}

// stepTimeout is the step's own timeout, 0 when it has none.
func stepTimeout(s *action.Step) time.Duration {
	d, err := time.ParseDuration(s.Timeout)
	if err != nil || d <= 0 {
		return 0
	}
	return d
}

// masked returns v with every secret in masks replaced, for the record.
func masked(v map[string]any, masks []string) map[string]any {
	if len(masks) == 0 || v == nil {
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return map[string]any{"_redacted": true}
	}
	s := string(b)
	for _, m := range masks {
		if m == "" {
			continue
		}
		enc, _ := json.Marshal(m)
		s = strings.ReplaceAll(s, string(enc[1:len(enc)-1]), "[secret]")
	}
	var out map[string]any
	if json.Unmarshal([]byte(s), &out) != nil {
		return map[string]any{"_redacted": true}
	}
	return out
}

// agent asks the step's agent for its typed output.
func (x *job) agent(ctx context.Context, s *action.Step, i int) (outcome, error) {
	r := x.renderer(ctx, false)
	input, err := r.str(s.Input)
	if err != nil {
		return outcome{failed: "input: " + err.Error()}, nil
	}
	rec := &x.run.Steps[i]
	rec.Input = input
	ag, err := x.e.g.Agent(ctx, s.Agent)
	if err != nil {
		return outcome{failed: err.Error()}, nil
	}
	timeout := stepTimeout(s)
	if timeout == 0 {
		timeout = ag.TurnTimeoutDuration()
	}
	if ok, err := x.lease(ctx, i, timeout+time.Minute); !ok {
		return outcome{stop: true}, err
	}
	res, err := x.e.rt.Structured(ctx, runtime.StructuredRequest{
		Agent: s.Agent, Contact: x.d.contact, Vars: x.d.vars, Input: text(input), Fields: s.Output, Timeout: timeout,
	})
	rec = &x.run.Steps[i]
	if err != nil {
		return outcome{failed: err.Error()}, nil
	}
	rec.Extract = res.Values
	b, _ := json.Marshal(res.Values)
	rec.Output = string(b)
	return outcome{}, nil
}

// evalCondition evaluates an expression over the run's data, within the
// condition package's deadline and memory bound.
func (x *job) evalCondition(ctx context.Context, src string) (bool, error) {
	c, err := x.e.condition(src)
	if err != nil {
		return false, err
	}
	return c.Eval(ctx, x.d.env())
}

// ifStep goes into then or else.
func (x *job) ifStep(ctx context.Context, s *action.Step, i int) (outcome, error) {
	ok, err := x.evalCondition(ctx, s.If)
	if err != nil {
		return outcome{failed: "if: " + err.Error()}, nil
	}
	taken, other := "then", s.Else
	if !ok {
		taken, other = "else", s.Then
	}
	x.run.Steps[i].Output = taken
	x.skip(other)
	return x.into(taken), nil
}

// switchStep goes into the first case whose condition holds.
func (x *job) switchStep(ctx context.Context, s *action.Step, i int) (outcome, error) {
	chosen := -1
	for n, c := range s.Switch {
		if c == nil {
			continue
		}
		if c.When == "" {
			chosen = n
			break
		}
		ok, err := x.evalCondition(ctx, c.When)
		if err != nil {
			return outcome{failed: fmt.Sprintf("switch[%d].when: %v", n, err)}, nil
		}
		if ok {
			chosen = n
			break
		}
	}
	for n, c := range s.Switch {
		if c != nil && n != chosen {
			x.skip(c.Steps)
		}
	}
	if chosen < 0 {
		x.run.Steps[i].Output = "no case"
		return outcome{}, nil
	}
	x.run.Steps[i].Output = fmt.Sprintf("case %d", chosen+1)
	if s.Switch[chosen].When == "" {
		x.run.Steps[i].Output = "default"
	}
	return x.into(fmt.Sprintf("case%d", chosen)), nil
}

// into is the outcome of a branch step that goes into branch (or on past
// the step when the branch is empty).
func (x *job) into(branch string) outcome {
	pos, err := parsePosition(x.run.Cursor)
	if err != nil {
		return outcome{failed: err.Error()}
	}
	if p, ok := pos.enter(x.wf, branch); ok {
		return outcome{branch: &p}
	}
	return outcome{}
}

// skip records the steps of a branch not taken as skipped.
func (x *job) skip(steps []*action.Step) {
	now := time.Now().UTC()
	w := &action.Workflow{Steps: steps}
	w.EachStep(func(s *action.Step, _ int) bool {
		x.run.Steps = append(x.run.Steps, gateway.StepRecord{ID: s.ID, Type: s.Type(), Status: gateway.StepSkipped, Visit: x.run.Visits[s.ID], StartedAt: now, FinishedAt: &now})
		x.d.steps[s.ID] = stepData(&x.run.Steps[len(x.run.Steps)-1])
		return true
	})
}

// set stores vars and contact attributes.
func (x *job) set(ctx context.Context, s *action.Step, i int) (outcome, error) {
	r := x.renderer(ctx, false)
	patch := map[string]any{}
	rendered := make(map[string]any, len(s.Set))
	vars := maps.Clone(x.run.Vars)
	if vars == nil {
		vars = map[string]any{}
	}
	for _, key := range slices.Sorted(maps.Keys(s.Set)) {
		v, err := r.value(s.Set[key])
		if err != nil {
			return outcome{failed: key + ": " + err.Error()}, nil
		}
		rendered[key] = v
		if name, ok := strings.CutPrefix(key, "vars."); ok {
			vars[name] = v
		} else if name, ok := strings.CutPrefix(key, "contact."); ok {
			patch[name] = v
		} else {
			return outcome{failed: fmt.Sprintf("%s: must start with vars. or contact.", key)}, nil
		}
	}
	if b, err := json.Marshal(vars); err != nil || len(b) > maxVarsBytes {
		return outcome{failed: fmt.Sprintf("the run's vars would be %d bytes as JSON; at most %d", len(b), maxVarsBytes)}, nil
	}
	rec := &x.run.Steps[i]
	rec.Input = rendered
	if len(patch) > 0 {
		if x.run.ContactID == "" {
			return outcome{failed: "the run has no contact to set attributes on (start it with a contact_id, or from a contact event)"}, nil
		}
		c, err := x.e.g.SetRunContact(ctx, x.run.ContactID, patch)
		if err != nil {
			return outcome{failed: strings.TrimPrefix(err.Error(), "gateway: ")}, nil
		}
		x.d.contact = c
	}
	x.run.Vars = vars
	x.d.vars = vars
	rec.Output = "set " + strings.Join(slices.Sorted(maps.Keys(s.Set)), ", ")
	return outcome{}, nil
}

// wait puts the run to sleep for a duration or until a time.
func (x *job) wait(ctx context.Context, s *action.Step, i int) (outcome, error) {
	now := time.Now().UTC()
	var until time.Time
	if d, err := time.ParseDuration(s.Wait); err == nil {
		until = now.Add(d)
	} else {
		v, err := x.renderer(ctx, false).str(s.Wait)
		if err != nil {
			return outcome{failed: "wait: " + err.Error()}, nil
		}
		t, err := time.Parse(time.RFC3339, text(v))
		if err != nil {
			return outcome{failed: fmt.Sprintf("wait: %q is neither a duration nor an RFC 3339 time", text(v))}, nil
		}
		until = t.UTC()
	}
	if until.After(now.Add(action.MaxWait)) {
		return outcome{failed: fmt.Sprintf("wait: %s is more than %s away", until.Format(time.RFC3339), action.MaxWait)}, nil
	}
	x.run.Steps[i].Output = "until " + until.Format(time.RFC3339)
	if !until.After(now) {
		return outcome{}, nil
	}
	x.run.Status, x.run.WakeAt = gateway.RunWaiting, &until
	return outcome{waiting: true}, nil
}

// startWorkflow starts the step's workflow with its with as input, once
// per run, step and visit.
func (x *job) startWorkflow(ctx context.Context, s *action.Step, i int) (outcome, error) {
	depth, err := x.depth(ctx)
	if err != nil {
		return outcome{}, err
	}
	if depth >= gateway.MaxRunDepth {
		return outcome{failed: fmt.Sprintf("this run is %d workflow steps deep; a run may start another only %d deep", depth, gateway.MaxRunDepth)}, nil
	}
	with, err := x.renderer(ctx, false).value(map[string]any(s.With))
	if err != nil {
		return outcome{failed: "with: " + err.Error()}, nil
	}
	input, _ := with.(map[string]any)
	rec := &x.run.Steps[i]
	rec.Input = input
	child, _, err := x.e.g.StartRun(ctx, gateway.Operator(), gateway.StartRequest{
		Workflow:    s.Workflow,
		Trigger:     gateway.TriggerWorkflow,
		Input:       input,
		ContactID:   x.run.ContactID,
		DedupKey:    fmt.Sprintf("parent:%s/%s/%d", x.run.ID, s.ID, rec.Visit),
		ParentRunID: x.run.ID,
	})
	if err != nil {
		return outcome{failed: strings.TrimPrefix(err.Error(), "gateway: ")}, nil
	}
	rec.RunID, rec.Output = child.ID, "started run "+child.ID
	return outcome{}, nil
}

// depth counts the runs above this one (started by a workflow step).
func (x *job) depth(ctx context.Context) (int, error) {
	n := 0
	for parent := x.run.ParentRunID; parent != "" && n <= gateway.MaxRunDepth; n++ {
		p, err := x.e.g.WorkflowRun(ctx, gateway.Operator(), parent)
		if errors.Is(err, gateway.ErrNotFound) {
			break
		}
		if err != nil {
			return 0, err
		}
		parent = p.ParentRunID
	}
	return n, nil
}
