package respfilter

import (
	"slices"
	"strconv"
)

// squeeze is one step of the reduction ladder: what is taken from every
// record so that more records fit the budget.
type squeeze struct {
	bulk     bool // drop bulk fields and fields the same in every record
	collapse bool // nested references become their label
	text     int  // long text cut to about this many characters; 0 keeps it
	class    int  // fields ranked below this class are dropped
	fields   int  // at most this many fields per object
	day      bool // dates cut to the day
}

// ladder returns the reduction steps, from none to the floor. Each step
// takes at least what the one before it takes, so a record only shrinks
// along the ladder and the budget can binary search it.
func ladder() []squeeze {
	none := squeeze{class: classBulk, fields: unlimited}
	steps := []squeeze{none}
	s := none
	s.bulk, s.class = true, classRef
	steps = append(steps, s)
	s.collapse = true
	steps = append(steps, s)
	for _, n := range []int{400, 240, 160} {
		s.text = n
		steps = append(steps, s)
	}
	// Drop whole classes, the least useful first, down to the essentials:
	// identifier, names, state, amounts, creation date, people and text.
	for c := classRef - 1; c >= classText; c-- {
		s.class = c
		steps = append(steps, s)
	}
	for _, n := range []int{120, 90} {
		s.text = n
		steps = append(steps, s)
	}
	s.day = true
	steps = append(steps, s)
	for k := 10; k >= minRecordFields; k-- {
		s.fields = k
		steps = append(steps, s)
	}
	for _, n := range []int{70, 50, 40, 32} {
		s.text = n
		steps = append(steps, s)
	}
	// Last, the text goes.
	s.class = classPerson
	return append(steps, s)
}

// shortHash is how many digits of a hash that identifies a record stay
// once dates are cut to the day: enough to be unique on any page, and
// accepted by the APIs that use them (git commits).
const shortHash = 10

// nestedFewer is how many fields fewer than a record an object nested in
// it keeps once records are capped, and minNestedFields the fewest.
const (
	nestedFewer     = 2
	minNestedFields = 3
)

// minRecordFields is the fewest fields a record keeps by the field cap:
// room for an identifier, a name, a state, a person, a date and a text
// excerpt.
const minRecordFields = 6

// minKeep is how many of a record's best fields stay whatever their class,
// so a record of unusual fields is never left empty.
const minKeep = 3

// rankKey is what a field's rank depends on besides being the record's
// identifier.
type rankKey struct {
	key  string
	top  bool
	kind uint8
}

// Kinds of value a field's rank depends on.
const (
	kindOther uint8 = iota
	kindBulkValue
	kindBoolValue
	kindNumberValue
	kindDateValue
	kindArray
	kindObject
)

// valueKind classifies v for rankKey.
func valueKind(v any) uint8 {
	switch x := v.(type) {
	case nil:
		return kindBulkValue
	case bool:
		return kindBoolValue
	case *leaf:
		switch {
		case x.number:
			return kindNumberValue
		case isBulk("", v):
			return kindBulkValue
		case isDateValue(v):
			return kindDateValue
		}
		return kindOther
	case []any:
		if len(x) == 0 {
			return kindBulkValue
		}
		return kindArray
	case *object:
		if len(x.keys) == 0 {
			return kindBulkValue
		}
		return kindObject
	}
	return kindOther
}

// sameField is a field that holds the same value in every record.
type sameField struct {
	key  string
	rk   rank
	show string // the value as the note shows it; "" when it is not shown
}

