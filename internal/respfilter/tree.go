package respfilter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"path"
	"slices"
	"strconv"
)

// object is a JSON object with its keys in sorted order, so every encoding
// of it is stable without sorting again.
type object struct {
	keys []string
	vals []any
}

// lookup returns the value of o's field k. The keys of a parsed object
// are sorted; a reduced record lists its fields in rank order, so a key
// the binary search misses is looked for in order too.
func (o *object) lookup(k string) (any, bool) {
	if i, ok := slices.BinarySearch(o.keys, k); ok {
		return o.vals[i], true
	}
	for i, key := range o.keys {
		if key == k {
			return o.vals[i], true
		}
	}
	return nil, false
}

// leaf is a string or a number of a tree, a number keeping its exact text.
// A tree holds leaves by pointer, so storing one in an any allocates
// nothing and the parser can allocate them in chunks.
type leaf struct {
	text   string
	number bool
	// plain says a string needs no escaping in JSON: it is printable ASCII
	// or valid UTF-8 without a quote or a backslash.
	plain bool
}

// tree is a normalized JSON document: values are nil, bool, *leaf, []any
// or *object.
type tree struct {
	root any
	// depth is the deepest container nesting (0 for a scalar root) and
	// fields the largest number of fields of any object. Both are upper
	// bounds: subtrees dropped while parsing may count.
	depth  int
	fields int
	// size is the length of the body the tree was parsed from, 0 when it
	// came from a select expression.
	size int
}

// parseJSON decodes one or more JSON values (several, as in NDJSON, become
// one array), keeping numbers exact.
func parseJSON(body io.Reader) (any, error) {
	dec := json.NewDecoder(body)
	dec.UseNumber()
	var vals []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("respfilter: parsing JSON: %w: %w", errSyntax, err)
		}
		vals = append(vals, v)
	}
	switch len(vals) {
	case 0:
		return nil, fmt.Errorf("respfilter: parsing JSON: %w: empty body", errSyntax)
	case 1:
		return vals[0], nil
	}
	return vals, nil
}

// normalizer converts decoded or selected values to a tree, dropping
// excluded fields and, when compact, empty values.
type normalizer struct {
	exclude []string
	compact bool
	// excluded caches the exclude verdict per field name: API objects repeat
	// the same names many times.
	excluded map[string]bool
	t        tree
}

// validatePatterns reports the first malformed exclude pattern.
func validatePatterns(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("respfilter: exclude pattern %q: %w", p, err)
		}
	}
	return nil
}

// normalize builds a tree from v.
func normalize(v any, exclude []string, compact bool) tree {
	n := &normalizer{exclude: exclude, compact: compact}
	root, _ := n.value(v, 0)
	n.t.root = root
	return n.t
}

// isExcluded reports whether a field named k is dropped.
func (n *normalizer) isExcluded(k string) bool {
	if len(n.exclude) == 0 {
		return false
	}
	ex, ok := n.excluded[k]
	if !ok {
		if n.excluded == nil {
			n.excluded = map[string]bool{}
		}
		for _, p := range n.exclude {
			if m, _ := path.Match(p, k); m {
				ex = true
				break
			}
		}
		n.excluded[k] = ex
	}
	return ex
}

// value converts v found at depth; keep is false when compaction drops it.
func (n *normalizer) value(v any, depth int) (out any, keep bool) {
	switch x := v.(type) {
	case nil:
		return nil, !n.compact
	case string:
		return &leaf{text: x}, !n.compact || x != ""
	case bool:
		return x, true
	case json.Number:
		return &leaf{text: string(x), number: true}, true
	case int:
		return &leaf{text: strconv.Itoa(x), number: true}, true
	case *big.Int:
		return &leaf{text: x.String(), number: true}, true
	case float64:
		return &leaf{text: formatFloat(x), number: true}, true
	case []any:
		n.t.depth = max(n.t.depth, depth+1)
		arr := make([]any, len(x))
		for i, e := range x {
			arr[i], _ = n.value(e, depth+1)
		}
		return arr, !n.compact || len(arr) > 0
	case map[string]any:
		n.t.depth = max(n.t.depth, depth+1)
		o := &object{keys: make([]string, 0, len(x))}
		for k := range x {
			if !n.isExcluded(k) {
				o.keys = append(o.keys, k)
			}
		}
		slices.Sort(o.keys)
		o.vals = make([]any, 0, len(o.keys))
		kept := o.keys[:0]
		for _, k := range o.keys {
			cv, ok := n.value(x[k], depth+1)
			if !ok {
				continue
			}
			kept = append(kept, k)
			o.vals = append(o.vals, cv)
		}
		o.keys = kept
		n.t.fields = max(n.t.fields, len(o.keys))
		return o, !n.compact || len(o.keys) > 0
	}
	// Values of any other type never come out of encoding/json or gojq;
	// show them as text rather than failing.
	return &leaf{text: fmt.Sprint(v)}, true
}

// formatFloat renders f as a JSON number the way jq prints it: NaN becomes
// null and infinities are clamped to the largest finite float.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "null"
	case math.IsInf(f, 1):
		f = math.MaxFloat64
	case math.IsInf(f, -1):
		f = -math.MaxFloat64
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
