package respfilter

// Floors of the knobs the token budget turns.
const (
	minItems  = 1
	minString = 24
	minFields = 1
)

// estimateSample is how many bytes of an over-long output are tokenized to
// estimate its tokens-per-byte ratio.
const estimateSample = 4 << 10

// firstOutputCap bounds the buffer fit sets aside for its first encoding.
const firstOutputCap = 32 << 10

// fitAttempts bounds how often fit re-tokenizes a candidate output.
const fitAttempts = 6

// fitted is the encoding fit settled on.
type fitted struct {
	out    string
	tokens int
	st     stats
	// over is true when even the smallest shape exceeds the budget.
	over bool
}

// knob is one of the shape's settings, turned in order: fewer items in the
// largest arrays first, then shorter strings, then shallower nesting, then
// fewer fields per object.
type knob struct {
	get func(*shape) *int
	lo  int
}

// fit encodes t within budget tokens. It encodes once at the configured
// limits; if that is over budget it estimates the bytes the budget allows
// from the measured tokens-per-byte ratio, binary searches the knobs on
// encoded size alone (cheap), then tokenizes the candidate to confirm,
// tightening the byte target and retrying when the estimate was short.
func (f *Filter) fit(t tree, start shape, pg paging, budget int) fitted {
	// Sized for the first encoding, which is usually the only one.
	e := encoder{buf: make([]byte, 0, min(t.size, firstOutputCap))}
	buf, st := e.encode(t.root, start, pg)
	out := string(buf)
	// A token is at least one byte, so a short output fits and is counted
	// once, exactly; a longer one is sampled for its tokens-per-byte ratio,
	// and counted exactly only when it may fit.
	var tokens int
	if len(out) <= max(budget, estimateSample) {
		tokens = f.tok.Count(out)
	} else if tokens = f.tok.countSampled(out, estimateSample); tokens <= budget+budget/8 {
		tokens = f.tok.Count(out)
	}
	if tokens <= budget {
		return fitted{out: out, tokens: tokens, st: st}
	}
	minDepth := 0
	if pg.on {
		minDepth = len(pg.path) + 1
	}
	knobs := []knob{
		{func(s *shape) *int { return &s.items }, minItems},
		{func(s *shape) *int { return &s.str }, min(minString, start.str)},
		{func(s *shape) *int { return &s.depth }, minDepth},
		{func(s *shape) *int { return &s.fields }, minFields},
	}
	// Start the depth and field knobs at the values that cut nothing, so
	// their binary searches have a finite range.
	start.depth = max(t.depth-1, minDepth)
	start.fields = max(t.fields, minFields)

	target := int(float64(budget) * float64(len(out)) / float64(tokens) * 0.97)
	var best fitted
	for range fitAttempts {
		sh, floor := shrink(&e, t.root, start, pg, knobs, target)
		buf, st = e.encode(t.root, sh, pg)
		out = string(buf)
		tokens = f.tok.Count(out)
		best = fitted{out: out, tokens: tokens, st: st, over: floor && tokens > budget}
		if tokens <= budget || floor {
			return best
		}
		next := int(float64(budget) * float64(len(out)) / float64(tokens) * 0.97)
		target = min(target-1, next)
	}
	return best
}

// shrink returns the first shape, turning the knobs in order, whose
// encoding is at most target bytes, and whether every knob had to go to
// its floor.
func shrink(e *encoder, root any, sh shape, pg paging, knobs []knob, target int) (shape, bool) {
	size := func(s shape) int {
		out, _ := e.encode(root, s, pg)
		return len(out)
	}
	if size(sh) <= target {
		return sh, false
	}
	for _, k := range knobs {
		v := k.get(&sh)
		hi := *v
		if hi <= k.lo {
			continue
		}
		*v = k.lo
		if size(sh) > target {
			continue
		}
		// Largest value in [lo, hi) that fits; lo is known to fit.
		lo := k.lo
		for lo+1 < hi {
			mid := lo + (hi-lo)/2
			*v = mid
			if size(sh) <= target {
				lo = mid
			} else {
				hi = mid
			}
		}
		*v = lo
		return sh, false
	}
	return sh, true
}