// reducer takes fields from the records of a tree, one ladder step at a
// time. The records are the items of the main list the page may show, or
// the root object when the body has no list. It never changes the tree:
// each step builds new records that share the untouched values.
type reducer struct {
	root    any
	path    []string
	records []any
	single  bool // the root object is the one record
	asked   map[string]bool
	ids     []string
	same    map[string]bool
	// category names the name fields that group the records rather than
	// name them; they rank with the tags.
	category map[string]bool
	sameIn   []sameField
	// sameHidden are the fields the same in every record whose value the
	// note does not show: they count as left out.
	sameHidden []string
	ranks      map[rankKey]rank
	ranked     map[*object]*rankedFields
	// excerpts caches the excerpts of texts: neighbouring steps cut the
	// same texts to the same length.
	excerpts map[excerptKey]excerptOf
	// keys and vals are the stacks object gathers kept fields on; strs and
	// anys hold the reduced objects' fields; flats are the flattened texts
	// excerpts are cut from.
	keys  []string
	vals  []any
	strs  chunk[string]
	anys  chunk[any]
	flats map[*leaf]string
	steps []squeeze
	cache []*reduced
}

// reduced is a tree taken down one ladder step, with the note saying what
// was taken.
type reduced struct {
	root any
	note string
	// out are the records reduced so far, st what was taken from them, and
	// trimmed the root without the bulk of the objects on the main path.
	out     []any
	st      *takeStats
	trimmed any
}

// newReducer returns the reducer of t's records, or nil when t has none:
// a record is an object, in the main list or at the root. asked names the
// fields the action's select named; they are never taken.
func newReducer(t tree, pg paging, listCap int, asked map[string]bool) *reducer {
	r := &reducer{root: t.root, path: pg.path, asked: asked, ranks: map[rankKey]rank{}, steps: ladder(),
		ranked: map[*object]*rankedFields{}, excerpts: map[excerptKey]excerptOf{}, flats: map[*leaf]string{}}
	if pg.on {
		items := mainArray(t.root, pg.path)
		r.records = items[:min(len(items), listCap)]
	} else if o, ok := t.root.(*object); ok {
		r.records, r.single = []any{o}, true
	}
	objects := 0
	r.ids = make([]string, len(r.records))
	for i, v := range r.records {
		if o, ok := v.(*object); ok {
			objects++
			r.ids[i] = recordID(o)
		}
	}
	if objects == 0 {
		return nil
	}
	r.cache = make([]*reduced, len(r.steps))
	r.findSame()
	return r
}

// minSame is the fewest records in which a field the same in all of them
// is taken out and said once.
const minSame = 3

// findSame finds the fields that hold the same value in every record.
func (r *reducer) findSame() {
	if len(r.records) < minSame {
		return
	}
	first, ok := r.records[0].(*object)
	if !ok {
		return
	}
	for i, k := range first.keys {
		if k == r.ids[0] || r.asked[k] {
			continue
		}
		v := first.vals[i]
		if r.isCategory(k, v) {
			if r.category == nil {
				r.category = map[string]bool{}
			}
			r.category[k] = true
		}
		same := true
		for _, rec := range r.records[1:] {
			o, ok := rec.(*object)
			if !ok {
				same = false
				break
			}
			w, ok := o.lookup(k)
			if !ok || !sameValue(v, w) {
				same = false
				break
			}
		}
		if !same {
			continue
		}
		if r.same == nil {
			r.same = map[string]bool{}
		}
		r.same[k] = true
		if isBulk(normKey(k), v) {
			continue
		}
		sf := sameField{key: k, rk: r.rankOf(k, v, true, r.ids[0])}
		switch x := v.(type) {
		case *leaf:
			sf.show = cutRunes(x.text, 40)
		case bool:
			sf.show = strconv.FormatBool(x)
		case *object:
			sf.show, _ = label(x)
		}
		if sf.show == "" {
			r.sameHidden = append(r.sameHidden, k)
			continue
		}
		r.sameIn = append(r.sameIn, sf)
	}
}

// isCategory reports whether the name field k, first holding v, takes so
// few values across the records (a third of them or fewer) that it sorts
// them into groups rather than naming each: a workflow run's "CI".
func (r *reducer) isCategory(k string, v any) bool {
	if r.rankOf(k, v, true, r.ids[0]).class != className {
		return false
	}
	seen := map[string]bool{}
	for _, rec := range r.records {
		o, ok := rec.(*object)
		if !ok {
			return false
		}
		w, ok := o.lookup(k)
		l, isLeaf := w.(*leaf)
		if !ok || !isLeaf {
			return false
		}
		seen[l.text] = true
	}
	return len(seen)*3 <= len(r.records)
}

