package importer

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// namer hands out unique, tool-safe names: 1 to 64 letters, digits, _ or
// -, in snake case, each at most once.
type namer struct {
	prefix string
	used   map[string]bool
}

// newNamer returns a namer whose names all start with prefix (sanitized).
func newNamer(prefix string) *namer {
	return &namer{prefix: sanitizeName(prefix, false), used: map[string]bool{}}
}

// name returns a unique name made from raw (an operationId, or a method
// and a path). A name too long is cut and ends in a short hash of raw, so
// two long names that share their start stay apart; a taken name gets
// _2, _3, and so on.
func (n *namer) name(raw string) string {
	base := n.prefix + sanitizeName(raw, true)
	if base == "" {
		base = "action"
	}
	if len(base) > MaxNameLength {
		h := fnv.New32a()
		h.Write([]byte(raw))
		suffix := fmt.Sprintf("_%08x", h.Sum32())
		base = strings.TrimRight(base[:MaxNameLength-len(suffix)], "_-") + suffix
	}
	name := base
	for i := 2; n.used[name]; i++ {
		suffix := fmt.Sprintf("_%d", i)
		cut := min(len(base), MaxNameLength-len(suffix))
		name = strings.TrimRight(base[:cut], "_-") + suffix
	}
	n.used[name] = true
	return name
}

// operationName is the raw name of an operation without an id: its method
// and path, e.g. "get /pets/{petId}" -> get_pets_pet_id.
func operationName(method, path string) string {
	return strings.ToLower(method) + " " + path
}

// sanitizeName turns s into snake case of letters, digits and _: a
// lower-to-upper change of case starts a word ("listPets" -> list_pets),
// every other character ends one. With trim false a trailing separator
// is kept as _ (for prefixes: "shop-" -> shop_).
func sanitizeName(s string, trim bool) string {
	var b strings.Builder
	prev := rune(0)
	pendingSep := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)) {
				pendingSep = true
			}
			if pendingSep && b.Len() > 0 {
				b.WriteByte('_')
			}
			pendingSep = false
			b.WriteRune(unicode.ToLower(r))
		default:
			pendingSep = true
		}
		prev = r
	}
	out := b.String()
	if !trim && pendingSep && out != "" {
		out += "_"
	}
	return out
}
