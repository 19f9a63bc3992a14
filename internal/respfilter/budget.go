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
	// reduced says what the reduction took from every record, "" when it
	// took nothing.
	reduced string
	// over is true when even the smallest shape exceeds the budget.
	over bool
}

// knob is one of the shape's settings, turned in order: first how much of
// every record is kept, then fewer items in nested arrays, then fewer
// records, then shorter strings, then shallower nesting, then fewer fields
// per object.
type knob struct {
	get func(*shape) *int
	lo  int
}

// render encodes a tree under a shape: below the shape's full richness it
// encodes the records the reducer took down to that step.
type render func(sh shape) ([]byte, stats, string)

// fit encodes t within budget tokens. It encodes once at the configured
// limits; if that is over budget it estimates the bytes the budget allows
// from the measured tokens-per-byte ratio, binary searches the knobs on
// encoded size alone (cheap), then tokenizes the candidate to confirm,
// tightening the byte target and retrying when the estimate was short, and
// widening it when the candidate came out well under the budget. reduce,
// when not nil, makes the reducer of t's records (nil when it has none),
// which takes fields from every record before any record is cut.
func (f *Filter) fit(t tree, start shape, pg paging, budget int, reduce func() *reducer) fitted {
	ft := f.fitShape(t, start, pg, budget, reduce)
	if ft.over && reduce != nil {
		// Under a budget too small for the reduction's note, the plain cut
		// may still fit.
		if plain := f.fitShape(t, start, pg, budget, nil); plain.tokens < ft.tokens {
			return plain
		}
	}
	return ft
}

// fitShape is fit with or without the reduction.
func (f *Filter) fitShape(t tree, start shape, pg paging, budget int, reduce func() *reducer) fitted {
	// Sized for the first encoding, which is usually the only one.
	e := encoder{buf: make([]byte, 0, min(t.size, firstOutputCap))}
	var red *reducer
	full := 0
	draw := func(sh shape) ([]byte, stats, string) {
		root, p := t.root, pg
		if sh.rich < full {
			rd := red.at(full - sh.rich)
			root, p.reduced = rd.root, rd.note
		}
		buf, st := e.encode(root, sh, p)
		return buf, st, p.reduced
	}
	buf, st, _ := draw(start)
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
	if reduce != nil {
		if red = reduce(); red != nil {
			full = len(red.steps) - 1
			start.rich = full
		}
	}
	minDepth := 0
	if pg.on {
		minDepth = len(pg.path) + 1
	}
	knobs := []knob{
		{func(s *shape) *int { return &s.rich }, 0},
		{func(s *shape) *int { return &s.items }, min(nestedItemsFloor, start.items)},
		{func(s *shape) *int { return &s.list }, minItems},
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
	// fitAt is the largest target known to fit, overAt the smallest known
	// to be over; a target between them is tried next.
	fitAt, overAt := -1, -1
	for range fitAttempts {
		sh, floor := shrink(draw, start, knobs, target)
		if red != nil {
			sh, floor = fewerRicher(draw, start, sh, floor, knobs, target)
		}
		buf, st, note := draw(sh)
		out = string(buf)
		tokens = f.tok.Count(out)
		c := fitted{out: out, tokens: tokens, st: st, reduced: note, over: floor && tokens > budget}
		var next int
		switch {
		case tokens <= budget:
			if fitAt < 0 || tokens > best.tokens {
				best = c
			}
			fitAt = target
			if tokens >= budget*widenAbove/100 {
				return best
			}
			// Well under the budget: the ratio was measured on bulkier
			// text, so try a larger target.
			next = int(float64(budget) * float64(len(out)) / float64(tokens))
			if overAt > 0 {
				next = min(next, (target+overAt)/2)
			}
			if next <= target {
				return best
			}
		case fitAt >= 0:
			overAt = target
			if next = (fitAt + overAt) / 2; next <= fitAt {
				return best
			}
		default:
			best = c
			if floor {
				return best
			}
			next = min(target-1, int(float64(budget)*float64(len(out))/float64(tokens)*0.97))
		}
		target = next
	}
	return best
}

// recordsGoal is how many records a page keeps, when not all of them fit
// even at the reduction's last step, before records go: the reduction then
// settles on the richest step at which this many fit, and shows as many as
// fit at that step.
const recordsGoal = 20

// fewerRicher reconsiders the shape shrink found when it had to cut
// records: if recordsGoal records or more fit at a richer step than the
// last, it keeps that step and as many records as fit at it.
func fewerRicher(draw render, start, sh shape, floor bool, knobs []knob, target int) (shape, bool) {
	if sh.rich > 0 || sh.list >= start.list || start.list <= recordsGoal {
		return sh, floor
	}
	goal := start
	goal.list = recordsGoal
	g, gfloor := shrink(draw, goal, knobs, target)
	if g.rich == 0 || g.list < recordsGoal {
		return sh, floor
	}
	// The most records that fit at that step, between the goal and all.
	size := func(s shape) int {
		out, _, _ := draw(s)
		return len(out)
	}
	lo, hi := g.list, start.list
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		try := g
		try.list = mid
		if size(try) <= target {
			lo = mid
		} else {
			hi = mid
		}
	}
	g.list = lo
	return g, gfloor
}

// widenAbove is the share of the budget, in percent, under which fit tries
// a larger byte target.
const widenAbove = 96

// nestedItemsFloor is how many items nested arrays keep before records are
// cut.
const nestedItemsFloor = 3

// shrink returns the first shape, turning the knobs in order, whose
// encoding is at most target bytes, and whether every knob had to go to
// its floor.
func shrink(draw render, sh shape, knobs []knob, target int) (shape, bool) {
	size := func(s shape) int {
		out, _, _ := draw(s)
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
