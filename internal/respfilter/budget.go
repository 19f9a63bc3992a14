package respfilter

import "slices"

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

// knob is one of the shape's settings, turned in order (after the
// reduction, see plan): fewer items in nested arrays, then fewer records,
// then shorter strings, then shallower nesting, then fewer fields per
// object.
type knob struct {
	get func(*shape) *int
	lo  int
}

// sizeFunc returns the length of the encoding under a shape when it is at
// most limit, and a length over limit otherwise.
type sizeFunc func(sh shape, limit int) int

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
			rd := red.at(full-sh.rich, sh.list)
			root, p.reduced = rd.root, rd.note
		}
		buf, st := e.encode(root, sh, p)
		return buf, st, p.reduced
	}
	// sizes remembers the encoded length of every shape tried: the knob
	// searches of successive attempts try many shapes again. A length
	// measured against a limit is exact when within it, and only a lower
	// bound otherwise.
	type size struct {
		n     int
		exact bool
	}
	sizes := map[shape]size{}
	sizeOf := func(sh shape, limit int) int {
		if m, ok := sizes[sh]; ok && (m.exact || m.n > limit) {
			return m.n
		}
		e.limit = limit
		buf, _, _ := draw(sh)
		e.limit = 0
		sizes[sh] = size{len(buf), len(buf) <= limit}
		return len(buf)
	}
	// endsOf encodes a shape whole and returns where each item of its main
	// list ends and the encoding's length.
	endsOf := func(sh shape) ([]int, int) {
		buf, _, _ := draw(sh)
		sizes[sh] = size{len(buf), true}
		return slices.Clone(e.ends), len(buf)
	}
	buf, st, note := draw(start)
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
		return fitted{out: out, tokens: tokens, st: st, reduced: note}
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
		var sh shape
		var floor bool
		if red != nil {
			sh, floor = plan(sizeOf, endsOf, start, knobs, target)
		} else {
			sh, floor = shrink(sizeOf, start, knobs, target)
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

// plan returns the shape, as shrink does, when the records can be
// reduced: the richest reduction step at which every record fits; or, when
// none does, the richest at which recordsGoal records fit, with as many
// records as fit at it; or else the last step, with the other knobs turned
// in order. The bool is true when every knob had to go to its floor.
func plan(sizeOf sizeFunc, endsOf func(shape) ([]int, int), start shape, knobs []knob, target int) (shape, bool) {
	fits := func(s shape) bool { return sizeOf(s, target) <= target }
	if fits(start) {
		return start, false
	}
	// richest is the richest step at which s fits, s fitting at step 0.
	richest := func(s shape) shape {
		if s.rich = start.rich; fits(s) {
			return s
		}
		s.rich = largest(0, start.rich, func(v int) bool { s.rich = v; return fits(s) })
		return s
	}
	floor := start
	floor.rich = 0
	if fits(floor) {
		return richest(floor), false
	}
	if start.list > recordsGoal {
		goal := floor
		goal.list = recordsGoal
		if fits(goal) {
			g := richest(goal)
			g.list = mostRecords(g, start.list, fits, endsOf, target)
			return g, false
		}
	}
	return shrink(sizeOf, floor, knobs, target)
}

// mostRecords returns the most records, at least g.list and fewer than
// hi, that fit at g's step. One whole encoding says where each record
// ends, so the count is read off it and only confirmed, not searched for.
func mostRecords(g shape, hi int, fits func(shape) bool, endsOf func(shape) ([]int, int), target int) int {
	all := g
	all.list = hi
	ends, total := endsOf(all)
	if len(ends) == 0 {
		return g.list
	}
	// What follows the last record (closing brackets, the note), and room
	// for the note to grow once it says how many records were shown.
	tail := total - ends[len(ends)-1] + noteGrowth
	n := g.list
	for k := min(len(ends), hi-1); k > g.list; k-- {
		if ends[k-1]+tail <= target {
			n = k
			break
		}
	}
	try := g
	for try.list = n; n > g.list && !fits(try); try.list = n {
		n--
	}
	for try.list = n + 1; try.list < hi && fits(try); try.list = n + 1 {
		n++
	}
	return n
}

// noteGrowth is how many bytes the budget search allows for a note that
// grows once records are cut ("showing 36 of 50 items; …").
const noteGrowth = 48

// largest returns the largest value in [lo, hi) for which ok holds, by
// binary search; ok(lo) is known to hold.
func largest(lo, hi int, ok func(int) bool) int {
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if ok(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
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
func shrink(sizeOf sizeFunc, sh shape, knobs []knob, target int) (shape, bool) {
	size := func(s shape) int { return sizeOf(s, target) }
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
		*v = largest(k.lo, hi, func(n int) bool { *v = n; return size(sh) <= target })
		return sh, false
	}
	return sh, true
}
