package action

import (
	"fmt"
	"sort"

	"github.com/actiongate/actiongate/internal/spelling"
)

// Validate checks a whole set of resources, including references between
// them (an action's credential, an agent's actions and provider, a
// workflow's actions, agents and workflows), and returns every
// problem found. Errors carry the field path and, for resources decoded
// from files, the file:line:col of the field (or of its nearest decoded
// ancestor when the field is missing).
func Validate(resources []Resource) Errors {
	c := &checker{}
	creds := map[string]*Credential{}
	actions := map[string]bool{}
	providers := map[string]bool{}
	set := &workflowRefs{actions: map[string]*Action{}, agents: map[string]*Agent{}, workflows: map[string]bool{}}
	for i := range resources {
		r := &resources[i]
		switch {
		case r.Kind == KindCredential && r.Credential != nil:
			if _, dup := creds[r.Credential.Name]; !dup {
				creds[r.Credential.Name] = r.Credential
			}
		case r.Kind == KindAction && r.Action != nil:
			actions[r.Action.Name] = true
			if _, dup := set.actions[r.Action.Name]; !dup {
				set.actions[r.Action.Name] = r.Action
			}
		case r.Kind == KindProvider && r.Provider != nil:
			providers[r.Provider.Name] = true
		case r.Kind == KindAgent && r.Agent != nil:
			if _, dup := set.agents[r.Agent.Name]; !dup {
				set.agents[r.Agent.Name] = r.Agent
			}
		case r.Kind == KindWorkflow && r.Workflow != nil:
			set.workflows[r.Workflow.Name] = true
		}
	}
	c.duplicates(resources)
	for i := range resources {
		r := &resources[i]
		switch {
		case r.Kind == KindAction && r.Action != nil:
			c.action(r, creds)
		case r.Kind == KindCredential && r.Credential != nil:
			c.credential(r)
		case r.Kind == KindAgent && r.Agent != nil:
			c.agent(r, actions, providers)
		case r.Kind == KindProvider && r.Provider != nil:
			c.provider(r)
		case r.Kind == KindWorkflow && r.Workflow != nil:
			c.workflow(r, set)
		case knownKind(r.Kind):
			c.add(r, nil, "has no %s spec", r.Kind)
		default:
			c.add(r, nil, "unknown kind %q: must be one of %s", r.Kind, kindChoices)
		}
	}
	return c.errs
}

// checker accumulates validation errors.
type checker struct {
	errs Errors
}

// add records a problem at path p inside resource r.
func (c *checker) add(r *Resource, p fieldPath, format string, args ...any) {
	e := &FieldError{
		File:    r.File,
		Path:    p.under(resourcePrefix(r.Kind, r.Name(), r.Index)),
		Message: fmt.Sprintf(format, args...),
	}
	if pos, ok := r.position(p); ok {
		e.Line, e.Col = pos.Line, pos.Col
	}
	c.errs = append(c.errs, e)
}

// position finds where p, or its nearest decoded ancestor, sits.
func (r *Resource) position(p fieldPath) (Pos, bool) {
	if r.Positions == nil {
		return Pos{}, false
	}
	for q := p; ; q = q[:len(q)-1] {
		if pos, ok := r.Positions[q.String()]; ok {
			return pos, true
		}
		if len(q) == 0 {
			return Pos{}, false
		}
	}
}

// where describes a resource field's location for cross-references
// ("shop.yaml:12:7"), empty when unknown.
func (r *Resource) where(p fieldPath) string {
	pos, ok := r.position(p)
	if !ok || r.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", r.File, pos.Line, pos.Col)
}

// checkName checks a resource's name field.
func (c *checker) checkName(r *Resource, name string) {
	p := fieldPath{}.field("name")
	switch {
	case name == "":
		c.add(r, p, "required")
	case !validName(name):
		c.add(r, p, "must be 1 to 64 letters, digits, _ or - (^[a-zA-Z0-9_-]{1,64}$)")
	}
}

// duplicates reports every resource whose kind and name another one shares,
// at each of the places.
func (c *checker) duplicates(resources []Resource) {
	byKey := map[string][]*Resource{}
	var keys []string
	for i := range resources {
		r := &resources[i]
		if !validName(r.Name()) {
			continue
		}
		k := r.Key()
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	sort.Strings(keys)
	namePath := fieldPath{}.field("name")
	for _, k := range keys {
		group := byKey[k]
		if len(group) < 2 {
			continue
		}
		for i, r := range group {
			other := group[0]
			if i == 0 {
				other = group[1]
			}
			msg := fmt.Sprintf("duplicate %s name %q", r.Kind, r.Name())
			if w := other.where(namePath); w != "" {
				msg += "; also defined at " + w
			}
			c.add(r, namePath, "%s", msg)
		}
	}
}

// closestName proposes the closest existing name, if one is near.
func closestName(name string, names map[string]bool) string {
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	best, ok := spelling.Closest(name, sorted)
	if !ok {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
