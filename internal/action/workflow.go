package action

import "time"

// KindWorkflow is the kind of a Workflow document.
const KindWorkflow Kind = "Workflow"

// Workflow is a trigger and the steps a run of it executes: actions that
// run by themselves, with branches, variables and waits between them.
type Workflow struct {
	Name        string  `json:"name" yaml:"name"`
	Description string  `json:"description,omitempty" yaml:"description,omitempty"`
	Trigger     Trigger `json:"trigger" yaml:"trigger"`
	Steps       []*Step `json:"steps" yaml:"steps"`
	// OnError is what a failed step does when it says nothing itself; nil
	// means fail.
	OnError *OnError `json:"on_error,omitempty" yaml:"on_error,omitempty"`
}

// Trigger says what starts a run; exactly one of its members is set.
type Trigger struct {
	Webhook  *WebhookTrigger  `json:"webhook,omitempty" yaml:"webhook,omitempty"`
	Schedule *ScheduleTrigger `json:"schedule,omitempty" yaml:"schedule,omitempty"`
	Event    *EventTrigger    `json:"event,omitempty" yaml:"event,omitempty"`
	Manual   *ManualTrigger   `json:"manual,omitempty" yaml:"manual,omitempty"`
}

// Trigger types, as Trigger.Type names them.
const (
	TriggerWebhook  = "webhook"
	TriggerSchedule = "schedule"
	TriggerEvent    = "event"
	TriggerManual   = "manual"
)

// Type names the trigger that is set, empty when none is.
func (t Trigger) Type() string {
	switch {
	case t.Webhook != nil:
		return TriggerWebhook
	case t.Schedule != nil:
		return TriggerSchedule
	case t.Event != nil:
		return TriggerEvent
	case t.Manual != nil:
		return TriggerManual
	}
	return ""
}

// Params returns the schema a run's input must match: the webhook's or
// the manual trigger's params, nil for the others.
func (t Trigger) Params() Params {
	switch {
	case t.Webhook != nil:
		return t.Webhook.Params
	case t.Manual != nil:
		return t.Manual.Params
	}
	return nil
}

// WebhookTrigger starts a run for each signed POST /hooks/{workflow}.
type WebhookTrigger struct {
	// Secret is the Standard Webhooks signing secret ("whsec_" + base64,
	// or any other string, whose bytes are the key).
	Secret *SecretRef `json:"secret,omitempty" yaml:"secret,omitempty"`
	// Params is the schema the JSON body must match, the same as an
	// action's params.
	Params Params `json:"params,omitempty" yaml:"params,omitempty"`
	// Tolerance is how far the webhook-timestamp may be from now (a Go
	// duration); empty means DefaultWebhookTolerance.
	Tolerance string `json:"tolerance,omitempty" yaml:"tolerance,omitempty"`
}

// ScheduleTrigger starts a run on each tick of a cron schedule.
type ScheduleTrigger struct {
	// Cron is a five-field cron expression (minute hour day month weekday).
	Cron string `json:"cron" yaml:"cron"`
	// Timezone is an IANA zone name; empty means UTC.
	Timezone string `json:"timezone,omitempty" yaml:"timezone,omitempty"`
	// Input is the trigger data every scheduled run starts with.
	Input map[string]any `json:"input,omitempty" yaml:"input,omitempty"`
}

// EventTrigger starts a run when something happens in actiongate.
type EventTrigger struct {
	// Type is one of the Event constants.
	Type string `json:"type" yaml:"type"`
	// Agent, when set, limits the trigger to that agent's events.
	Agent string `json:"agent,omitempty" yaml:"agent,omitempty"`
}

// Event types an EventTrigger may name.
const (
	EventContactCreated      = "contact.created"
	EventContactUpdated      = "contact.updated"
	EventConversationStarted = "conversation.started"
	EventMessageReceived     = "message.received"
	EventRunFailed           = "run.failed"
)

// EventTypes lists every event type, in the order the docs give them.
func EventTypes() []string {
	return []string{EventContactCreated, EventContactUpdated, EventConversationStarted, EventMessageReceived, EventRunFailed}
}

// ManualTrigger starts a run only when asked (console, API, CLI).
type ManualTrigger struct {
	// Params is the schema the input must match; nil accepts any object.
	Params Params `json:"params,omitempty" yaml:"params,omitempty"`
}

