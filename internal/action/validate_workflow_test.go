package action

import (
	"fmt"
	"strings"
	"testing"
)

// workflowDoc wraps workflow fields (after name) into a document; the
// fields start on line 3.
func workflowDoc(fields string) string {
	return "kind: Workflow\nname: w\n" + fields
}

// hook is a valid webhook trigger, three lines long (lines 3 to 5).
const hook = "trigger:\n  webhook:\n    secret: {secret: HOOK}\n"

// validateWorkflow validates src (as t.yaml) with the resources of
// testdata/workflow.yaml and returns the errors found in src.
func validateWorkflow(t *testing.T, src string) []string {
	t.Helper()
	base, errs := DecodeFile("testdata/workflow.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, errs := Decode("t.yaml", []byte(src))
	all := append(base, rs...)
	errs = append(errs, Validate(all)...)
	var out []string
	for _, e := range errs {
		if e.File != "testdata/workflow.yaml" {
			out = append(out, e.Error())
		}
	}
	return out
}

func TestValidateWorkflow(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "nothing",
			src:  workflowDoc(""),
			want: []string{
				`t.yaml:1:1: workflows[w].trigger: required: one of webhook, schedule, event, manual`,
				`t.yaml:1:1: workflows[w].steps: required: at least one step`,
			},
		},
		{
			name: "two triggers",
			src:  workflowDoc("trigger:\n  manual: {}\n  event: {type: contact.created}\nsteps:\n  - {id: a, wait: 1m}\n"),
			want: []string{
				`t.yaml:4:3: workflows[w].trigger.manual: a workflow has exactly one trigger, and event is already set`,
			},
		},
		{
			name: "webhook",
			src:  workflowDoc("trigger:\n  webhook:\n    params:\n      n: {type: int}\n      ok: {type: string, required: true, min_length: 3, default: ab}\n    tolerance: 2h\nsteps:\n  - {id: a, wait: 1m}\n"),
			want: []string{
				`t.yaml:4:3: workflows[w].trigger.webhook.secret: required: write {env: VAR_NAME} or {secret: NAME}`,
				`t.yaml:6:17: workflows[w].trigger.webhook.params.n.type: must be one of string, integer, number, boolean, array, object`,
				`t.yaml:7:66: workflows[w].trigger.webhook.params.ok.default: must be at least 3 characters long`,
				`t.yaml:8:16: workflows[w].trigger.webhook.tolerance: must be more than 0s and at most 1h`,
			},
		},
		{
			name: "webhook secret in the file",
			src:  workflowDoc("trigger:\n  webhook:\n    secret: whsec_abc\n    tolerance: soon\nsteps:\n  - {id: a, wait: 1m}\n"),
			want: []string{
				`t.yaml:5:13: workflows[w].trigger.webhook.secret: secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret`,
				`t.yaml:5:13: workflows[w].trigger.webhook.secret: must set env or secret: {env: VAR_NAME} or {secret: NAME}`,
				`t.yaml:6:16: workflows[w].trigger.webhook.tolerance: must be a duration such as 5m or 30s`,
			},
		},
		{
			name: "schedule",
			src:  workflowDoc("trigger:\n  schedule: {cron: \"0 8 * *\", timezone: Europe/Berln}\nsteps:\n  - {id: a, wait: 1m}\n"),
			want: []string{
				`t.yaml:4:20: workflows[w].trigger.schedule.cron: invalid cron expression: expected exactly 5 fields, found 4: [0 8 * *]; write five fields (minute hour day month weekday) such as "0 8 * * 1-5", or @hourly, @daily, @weekly, @monthly`,
				`t.yaml:4:41: workflows[w].trigger.schedule.timezone: unknown time zone "Europe/Berln": name an IANA zone such as Europe/Berlin or UTC`,
			},
		},
		{
			name: "schedule zone in cron",
			src:  workflowDoc("trigger:\n  schedule: {cron: \"CRON_TZ=UTC @daily\"}\nsteps:\n  - {id: a, wait: 1m}\n"),
			want: []string{
				`t.yaml:4:20: workflows[w].trigger.schedule.cron: name the time zone in timezone, not in cron`,
			},
		},
		{
			name: "event",
			src:  workflowDoc("trigger:\n  event: {type: contact.create, agent: triag}\nsteps:\n  - {id: a, wait: 1m}\n"),
			want: []string{
				`t.yaml:4:17: workflows[w].trigger.event.type: must be one of contact.created, contact.updated, conversation.started, message.received, run.failed (did you mean "contact.created"?)`,
				`t.yaml:4:40: workflows[w].trigger.event.agent: no Agent named "triag" (did you mean "triage"?)`,
			},
		},
		{
			name: "step ids",
			src:  workflowDoc(hook + "steps:\n  - wait: 1m\n  - {id: \"a b\", wait: 1m}\n  - id: c\n    if: 'true'\n    then:\n      - {id: c, wait: 1m}\n"),
			want: []string{
				`t.yaml:7:5: workflows[w].steps[0].id: required: a name for the step, which later steps use as steps.ID`,
				`t.yaml:8:10: workflows[w].steps[1].id: must be 1 to 64 letters, digits, _ or - (^[a-zA-Z0-9_-]{1,64}$)`,
				`t.yaml:12:14: workflows[w].steps[2].then[0].id: duplicate step id "c": ids are unique across the whole workflow, nested steps included; first used at t.yaml:9:9`,
			},
		},
		{
			name: "step kinds",
			src:  workflowDoc(hook + "steps:\n  - id: a\n  - id: b\n    wait: 1m\n    action: get_order\n  - id: c\n    set: {vars.x: 1}\n    extract: {x: .x}\n    then: []\n"),
			want: []string{
				`t.yaml:7:5: workflows[w].steps[0]: says nothing to do: give one of action, if, switch, set, agent, wait, workflow`,
				`t.yaml:9:11: workflows[w].steps[1].wait: a step does one thing, and this one is already an action step`,
				`t.yaml:13:5: workflows[w].steps[2].extract: not allowed on a set step (it belongs to action steps)`,
				`t.yaml:14:5: workflows[w].steps[2].then: not allowed on a set step (it belongs to if steps)`,
			},
		},
		{
			name: "action step",
			src:  workflowDoc(hook + "steps:\n  - {id: a, action: get_ordr}\n  - id: b\n    action: get_order\n    with: {orderid: 1}\n  - {id: c, action: wire_money}\n"),
			want: []string{
				`t.yaml:7:21: workflows[w].steps[0].action: no Action named "get_ordr" (did you mean "get_order"?)`,
				`t.yaml:10:21: workflows[w].steps[1].with.orderid: action "get_order" has no param "orderid" (did you mean "order_id"?)`,
				`t.yaml:10:5: workflows[w].steps[1].with: missing "order_id": action "get_order" requires it`,
				`t.yaml:11:21: workflows[w].steps[2].action: action "wire_money" needs a person's confirmation on every call; a workflow runs without one`,
			},
		},
		{
			name: "action step policy",
			src:  workflowDoc(hook + "steps:\n  - id: a\n    action: get_order\n    with: {order_id: x}\n    extract: {t: \".a[\", \"bad name\": .b}\n    retries: 11\n    timeout: 5m\n"),
			want: []string{
				`t.yaml:10:37: workflows[w].steps[0].extract["bad name"]: extract names must be 1 to 64 letters, digits, _ or -`,
				`t.yaml:10:18: workflows[w].steps[0].extract.t: invalid jq expression: unexpected EOF`,
				`t.yaml:11:14: workflows[w].steps[0].retries: must be between 0 and 10`,
				`t.yaml:12:14: workflows[w].steps[0].timeout: must be more than 0s and at most 120s`,
			},
		},
		{
			name: "if and switch",
			src:  workflowDoc(hook + "steps:\n  - id: a\n    if: 'stepz.x == 1'\n  - id: b\n    if: '1 + 1'\n    then: [{id: b1, wait: 1m}]\n    else: []\n  - id: c\n    switch:\n      - steps: [{id: c1, wait: 1m}]\n      - when: 'trigger.x == 1'\n        steps: []\n"),
			want: []string{
				`t.yaml:8:9: workflows[w].steps[0].if: invalid condition: column 1: unknown name stepz (did you mean "steps"?)`,
				`t.yaml:7:5: workflows[w].steps[0].then: required: the steps to run when the condition is true`,
				`t.yaml:10:9: workflows[w].steps[1].if: invalid condition: the condition must give true or false, not int`,
				`t.yaml:12:5: workflows[w].steps[1].else: must not be empty: give steps or leave else out`,
				`t.yaml:15:9: workflows[w].steps[2].switch[0]: a case without when is the default and must come last`,
				`t.yaml:17:9: workflows[w].steps[2].switch[1].steps: required: the steps to run for this case`,
			},
		},
		{
			name: "set",
			src:  workflowDoc(hook + "steps:\n  - id: a\n    set: {x: 1, vars.ok: \"{{secret.KEY}}\", contact.n: \"{{trgger.x}}\"}\n"),
			want: []string{
				`t.yaml:8:14: workflows[w].steps[0].set.x: keys are vars.NAME or contact.NAME (NAME: letters, digits, _ and -)`,
				`t.yaml:8:55: workflows[w].steps[0].set["contact.n"]: reference {{trgger.x}} at offset 0: unknown source "trgger": use trigger.PATH, steps.ID.FIELD, vars.NAME, contact.NAME or secret.NAME (did you mean "trigger"?)`,
				`t.yaml:8:26: workflows[w].steps[0].set["vars.ok"]: {{secret.KEY}} is not allowed here: the value is stored in the run's variables or the contact, and secrets never are`,
			},
		},
		{
			name: "agent step",
			src:  workflowDoc(hook + "steps:\n  - {id: a, agent: lookup}\n  - id: b\n    agent: triage\n    input: \"{{steps.a.output}} {{secret.K}}\"\n    output: {tags: {type: array, items: {type: string}}, level: {type: string, enum: [1]}}\n    timeout: 1h\n  - {id: c, agent: triag, input: x, output: {x: {type: boolean}}}\n"),
			want: []string{
				`t.yaml:7:20: workflows[w].steps[0].agent: agent "lookup" has no model: an agent step asks the agent's model, so give the agent one`,
				`t.yaml:7:5: workflows[w].steps[0].input: required: what the agent is asked, which may use templates such as {{steps.ID.output}}`,
				`t.yaml:7:5: workflows[w].steps[0].output: required: the fields the answer has, such as {category: {type: string, enum: [a, b]}}`,
				`t.yaml:10:12: workflows[w].steps[1].input: {{secret.K}} is not allowed here: the value is sent to the model, and secrets never are`,
				`t.yaml:11:87: workflows[w].steps[1].output.level.enum[0]: must be a string`,
				`t.yaml:11:27: workflows[w].steps[1].output.tags.type: must be one of string, integer, number, boolean`,
				`t.yaml:12:14: workflows[w].steps[1].timeout: must be between 1s and 10m`,
				`t.yaml:13:20: workflows[w].steps[2].agent: no Agent named "triag" (did you mean "triage"?)`,
			},
		},
		{
			name: "wait",
			src:  workflowDoc(hook + "steps:\n  - {id: a, wait: soon}\n  - {id: b, wait: 9000h}\n  - {id: c, wait: \"{{steps.a.status\"}\n"),
			want: []string{
				`t.yaml:7:19: workflows[w].steps[0].wait: must be a duration such as 10m or 24h, a time such as 2026-01-02T15:04:05Z, or a template giving a time`,
				`t.yaml:8:19: workflows[w].steps[1].wait: must be more than 0s and at most 8784h`,
				`t.yaml:9:19: workflows[w].steps[2].wait: unclosed reference at offset 0: missing "}}"`,
			},
		},
		{
			name: "workflow step",
			src:  workflowDoc(hook + "steps:\n  - {id: a, workflow: w}\n  - {id: b, workflow: order_shiped, with: {k: \"{{secret.K}}\"}}\n"),
			want: []string{
				`t.yaml:7:23: workflows[w].steps[0].workflow: a workflow cannot start itself`,
				`t.yaml:8:23: workflows[w].steps[1].workflow: no Workflow named "order_shiped" (did you mean "order_shipped"?)`,
				`t.yaml:8:47: workflows[w].steps[1].with.k: {{secret.K}} is not allowed here: the value is the input of another run, which stores it, and secrets never are`,
			},
		},
		{
			name: "on_error",
			src:  workflowDoc(hook + "steps:\n  - id: a\n    wait: 1m\n    on_error: {goto: a1}\n  - id: b\n    if: 'true'\n    then: [{id: b1, wait: 1m}]\n    on_error: {goto: b1}\n  - {id: c, wait: 1m, on_error: stop}\n  - {id: d, wait: 1m, on_error: {goto: \"\"}}\n  - {id: e, wait: 1m, on_error: {to: a}}\non_error: goto\n"),
			want: []string{
				`t.yaml:14:33: workflows[w].steps[2].on_error: must be fail, continue or {goto: STEP_ID}, not "stop"`,
				`t.yaml:15:34: workflows[w].steps[3].on_error.goto: required: the id of the step to go to`,
				`t.yaml:16:34: workflows[w].steps[4].on_error.to: unknown field: on_error is fail, continue or {goto: STEP_ID}`,
				`t.yaml:17:11: workflows[w].on_error: goto needs the step to go to: write {goto: STEP_ID}`,
				`t.yaml:9:22: workflows[w].steps[0].on_error.goto: no top-level step has the id "a1" (did you mean "a"?)`,
				`t.yaml:13:22: workflows[w].steps[1].on_error.goto: step "b1" is nested; goto names a top-level step`,
			},
		},
		{
			name: "references to later steps",
			src:  workflowDoc(hook + "steps:\n  - id: a\n    action: get_order\n    with: {order_id: \"{{steps.b.extract.x}} {{steps.a.status}}\"}\n  - id: b\n    if: 'steps.b.status == \"ok\" || steps.c.status == \"ok\"'\n    then:\n      - {id: b1, set: {vars.x: \"{{steps.b.output}} {{steps.a.output}} {{steps.nope.output}}\"}}\n  - {id: c, wait: 1m}\n"),
			want: []string{
				`t.yaml:9:22: workflows[w].steps[0].with.order_id: {{steps.b.extract.x}}: step "b" comes later (at t.yaml:10:9); a step may read only the steps before it`,
				`t.yaml:9:22: workflows[w].steps[0].with.order_id: {{steps.a.status}}: a step cannot read its own record`,
				`t.yaml:11:9: workflows[w].steps[1].if: steps.b: a step cannot read its own record`,
				`t.yaml:11:9: workflows[w].steps[1].if: steps.c: step "c" comes later (at t.yaml:14:10); a step may read only the steps before it`,
				`t.yaml:13:32: workflows[w].steps[1].then[0].set["vars.x"]: {{steps.b.output}}: step "b" contains this one and has not finished when it runs`,
				`t.yaml:13:32: workflows[w].steps[1].then[0].set["vars.x"]: {{steps.nope.output}}: no step has the id "nope"`,
			},
		},
		{
			name: "bad templates",
			src:  workflowDoc(hook + "steps:\n  - {id: a, set: {vars.x: \"{{steps.a.body}}\", vars.y: \"{{ trigger }}\", vars.z: \"{{vars.a.b}}\"}}\n"),
			want: []string{
				`t.yaml:7:27: workflows[w].steps[0].set["vars.x"]: reference {{steps.a.body}} at offset 0: unknown step field "body": one of extract.NAME, output, status, http_status, run_id, error`,
				`t.yaml:7:55: workflows[w].steps[0].set["vars.y"]: reference {{trigger}} at offset 0: trigger needs 1 to 8 dot-separated names, as in trigger.customer.email`,
				`t.yaml:7:80: workflows[w].steps[0].set["vars.z"]: reference {{vars.a.b}} at offset 0: vars needs exactly one name, as in vars.NAME`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertLines(t, validateWorkflow(t, tt.src), tt.want)
		})
	}
}

