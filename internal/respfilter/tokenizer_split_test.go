package respfilter

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestContractionLettersAreASCII checks what the splitter assumes: the
// case-insensitive contractions match only ASCII letters, since the
// reference compares unicode.ToLower of each rune.
func TestContractionLettersAreASCII(t *testing.T) {
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if l := unicode.ToLower(r); strings.ContainsRune("'strevmld", l) {
			t.Errorf("U+%04X lowercases to %q", r, l)
		}
	}
}
