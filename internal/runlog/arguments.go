package runlog

import (
	"slices"
	"strconv"

	"github.com/actiongate/actiongate/internal/jsonlimit"
)

// Bounds of the arguments a run record keeps. A call's arguments come
// from a model and may be anything up to the request size limit; the
// record keeps enough to see what was sent.
const (
	// MaxArgumentBytes bounds the arguments kept, roughly as encoded JSON.
	MaxArgumentBytes = 16 << 10
	// MaxArgumentString bounds each string (and each key) kept, in
	// characters.
	MaxArgumentString = 1000
	// maxArgumentDepth bounds the nesting kept.
	maxArgumentDepth = 16
)

// TruncatedKey is the member added to arguments (and to each object within
// them) that were cut for the record; its value says what was left out.
const TruncatedKey = "_truncated"

// BoundArguments returns args as a run record keeps them: within
// MaxArgumentBytes, strings and keys cut at MaxArgumentString characters
// (saying how many were left out), nesting cut at 16 levels, and objects
// and arrays cut where the budget ends, saying how much was left out in a
// TruncatedKey member (or a last array item). The top level then carries a
// TruncatedKey member too. Members are kept in sorted key order. args
// itself is returned when it fits, and is never modified.
func BoundArguments(args map[string]any) map[string]any {
	left := MaxArgumentBytes
	if args == nil || fits(args, 0, &left) {
		return args
	}
	b := &bounder{left: MaxArgumentBytes}
	out := b.object(args, 0)
	if !b.cut {
		return args
	}
	if _, ok := out[TruncatedKey]; !ok {
		out[TruncatedKey] = "parts of these arguments were cut for the run record"
	}
	return out
}

// fits reports, without copying, whether v is kept whole: no string or key
// longer than MaxArgumentString bytes, no nesting beyond the limit, and all
// within the budget left.
func fits(v any, depth int, left *int) bool {
	switch c := v.(type) {
	case map[string]any:
		if depth >= maxArgumentDepth && len(c) > 0 {
			return false
		}
		for k, e := range c {
			*left -= len(k) + 4
			if len(k) > MaxArgumentString || *left < 0 || !fits(e, depth+1, left) {
				return false
			}
		}
	case []any:
		if depth >= maxArgumentDepth && len(c) > 0 {
			return false
		}
		for _, e := range c {
			*left--
			if *left < 0 || !fits(e, depth+1, left) {
				return false
			}
		}
	case string:
		*left -= len(c) + 2
		return len(c) <= MaxArgumentString && *left >= 0
	default:
		*left -= 8
	}
	return *left >= 0
}

// bounder copies a value within a byte budget.
type bounder struct {
	left int
	cut  bool
}

func (b *bounder) value(v any, depth int) any {
	switch c := v.(type) {
	case map[string]any:
		return b.object(c, depth+1)
	case []any:
		return b.array(c, depth+1)
	case string:
		s := b.str(c)
		b.left -= len(s) + 2
		return s
	}
	b.left -= 8
	return v
}

func (b *bounder) object(m map[string]any, depth int) map[string]any {
	if depth >= maxArgumentDepth && len(m) > 0 {
		b.cut = true
		return map[string]any{TruncatedKey: strconv.Itoa(len(m)) + " members nested too deeply to keep"}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(map[string]any, min(len(m), 64))
	for i, k := range keys {
		if b.left <= 0 {
			b.cut = true
			out[TruncatedKey] = strconv.Itoa(len(keys)-i) + " more members not kept"
			break
		}
		short := b.str(k)
		b.left -= len(short) + 4
		out[short] = b.value(m[k], depth)
	}
	return out
}

func (b *bounder) array(a []any, depth int) []any {
	if depth >= maxArgumentDepth && len(a) > 0 {
		b.cut = true
		return []any{TruncatedKey + ": " + strconv.Itoa(len(a)) + " items nested too deeply to keep"}
	}
	out := make([]any, 0, min(len(a), 64))
	for i, e := range a {
		if b.left <= 0 {
			b.cut = true
			out = append(out, TruncatedKey+": "+strconv.Itoa(len(a)-i)+" more items not kept")
			break
		}
		b.left -= 1
		out = append(out, b.value(e, depth))
	}
	return out
}

// str cuts s at MaxArgumentString characters, saying how many were left
// out.
func (b *bounder) str(s string) string {
	short := jsonlimit.Shorten(s, MaxArgumentString)
	if len(short) != len(s) {
		b.cut = true
	}
	return short
}
