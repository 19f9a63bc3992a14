package action

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Pos is a 1-based line and column in a resource file.
type Pos struct {
	Line int
	Col  int
}

// FieldError is one problem in a resource, located by file position (when
// the resource came from a file) and by field path, e.g.
// `actions[get_order].params.order_id.type`.
type FieldError struct {
	File    string
	Line    int
	Col     int
	Path    string
	Message string
}

// Error renders the error as "file:line:col: path: message", leaving out
// the parts that are unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Line, e.Col)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errors is a list of field errors; as an error it prints one per line.
type Errors []*FieldError

// Error joins the errors, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns es as an error, or nil when it is empty (avoiding a non-nil
// error interface holding an empty list).
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// sortByPosition orders errors by file, line and column; errors without a
// position keep their relative order after the positioned ones of their file.
func (es Errors) sortByPosition() {
	slices.SortStableFunc(es, func(a, b *FieldError) int {
		if c := cmp.Compare(a.File, b.File); c != 0 {
			return c
		}
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Col, b.Col)
	})
}

// fieldPath is a path inside one resource, kept as rendered segments
// (".name", "[0]", `["odd key"]`) so that ancestors are one slice away.
type fieldPath []string

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// field returns p extended by a struct field name.
func (p fieldPath) field(name string) fieldPath { return p.with("." + name) }

// key returns p extended by a map key, quoted when it would be ambiguous.
func (p fieldPath) key(k string) fieldPath {
	if plainKey.MatchString(k) {
		return p.with("." + k)
	}
	return p.with("[" + strconv.Quote(k) + "]")
}

// index returns p extended by a list index.
func (p fieldPath) index(i int) fieldPath { return p.with("[" + strconv.Itoa(i) + "]") }

func (p fieldPath) with(seg string) fieldPath {
	out := make(fieldPath, len(p), len(p)+1)
	copy(out, p)
	return append(out, seg)
}

// String renders the path relative to its resource, e.g. "params.id.type".
func (p fieldPath) String() string {
	return strings.TrimPrefix(strings.Join(p, ""), ".")
}

// under renders the path below a resource prefix such as "actions[x]".
func (p fieldPath) under(prefix string) string {
	return prefix + strings.Join(p, "")
}

// kindPlural maps a kind to the collection name used in field paths.
func kindPlural(k Kind) string {
	switch k {
	case KindAction:
		return "actions"
	case KindCredential:
		return "credentials"
	case KindAgent:
		return "agents"
	case KindProvider:
		return "providers"
	case KindWorkflow:
		return "workflows"
	}
	return "documents"
}

// resourcePrefix is the path prefix of a resource: "actions[get_order]",
// or "actions[#3]" (its document number) when it has no valid name.
func resourcePrefix(kind Kind, name string, index int) string {
	if validName(name) {
		return kindPlural(kind) + "[" + name + "]"
	}
	return kindPlural(kind) + "[#" + strconv.Itoa(index) + "]"
}

var namePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// validName reports whether s is a valid resource or param name.
func validName(s string) bool { return namePattern.MatchString(s) }
