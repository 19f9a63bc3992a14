package respfilter

import (
	"unicode"
	"unicode/utf8"
)

// The splitter cuts text into the pieces that o200k_base merges
// separately. It reproduces, by hand, the encoding's pre-tokenization
// pattern as the regexp2 engine evaluates it (a backtracking engine: the
// first alternative that matches wins, quantifiers are greedy and give back
// characters only when what follows fails):
//
//	1 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	2 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	3 \p{N}{1,3}
//	4  ?[^\s\p{L}\p{N}]+[\r\n/]*
//	5 \s*[\r\n]+
//	6 \s+(?!\S)
//	7 \s+
//
// Character classes come from the unicode package, as the engine's do: \s
// is unicode.IsSpace and \p{X} is unicode.Categories["X"]. Every character
// starts some alternative, so the pieces cover the text without gaps.

// Character class bits of one rune.
const (
	// clsUpper marks [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}].
	clsUpper uint8 = 1 << iota
	// clsLower marks [\p{Ll}\p{Lm}\p{Lo}\p{M}].
	clsLower
	// clsLetter marks \p{L}.
	clsLetter
	// clsNumber marks \p{N}.
	clsNumber
	// clsSpace marks \s.
	clsSpace
	// clsNewline marks \r and \n.
	clsNewline
)

// Class bits of asciiClasses only.
const (
	// clsPunct marks [^\s\p{L}\p{N}].
	clsPunct uint8 = 1 << (iota + 6)
	// clsHigh marks a byte of a multibyte rune, which has no other bit.
	clsHigh
)

// asciiClasses holds the class bits of every ASCII byte, with clsPunct,
// and clsHigh for every other byte, so the byte loops of asciiPieceEnd
// stop at a multibyte rune without a test of their own.
var asciiClasses = func() (t [256]uint8) {
	for b := range 256 {
		switch c := runeClass(rune(b)); {
		case b >= utf8.RuneSelf:
			t[b] = clsHigh
		case isPunctClass(c):
			t[b] = c | clsPunct
		default:
			t[b] = c
		}
	}
	return t
}()

// bmpClasses holds the class bits of every rune of the Basic Multilingual
// Plane, so classifying one costs an index instead of table searches.
type bmpClasses [1 << 16]uint8

// newBMPClasses computes the class bits of every BMP rune.
func newBMPClasses() *bmpClasses {
	var t bmpClasses
	for r := range rune(len(t)) {
		t[r] = runeClass(r)
	}
	return &t
}

// runeClass returns the class bits of r from the unicode tables.
func runeClass(r rune) uint8 {
	switch {
	case unicode.Is(unicode.Lo, r), unicode.Is(unicode.Lm, r):
		return clsLetter | clsUpper | clsLower
	case unicode.Is(unicode.Ll, r):
		return clsLetter | clsLower
	case unicode.Is(unicode.Lu, r), unicode.Is(unicode.Lt, r):
		return clsLetter | clsUpper
	case unicode.Is(unicode.M, r):
		return clsUpper | clsLower
	case unicode.Is(unicode.N, r):
		return clsNumber
	case r == '\r', r == '\n':
		return clsSpace | clsNewline
	case unicode.IsSpace(r):
		return clsSpace
	}
	return 0
}

// isPrefixClass reports whether c is in [^\r\n\p{L}\p{N}].
func isPrefixClass(c uint8) bool { return c&(clsLetter|clsNumber|clsNewline) == 0 }

// isPunctClass reports whether c is in [^\s\p{L}\p{N}].
func isPunctClass(c uint8) bool { return c&(clsLetter|clsNumber|clsSpace) == 0 }

// splitter finds piece boundaries in valid UTF-8 text.
type splitter struct {
	bmp *bmpClasses
}

// classAt returns the class bits and the byte size of the rune at s[i], or
// a size of 0 at the end of s.
func (sp splitter) classAt(s string, i int) (uint8, int) {
	if i >= len(s) {
		return 0, 0
	}
	if b := s[i]; b < utf8.RuneSelf {
		return sp.bmp[b], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r < rune(len(sp.bmp)) {
		return sp.bmp[r], n
	}
	return runeClass(r), n
}

// pieceEnd returns the end of the piece that starts at s[i], i < len(s).
func (sp splitter) pieceEnd(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		if e := asciiPieceEnd(s, i); e > 0 {
			return e
		}
	}
	c, n := sp.classAt(s, i)
	if e := sp.letters(s, i, c, n); e > 0 {
		return e
	}
	if c&clsNumber != 0 { // alternative 3
		e := i + n
		for range 2 {
			c, n := sp.classAt(s, e)
			if n == 0 || c&clsNumber == 0 {
				break
			}
			e += n
		}
		return e
	}
	if e := sp.punct(s, i, c); e > 0 {
		return e
	}
	return sp.spaces(s, i)
}

