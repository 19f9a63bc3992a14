package importer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// errUnclosed is wrapped by the errors for a quote left open.
var errUnclosed = errors.New("unclosed quote")

// shellWords splits a command line into words the way a POSIX shell does
// for a pasted command: blanks separate words; '...' is literal; "..."
// keeps \" \\ \$ \` and drops a backslash-newline; $'...' reads C escapes;
// a backslash outside quotes escapes the next character and a
// backslash-newline joins two lines. An unclosed quote is an error naming
// the column (counted in characters from 1) where it opened.
func shellWords(line string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word
	)
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
			i++
		case c == '\\':
			i = backslash(line, i, &cur, &in)
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, unclosed(line, i, "single")
			}
			cur.WriteString(line[i+1 : i+1+end])
			in = true
			i += end + 2
		case c == '"':
			n, err := doubleQuoted(line, i, &cur)
			if err != nil {
				return nil, err
			}
			in = true
			i = n
		case c == '$' && i+1 < len(line) && line[i+1] == '\'':
			n, err := ansiQuoted(line, i, &cur)
			if err != nil {
				return nil, err
			}
			in = true
			i = n
		default:
			cur.WriteByte(c)
			in = true
			i++
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// backslash reads an unquoted backslash at i: before a line break it
// joins the lines (a pasted continuation, \r\n included), else it
// escapes the next character. It returns where reading goes on.
func backslash(line string, i int, cur *strings.Builder, in *bool) int {
	switch {
	case strings.HasPrefix(line[i+1:], "\r\n"):
		return i + 3
	case i+1 < len(line) && line[i+1] == '\n':
		return i + 2
	case i+1 < len(line):
		_, size := utf8.DecodeRuneInString(line[i+1:])
		cur.WriteString(line[i+1 : i+1+size])
		*in = true
		return i + 1 + size
	}
	return i + 1
}

// doubleQuoted reads a "..." word part opening at i and returns the index
// after its closing quote.
func doubleQuoted(line string, i int, cur *strings.Builder) (int, error) {
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '"':
			return j + 1, nil
		case '\\':
			if j+1 >= len(line) {
				continue
			}
			switch line[j+1] {
			case '"', '\\', '$', '`':
				cur.WriteByte(line[j+1])
			case '\n':
			default:
				cur.WriteByte('\\')
				cur.WriteByte(line[j+1])
			}
			j++
		default:
			cur.WriteByte(line[j])
		}
	}
	return 0, unclosed(line, i, "double")
}

// ansiQuoted reads a $'...' word part opening at i (the $) and returns the
// index after its closing quote.
func ansiQuoted(line string, i int, cur *strings.Builder) (int, error) {
	for j := i + 2; j < len(line); j++ {
		switch line[j] {
		case '\'':
			return j + 1, nil
		case '\\':
			if j+1 >= len(line) {
				continue
			}
			j += ansiEscape(line[j+1:], cur)
		default:
			cur.WriteByte(line[j])
		}
	}
	return 0, unclosed(line, i, "$'")
}

// ansiEscape writes the character of the C escape that starts esc (just
// after the backslash) and returns how many bytes of esc it used.
func ansiEscape(esc string, cur *strings.Builder) int {
	simple := map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', 'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v', 'e': 0x1b, '\\': '\\', '\'': '\'', '"': '"', '?': '?'}
	if b, ok := simple[esc[0]]; ok {
		cur.WriteByte(b)
		return 1
	}
	digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}
	if n, ok := digits[esc[0]]; ok {
		end := 1
		for end <= n && end < len(esc) && strings.IndexByte("0123456789abcdefABCDEF", esc[end]) >= 0 {
			end++
		}
		if v, err := strconv.ParseUint(esc[1:end], 16, 32); err == nil {
			if esc[0] == 'x' {
				cur.WriteByte(byte(v))
			} else {
				cur.WriteRune(rune(v))
			}
			return end
		}
	}
	cur.WriteByte('\\')
	cur.WriteByte(esc[0])
	return 1
}

// unclosed is the error for a quote of kind opened at byte i of line.
func unclosed(line string, i int, kind string) error {
	col := utf8.RuneCountInString(line[:i]) + 1
	ln := strings.Count(line[:i], "\n") + 1
	if ln > 1 {
		col = utf8.RuneCountInString(line[strings.LastIndexByte(line[:i], '\n')+1:i]) + 1
		return fmt.Errorf("%w: the %s quote opened at line %d, column %d is never closed", errUnclosed, kind, ln, col)
	}
	return fmt.Errorf("%w: the %s quote opened at column %d is never closed", errUnclosed, kind, col)
}
