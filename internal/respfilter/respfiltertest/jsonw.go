package respfiltertest

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// obj is a JSON object whose fields keep the order an API writes them in.
type obj []field

// field is one member of an obj.
type field struct {
	k string
	v any
}

// writer encodes generated values as JSON, compact or indented by two
// spaces, the way the API being imitated sends them.
type writer struct {
	buf    []byte
	indent bool
}

// encode returns v as JSON. v holds only obj, []any, []obj, []string,
// []int64, string, int, int64, float64, bool and nil.
func encode(v any, indent bool) []byte {
	w := writer{buf: make([]byte, 0, 64<<10), indent: indent}
	w.value(v, 0)
	if indent {
		w.buf = append(w.buf, '\n')
	}
	return w.buf
}

// newline starts a line at the given depth when indenting.
func (w *writer) newline(depth int) {
	if !w.indent {
		return
	}
	w.buf = append(w.buf, '\n')
	for range depth {
		w.buf = append(w.buf, "  "...)
	}
}

// value appends one value.
func (w *writer) value(v any, depth int) {
	switch v := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case bool:
		w.buf = strconv.AppendBool(w.buf, v)
	case int:
		w.buf = strconv.AppendInt(w.buf, int64(v), 10)
	case int64:
		w.buf = strconv.AppendInt(w.buf, v, 10)
	case float64:
		w.buf = strconv.AppendFloat(w.buf, v, 'f', -1, 64)
	case string:
		w.str(v)
	case obj:
		w.object(v, depth)
	case []obj:
		w.list(len(v), depth, func(i int) { w.object(v[i], depth+1) })
	case []any:
		w.list(len(v), depth, func(i int) { w.value(v[i], depth+1) })
	case []string:
		w.list(len(v), depth, func(i int) { w.str(v[i]) })
	case []int64:
		w.list(len(v), depth, func(i int) { w.buf = strconv.AppendInt(w.buf, v[i], 10) })
	default:
		panic("respfiltertest: cannot encode a generated value")
	}
}

// object appends an object.
func (w *writer) object(o obj, depth int) {
	if len(o) == 0 {
		w.buf = append(w.buf, "{}"...)
		return
	}
	w.buf = append(w.buf, '{')
	for i, f := range o {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.newline(depth + 1)
		w.str(f.k)
		w.buf = append(w.buf, ':')
		if w.indent {
			w.buf = append(w.buf, ' ')
		}
		w.value(f.v, depth+1)
	}
	w.newline(depth)
	w.buf = append(w.buf, '}')
}

// list appends an array of n elements, each written by elem.
func (w *writer) list(n, depth int, elem func(int)) {
	if n == 0 {
		w.buf = append(w.buf, "[]"...)
		return
	}
	w.buf = append(w.buf, '[')
	for i := range n {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.newline(depth + 1)
		elem(i)
	}
	w.newline(depth)
	w.buf = append(w.buf, ']')
}

// str appends a JSON string, copying the runs that need no escape whole.
func (w *writer) str(s string) {
	const hex = "0123456789abcdef"
	w.buf = append(w.buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.buf = append(w.buf, s[start:i]...)
		switch c {
		case '"', '\\':
			w.buf = append(w.buf, '\\', c)
		case '\n':
			w.buf = append(w.buf, '\\', 'n')
		case '\r':
			w.buf = append(w.buf, '\\', 'r')
		case '\t':
			w.buf = append(w.buf, '\\', 't')
		default:
			w.buf = append(w.buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	w.buf = append(w.buf, s[start:]...)
	w.buf = append(w.buf, '"')
}

// gen draws the values of one payload from a fixed seed.
type gen struct {
	r *rand.Rand
}

// newGen returns a generator seeded with seed.
func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1))}
}

// pick returns one of the lines of a pool.
func (g *gen) pick(pool []string) string { return pool[g.r.IntN(len(pool))] }

// chance is true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// between returns an int in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// chars returns n characters drawn from alphabet.
func (g *gen) chars(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

// Alphabets of generated identifiers.
const (
	hexDigits = "0123456789abcdef"
	base62    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	base64url = base62 + "-_"
)

// sha returns a 40-digit hex hash.
func (g *gen) sha() string { return g.chars(hexDigits, 40) }

// sentences joins n distinct sentences drawn from pool.
func (g *gen) sentences(pool []string, n int) string {
	idx := g.r.Perm(len(pool))
	n = min(n, len(pool))
	out := make([]string, n)
	for i := range out {
		out[i] = pool[idx[i]]
	}
	return strings.Join(out, " ")
}

// lines splits a pool written one entry a line, skipping blank lines.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// clock hands out the times of a page listed newest first: each item is a
// little older than the one before it.
type clock struct {
	g   *gen
	now time.Time
}

// pageStart is the time the generated pages are fetched at.
func pageStart() time.Time { return time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC) }

// next steps back between minGap and maxGap minutes and returns the time.
func (c *clock) next(minGap, maxGap int) time.Time {
	c.now = c.now.Add(-time.Duration(c.g.between(minGap*60, maxGap*60)) * time.Second)
	return c.now
}

// iso formats t the way most APIs do: 2026-11-20T15:04:05Z.
func iso(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// after returns t moved forward by between lo and hi minutes.
func (g *gen) after(t time.Time, lo, hi int) time.Time {
	return t.Add(time.Duration(g.between(lo*60, hi*60)) * time.Second)
}

// either returns a when c holds, b otherwise.
func either(c bool, a, b any) any {
	if c {
		return a
	}
	return b
}

// deck deals the entries of a pool in a shuffled order, each once before
// any repeats, as the titles of one page rarely repeat.
type deck struct {
	g     *gen
	pool  []string
	order []int
}

// newDeck returns a deck of pool.
func (g *gen) newDeck(pool []string) *deck { return &deck{g: g, pool: pool} }

// next deals the next entry, shuffling again when the deck is spent.
func (d *deck) next() string {
	if len(d.order) == 0 {
		d.order = d.g.r.Perm(len(d.pool))
	}
	i := d.order[0]
	d.order = d.order[1:]
	return d.pool[i]
}