func TestValidateWorkflowBounds(t *testing.T) {
	// Nine levels of if: the ninth level's steps are refused.
	var b strings.Builder
	b.WriteString(hook + "steps:\n")
	indent := "  "
	for i := range MaxStepNesting {
		fmt.Fprintf(&b, "%s- id: s%d\n%s  if: 'true'\n%s  then:\n", indent, i, indent, indent)
		indent += "    "
	}
	fmt.Fprintf(&b, "%s- {id: deep, wait: 1m}\n", indent)
	assertLines(t, validateWorkflow(t, workflowDoc(b.String())), []string{
		`t.yaml:30:33: workflows[w].steps[0].then[0].then[0].then[0].then[0].then[0].then[0].then[0].then: steps nest deeper than 8 levels`,
	})

	b.Reset()
	b.WriteString(hook + "steps:\n")
	for i := range MaxWorkflowSteps + 1 {
		fmt.Fprintf(&b, "  - {id: s%d, wait: 1m}\n", i)
	}
	assertLines(t, validateWorkflow(t, workflowDoc(b.String())), []string{
		`t.yaml:6:1: workflows[w].steps: has 201 steps, nested ones included; at most 200 are allowed`,
	})
}

func TestWorkflowFromSpecJSONErrors(t *testing.T) {
	_, errs := FromSpecJSON(KindWorkflow, []byte(`{"name": "w", "trigger": {"manual": {}}, "steps": [{"id": "a", "wait": "1m", "on_error": "stop", "then": [{"idd": "x"}]}], "on_error": {"goto": ["x"]}}`))
	assertLines(t, lines(errs), []string{
		`workflows[w].steps[0].on_error: must be fail, continue or {goto: STEP_ID}, not "stop"`,
		`workflows[w].steps[0].then[0].idd: unknown field (did you mean "id"?)`,
		`workflows[w].on_error.goto: must be a string, not a list`,
	})
}

