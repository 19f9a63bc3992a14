package action

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/itchyny/gojq"
	"github.com/robfig/cron/v3"

	"github.com/actiongate/actiongate/internal/condition"
)

// Bounds of workflow fields that have no constant of their own.
const (
	// maxWebhookTolerance bounds a webhook trigger's tolerance (1h).
	maxWebhookTolerance = time.Hour
)

const (
	triggerChoices  = "webhook, schedule, event, manual"
	stepKindChoices = "action, if, switch, set, agent, wait, workflow"
	outputTypes     = "string, integer, number, boolean"
)

// workflowRefs are the resources a workflow may name.
type workflowRefs struct {
	actions   map[string]*Action
	agents    map[string]*Agent
	workflows map[string]bool
}

// stepPlace is where a step sits: its path and its place in document
// order.
type stepPlace struct {
	path  fieldPath
	order int
}

// flowCheck holds what checking one workflow needs beyond the checker.
type flowCheck struct {
	c    *checker
	r    *Resource
	refs *workflowRefs
	// places maps every step id to its first place.
	places map[string]stepPlace
	// topLevel holds the ids of the top-level steps (on_error goto targets).
	topLevel map[string]bool
	// done holds the ids of the steps that have finished before the one
	// being checked, in document order.
	done map[string]bool
	// open holds the ids of the steps that contain the one being checked.
	open  map[string]bool
	order int
	count int
}

// workflow checks one Workflow against the set's actions, agents and
// workflows.
func (c *checker) workflow(r *Resource, refs *workflowRefs) {
	w := r.Workflow
	c.checkName(r, w.Name)
	c.workflowTrigger(r, refs)
	f := &flowCheck{c: c, r: r, refs: refs, places: map[string]stepPlace{}, topLevel: map[string]bool{},
		done: map[string]bool{}, open: map[string]bool{}}
	sp := fieldPath{}.field("steps")
	if len(w.Steps) == 0 {
		c.add(r, sp, "required: at least one step")
	}
	for _, s := range w.Steps {
		if s != nil && validName(s.ID) {
			f.topLevel[s.ID] = true
		}
	}
	f.collect(sp, w.Steps)
	if f.count > MaxWorkflowSteps {
		c.add(r, sp, "has %d steps, nested ones included; at most %d are allowed", f.count, MaxWorkflowSteps)
	}
	f.order = 0
	f.steps(sp, w.Steps, 1)
	f.onError(fieldPath{}.field("on_error"), w.OnError)
}

// workflowTrigger checks that exactly one trigger is set, and that one.
func (c *checker) workflowTrigger(r *Resource, refs *workflowRefs) {
	t := r.Workflow.Trigger
	tp := fieldPath{}.field("trigger")
	var set []string
	for _, s := range []struct {
		name string
		on   bool
	}{{TriggerWebhook, t.Webhook != nil}, {TriggerSchedule, t.Schedule != nil}, {TriggerEvent, t.Event != nil}, {TriggerManual, t.Manual != nil}} {
		if s.on {
			set = append(set, s.name)
		}
	}
	switch {
	case len(set) == 0:
		c.add(r, tp, "required: one of %s", triggerChoices)
		return
	case len(set) > 1:
		c.add(r, tp.field(set[1]), "a workflow has exactly one trigger, and %s is already set", set[0])
		return
	}
	switch {
	case t.Webhook != nil:
		wp := tp.field(TriggerWebhook)
		c.secretRef(r, wp.field("secret"), t.Webhook.Secret)
		c.paramSchemas(r, wp.field("params"), t.Webhook.Params)
		if s := t.Webhook.Tolerance; s != "" {
			d, err := time.ParseDuration(s)
			switch {
			case err != nil:
				c.add(r, wp.field("tolerance"), "must be a duration such as 5m or 30s")
			case d <= 0 || d > maxWebhookTolerance:
				c.add(r, wp.field("tolerance"), "must be more than 0s and at most 1h")
			}
		}
	case t.Manual != nil:
		c.paramSchemas(r, tp.field(TriggerManual).field("params"), t.Manual.Params)
	case t.Schedule != nil:
		c.schedule(r, tp.field(TriggerSchedule), t.Schedule)
	case t.Event != nil:
		ep := tp.field(TriggerEvent)
		types := map[string]bool{}
		for _, e := range EventTypes() {
			types[e] = true
		}
		switch e := t.Event.Type; {
		case e == "":
			c.add(r, ep.field("type"), "required: one of %s", strings.Join(EventTypes(), ", "))
		case !types[e]:
			c.add(r, ep.field("type"), "must be one of %s%s", strings.Join(EventTypes(), ", "), closestName(e, types))
		}
		if a := t.Event.Agent; a != "" {
			if _, ok := refs.agents[a]; !ok {
				c.add(r, ep.field("agent"), "no Agent named %q%s", a, closestName(a, nameSet(refs.agents)))
			}
		}
	}
}

