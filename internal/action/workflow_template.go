package action

import (
	"fmt"
	"strings"
)

// Sources a workflow template may read from.
const (
	// WorkflowTrigger is the run's trigger data: {{trigger.customer.email}}.
	WorkflowTrigger = "trigger"
	// WorkflowSteps is an earlier step's record: {{steps.ID.output}}.
	WorkflowSteps = "steps"
	// WorkflowVars is a run variable: {{vars.NAME}}.
	WorkflowVars = "vars"
	// WorkflowContact is an attribute of the run's contact: {{contact.NAME}}.
	WorkflowContact = "contact"
	// WorkflowSecret is a stored secret: {{secret.NAME}}.
	WorkflowSecret = "secret"
)

// Step record fields a template or condition may read after steps.ID.
const (
	StepFieldExtract    = "extract"
	StepFieldOutput     = "output"
	StepFieldStatus     = "status"
	StepFieldHTTPStatus = "http_status"
	StepFieldRunID      = "run_id"
	StepFieldError      = "error"
)

// MaxTriggerPath bounds the names of a {{trigger.PATH}} reference.
const MaxTriggerPath = 8

const (
	workflowSourceChoices = "trigger.PATH, steps.ID.FIELD, vars.NAME, contact.NAME or secret.NAME"
	stepFieldChoices      = "extract.NAME, output, status, http_status, run_id, error"
)

// WorkflowRef is one {{...}} reference in a workflow template.
type WorkflowRef struct {
	// Source is one of the Workflow source constants.
	Source string
	// Path is what follows the source: the trigger path's names; the step
	// id then its field (and, for extract, the name); the variable,
	// attribute or secret name.
	Path []string
	// Start is the byte offset of "{{" in the template, End the offset
	// just past "}}".
	Start, End int
}

// Step returns the step id a steps reference reads, "" for other sources.
func (r WorkflowRef) Step() string {
	if r.Source != WorkflowSteps || len(r.Path) == 0 {
		return ""
	}
	return r.Path[0]
}

// String writes the reference as it is spelled, without braces.
func (r WorkflowRef) String() string {
	return r.Source + "." + strings.Join(r.Path, ".")
}

// WorkflowSegment is a piece of a parsed workflow template: literal text
// or a reference.
type WorkflowSegment struct {
	Literal string
	Ref     *WorkflowRef
}

// ParseWorkflowTemplate splits a workflow template into literal text and
// references. Whitespace inside the braces is ignored. A "{{" without a
// closing "}}", an unknown source or a malformed path is an error naming
// its byte offset.
func ParseWorkflowTemplate(s string) ([]WorkflowSegment, error) {
	var segs []WorkflowSegment
	offset := 0
	for offset < len(s) {
		i := strings.Index(s[offset:], "{{")
		if i < 0 {
			segs = append(segs, WorkflowSegment{Literal: s[offset:]})
			break
		}
		start := offset + i
		j := strings.Index(s[start+2:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("unclosed reference at offset %d: missing \"}}\"", start)
		}
		end := start + 2 + j + 2
		inner := strings.TrimSpace(s[start+2 : start+2+j])
		ref, err := parseWorkflowRef(inner)
		if err != nil {
			return nil, fmt.Errorf("reference {{%s}} at offset %d: %w", inner, start, err)
		}
		ref.Start, ref.End = start, end
		if start > offset {
			segs = append(segs, WorkflowSegment{Literal: s[offset:start]})
		}
		segs = append(segs, WorkflowSegment{Ref: &ref})
		offset = end
	}
	return segs, nil
}

// WorkflowRefs returns the references of a workflow template, in order.
func WorkflowRefs(s string) ([]WorkflowRef, error) {
	segs, err := ParseWorkflowTemplate(s)
	if err != nil {
		return nil, err
	}
	var out []WorkflowRef
	for _, sg := range segs {
		if sg.Ref != nil {
			out = append(out, *sg.Ref)
		}
	}
	return out, nil
}

func parseWorkflowRef(inner string) (WorkflowRef, error) {
	if inner == "" {
		return WorkflowRef{}, fmt.Errorf("empty reference: use %s", workflowSourceChoices)
	}
	parts := strings.Split(inner, ".")
	source, path := parts[0], parts[1:]
	for i, p := range path {
		if !validPlaceholderName(p) {
			return WorkflowRef{}, fmt.Errorf("invalid name %q after %s: letters, digits, _ and - only", p, strings.Join(parts[:i+1], "."))
		}
	}
	ref := WorkflowRef{Source: source, Path: path}
	switch source {
	case WorkflowTrigger:
		if len(path) == 0 || len(path) > MaxTriggerPath {
			return WorkflowRef{}, fmt.Errorf("trigger needs 1 to %d dot-separated names, as in trigger.customer.email", MaxTriggerPath)
		}
	case WorkflowVars, WorkflowContact, WorkflowSecret:
		if len(path) != 1 {
			return WorkflowRef{}, fmt.Errorf("%s needs exactly one name, as in %s.NAME", source, source)
		}
	case WorkflowSteps:
		if len(path) < 2 {
			return WorkflowRef{}, fmt.Errorf("steps needs a step id and a field, as in steps.ID.output; fields: %s", stepFieldChoices)
		}
		switch field := path[1]; field {
		case StepFieldExtract:
			if len(path) != 3 {
				return WorkflowRef{}, fmt.Errorf("extract needs exactly one name, as in steps.%s.extract.NAME", path[0])
			}
		case StepFieldOutput, StepFieldStatus, StepFieldHTTPStatus, StepFieldRunID, StepFieldError:
			if len(path) != 2 {
				return WorkflowRef{}, fmt.Errorf("steps.%s.%s takes no further names", path[0], field)
			}
		default:
			return WorkflowRef{}, fmt.Errorf("unknown step field %q: one of %s%s", field, stepFieldChoices,
				closestName(field, map[string]bool{StepFieldExtract: true, StepFieldOutput: true, StepFieldStatus: true, StepFieldHTTPStatus: true, StepFieldRunID: true, StepFieldError: true}))
		}
	default:
		return WorkflowRef{}, fmt.Errorf("unknown source %q: use %s%s", source, workflowSourceChoices,
			closestName(source, map[string]bool{WorkflowTrigger: true, WorkflowSteps: true, WorkflowVars: true, WorkflowContact: true, WorkflowSecret: true}))
	}
	return ref, nil
}
