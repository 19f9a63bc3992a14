package importer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// describe joins an operation's summary and description into the
// when-to-use text an action carries: the summary, then the description
// when it says more, blank-line runs and trailing spaces removed, cut at
// MaxDescription characters on a sentence or word boundary. note says what
// was cut, or is empty.
func describe(summary, description string) (text, note string) {
	summary = tidyText(summary)
	description = tidyText(description)
	switch {
	case description == "" || description == summary || strings.HasPrefix(description, summary+"\n"):
		if description != "" {
			text = description
		} else {
			text = summary
		}
	case summary == "":
		text = description
	default:
		text = summary + "\n\n" + description
	}
	n := utf8.RuneCountInString(text)
	if n <= MaxDescription {
		return text, ""
	}
	cut := cutText(text, MaxDescription)
	return cut, fmt.Sprintf("description cut from %d to %d characters", n, utf8.RuneCountInString(cut))
}

// tidyText trims s, drops trailing spaces on each line and folds runs of
// blank lines into one.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// cutText returns at most max characters of s, ending after the last
// sentence that fits when one ends in the second half, else at the last
// word boundary, with "…" appended.
func cutText(s string, max int) string {
	runes := []rune(s)
	head := string(runes[:max-1])
	if i := strings.LastIndexAny(head, ".!?\n"); i >= len(head)/2 {
		return strings.TrimSpace(head[:i+1])
	}
	if i := strings.LastIndexAny(head, " \t"); i > 0 {
		head = head[:i]
	}
	return strings.TrimSpace(head) + "…"
}