// paramSchemas checks a trigger's params exactly as an action's are
// checked, except that nothing needs to use them.
func (c *checker) paramSchemas(r *Resource, pp fieldPath, params Params) {
	for name, prm := range c.uniqueParams(r, pp, params) {
		p := pp.key(name)
		if prm == nil {
			c.add(r, p.field("type"), "required: one of %s", paramTypeChoices)
			continue
		}
		c.param(r, p, prm, false)
	}
}

// schedule checks a cron schedule and its time zone.
func (c *checker) schedule(r *Resource, sp fieldPath, s *ScheduleTrigger) {
	cp := sp.field("cron")
	switch {
	case s.Cron == "":
		c.add(r, cp, `required: five fields (minute hour day month weekday) such as "0 8 * * 1-5", or @hourly, @daily, @weekly, @monthly`)
	case strings.HasPrefix(s.Cron, "TZ=") || strings.HasPrefix(s.Cron, "CRON_TZ="):
		c.add(r, cp, "name the time zone in timezone, not in cron")
	default:
		if _, err := cron.ParseStandard(s.Cron); err != nil {
			c.add(r, cp, "invalid cron expression: %v; write five fields (minute hour day month weekday) such as \"0 8 * * 1-5\", or @hourly, @daily, @weekly, @monthly", err)
		}
	}
	if tz := s.Timezone; tz != "" {
		if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
			c.add(r, sp.field("timezone"), "unknown time zone %q: name an IANA zone such as Europe/Berlin or UTC", tz)
		}
	}
}

