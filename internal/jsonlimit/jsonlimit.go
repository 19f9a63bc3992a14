// Package jsonlimit bounds the nesting depth of JSON that comes from
// outside the server (request bodies, tool arguments, resource specs), so
// that no single input makes a parser or a walk over the value cost more
// than linear work. Deeply nested input is refused before it is parsed,
// with an error naming the limit, where the input went beyond it, and the
// path of the value there.
package jsonlimit

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxDepth is how many levels of objects and arrays JSON from outside may
// nest. {"a":1} nests one level, {"a":[1]} two.
const MaxDepth = 64

// maxSegment bounds how many characters of one key a path repeats.
const maxSegment = 40

// maxPath bounds how many characters of a path an error repeats.
const maxPath = 200

// DepthError reports JSON nested deeper than the limit.
type DepthError struct {
	// Limit is the depth allowed.
	Limit int
	// Offset is the byte offset of the opening bracket beyond the limit in
	// raw input, -1 for decoded values.
	Offset int64
	// Path is where the value beyond the limit sits: object keys and array
	// indexes joined by "/" ("items/0/a"), long keys and long paths
	// shortened; "" when it is the whole value.
	Path string
}

// Error says where the value nests too deeply and what the limit is.
func (e *DepthError) Error() string {
	var b strings.Builder
	b.WriteString("JSON nests deeper than ")
	b.WriteString(strconv.Itoa(e.Limit))
	b.WriteString(" levels")
	if e.Path != "" {
		b.WriteString(" at ")
		b.WriteString(e.Path)
	}
	if e.Offset >= 0 {
		b.WriteString(" (byte ")
		b.WriteString(strconv.FormatInt(e.Offset, 10))
		b.WriteString(")")
	}
	return b.String()
}

// CheckDepth reports a *DepthError when data, read as JSON, nests objects
// and arrays more than max levels deep. It understands strings and their
// escapes but does not otherwise validate data: malformed JSON is left to
// the decoder. It reads data once and allocates nothing unless the depth
// is exceeded.
func CheckDepth(data []byte, max int) error {
	depth := 0
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return &DepthError{Limit: max, Offset: int64(i), Path: pathAt(data, i)}
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

// CheckValue reports a *DepthError when v, a decoded JSON value
// (map[string]any, []any and scalars), nests more than max levels deep.
// It visits each value once and allocates only for the error.
func CheckValue(v any, max int) error {
	var segs []string
	if !withinDepth(v, max, &segs) {
		return &DepthError{Limit: max, Offset: -1, Path: joinReversed(segs)}
	}
	return nil
}

// withinDepth reports whether v nests at most left levels. When it does
// not, it appends the path to the deepest offending value to segs, last
// segment first, as the recursion unwinds.
func withinDepth(v any, left int, segs *[]string) bool {
	switch c := v.(type) {
	case map[string]any:
		if left == 0 {
			return false
		}
		for k, e := range c {
			if !withinDepth(e, left-1, segs) {
				*segs = append(*segs, segment(k))
				return false
			}
		}
	case []any:
		if left == 0 {
			return false
		}
		for i, e := range c {
			if !withinDepth(e, left-1, segs) {
				*segs = append(*segs, strconv.Itoa(i))
				return false
			}
		}
	}
	return true
}

func joinReversed(segs []string) string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[len(segs)-1-i] = s
	}
	return shortenPath(strings.Join(out, "/"))
}

// pathAt returns the path of the value whose opening bracket is at
// data[end], by reading data again up to there. It only runs for errors.
func pathAt(data []byte, end int) string {
	type level struct {
		array bool
		index int
		key   string
	}
	var (
		stack []level
		key   string // the last object key read, waiting for its value
	)
	for i := 0; i < end; i++ {
		switch data[i] {
		case '"':
			j := stringEnd(data, i)
			if n := len(stack); n > 0 && !stack[n-1].array && isKey(data, j) {
				key = segment(unquote(data[i : j+1]))
			}
			i = j
		case '{', '[':
			if n := len(stack); n > 0 && !stack[n-1].array {
				stack[n-1].key = key
			}
			stack = append(stack, level{array: data[i] == '['})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ',':
			if n := len(stack); n > 0 && stack[n-1].array {
				stack[n-1].index++
			}
		}
	}
	if n := len(stack); n > 0 && !stack[n-1].array {
		stack[n-1].key = key
	}
	segs := make([]string, 0, len(stack))
	for _, l := range stack {
		if l.array {
			segs = append(segs, strconv.Itoa(l.index))
		} else {
			segs = append(segs, l.key)
		}
	}
	return shortenPath(strings.Join(segs, "/"))
}

// stringEnd returns the index of the quote closing the string that opens
// at data[start], or the last index when it is not closed.
func stringEnd(data []byte, start int) int {
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(data) - 1
}

// isKey reports whether the string closing at data[end] is followed by a
// colon, that is, whether it is an object key.
func isKey(data []byte, end int) bool {
	for i := end + 1; i < len(data); i++ {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// unquote returns the text of a JSON string token; escapes other than the
// simple ones are kept as written, which is enough to name a key.
func unquote(tok []byte) string {
	s, err := strconv.Unquote(string(tok))
	if err != nil {
		return strings.Trim(string(tok), `"`)
	}
	return s
}

// segment shortens one key for a path.
func segment(k string) string {
	return Shorten(k, maxSegment)
}

// shortenPath keeps the start and the end of a long path.
func shortenPath(p string) string {
	if utf8.RuneCountInString(p) <= maxPath {
		return p
	}
	r := []rune(p)
	half := maxPath/2 - 1
	return string(r[:half]) + "…" + string(r[len(r)-half:])
}

// Shorten cuts s to at most n characters, saying how many were left out:
// "abc…[900000 more chars]".
func Shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut, count := 0, 0
	for cut < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
		count++
	}
	if cut == len(s) {
		return s
	}
	return s[:cut] + "…[" + strconv.Itoa(utf8.RuneCountInString(s[cut:])) + " more chars]"
}
