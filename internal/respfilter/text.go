package respfilter

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/redact"
)

// textPage is one page of a text body.
type textPage struct {
	out       string
	tokens    int
	shown     int // lines shown
	lines     []string
	linesCut  int
	truncated bool
	note      string
	over      bool
}

// splitLines normalizes line endings and splits s into lines, dropping
// trailing blank lines.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimRight(s, "\n \t\r")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// capLine cuts line to maxChars characters on a rune boundary and says how
// much was cut.
func capLine(line string, maxChars int) (string, bool) {
	if len(line) <= maxChars {
		return line, false
	}
	n := utf8.RuneCountInString(line)
	if n <= maxChars {
		return line, false
	}
	cut := 0
	for i := 0; i < maxChars; i++ {
		_, size := utf8.DecodeRuneInString(line[cut:])
		cut += size
	}
	cut = redact.Cut(line, cut)
	return line[:cut] + "…[" + strconv.Itoa(n-utf8.RuneCountInString(line[:cut])) + " more chars]", true
}

// fitText shows as many whole lines of lines (each capped at o.MaxString
// characters) as fit in the budget, followed, when lines were held back or
// this is not the first page, by a note line naming the lines shown.
// offset and total place this page within the whole text.
func (f *Filter) fitText(lines []string, o Options, offset, total int) textPage {
	p := textPage{lines: lines}
	shown := make([]string, len(lines))
	for i, l := range lines {
		var cut bool
		if shown[i], cut = capLine(l, o.MaxString); cut {
			p.linesCut++
		}
	}
	// ends[i] is the byte length of the first i+1 shown lines joined.
	ends := make([]int, len(shown))
	n := -1
	for i, l := range shown {
		n += len(l) + 1
		ends[i] = n
	}
	render := func(k int, last string) string {
		var b strings.Builder
		for i := range k - 1 {
			b.WriteString(shown[i])
			b.WriteByte('\n')
		}
		if k > 0 {
			b.WriteString(last)
		}
		if note := textNote(offset, k, len(lines), total, o.MoreHint); note != "" {
			if k > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(note)
		}
		return b.String()
	}
	finish := func(k int, out string, tokens int) textPage {
		p.out, p.tokens, p.shown = out, tokens, k
		p.truncated = k < len(lines) || p.linesCut > 0
		p.note = strings.Trim(textNote(offset, k, len(lines), total, ""), "[]")
		return p
	}
	if len(lines) == 0 {
		out := render(0, "")
		return finish(0, out, f.tok.Count(out))
	}
	out := render(len(lines), shown[len(lines)-1])
	// As in fit: short output fits, long output is estimated from a sample
	// and counted exactly only when it may fit.
	var tokens int
	if len(out) <= o.MaxTokens {
		tokens = f.tok.Count(out)
	} else if tokens = f.tok.countSampled(out, estimateSample); tokens <= o.MaxTokens+o.MaxTokens/8 {
		tokens = f.tok.Count(out)
	}
	if tokens <= o.MaxTokens {
		return finish(len(lines), out, tokens)
	}
	target := int(float64(o.MaxTokens) * float64(len(out)) / float64(tokens) * 0.97)
	for attempt := 0; ; attempt++ {
		noteLen := len(textNote(offset, len(lines), len(lines)+1, total, o.MoreHint)) + 1
		k := sort.Search(len(ends), func(i int) bool { return ends[i]+noteLen > target })
		last := ""
		if k == 0 {
			// Not even one line fits: show the start of the first one.
			k = 1
			last = cutWords(shown[0], max(target-noteLen, 1))
		} else {
			last = shown[k-1]
		}
		out = render(k, last)
		tokens = f.tok.Count(out)
		if tokens <= o.MaxTokens || attempt == fitAttempts-1 || (k == 1 && len(last) <= 1) {
			p = finish(k, out, tokens)
			p.over = tokens > o.MaxTokens
			if last != shown[k-1] {
				p.truncated = true
			}
			return p
		}
		target = min(target-1, int(float64(o.MaxTokens)*float64(len(out))/float64(tokens)*0.97))
	}
}

// textNote names the lines a page shows; it is empty on a first page that
// shows everything.
func textNote(offset, shown, n, total int, hint string) string {
	total = max(total, offset+n)
	if offset == 0 && shown == n {
		return ""
	}
	note := "[showing lines " + strconv.Itoa(offset+1) + "-" + strconv.Itoa(offset+shown) + " of " + strconv.Itoa(total)
	if shown < n && hint != "" {
		note += "; " + hint
	}
	return note + "]"
}

// cutWords cuts s to at most maxBytes bytes, at the last space when there
// is one in the second half, otherwise on a rune boundary, and marks the
// cut with "…".
func cutWords(s string, maxBytes int) string {
	if len(s) <= maxBytes {
		return s
	}
	cut := redact.Cut(s, runeStart(s, maxBytes))
	if sp := strings.LastIndexFunc(s[:cut], unicode.IsSpace); sp > cut/2 {
		cut = sp
	}
	return s[:cut] + "…"
}
