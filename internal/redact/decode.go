package redact

import (
	"bytes"
	"html"
	"unicode/utf16"
	"unicode/utf8"
)

// unitMax bounds the decoded bytes of one escape: a named HTML character
// reference stands for at most two runes.
const unitMax = 8

// maxEntityName bounds the name of a named HTML character reference; the
// longest one defined has 31 letters.
const maxEntityName = 32

// decoder walks a text one unit at a time: a run of bytes that stand for
// themselves, or one escape, decoded. Every escape a body may use for one
// character is decoded wherever it appears, so text mixing escaped and
// literal characters, or several kinds of escapes, reads as what it spells.
type decoder struct {
	b []byte
	i int
	// plus decodes "+" as a space, as percent-encoded form data does.
	plus bool
	// at holds, for each byte that may start an escape ("\\", "&", "%",
	// "+"), the offset of its next occurrence at or after i, len(b) when
	// there is none; found with bytes.IndexByte, so literal runs are skipped
	// at memory speed.
	at  [4]int
	buf [unitMax]byte
}

// starters are the bytes an escape may start with, in the order of
// decoder.at.
const starters = "\\&%+"

// newDecoder returns a decoder at the start of b.
func newDecoder(b []byte, plus bool) *decoder {
	d := &decoder{b: b, plus: plus}
	for k := range d.at {
		d.at[k] = -1
	}
	return d
}

// special returns the offset of the next byte at or after i that may
// start an escape, or len(b).
func (d *decoder) special() int {
	next := len(d.b)
	for k := range len(starters) - 1 + boolInt(d.plus) {
		if d.at[k] < d.i {
			j := bytes.IndexByte(d.b[d.i:], starters[k])
			if j < 0 {
				d.at[k] = len(d.b)
			} else {
				d.at[k] = d.i + j
			}
		}
		next = min(next, d.at[k])
	}
	return next
}

// next returns the next unit and advances past it; ok is false at the end.
// literal is true when unit is a slice of the text itself.
func (d *decoder) next() (literal bool, unit []byte, ok bool) {
	if d.i >= len(d.b) {
		return false, nil, false
	}
	start := d.i
	if d.i = d.special(); d.i > start {
		return true, d.b[start:d.i], true
	}
	if n, dec := escapeAt(d.b, d.i, &d.buf); n > 0 {
		d.i += n
		return false, dec, true
	}
	d.i++
	if d.plus && d.b[start] == '+' {
		d.buf[0] = ' '
		return false, d.buf[:1], true
	}
	return true, d.b[start:d.i], true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// escapeAt returns the length of the escape starting at b[i] and the bytes
// it decodes to, or 0 when b[i] starts none: a JSON escape (\", \\, \/, \b,
// \f, \n, \r, \t, \uXXXX and surrogate pairs), an HTML character reference
// (decimal, hex or named) or a percent-encoded byte.
func escapeAt(b []byte, i int, buf *[unitMax]byte) (int, []byte) {
	s := b[i:]
	switch s[0] {
	case '\\':
		return jsonEscape(s, buf)
	case '&':
		return reference(s, buf)
	case '%':
		if len(s) >= 3 && isHex(s[1]) && isHex(s[2]) {
			buf[0] = unhex(s[1])<<4 | unhex(s[2])
			return 3, buf[:1]
		}
	}
	return 0, nil
}

// jsonEscape decodes the JSON escape s starts with.
func jsonEscape(s []byte, buf *[unitMax]byte) (int, []byte) {
	if len(s) < 2 {
		return 0, nil
	}
	switch s[1] {
	case '"', '\\', '/':
		return 2, append(buf[:0], s[1])
	case 'b':
		return 2, append(buf[:0], '\b')
	case 'f':
		return 2, append(buf[:0], '\f')
	case 'n':
		return 2, append(buf[:0], '\n')
	case 'r':
		return 2, append(buf[:0], '\r')
	case 't':
		return 2, append(buf[:0], '\t')
	case 'u':
	default:
		return 0, nil
	}
	r, ok := hex4(s[2:])
	if !ok {
		return 0, nil
	}
	n := 6
	if utf16.IsSurrogate(r) {
		// A pair stands for one rune; a lone half for U+FFFD, as
		// encoding/json reads it.
		pair := utf8.RuneError
		if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if r2, ok := hex4(s[8:]); ok {
				pair = utf16.DecodeRune(r, r2)
			}
		}
		if r = pair; r != utf8.RuneError {
			n = 12
		}
	}
	return n, utf8.AppendRune(buf[:0], r)
}

// hex4 reads four hex digits.
func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		if !isHex(c) {
			return 0, false
		}
		r = r<<4 | rune(unhex(c))
	}
	return r, true
}

// reference decodes the HTML character reference s starts with: &#DDD;,
// &#xHHH; (any number of leading zeros, the ";" optional as HTML allows)
// or &name;.
func reference(s []byte, buf *[unitMax]byte) (int, []byte) {
	if len(s) < 3 {
		return 0, nil
	}
	if s[1] == '#' {
		return numericReference(s, buf)
	}
	j := 1
	for j < len(s) && j <= maxEntityName && isAlnum(s[j]) {
		j++
	}
	if j == 1 || j >= len(s) || s[j] != ';' {
		return 0, nil
	}
	var dec string
	switch string(s[1:j]) {
	case "amp":
		dec = "&"
	case "lt":
		dec = "<"
	case "gt":
		dec = ">"
	case "quot":
		dec = `"`
	case "apos":
		dec = "'"
	case "nbsp":
		dec = "\u00a0"
	default:
		ref := string(s[:j+1])
		if dec = html.UnescapeString(ref); dec == ref || len(dec) > unitMax {
			return 0, nil
		}
	}
	return j + 1, append(buf[:0], dec...)
}

// numericReference decodes &#DDD; or &#xHHH;, as an HTML parser does.
func numericReference(s []byte, buf *[unitMax]byte) (int, []byte) {
	j, base := 2, rune(10)
	if s[j] == 'x' || s[j] == 'X' {
		j, base = j+1, 16
	}
	start := j
	var r rune
	for ; j < len(s) && (isDigit(s[j]) || base == 16 && isHex(s[j])); j++ {
		r = min(r*base+rune(unhex(s[j])), utf8.MaxRune+1)
	}
	if j == start {
		return 0, nil
	}
	if j < len(s) && s[j] == ';' {
		j++
	}
	switch {
	case r >= 0x80 && r <= 0x9f:
		// HTML reads these as Windows-1252; let its table say how.
		return j, append(buf[:0], html.UnescapeString(string(s[:j]))...)
	case r == 0 || r > utf8.MaxRune || utf16.IsSurrogate(r):
		r = utf8.RuneError
	}
	return j, utf8.AppendRune(buf[:0], r)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

func isAlnum(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' }

// unhex returns the value of a hex digit.
func unhex(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}
