package action

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseWorkflowTemplate(t *testing.T) {
	got, err := ParseWorkflowTemplate("Hi {{ contact.name }}, order {{trigger.order.id}}: {{steps.order.extract.tracking}}/{{steps.order.http_status}}{{secret.K}}")
	if err != nil {
		t.Fatal(err)
	}
	want := []WorkflowSegment{
		{Literal: "Hi "},
		{Ref: &WorkflowRef{Source: WorkflowContact, Path: []string{"name"}, Start: 3, End: 21}},
		{Literal: ", order "},
		{Ref: &WorkflowRef{Source: WorkflowTrigger, Path: []string{"order", "id"}, Start: 29, End: 49}},
		{Literal: ": "},
		{Ref: &WorkflowRef{Source: WorkflowSteps, Path: []string{"order", "extract", "tracking"}, Start: 51, End: 83}},
		{Literal: "/"},
		{Ref: &WorkflowRef{Source: WorkflowSteps, Path: []string{"order", "http_status"}, Start: 84, End: 111}},
		{Ref: &WorkflowRef{Source: WorkflowSecret, Path: []string{"K"}, Start: 111, End: 123}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
	if got[5].Ref.Step() != "order" || got[1].Ref.Step() != "" || got[5].Ref.String() != "steps.order.extract.tracking" {
		t.Errorf("Step %q, String %q", got[5].Ref.Step(), got[5].Ref.String())
	}
	for _, s := range []string{"", "plain text", "{ {not} }"} {
		segs, err := ParseWorkflowTemplate(s)
		if err != nil || (s != "" && (len(segs) != 1 || segs[0].Literal != s)) || (s == "" && segs != nil) {
			t.Errorf("%q -> %+v, %v", s, segs, err)
		}
	}
	for _, f := range []string{StepFieldOutput, StepFieldStatus, StepFieldHTTPStatus, StepFieldRunID, StepFieldError} {
		if _, err := ParseWorkflowTemplate("{{steps.a." + f + "}}"); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := ParseWorkflowTemplate("{{trigger.a.b.c.d.e.f.g.h}}"); err != nil {
		t.Errorf("eight names: %v", err)
	}
}

func TestParseWorkflowTemplateErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"x {{trigger.a", `unclosed reference at offset 2: missing "}}"`},
		{"{{}}", `reference {{}} at offset 0: empty reference: use trigger.PATH, steps.ID.FIELD, vars.NAME, contact.NAME or secret.NAME`},
		{"ab{{ name }}", `reference {{name}} at offset 2: unknown source "name": use trigger.PATH, steps.ID.FIELD, vars.NAME, contact.NAME or secret.NAME`},
		{"{{step.a.output}}", `reference {{step.a.output}} at offset 0: unknown source "step": use trigger.PATH, steps.ID.FIELD, vars.NAME, contact.NAME or secret.NAME (did you mean "steps"?)`},
		{"{{trigger}}", `reference {{trigger}} at offset 0: trigger needs 1 to 8 dot-separated names, as in trigger.customer.email`},
		{"{{trigger.a.b.c.d.e.f.g.h.i}}", `reference {{trigger.a.b.c.d.e.f.g.h.i}} at offset 0: trigger needs 1 to 8 dot-separated names, as in trigger.customer.email`},
		{"{{trigger.a..b}}", `reference {{trigger.a..b}} at offset 0: invalid name "" after trigger.a: letters, digits, _ and - only`},
		{"{{trigger.a b}}", `reference {{trigger.a b}} at offset 0: invalid name "a b" after trigger: letters, digits, _ and - only`},
		{"{{steps.a}}", `reference {{steps.a}} at offset 0: steps needs a step id and a field, as in steps.ID.output; fields: extract.NAME, output, status, http_status, run_id, error`},
		{"{{steps.a.outptu}}", `reference {{steps.a.outptu}} at offset 0: unknown step field "outptu": one of extract.NAME, output, status, http_status, run_id, error (did you mean "output"?)`},
		{"{{steps.a.extract}}", `reference {{steps.a.extract}} at offset 0: extract needs exactly one name, as in steps.a.extract.NAME`},
		{"{{steps.a.status.x}}", `reference {{steps.a.status.x}} at offset 0: steps.a.status takes no further names`},
		{"{{vars.a.b}}", `reference {{vars.a.b}} at offset 0: vars needs exactly one name, as in vars.NAME`},
		{"{{secret}}", `reference {{secret}} at offset 0: secret needs exactly one name, as in secret.NAME`},
	} {
		_, err := ParseWorkflowTemplate(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got: %v\nwant: %s", tt.in, err, tt.want)
		}
	}
}

// FuzzParseWorkflowTemplate: parsing never panics, and the segments put
// back together give the template.
func FuzzParseWorkflowTemplate(f *testing.F) {
	for _, s := range []string{"", "{{trigger.a}}", "x{{ steps.a.extract.b }}y", "{{", "}}{{vars.a}}", "{{secret.K}}{{contact.n}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs, err := ParseWorkflowTemplate(s)
		if err != nil {
			return
		}
		var b strings.Builder
		for _, sg := range segs {
			if sg.Ref != nil {
				b.WriteString(s[sg.Ref.Start:sg.Ref.End])
				continue
			}
			b.WriteString(sg.Literal)
		}
		if b.String() != s {
			t.Fatalf("%q rebuilt as %q", s, b.String())
		}
	})
}