// sameValue reports whether a and b are the same JSON value.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case *leaf:
		y, ok := b.(*leaf)
		return ok && x.number == y.number && x.text == y.text
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case *object:
		y, ok := b.(*object)
		if !ok || len(x.keys) != len(y.keys) {
			return false
		}
		for i := range x.keys {
			if x.keys[i] != y.keys[i] || !sameValue(x.vals[i], y.vals[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// at returns the tree taken down to ladder step i (0 is the tree itself),
// with its first n records reduced: the page shows no more. Each step
// reduces its records once, as more of them are asked for.
func (r *reducer) at(i, n int) *reduced {
	if i <= 0 {
		return &reduced{root: r.root}
	}
	n = min(n, len(r.records))
	c := r.cache[i]
	if c == nil {
		c = &reduced{st: &takeStats{}}
		for _, k := range r.sameHidden {
			c.st.took(k, rank{class: classString}, true)
		}
		c.trimmed = r.trimPath(r.steps[i])
		r.cache[i] = c
	} else if c.root != nil && len(c.out) >= n {
		return c
	}
	sq := r.steps[i]
	for j := len(c.out); j < n; j++ {
		if o, ok := r.records[j].(*object); ok {
			c.out = append(c.out, r.record(o, r.ids[j], sq, c.st))
		} else {
			c.out = append(c.out, r.records[j])
		}
	}
	if r.single {
		c.root = c.out[0]
	} else {
		items := mainArray(r.root, r.path)
		all := append(c.out[:len(c.out):len(c.out)], items[len(c.out):]...)
		// The path was found in this tree, so it is there.
		c.root, _ = withMain(c.trimmed, r.path, all)
	}
	st := *c.st
	st.names, st.ranks = slices.Clone(c.st.names), slices.Clone(c.st.ranks)
	var same []sameField
	for _, f := range r.sameIn {
		// Once records keep only their best fields, only an essential is
		// worth its place in the note.
		if f.rk.class <= sq.class && (sq.fields == unlimited || f.rk.class <= classState) && len(same) < noteNames {
			same = append(same, f)
		} else {
			st.took(f.key, f.rk, true)
		}
	}
	c.note = st.note(same, sq)
	return c
}

// trimPath drops bulk fields from the objects on the path to the main list.
func (r *reducer) trimPath(sq squeeze) any {
	if !sq.bulk {
		return r.root
	}
	var trim func(v any, path []string) any
	trim = func(v any, path []string) any {
		o, ok := v.(*object)
		if !ok || len(path) == 0 {
			return v
		}
		cp := &object{keys: make([]string, 0, len(o.keys)), vals: make([]any, 0, len(o.keys))}
		for i, k := range o.keys {
			val := o.vals[i]
			if k == path[0] {
				val = trim(val, path[1:])
			} else if !r.asked[k] {
				if val = dropBulk(k, val, r.asked); val == nil {
					continue
				}
			}
			cp.keys, cp.vals = append(cp.keys, k), append(cp.vals, val)
		}
		return cp
	}
	return trim(r.root, r.path)
}

// dropBulk returns v, the value of field k, without its bulk fields at
// any depth, lists included, or nil when v is bulk itself or nothing else
// is left of it. Fields named in asked stay.
func dropBulk(k string, v any, asked map[string]bool) any {
	if isBulk(normKey(k), v) {
		return nil
	}
	if a, ok := v.([]any); ok {
		out := make([]any, 0, len(a))
		for _, e := range a {
			if ev := dropBulk("", e, asked); ev != nil {
				out = append(out, ev)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	o, ok := v.(*object)
	if !ok {
		return v
	}
	cp := &object{keys: make([]string, 0, len(o.keys)), vals: make([]any, 0, len(o.keys))}
	for i, ck := range o.keys {
		if asked[ck] {
			cp.keys, cp.vals = append(cp.keys, ck), append(cp.vals, o.vals[i])
		} else if cv := dropBulk(ck, o.vals[i], asked); cv != nil {
			cp.keys, cp.vals = append(cp.keys, ck), append(cp.vals, cv)
		}
	}
	if len(cp.keys) == 0 {
		return nil
	}
	return cp
}

// rankOf ranks field k holding v; top says it belongs to the record itself.
func (r *reducer) rankOf(k string, v any, top bool, id string) rank {
	if r.asked[k] {
		return rank{class: classAsked, order: 0}
	}
	if top && k == id {
		return rank{class: classID, order: 0}
	}
	rk := rankKey{key: k, top: top, kind: valueKind(v)}
	if got, ok := r.ranks[rk]; ok {
		return got
	}
	got := keyRank(k, v, top, "")
	r.ranks[rk] = got
	return got
}

// kept is a field that survives a step, with its rank.
type kept struct {
	key string
	val any
	rk  rank
	// nested says the rank is that of a nested object's best field.
	nested bool
}

// record returns o taken down to sq: its fields in rank order.
func (r *reducer) record(o *object, id string, sq squeeze, st *takeStats) *object {
	return r.object(o, id, sq, st, true)
}

// object takes o down to sq; top says o is a record. Its fields are
// ranked first, by name and value (a nested object by its best field), so
// only the fields that stay are taken down themselves: the best
// minKeep always stay (up to the step's field cap), the others
// only while their class is within the step's.
func (r *reducer) object(o *object, id string, sq squeeze, st *takeStats, top bool) *object {
	rf := r.rankFields(o, id, top)
	for _, b := range rf.bulk {
		st.took(b.key, b.rk, top)
	}
	cands := rf.cands
	// An object nested in a record keeps fewer fields than the record.
	limit := sq.fields
	if !top && limit < unlimited {
		limit = max(limit-nestedFewer, minNestedFields)
	}
	// The kept fields gather on the reducer's stacks, above those of the
	// objects this one is nested in, and are copied out once at the end.
	base := len(r.keys)
	for i, f := range cands {
		if f.rk.class == classAsked {
			// An asked field stays whole, but its long text is cut like any.
			if l, ok := f.val.(*leaf); ok && !l.number && sq.text > 0 {
				text := sq
				text.collapse, text.day = false, false
				f.val, _ = r.value(f.key, f.val, keyRank(f.key, f.val, top, id), text, st, top)
			}
			r.keys, r.vals = append(r.keys, f.key), append(r.vals, f.val)
			continue
		}
		if i >= limit || f.rk.class > sq.class && (!top || i >= minKeep) {
			st.took(f.key, f.rk, top)
			continue
		}
		nv, ok := r.value(f.key, f.val, f.rk, sq, st, top)
		if !ok {
			st.took(f.key, f.rk, top)
			continue
		}
		r.keys, r.vals = append(r.keys, f.key), append(r.vals, nv)
	}
	n := len(r.keys) - base
	out := &object{keys: r.strs.take(n), vals: r.anys.take(n)}
	copy(out.keys, r.keys[base:])
	copy(out.vals, r.vals[base:])
	clear(r.vals[base:])
	r.keys, r.vals = r.keys[:base], r.vals[:base]
	return out
}

// chunk hands out short slices cut from larger allocations: the reduced
// objects of every step share a few of them.
type chunk[T any] struct {
	free []T
}

// chunkSize is how many elements a chunk allocates at a time.
const chunkSize = 256

// take returns a slice of n elements.
func (c *chunk[T]) take(n int) []T {
	if n > chunkSize/4 {
		return make([]T, n)
	}
	if n > len(c.free) {
		c.free = make([]T, chunkSize)
	}
	s := c.free[:n:n]
	c.free = c.free[n:]
	return s
}

// rankedFields are an object's fields in rank order, apart from its bulk
// and, in a record, the fields the same in every record. They are the same
// at every step past the first, so each object is ranked once.
type rankedFields struct {
	cands []kept
	bulk  []kept
}

// rankFields returns o's ranked fields.
func (r *reducer) rankFields(o *object, id string, top bool) *rankedFields {
	if rf, ok := r.ranked[o]; ok {
		return rf
	}
	rf := &rankedFields{cands: make([]kept, 0, len(o.keys))}
	for i, k := range o.keys {
		v := o.vals[i]
		if top && r.same[k] {
			continue
		}
		rk, nested := r.preRank(k, v, top, id)
		if top && r.category[k] && rk.class == className {
			rk = rank{class: classTags, order: rk.order}
		}
		if rk.class == classBulk {
			rf.bulk = append(rf.bulk, kept{key: k, val: v, rk: rk})
			continue
		}
		rf.cands = append(rf.cands, kept{key: k, val: v, rk: rk, nested: nested})
	}
	if !top {
		promoteText(rf.cands)
		demoteEmail(rf.cands)
	}
	sortKept(rf.cands)
	demotePersons(rf.cands)
	own := false
	for _, c := range rf.cands {
		if (c.rk.class == className || c.rk.class == classText) && isScalar(c.val) {
			own = true
		}
	}
	// A record that names or describes itself keeps its nested objects
	// (addresses, details) behind its own essentials; one that does not
	// (a contact's properties, a commit's commit) is described by them.
	if own && top {
		for i := range rf.cands {
			if c := &rf.cands[i]; c.nested && c.rk.class < classUpdated {
				c.rk.class = classUpdated
			}
		}
	}
	sortKept(rf.cands)
	// Its identifier and names and the best field of each other essential
	// class come first, then the others in rank order: a record keeps its
	// date before its second amount. An object nested in a record keeps
	// one name more: the first and last name and the email of a contact.
	names := maxNames
	if !top {
		names++
	}
	first := essentials(rf.cands, names)
	ordered := make([]kept, 0, len(rf.cands))
	for pass := range 2 {
		for i, f := range rf.cands {
			if first[i] == (pass == 0) {
				ordered = append(ordered, f)
			}
		}
	}
	rf.cands = ordered
	r.ranked[o] = rf
	return rf
}

// demoteEmail ranks the email of a nested person that has a name with the
// other strings: a commit's author is their name and the date.
func demoteEmail(fields []kept) {
	named, at := false, -1
	for i, f := range fields {
		switch normKey(f.key) {
		case "name", "full_name", "display_name":
			named = named || f.rk.class == className
		case "email":
			at = i
		}
	}
	if named && at >= 0 && fields[at].rk.class == className {
		fields[at].rk = rank{class: classString}
	}
}

// promoteText makes the best text field of an object nested in a record
// its name when it has none: a commit's message says what the commit is.
func promoteText(fields []kept) {
	best := -1
	for i, f := range fields {
		switch {
		case f.rk.class == className:
			return
		case f.rk.class == classText && isScalar(f.val) && (best < 0 || f.rk.before(fields[best].rk, f.key, fields[best].key)):
			best = i
		}
	}
	if best >= 0 {
		fields[best].rk = rank{class: className, order: len(nameKeys), prose: true}
	}
}

// essentials marks the fields of an object, in rank order, that come
// first: every asked field, the identifier, the best names (up to
// maxNames) and the best field of each other essential class.
func essentials(fields []kept, maxNames int) []bool {
	first := make([]bool, len(fields))
	names, seen := 0, -1
	for i, f := range fields {
		switch c := f.rk.class; {
		case c == classAsked:
			first[i] = true
		case c == className:
			names++
			first[i] = names <= maxNames
		case c <= classText && c != seen:
			first[i] = true
			seen = c
		}
	}
	return first
}

// maxNames is how many names a record keeps among its essentials: a title
// and a number.
const maxNames = 2

// demotePersons ranks every person after the first (an assignee beside
// the author, a committer beside the author) with the tags, and reports
// whether there was one.
func demotePersons(fields []kept) bool {
	persons := 0
	for i := range fields {
		if fields[i].rk.class == classPerson {
			if persons++; persons > 1 {
				fields[i].rk.class = classTags
			}
		}
	}
	return persons > 1
}

// sortKept puts fields in rank order.
func sortKept(fields []kept) {
	slices.SortStableFunc(fields, func(a, b kept) int {
		if a.rk.before(b.rk, a.key, b.key) {
			return -1
		}
		if b.rk.before(a.rk, b.key, a.key) {
			return 1
		}
		return 0
	})
}

// preRank ranks a field before it is taken down: a nested object or list
// of objects without a class of its own and without a label ranks just
// behind its best field.
func (r *reducer) preRank(k string, v any, top bool, id string) (rank, bool) {
	rk := r.rankOf(k, v, top, id)
	if rk.class != classString {
		return rk, false
	}
	// A reference to another thing (it has a label) ranks as a string; an
	// object of the record's own data ranks by what it holds.
	switch x := v.(type) {
	case *object:
		if _, ok := label(x); !ok {
			return containerRank(rk, x.vals, r, x.keys, false), true
		}
	case []any:
		if o, ok := x[0].(*object); ok {
			if _, ok := label(o); !ok {
				return containerRank(rk, o.vals, r, o.keys, true), true
			}
		}
	}
	return rk, false
}

// value takes the value of field k, ranked rk, down to sq; ok is false
// when nothing of it is left.
func (r *reducer) value(k string, v any, rk rank, sq squeeze, st *takeStats, top bool) (any, bool) {
	switch x := v.(type) {
	case *leaf:
		if x.number {
			return v, true
		}
		if sq.day && rk.class == classID && isHash(x.text) {
			st.hashes = true
			return &leaf{text: x.text[:shortHash], plain: true}, true
		}
		if sq.day && isDateValue(v) && len(x.text) > 10 {
			st.days = true
			return &leaf{text: x.text[:10], plain: true}, true
		}
		if sq.text > 0 {
			limit := sq.text
			if rk.class != classText && !rk.prose {
				limit = max(2*sq.text, 120)
			}
			if e := r.excerpt(x, limit); e.cut {
				st.texts++
				return e.leaf, true
			}
		}
		return v, true
	case *object:
		if sq.collapse {
			if l, ok := label(x); ok {
				if top {
					st.collapsed(k)
				}
				return &leaf{text: l}, true
			}
		}
		o := r.object(x, "", sq, st, false)
		return o, len(o.keys) > 0
	case []any:
		// A list of references becomes the list of their labels.
		labels := sq.collapse && len(x) > 0
		for _, e := range x {
			if eo, ok := e.(*object); !ok {
				labels = false
			} else if _, ok := label(eo); !ok {
				labels = false
			}
		}
		out := make([]any, 0, len(x))
		for _, e := range x {
			ex, ok := e.(*object)
			switch {
			case !ok:
				out = append(out, e)
			case labels:
				l, _ := label(ex)
				out = append(out, &leaf{text: l})
			default:
				if eo := r.object(ex, "", sq, st, false); len(eo.keys) > 0 {
					out = append(out, eo)
				}
			}
		}
		if labels && top {
			st.collapsed(k)
		}
		return out, len(out) > 0
	}
	return v, true
}

// containerRank is the rank of a field holding an object that has no class
// of its own by name: just behind its best field.
func containerRank(rk rank, vals []any, r *reducer, keys []string, list bool) rank {
	if rk.class != classString {
		return rk
	}
	best := rank{class: classBulk, order: 0}
	for i, v := range vals {
		if kr := r.rankOf(keys[i], v, false, ""); kr.before(best, keys[i], "") {
			best = kr
		}
	}
	// Just behind its best field; a list of such objects (line items)
	// costs more, so it never ranks above the tags.
	if best.class < classBulk {
		best.class = min(best.class+1, classRef)
		if list {
			best.class = max(best.class, classTags)
		}
	}
	return best
}