// TestValidateWorkflowBuiltInCode: resources built in code, with holes a
// file cannot have, are reported without a panic and without positions.
func TestValidateWorkflowBuiltInCode(t *testing.T) {
	w := &Workflow{Name: "w", Trigger: Trigger{Manual: &ManualTrigger{Params: Params{{Name: "p", Param: nil}}}},
		Steps: []*Step{nil, {ID: "a", Agent: "x", Input: "i", Output: map[string]*Param{"o": nil}}, {ID: "b", Switch: []*SwitchCase{nil}}}}
	assertLines(t, lines(Validate([]Resource{{Kind: KindWorkflow, Workflow: w, Index: 1}})), []string{
		`workflows[w].trigger.manual.params.p.type: required: one of string, integer, number, boolean, array, object`,
		`workflows[w].steps[0]: must be a step: a mapping with an id and one of action, if, switch, set, agent, wait, workflow`,
		`workflows[w].steps[1].agent: no Agent named "x"`,
		`workflows[w].steps[1].output.o.type: required: one of string, integer, number, boolean`,
		`workflows[w].steps[2].switch[0]: must be a case: {when: EXPRESSION, steps: [...]}`,
	})
	assertLines(t, lines(Validate([]Resource{{Kind: KindWorkflow, Index: 1}})), []string{`workflows[#1]: has no Workflow spec`})
}
