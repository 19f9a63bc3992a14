package respfilter

import (
	"regexp"
	"strconv"
	"strings"
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
