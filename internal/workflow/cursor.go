package workflow

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// A position names a step inside a workflow: the index of a top-level
// step, then for each branch entered the branch ("then", "else" or
// "caseN") and the index inside it: "2", "1.then.0", "3.case1.2". A run's
// cursor is the position of its next step; the empty cursor of a new run
// is the first step.

// endCursor is the cursor of a run that has no step left but is not
// over yet: it sleeps after a last wait step.
const endCursor = "end"

// position is a parsed cursor: indexes, with the branch entered before
// each but the first.
type position struct {
	index    []int
	branches []string
}

// parsePosition reads a cursor; "" is the first step.
func parsePosition(cursor string) (position, error) {
	if cursor == "" {
		return position{index: []int{0}}, nil
	}
	parts := strings.Split(cursor, ".")
	if len(parts)%2 == 0 {
		return position{}, fmt.Errorf("workflow: bad cursor %q", cursor)
	}
	var p position
	for i, part := range parts {
		if i%2 == 1 {
			p.branches = append(p.branches, part)
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return position{}, fmt.Errorf("workflow: bad cursor %q", cursor)
		}
		p.index = append(p.index, n)
	}
	return p, nil
}

// String writes the position as a cursor.
func (p position) String() string {
	var b strings.Builder
	for i, n := range p.index {
		if i > 0 {
			b.WriteByte('.')
			b.WriteString(p.branches[i-1])
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// branchSteps returns the steps of one branch of s, nil when s has no such
// branch.
func branchSteps(s *action.Step, branch string) []*action.Step {
	switch branch {
	case "then":
		return s.Then
	case "else":
		return s.Else
	}
	if n, ok := strings.CutPrefix(branch, "case"); ok {
		i, err := strconv.Atoi(n)
		if err == nil && i >= 0 && i < len(s.Switch) && s.Switch[i] != nil {
			return s.Switch[i].Steps
		}
	}
	return nil
}

// list returns the list of steps that holds the step at p, nil when p
// leads nowhere.
func (p position) list(wf *action.Workflow) []*action.Step {
	steps := wf.Steps
	for i := range p.branches {
		if p.index[i] >= len(steps) || steps[p.index[i]] == nil {
			return nil
		}
		steps = branchSteps(steps[p.index[i]], p.branches[i])
	}
	return steps
}

// step returns the step at p, nil when there is none.
func (p position) step(wf *action.Workflow) *action.Step {
	steps := p.list(wf)
	last := p.index[len(p.index)-1]
	if last >= len(steps) {
		return nil
	}
	return steps[last]
}

// enter returns the position of the first step of branch of the step at
// p, and false when that branch has no steps.
func (p position) enter(wf *action.Workflow, branch string) (position, bool) {
	s := p.step(wf)
	if s == nil || len(branchSteps(s, branch)) == 0 {
		return position{}, false
	}
	return position{
		index:    append(append([]int{}, p.index...), 0),
		branches: append(append([]string{}, p.branches...), branch),
	}, true
}

// next returns the position of the step that follows the one at p once
// it is done: its next sibling, or the step after the branch it ends, up
// to the end of the workflow (false).
func (p position) next(wf *action.Workflow) (position, bool) {
	for len(p.index) > 0 {
		last := len(p.index) - 1
		q := position{index: append([]int{}, p.index...), branches: append([]string{}, p.branches...)}
		q.index[last]++
		if q.index[last] < len(q.list(wf)) {
			return q, true
		}
		// The branch is done: continue after the step that holds it.
		p = position{index: p.index[:last], branches: p.branches[:max(last-1, 0)]}
		if last == 0 {
			break
		}
	}
	return position{}, false
}

// topLevel returns the position of the top-level step with id.
func topLevel(wf *action.Workflow, id string) (position, bool) {
	for i, s := range wf.Steps {
		if s != nil && s.ID == id {
			return position{index: []int{i}}, true
		}
	}
	return position{}, false
}
