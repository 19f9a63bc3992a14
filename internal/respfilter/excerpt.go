package respfilter

import (
	"strings"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/redact"
)

// excerptKey names the excerpt of one text at one length.
type excerptKey struct {
	text *leaf
	n    int
}

// excerptOf is a cached excerpt.
type excerptOf struct {
	leaf *leaf
	cut  bool
}

// excerpt returns the excerpt of l's text at about n characters, cached:
// its markup dropped (see plainText), its whitespace runs single spaces,
// ending after the last whole sentence that fits, or else after the last
// whole word, followed by "…". The text's flattened start is cached too,
// for the other lengths.
func (r *reducer) excerpt(l *leaf, n int) excerptOf {
	k := excerptKey{l, n}
	if e, ok := r.excerpts[k]; ok {
		return e
	}
	e := excerptOf{leaf: l}
	if len(l.text) > n {
		flat, ok := r.flats[l]
		if !ok {
			flat = flatten(l.text, maxExcerpt)
			r.flats[l] = flat
		}
		var s string
		if s, e.cut = cutFlat(l.text, flat, n); e.cut {
			e.leaf = &leaf{text: s}
		}
	}
	r.excerpts[k] = e
	return e
}

// maxExcerpt is the longest excerpt the ladder asks for.
const maxExcerpt = 400

// flatten returns the start of s, enough for an excerpt of up to n
// characters, with its markup dropped and its whitespace collapsed.
func flatten(s string, n int) string {
	if limit := 8*n + 256; len(s) > limit {
		s = s[:runeStart(s, limit)]
	}
	s = plainText(s)
	var b strings.Builder
	b.Grow(len(s))
	space, lines := false, 0
	var last byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			lines++
			space = b.Len() > 0
		case ' ', '\t', '\r', '\v', '\f':
			space = b.Len() > 0
		default:
			if space {
				// A paragraph ends a sentence: a commit's subject line, a
				// list item.
				if lines > 1 && !strings.ContainsRune(".!?:;,", rune(last)) {
					b.WriteByte('.')
				}
				b.WriteByte(' ')
				space = false
			}
			lines = 0
			b.WriteByte(c)
			last = c
		}
	}
	return b.String()
}

// cutFlat cuts flat, the flattened start of s, to an excerpt of at most n
// characters.
func cutFlat(s, flat string, n int) (string, bool) {
	at, runes := 0, 0
	for at < len(flat) && runes < n {
		_, size := utf8.DecodeRuneInString(flat[at:])
		at += size
		runes++
	}
	if at == len(flat) {
		return flat, flat != s
	}
	head := flat[:redact.Cut(flat, at)]
	cut := -1
	for i := len(head) - 1; i >= len(head)/3; i-- {
		if c := head[i]; (c == '.' || c == '!' || c == '?' || c == ':') && i+1 < len(flat) && flat[i+1] == ' ' {
			cut = i + 1
			break
		}
	}
	if cut < 0 {
		if sp := strings.LastIndexByte(head, ' '); sp > len(head)/3 {
			cut = sp
		} else {
			cut = len(head)
		}
	}
	return strings.TrimRight(head[:cut], " ") + "…", true
}

// plainText drops the markup of a Markdown or HTML-ish text that costs
// tokens and says nothing in an excerpt: comments, images, link targets,
// heading and quote marks, emphasis and code ticks.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<[#*`>_") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "<!--"):
			end := strings.Index(s[i:], "-->")
			if end < 0 {
				return b.String()
			}
			i += end + 3
		case s[i] == '!' && i+1 < len(s) && s[i+1] == '[':
			if j := linkEnd(s, i+1); j > 0 {
				i = j
				continue
			}
			b.WriteByte(s[i])
			i++
		case s[i] == '[':
			if j := linkEnd(s, i); j > 0 {
				b.WriteString(s[i+1 : strings.IndexByte(s[i:], ']')+i])
				i = j
				continue
			}
			b.WriteByte(s[i])
			i++
		case s[i] == '*' || s[i] == '`' || s[i] == '_' && (i == 0 || s[i-1] == ' ' || i+1 == len(s) || s[i+1] == ' '):
			i++
		case s[i] == '#' && (i == 0 || s[i-1] == '\n'):
			// A heading names a section; the excerpt wants its text.
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				return b.String()
			}
			i += end
		case s[i] == '>' && (i == 0 || s[i-1] == '\n'):
			i++
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// linkEnd returns the index after a Markdown link "[text](target)" that
// starts at i, or 0 when none does.
func linkEnd(s string, i int) int {
	close := strings.IndexByte(s[i:], ']')
	if close < 0 || i+close+1 >= len(s) || s[i+close+1] != '(' {
		return 0
	}
	end := strings.IndexByte(s[i+close:], ')')
	if end < 0 || strings.ContainsRune(s[i:i+close], '\n') {
		return 0
	}
	return i + close + end + 1
}

// cutRunes returns s cut to at most n runes, marked with "…" when cut.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	end := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	return s[:redact.Cut(s, end)] + "…"
}
