package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// data is what a run's templates and conditions read: the trigger's
// input, the steps done so far, the vars and the contact.
type data struct {
	trigger map[string]any
	steps   map[string]any
	vars    map[string]any
	contact map[string]any
}

// env is the data as a condition sees it, numbers as Go numbers (the
// store reads them as exact json.Number text, which expressions would
// compare as strings).
func (d *data) env() map[string]any {
	return map[string]any{"trigger": numbers(d.trigger), "steps": numbers(d.steps), "vars": numbers(d.vars), "contact": numbers(d.contact)}
}

// numbers returns v with every json.Number made an int64 when it is
// whole and fits, a float64 otherwise.
func numbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, mv := range t {
			out[k] = numbers(mv)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, ev := range t {
			out[i] = numbers(ev)
		}
		return out
	}
	return v
}

// renderer renders templates of one step. Secrets are allowed only where
// secrets says; the values it used are in masks, for the records.
type renderer struct {
	ctx     context.Context
	d       *data
	secret  func(ctx context.Context, name string) (string, error)
	secrets bool
	masks   []string
}

// errSecretHere refuses a secret outside an action's arguments, where it
// would be stored in the run's record.
var errSecretHere = errors.New("{{secret.X}} may only be used in an action step's with, where it is masked in every record")

// value renders v: strings are templates (a string that is exactly one
// template keeps the value's type), maps and lists are rendered member by
// member, other values stay as they are.
func (r *renderer) value(v any) (any, error) {
	switch t := v.(type) {
	case string:
		return r.str(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, mv := range t {
			rv, err := r.value(mv)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, ev := range t {
			rv, err := r.value(ev)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = rv
		}
		return out, nil
	}
	return v, nil
}

// str renders one template string.
func (r *renderer) str(s string) (any, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	segs, err := action.ParseWorkflowTemplate(s)
	if err != nil {
		return nil, err
	}
	if len(segs) == 1 && segs[0].Ref != nil {
		return r.ref(segs[0].Ref)
	}
	var b strings.Builder
	for _, sg := range segs {
		if sg.Ref == nil {
			b.WriteString(sg.Literal)
			continue
		}
		v, err := r.ref(sg.Ref)
		if err != nil {
			return nil, err
		}
		b.WriteString(text(v))
	}
	return b.String(), nil
}

// text writes a value into a string: strings as they are, nothing for
// null, other values as JSON.
func text(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// ref returns the value a reference names; a missing one is null.
func (r *renderer) ref(ref *action.WorkflowRef) (any, error) {
	var root map[string]any
	switch ref.Source {
	case action.WorkflowSecret:
		if !r.secrets {
			return nil, errSecretHere
		}
		v, err := r.secret(r.ctx, strings.Join(ref.Path, "."))
		if err != nil {
			return nil, err
		}
		r.masks = append(r.masks, v)
		return v, nil
	case action.WorkflowTrigger:
		root = r.d.trigger
	case action.WorkflowSteps:
		root = r.d.steps
	case action.WorkflowVars:
		root = r.d.vars
	case action.WorkflowContact:
		root = r.d.contact
	default:
		return nil, fmt.Errorf("unknown template source %q", ref.Source)
	}
	return lookup(root, ref.Path), nil
}

// lookup follows path through nested objects; null when a member is
// missing.
func lookup(root map[string]any, path []string) any {
	var cur any = root
	for _, name := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[name]
	}
	return cur
}
