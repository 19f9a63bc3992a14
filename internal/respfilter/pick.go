package respfilter

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/itchyny/gojq"
)

// Path is one field of a JSON response, from the top: object field names,
// with Every standing for every item of an array.
type Path []string

// Every is the Path segment that stands for every item of an array.
const Every = "[]"

// String writes p as a jq-like path: orders[].id, .[].name.
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s == Every:
			if i == 0 {
				b.WriteString(".")
			}
			b.WriteString("[]")
		default:
			if i > 0 {
				b.WriteString(".")
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// pickNode is one level of the tree of picked paths: its children in the
// order they were first picked, and whether the node itself is kept whole.
type pickNode struct {
	whole    bool
	keys     []string
	children map[string]*pickNode
}

// child returns the child named k, adding it when new.
func (n *pickNode) child(k string) *pickNode {
	if n.children == nil {
		n.children = map[string]*pickNode{}
	}
	c, ok := n.children[k]
	if !ok {
		c = &pickNode{}
		n.children[k] = c
		n.keys = append(n.keys, k)
	}
	return c
}

// pickTree builds the tree of paths; a path that ends on a node keeps it
// whole, whatever else was picked below it.
func pickTree(paths []Path) *pickNode {
	root := &pickNode{}
	for _, p := range paths {
		if len(p) == 0 {
			continue
		}
		n := root
		for _, seg := range p {
			n = n.child(seg)
		}
		n.whole = true
	}
	return root
}

// Projection writes the jq expression that keeps exactly the picked paths
// and nothing else, in the order they were first picked:
//
//	{id, status, customer: (.customer | {name}), items: [.items[]? | {sku, qty}]}
//
// A response that is a list gives [.[] | {...}]. An empty set of paths
// gives "" (no select: the whole response).
func Projection(paths []Path) string {
	root := pickTree(paths)
	if len(root.keys) == 0 {
		return ""
	}
	return projectNode(root, ".", true)
}

// projectNode writes the projection of n, whose value is at expr; top is
// true for the response itself.
func projectNode(n *pickNode, expr string, top bool) string {
	if n.whole || len(n.keys) == 0 {
		return expr
	}
	if len(n.keys) == 1 && n.keys[0] == Every {
		iter := expr + "[]?"
		if top {
			iter = ".[]"
		}
		return "[" + iter + " | " + projectNode(n.children[Every], ".", false) + "]"
	}
	parts := make([]string, 0, len(n.keys))
	for _, k := range n.keys {
		if k == Every {
			// An object and a list at once: only the fields apply.
			continue
		}
		c := n.children[k]
		access := fieldAccess(k)
		if c.whole || len(c.keys) == 0 {
			if isIdentifier(k) {
				parts = append(parts, k)
			} else {
				parts = append(parts, strconv.Quote(k)+": "+access)
			}
			continue
		}
		parts = append(parts, objectKey(k)+": "+projectNode(c, access, false))
	}
	if !top && expr != "." {
		return "(" + expr + " | {" + strings.Join(parts, ", ") + "})"
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// fieldAccess writes the access of field k of the current value.
func fieldAccess(k string) string {
	if isIdentifier(k) {
		return "." + k
	}
	return "." + strconv.Quote(k)
}

// objectKey writes k as an object construction key.
func objectKey(k string) string {
	if isIdentifier(k) {
		return k
	}
	return strconv.Quote(k)
}

var identifierPattern = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// isIdentifier reports whether k can be written bare in jq: a name that
// is not one of jq's keywords.
func isIdentifier(k string) bool {
	if !identifierPattern.MatchString(k) {
		return false
	}
	switch k {
	case "and", "or", "not", "if", "then", "elif", "else", "end", "as", "def", "reduce", "foreach",
		"try", "catch", "label", "import", "include", "__loc__", "true", "false", "null":
		return false
	}
	return true
}

// ParseProjection reads back the paths of a projection such as Projection
// writes, and of equivalent hand edits ({id: .id}, ."a-b", .items[],
// (.x|{y})). An empty expression gives no paths. ok is false for anything
// else (functions, other pipes, select, arithmetic, a key renamed): such
// an expression is left as written.
func ParseProjection(expr string) (paths []Path, ok bool) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, false
	}
	if q.Term == nil && q.Op == 0 {
		return nil, true
	}
	rel, ok := parseQuery(q)
	if !ok {
		return nil, false
	}
	for _, p := range rel {
		if len(p) == 0 {
			return nil, true
		}
	}
	return rel, true
}

// plain reports whether q is a bare term or pipe, with nothing jq allows
// around it (definitions, imports, patterns).
func plain(q *gojq.Query) bool {
	return q != nil && q.Meta == nil && len(q.Imports) == 0 && len(q.FuncDefs) == 0 && len(q.Patterns) == 0
}

// parseQuery reads the paths q keeps of the current value, keeping its
// shape: . (whole), {...}, [.[] | ...], or one of those in parentheses.
func parseQuery(q *gojq.Query) ([]Path, bool) {
	t, ok := bareTerm(q)
	if !ok {
		return nil, false
	}
	switch t.Type {
	case gojq.TermTypeIdentity:
		if len(t.SuffixList) > 0 {
			return nil, false
		}
		return []Path{{}}, true
	case gojq.TermTypeQuery:
		return parseQuery(t.Query)
	case gojq.TermTypeObject:
		return parseObject(t.Object)
	case gojq.TermTypeArray:
		return parseList(t, nil)
	}
	return nil, false
}

// bareTerm returns the one term of q, with nothing around it.
func bareTerm(q *gojq.Query) (*gojq.Term, bool) {
	if !plain(q) || q.Op != 0 || q.Term == nil {
		return nil, false
	}
	return q.Term, true
}

// parseList reads [X[] | ...] or [X[]] where X is the access at; the
// paths are under at and Every.
func parseList(t *gojq.Term, at []string) ([]Path, bool) {
	if len(t.SuffixList) > 0 || t.Array == nil || t.Array.Query == nil || !plain(t.Array.Query) {
		return nil, false
	}
	iter := append(append([]string{}, at...), Every)
	q := t.Array.Query
	if q.Op == 0 {
		if !accessIs(q, iter) {
			return nil, false
		}
		return []Path{iter}, true
	}
	if q.Op != gojq.OpPipe || !accessIs(q.Left, iter) {
		return nil, false
	}
	rel, ok := parseQuery(q.Right)
	if !ok {
		return nil, false
	}
	return prefixed(iter, rel), true
}

// parseValue reads the value of field key in an object: .key,
// (.key | ...) or [.key[] | ...].
func parseValue(q *gojq.Query, key string) ([]Path, bool) {
	at := []string{key}
	if plain(q) && q.Op == gojq.OpPipe {
		if !accessIs(q.Left, at) {
			return nil, false
		}
		rel, ok := parseQuery(q.Right)
		if !ok {
			return nil, false
		}
		return prefixed(at, rel), true
	}
	t, ok := bareTerm(q)
	if !ok {
		return nil, false
	}
	switch t.Type {
	case gojq.TermTypeQuery:
		return parseValue(t.Query, key)
	case gojq.TermTypeArray:
		return parseList(t, at)
	}
	if !accessIs(q, at) {
		return nil, false
	}
	return []Path{at}, true
}

// accessIs reports whether q is exactly the access of segs.
func accessIs(q *gojq.Query, segs []string) bool {
	t, ok := bareTerm(q)
	if !ok {
		return false
	}
	got, ok := access(t)
	return ok && slices.Equal(got, segs)
}

// parseObject reads {k, k: .k, k: (.k | ...), k: [.k[] | ...]}.
func parseObject(o *gojq.Object) ([]Path, bool) {
	var out []Path
	for _, kv := range o.KeyVals {
		if kv.KeyQuery != nil {
			return nil, false
		}
		key := kv.Key
		if kv.KeyString != nil {
			if len(kv.KeyString.Queries) > 0 {
				return nil, false
			}
			key = kv.KeyString.Str
		} else if key == "" || key[0] == '$' {
			return nil, false
		}
		if kv.Val == nil {
			out = append(out, Path{key})
			continue
		}
		rel, ok := parseValue(kv.Val, key)
		if !ok {
			return nil, false
		}
		out = append(out, rel...)
	}
	return out, true
}

// access reads a term such as .a, ."a-b", .["a-b"], .a[]?, .[] as path
// segments; ok is false for slices, computed indexes and anything after
// an iteration.
func access(t *gojq.Term) ([]string, bool) {
	var segs []string
	if t.Type == gojq.TermTypeIndex {
		k, ok := indexKey(t.Index)
		if !ok {
			return nil, false
		}
		segs = append(segs, k)
	} else if t.Type != gojq.TermTypeIdentity {
		return nil, false
	}
	for _, s := range t.SuffixList {
		afterIter := len(segs) > 0 && segs[len(segs)-1] == Every
		switch {
		case s.Optional && s.Index == nil && !s.Iter && afterIter:
		case afterIter:
			return nil, false
		case s.Iter:
			segs = append(segs, Every)
		case s.Index != nil && !s.Optional:
			k, ok := indexKey(s.Index)
			if !ok {
				return nil, false
			}
			segs = append(segs, k)
		default:
			return nil, false
		}
	}
	return segs, true
}

// indexKey reads the field name of a plain index.
func indexKey(ix *gojq.Index) (string, bool) {
	if ix == nil || ix.IsSlice || ix.End != nil {
		return "", false
	}
	if ix.Start != nil {
		t, ok := bareTerm(ix.Start)
		if !ok || t.Type != gojq.TermTypeString || t.Str == nil || len(t.Str.Queries) > 0 || len(t.SuffixList) > 0 {
			return "", false
		}
		return t.Str.Str, true
	}
	if ix.Str != nil {
		if len(ix.Str.Queries) > 0 {
			return "", false
		}
		return ix.Str.Str, true
	}
	if ix.Name == "" {
		return "", false
	}
	return ix.Name, true
}

// prefixed puts segs in front of every path of rel.
func prefixed(segs []string, rel []Path) []Path {
	out := make([]Path, 0, len(rel))
	for _, p := range rel {
		q := append(append(Path{}, segs...), p...)
		out = append(out, q)
	}
	return out
}