// asciiPieceEnd is pieceEnd for the common case of a piece that is ASCII,
// like the character after it, with every alternative reduced to plain
// byte loops: ASCII letters are either upper or lower case, so the
// backtracking of alternatives 1 and 2 cannot happen. It returns 0 when a
// rune beyond ASCII is reached, and pieceEnd then decides in full.
func asciiPieceEnd(s string, i int) int {
	c := asciiClasses[s[i]]
	// Alternatives 1 and 2: an optional prefix, then upper then lower case
	// letters, at least one of either.
	j := i
	if isPrefixClass(c) {
		j = i + 1
	}
	e := j
	for e < len(s) && asciiClasses[s[e]]&clsUpper != 0 {
		e++
	}
	for e < len(s) && asciiClasses[s[e]]&clsLower != 0 {
		e++
	}
	switch {
	case e < len(s) && s[e] >= utf8.RuneSelf:
		return 0
	case e > j:
		return contraction(s, e)
	case c&clsNumber != 0: // alternative 3
		for e = i + 1; e < i+3 && e < len(s) && asciiClasses[s[e]]&clsNumber != 0; e++ {
		}
		if e < i+3 && e < len(s) && s[e] >= utf8.RuneSelf {
			return 0
		}
		return e
	}
	// Alternative 4: an optional space, then punctuation, then line breaks
	// and slashes.
	e = i
	// A space is a prefix, so the rune after it was checked to be ASCII.
	if s[i] == ' ' && i+1 < len(s) && asciiClasses[s[i+1]]&clsPunct != 0 {
		e = i + 1
	}
	if e > i || c&clsPunct != 0 {
		for e < len(s) && asciiClasses[s[e]]&clsPunct != 0 {
			e++
		}
		if e < len(s) && s[e] >= utf8.RuneSelf {
			return 0
		}
		for e < len(s) && (s[e] == '\r' || s[e] == '\n' || s[e] == '/') {
			e++
		}
		return e
	}
	// Alternatives 5 to 7, as in spaces.
	lastBreak, last := -1, i
	for e < len(s) && asciiClasses[s[e]]&clsSpace != 0 {
		if asciiClasses[s[e]]&clsNewline != 0 {
			lastBreak = e
		}
		last = e
		e++
	}
	switch {
	case e < len(s) && s[e] >= utf8.RuneSelf:
		return 0
	case lastBreak >= 0:
		return lastBreak + 1
	case e == len(s) || last == i:
		return e
	}
	return last
}

// letters tries alternatives 1 and 2 at s[i], whose rune has class c and
// size n, each first with the optional prefix rune and then without it. It
// returns the end of the match or 0.
func (sp splitter) letters(s string, i int, c uint8, n int) int {
	prefix := isPrefixClass(c)
	if prefix {
		if e := sp.upperThenLower(s, i+n); e > 0 {
			return e
		}
	}
	if e := sp.upperThenLower(s, i); e > 0 {
		return e
	}
	if prefix {
		if e := sp.upperRun(s, i+n); e > 0 {
			return e
		}
	}
	return sp.upperRun(s, i)
}

// upperThenLower matches [upper]*[lower]+ then an optional contraction at
// s[j], returning the end or 0. The greedy upper run gives back runes until
// a lower-class rune follows it; runes of Lm, Lo and M are in both classes.
func (sp splitter) upperThenLower(s string, j int) int {
	pos, lastLower := j, -1
	for {
		c, n := sp.classAt(s, pos)
		if n == 0 || c&clsUpper == 0 {
			if n == 0 || c&clsLower == 0 {
				if lastLower < 0 {
					return 0
				}
				pos = lastLower
			}
			break
		}
		if c&clsLower != 0 {
			lastLower = pos
		}
		pos += n
	}
	return contraction(s, sp.lowerRun(s, pos))
}

// upperRun matches [upper]+[lower]* then an optional contraction at s[j],
// returning the end or 0.
func (sp splitter) upperRun(s string, j int) int {
	c, n := sp.classAt(s, j)
	if n == 0 || c&clsUpper == 0 {
		return 0
	}
	e := j + n
	for {
		c, n := sp.classAt(s, e)
		if n == 0 || c&clsUpper == 0 {
			break
		}
		e += n
	}
	return contraction(s, sp.lowerRun(s, e))
}

// lowerRun returns the end of the run of lower-class runes at s[j].
func (sp splitter) lowerRun(s string, j int) int {
	for {
		c, n := sp.classAt(s, j)
		if n == 0 || c&clsLower == 0 {
			return j
		}
		j += n
	}
}

// contraction returns the end of (?i:'s|'t|'re|'ve|'m|'ll|'d) at s[e], or e
// when none follows. Only ASCII letters lowercase to these letters (checked
// by the tests), so comparing bytes is exact.
func contraction(s string, e int) int {
	if e+1 >= len(s) || s[e] != '\'' {
		return e
	}
	switch s[e+1] | 0x20 {
	case 's', 't', 'm', 'd':
		return e + 2
	case 'r', 'v':
		if e+2 < len(s) && s[e+2]|0x20 == 'e' {
			return e + 3
		}
	case 'l':
		if e+2 < len(s) && s[e+2]|0x20 == 'l' {
			return e + 3
		}
	}
	return e
}

// punct tries alternative 4 at s[i], whose rune has class c, returning the
// end of the match or 0.
func (sp splitter) punct(s string, i int, c uint8) int {
	e := i
	if s[i] == ' ' {
		if c, n := sp.classAt(s, i+1); n > 0 && isPunctClass(c) {
			e = i + 1
		}
	}
	if e == i && !isPunctClass(c) {
		return 0
	}
	for {
		c, n := sp.classAt(s, e)
		if n == 0 || !isPunctClass(c) {
			break
		}
		e += n
	}
	for e < len(s) && (s[e] == '\r' || s[e] == '\n' || s[e] == '/') {
		e++
	}
	return e
}

// spaces matches alternatives 5 to 7 at s[i], which holds a space: up to
// and including the run's last line break if it has one; else the whole
// run when it ends the text or is one rune long; else the run without its
// last rune, which then leads the next piece.
func (sp splitter) spaces(s string, i int) int {
	e, lastBreak, last := i, -1, i
	for {
		c, n := sp.classAt(s, e)
		if n == 0 || c&clsSpace == 0 {
			break
		}
		if c&clsNewline != 0 {
			lastBreak = e
		}
		last = e
		e += n
	}
	switch {
	case lastBreak >= 0:
		return lastBreak + 1
	case e == len(s) || last == i:
		return e
	}
	return last
}
