package respfilter

import (
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/toolresult"
)

// charsPerTokenBound is more characters than one token of ordinary text
// ever holds; a message is first cut to MaxTokens times this, so fitting it
// costs work in proportion to the budget, not to the message.
const charsPerTokenBound = 32

// failureCut marks an error message cut to fit the budget.
const failureCut = "… [cut to fit max_tokens]"

// Failure returns the model-readable error output (toolresult.Output)
// {"error":{"message":"...","type":"..."}} for a call that failed before
// or instead of a response, with the message cut (and marked as cut) so
// that the whole output stays within o.MaxTokens. Only a budget smaller
// than the bare error shape is exceeded, by that shape.
func (f *Filter) Failure(kind toolresult.Kind, message string, o Options) *Result {
	o = o.withDefaults()
	encode := func(msg string) string { return toolresult.Output(kind, msg) }
	out, n, cut := f.fitMessage(encode, message, o.MaxTokens)
	return &Result{Output: out, OutputTokens: n, Truncated: cut}
}

// fitMessage returns encode(message), or, when that has more than budget
// tokens, encode of the longest start of message that fits followed by a
// mark saying it was cut; with its token count and whether it was cut.
func (f *Filter) fitMessage(encode func(string) string, message string, budget int) (string, int, bool) {
	limit := budget * charsPerTokenBound
	if len(message) <= limit {
		out := encode(message)
		if n := f.tok.Count(out); n <= budget {
			return out, n, false
		}
	}
	runes := []rune(prefix(message, limit))
	// The longest prefix whose output fits, by bisection on its length.
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if f.tok.Count(encode(string(runes[:mid])+failureCut)) <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	out := encode(string(runes[:lo]) + failureCut)
	return out, f.tok.Count(out), true
}

// prefix returns the first n characters of s.
func prefix(s string, n int) string {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}
