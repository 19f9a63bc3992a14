package action

// EachStep calls fn for every step of w in document order: a step, then
// the steps of its then, else and switch cases, depth counting from 0 for
// the top-level steps. It stops when fn returns false.
func (w *Workflow) EachStep(fn func(s *Step, depth int) bool) {
	eachStep(w.Steps, 0, fn)
}

func eachStep(steps []*Step, depth int, fn func(s *Step, depth int) bool) bool {
	for _, s := range steps {
		if s == nil {
			continue
		}
		if !fn(s, depth) {
			return false
		}
		if !eachStep(s.Then, depth+1, fn) || !eachStep(s.Else, depth+1, fn) {
			return false
		}
		for _, c := range s.Switch {
			if c != nil && !eachStep(c.Steps, depth+1, fn) {
				return false
			}
		}
	}
	return true
}