// Step is one step of a workflow. Exactly one of Action, If, Switch, Set,
// Agent, Wait and Workflow says what it does.
type Step struct {
	ID string `json:"id" yaml:"id"`

	// Action calls the named action with With as its arguments.
	Action string `json:"action,omitempty" yaml:"action,omitempty"`
	// With maps argument names to values; strings may hold templates. It is
	// also the input of a workflow step.
	With map[string]any `json:"with,omitempty" yaml:"with,omitempty"`
	// Extract maps names to jq expressions over the parsed response.
	Extract map[string]string `json:"extract,omitempty" yaml:"extract,omitempty"`
	// Retries overrides the action's retries for this step.
	Retries *int `json:"retries,omitempty" yaml:"retries,omitempty"`
	// Timeout overrides the action's timeout (an action step) or bounds
	// the model's answer (an agent step); a Go duration.
	Timeout string `json:"timeout,omitempty" yaml:"timeout,omitempty"`

	// If is an expression; Then runs when it is true, Else otherwise.
	If   string  `json:"if,omitempty" yaml:"if,omitempty"`
	Then []*Step `json:"then,omitempty" yaml:"then,omitempty"`
	Else []*Step `json:"else,omitempty" yaml:"else,omitempty"`

	// Switch runs the steps of the first case whose When is true; a case
	// without When (the last) is the default.
	Switch []*SwitchCase `json:"switch,omitempty" yaml:"switch,omitempty"`

	// Set stores values: keys are "vars.NAME" or "contact.NAME".
	Set map[string]any `json:"set,omitempty" yaml:"set,omitempty"`

	// Agent asks the named agent's model for Output, given Input.
	Agent  string            `json:"agent,omitempty" yaml:"agent,omitempty"`
	Input  string            `json:"input,omitempty" yaml:"input,omitempty"`
	Output map[string]*Param `json:"output,omitempty" yaml:"output,omitempty"`

	// Wait is a Go duration ("10m") or a time (RFC 3339, or a template
	// that renders to one) the run sleeps until.
	Wait string `json:"wait,omitempty" yaml:"wait,omitempty"`

	// Workflow starts the named workflow with With as its input.
	Workflow string `json:"workflow,omitempty" yaml:"workflow,omitempty"`

	// OnError overrides the workflow's on_error for this step.
	OnError *OnError `json:"on_error,omitempty" yaml:"on_error,omitempty"`
}

// Step types, as Step.Type names them.
const (
	StepAction   = "action"
	StepIf       = "if"
	StepSwitch   = "switch"
	StepSet      = "set"
	StepAgent    = "agent"
	StepWait     = "wait"
	StepWorkflow = "workflow"
)

// Type names what the step does, empty when nothing says.
func (s *Step) Type() string {
	switch {
	case s.Action != "":
		return StepAction
	case s.If != "":
		return StepIf
	case s.Switch != nil:
		return StepSwitch
	case s.Set != nil:
		return StepSet
	case s.Agent != "":
		return StepAgent
	case s.Wait != "":
		return StepWait
	case s.Workflow != "":
		return StepWorkflow
	}
	return ""
}

// SwitchCase is one case of a switch step.
type SwitchCase struct {
	// When is an expression; empty marks the default case.
	When  string  `json:"when,omitempty" yaml:"when,omitempty"`
	Steps []*Step `json:"steps" yaml:"steps"`
}

// OnError is what a failed step does: fail the run, continue with the
// next step, or go to another step.
type OnError struct {
	// Do is OnErrorFail, OnErrorContinue or OnErrorGoto.
	Do string `json:"-" yaml:"-"`
	// Goto is the step id to go to when Do is OnErrorGoto.
	Goto string `json:"-" yaml:"-"`
}

// OnError choices.
const (
	OnErrorFail     = "fail"
	OnErrorContinue = "continue"
	OnErrorGoto     = "goto"
)

// Workflow defaults and bounds.
const (
	// DefaultWebhookTolerance is how far a webhook's timestamp may be
	// from now.
	DefaultWebhookTolerance = 5 * time.Minute
	// MaxWorkflowSteps bounds the steps of one workflow, nested ones
	// included.
	MaxWorkflowSteps = 200
	// MaxStepNesting bounds how deep if, switch and their branches nest.
	MaxStepNesting = 8
	// MaxWait is the longest a wait step may sleep.
	MaxWait = 366 * 24 * time.Hour
	// MaxStepVisits bounds how often one run may enter the same step
	// (loops through on_error goto).
	MaxStepVisits = 20
)