// nameSet returns the keys of m as a set, for closestName.
func nameSet[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// collect records every step id with its place, reporting missing,
// invalid and duplicate ids, and counts the steps.
func (f *flowCheck) collect(p fieldPath, steps []*Step) {
	for i, s := range steps {
		sp := p.index(i)
		f.count++
		if s == nil {
			continue
		}
		f.order++
		ip := sp.field("id")
		switch {
		case s.ID == "":
			f.c.add(f.r, ip, "required: a name for the step, which later steps use as steps.ID")
		case !validName(s.ID):
			f.c.add(f.r, ip, "must be 1 to 64 letters, digits, _ or - (^[a-zA-Z0-9_-]{1,64}$)")
		default:
			if first, dup := f.places[s.ID]; dup {
				msg := fmt.Sprintf("duplicate step id %q: ids are unique across the whole workflow, nested steps included", s.ID)
				if w := f.r.where(first.path.field("id")); w != "" {
					msg += "; first used at " + w
				}
				f.c.add(f.r, ip, "%s", msg)
			} else {
				f.places[s.ID] = stepPlace{path: sp, order: f.order}
			}
		}
		f.collect(sp.field("then"), s.Then)
		f.collect(sp.field("else"), s.Else)
		for j, sc := range s.Switch {
			if sc != nil {
				f.collect(sp.field("switch").index(j).field("steps"), sc.Steps)
			}
		}
	}
}

// steps checks a list of steps at nesting depth.
func (f *flowCheck) steps(p fieldPath, steps []*Step, depth int) {
	if depth > MaxStepNesting {
		f.c.add(f.r, p, "steps nest deeper than %d levels", MaxStepNesting)
		return
	}
	for i, s := range steps {
		sp := p.index(i)
		if s == nil {
			f.c.add(f.r, sp, "must be a step: a mapping with an id and one of %s", stepKindChoices)
			continue
		}
		f.order++
		f.step(sp, s, depth)
		if validName(s.ID) {
			f.done[s.ID] = true
		}
	}
}

// stepField is one field of a step that belongs to some kinds only.
type stepField struct {
	name   string
	set    bool
	owners []string
}

// step checks one step; its children are checked while it is open.
func (f *flowCheck) step(sp fieldPath, s *Step, depth int) {
	var kinds []string
	for _, k := range []struct {
		name string
		on   bool
	}{{StepAction, s.Action != ""}, {StepIf, s.If != ""}, {StepSwitch, s.Switch != nil || f.given(sp.field("switch"))},
		{StepSet, s.Set != nil || f.given(sp.field("set"))}, {StepAgent, s.Agent != ""}, {StepWait, s.Wait != ""}, {StepWorkflow, s.Workflow != ""}} {
		if k.on {
			kinds = append(kinds, k.name)
		}
	}
	switch {
	case len(kinds) == 0:
		f.c.add(f.r, sp, "says nothing to do: give one of %s", stepKindChoices)
		return
	case len(kinds) > 1:
		f.c.add(f.r, sp.field(kinds[1]), "a step does one thing, and this one is already a%s %s step", article(kinds[0]), kinds[0])
		return
	}
	kind := kinds[0]
	for _, fd := range []stepField{
		{"with", s.With != nil, []string{StepAction, StepWorkflow}},
		{"extract", s.Extract != nil, []string{StepAction}},
		{"retries", s.Retries != nil, []string{StepAction}},
		{"timeout", s.Timeout != "", []string{StepAction, StepAgent}},
		{"then", s.Then != nil || f.given(sp.field("then")), []string{StepIf}},
		{"else", s.Else != nil || f.given(sp.field("else")), []string{StepIf}},
		{"input", s.Input != "", []string{StepAgent}},
		{"output", s.Output != nil, []string{StepAgent}},
	} {
		if fd.set && !slices.Contains(fd.owners, kind) {
			f.c.add(f.r, sp.field(fd.name), "not allowed on a%s %s step (it belongs to %s steps)", article(kind), kind, strings.Join(fd.owners, " and "))
		}
	}
	if validName(s.ID) {
		f.open[s.ID] = true
		defer delete(f.open, s.ID)
	}
	switch kind {
	case StepAction:
		f.action(sp, s)
	case StepIf:
		f.condition(sp.field("if"), s.If)
		f.branch(sp.field("then"), s.Then, depth, true)
		f.branch(sp.field("else"), s.Else, depth, false)
	case StepSwitch:
		f.switchCases(sp, s, depth)
	case StepSet:
		f.set(sp.field("set"), s.Set)
	case StepAgent:
		f.agent(sp, s)
	case StepWait:
		f.wait(sp.field("wait"), s.Wait)
	case StepWorkflow:
		wp := sp.field("workflow")
		switch {
		case s.Workflow == f.r.Workflow.Name:
			f.c.add(f.r, wp, "a workflow cannot start itself")
		case !f.refs.workflows[s.Workflow]:
			f.c.add(f.r, wp, "no Workflow named %q%s", s.Workflow, closestName(s.Workflow, f.refs.workflows))
		}
		f.values(sp.field("with"), s.With, "the input of another run, which stores it")
	}
	f.onError(sp.field("on_error"), s.OnError)
}

// article is "n" before a kind that starts with a vowel, for "an action".
func article(kind string) string {
	if strings.ContainsRune("aeiou", rune(kind[0])) {
		return "n"
	}
	return ""
}

// given reports whether the file wrote the field, even as an empty list
// or mapping (which decodes to nothing).
func (f *flowCheck) given(p fieldPath) bool {
	if f.r.Positions == nil {
		return false
	}
	_, ok := f.r.Positions[p.String()]
	return ok
}

// branch checks then (required) or else (optional, not empty).
func (f *flowCheck) branch(p fieldPath, steps []*Step, depth int, required bool) {
	if len(steps) == 0 {
		switch {
		case required:
			f.c.add(f.r, p, "required: the steps to run when the condition is true")
		case f.given(p):
			f.c.add(f.r, p, "must not be empty: give steps or leave else out")
		}
		return
	}
	f.steps(p, steps, depth+1)
}

// switchCases checks a switch: cases in order, a default only last.
func (f *flowCheck) switchCases(sp fieldPath, s *Step, depth int) {
	p := sp.field("switch")
	if len(s.Switch) == 0 {
		f.c.add(f.r, p, "must not be empty: give cases, each {when: EXPRESSION, steps: [...]}, the last may leave when out")
		return
	}
	for i, sc := range s.Switch {
		cp := p.index(i)
		if sc == nil {
			f.c.add(f.r, cp, "must be a case: {when: EXPRESSION, steps: [...]}")
			continue
		}
		if sc.When == "" {
			if i != len(s.Switch)-1 {
				f.c.add(f.r, cp, "a case without when is the default and must come last")
			}
		} else {
			f.condition(cp.field("when"), sc.When)
		}
		if len(sc.Steps) == 0 {
			f.c.add(f.r, cp.field("steps"), "required: the steps to run for this case")
			continue
		}
		f.steps(cp.field("steps"), sc.Steps, depth+1)
	}
}

// action checks an action step against its action.
func (f *flowCheck) action(sp fieldPath, s *Step) {
	ap := sp.field("action")
	a, ok := f.refs.actions[s.Action]
	if !ok {
		f.c.add(f.r, ap, "no Action named %q%s", s.Action, closestName(s.Action, nameSet(f.refs.actions)))
	} else {
		if a.Confirm == ConfirmAlways {
			f.c.add(f.r, ap, "action %q needs a person's confirmation on every call; a workflow runs without one", s.Action)
		}
		wp := sp.field("with")
		for _, k := range slices.Sorted(maps.Keys(s.With)) {
			if !a.Params.Has(k) {
				f.c.add(f.r, wp.key(k), "action %q has no param %q%s", s.Action, k, paramChoices(k, a.Params))
			}
		}
		for k, prm := range a.Params.All() {
			if prm != nil && prm.Required && prm.Default == nil {
				if _, ok := s.With[k]; !ok {
					f.c.add(f.r, wp, "missing %q: action %q requires it", k, s.Action)
				}
			}
		}
	}
	f.values(sp.field("with"), s.With, "")
	ep := sp.field("extract")
	for _, k := range slices.Sorted(maps.Keys(s.Extract)) {
		if !validPlaceholderName(k) {
			f.c.add(f.r, ep.key(k), "extract names must be 1 to 64 letters, digits, _ or -")
		}
		src := s.Extract[k]
		if src == "" {
			f.c.add(f.r, ep.key(k), "required: a jq expression over the parsed response, such as .customer.email")
			continue
		}
		q, err := gojq.Parse(src)
		if err == nil {
			_, err = gojq.Compile(q)
		}
		if err != nil {
			f.c.add(f.r, ep.key(k), "invalid jq expression: %v", err)
		}
	}
	if s.Retries != nil && (*s.Retries < 0 || *s.Retries > MaxRetries) {
		f.c.add(f.r, sp.field("retries"), "must be between 0 and %d", MaxRetries)
	}
	if s.Timeout != "" {
		d, err := time.ParseDuration(s.Timeout)
		switch {
		case err != nil:
			f.c.add(f.r, sp.field("timeout"), "must be a duration such as 10s or 1m30s")
		case d <= 0 || d > MaxTimeout:
			f.c.add(f.r, sp.field("timeout"), "must be more than 0s and at most %s", formatDuration(MaxTimeout))
		}
	}
}

// paramChoices proposes the closest param, or lists them.
func paramChoices(name string, params Params) string {
	if s := closestName(name, paramSet(params)); s != "" {
		return s
	}
	if params.Len() == 0 {
		return "; it takes no params"
	}
	return "; its params: " + strings.Join(params.Names(), ", ")
}

// agent checks an agent step.
func (f *flowCheck) agent(sp fieldPath, s *Step) {
	ap := sp.field("agent")
	switch a, ok := f.refs.agents[s.Agent]; {
	case !ok:
		f.c.add(f.r, ap, "no Agent named %q%s", s.Agent, closestName(s.Agent, nameSet(f.refs.agents)))
	case a.Model == nil:
		f.c.add(f.r, ap, "agent %q has no model: an agent step asks the agent's model, so give the agent one", s.Agent)
	}
	ip := sp.field("input")
	if s.Input == "" {
		f.c.add(f.r, ip, "required: what the agent is asked, which may use templates such as {{steps.ID.output}}")
	} else {
		f.template(ip, s.Input, "sent to the model")
	}
	op := sp.field("output")
	if len(s.Output) == 0 {
		f.c.add(f.r, op, "required: the fields the answer has, such as {category: {type: string, enum: [a, b]}}")
	}
	for _, k := range slices.Sorted(maps.Keys(s.Output)) {
		p := op.key(k)
		if !validPlaceholderName(k) {
			f.c.add(f.r, p, "output field names must be 1 to 64 letters, digits, _ or -")
		}
		prm := s.Output[k]
		if prm == nil {
			f.c.add(f.r, p.field("type"), "required: one of %s", outputTypes)
			continue
		}
		switch prm.Type {
		case ParamTypeString, ParamTypeInteger, ParamTypeNumber, ParamTypeBoolean:
			f.c.param(f.r, p, prm, false)
		case "":
			f.c.add(f.r, p.field("type"), "required: one of %s", outputTypes)
		default:
			f.c.add(f.r, p.field("type"), "must be one of %s", outputTypes)
		}
	}
	f.c.duration(f.r, sp.field("timeout"), s.Timeout, MaxProviderTimeout, "30s")
}

// wait checks a wait: a duration, a time, or a template giving a time.
func (f *flowCheck) wait(p fieldPath, s string) {
	if strings.Contains(s, "{{") {
		f.template(p, s, "a time to wait until")
		return
	}
	if _, err := time.Parse(time.RFC3339, s); err == nil {
		return
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		f.c.add(f.r, p, "must be a duration such as 10m or 24h, a time such as 2026-01-02T15:04:05Z, or a template giving a time")
	case d <= 0 || d > MaxWait:
		f.c.add(f.r, p, "must be more than 0s and at most %s", wholeHours(MaxWait))
	}
}

// wholeHours writes a whole number of hours as "8784h".
func wholeHours(d time.Duration) string {
	return fmt.Sprintf("%dh", d/time.Hour)
}

// set checks a set step's keys and values.
func (f *flowCheck) set(p fieldPath, m map[string]any) {
	if len(m) == 0 {
		f.c.add(f.r, p, "must not be empty: give keys vars.NAME or contact.NAME with their values")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		source, name, ok := strings.Cut(k, ".")
		if !ok || (source != WorkflowVars && source != WorkflowContact) || !validPlaceholderName(name) {
			f.c.add(f.r, p.key(k), "keys are vars.NAME or contact.NAME (NAME: letters, digits, _ and -)")
		}
	}
	f.values(p, m, "stored in the run's variables or the contact")
}

// values walks a value whose strings may hold templates. noSecret, when
// set, says where the value goes, which a secret must not reach.
func (f *flowCheck) values(p fieldPath, v any, noSecret string) {
	switch t := v.(type) {
	case string:
		f.template(p, t, noSecret)
	case []any:
		for i, e := range t {
			f.values(p.index(i), e, noSecret)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			f.values(p.key(k), t[k], noSecret)
		}
	}
}

// template parses s and checks its references; noSecret is as for values.
func (f *flowCheck) template(p fieldPath, s, noSecret string) {
	refs, err := WorkflowRefs(s)
	if err != nil {
		f.c.add(f.r, p, "%v", err)
		return
	}
	for _, ref := range refs {
		switch {
		case ref.Source == WorkflowSecret && noSecret != "":
			f.c.add(f.r, p, "{{%s}} is not allowed here: the value is %s, and secrets never are", ref, noSecret)
		case ref.Source == WorkflowSecret && !validName(ref.Path[0]):
			f.c.add(f.r, p, "{{%s}}: secret names are 1 to 64 letters, digits, _ or -", ref)
		case ref.Source == WorkflowSteps:
			f.stepRef(p, ref.Step(), "{{"+ref.String()+"}}")
		}
	}
}

// condition compiles an expression and checks the steps it reads.
func (f *flowCheck) condition(p fieldPath, src string) {
	c, err := condition.Compile(src)
	if err != nil {
		var ce *condition.Error
		if errors.As(err, &ce) {
			f.c.add(f.r, p, "invalid condition: %v", ce)
		} else {
			f.c.add(f.r, p, "invalid condition: %s", strings.TrimPrefix(err.Error(), "condition: compiling: "))
		}
		return
	}
	for _, id := range c.StepRefs() {
		f.stepRef(p, id, "steps."+id)
	}
}

// stepRef checks that a step read at p is one that finished earlier.
func (f *flowCheck) stepRef(p fieldPath, id, spelled string) {
	place, ok := f.places[id]
	switch {
	case !ok:
		f.c.add(f.r, p, "%s: no step has the id %q%s", spelled, id, closestName(id, nameSet(f.places)))
	case f.done[id]:
	case f.open[id]:
		if strings.HasPrefix(p.String(), place.path.String()+".") && isOwnField(p, place.path) {
			f.c.add(f.r, p, "%s: a step cannot read its own record", spelled)
		} else {
			f.c.add(f.r, p, "%s: step %q contains this one and has not finished when it runs", spelled, id)
		}
	default:
		msg := fmt.Sprintf("%s: step %q comes later", spelled, id)
		if w := f.r.where(place.path.field("id")); w != "" {
			msg += " (at " + w + ")"
		}
		f.c.add(f.r, p, "%s; a step may read only the steps before it", msg)
	}
}

// isOwnField reports whether p is a field of the step at sp itself rather
// than of a step nested in it.
func isOwnField(p, sp fieldPath) bool {
	rest := p[len(sp):]
	if len(rest) == 0 {
		return true
	}
	switch rest[0] {
	case ".then", ".else", ".switch":
		return len(rest) <= 1 || (rest[0] == ".switch" && len(rest) >= 3 && rest[2] == ".when")
	}
	return true
}

// onError checks an on_error: goto must name a top-level step.
func (f *flowCheck) onError(p fieldPath, o *OnError) {
	if o == nil || o.Do != OnErrorGoto {
		return
	}
	gp := p.field(OnErrorGoto)
	switch {
	case f.topLevel[o.Goto]:
	case f.places[o.Goto].path != nil:
		f.c.add(f.r, gp, "step %q is nested; goto names a top-level step", o.Goto)
	default:
		f.c.add(f.r, gp, "no top-level step has the id %q%s", o.Goto, closestName(o.Goto, f.topLevel))
	}
}
