package respfilter

import (
	"slices"
	"testing"
)

// maxFuzzText is the longest fuzz input compared with the reference.
const maxFuzzText = 1 << 10

// FuzzTokenizerCount checks Count and the pieces against tiktoken-go's
// o200k_base on arbitrary strings, invalid UTF-8 included.
func FuzzTokenizerCount(f *testing.F) {
	for _, s := range randomTextParts {
		f.Add(s)
	}
	for _, s := range []string{
		"I'm sure they'll say it's THE best we've SEEN",
		"e\u0301te\u0301 !\u0301 \u0301\u0301Abc ǅemal ʰello",
		"a  \n  b \r\n\r\n c\t\t\nd\u00a0\u00a0e\u3000f",
		"}\n/\n//x ,\r\n/ end 1234567 ١٢٣٤٥",
		"bad \xff bytes \xed\xa0\x80",
		`{"id":123,"title":"Fix the frobnicator"}`,
	} {
		f.Add(s)
	}
	tok, ref := testTokenizers(f)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzzText {
			// The reference merges a piece in quadratic time, so a long
			// piece takes it seconds; TestMergeCountLongMatchesShort covers
			// long pieces.
			t.Skip("longer than the reference counts quickly")
		}
		if got, want := tok.Count(s), ref.count(s); got != want {
			t.Fatalf("Count(%+q) = %d, reference %d\npieces    %+q\nreference %+q", s, got, want, tok.pieces(s), ref.pieces(t, s))
		}
		if got, want := tok.pieces(s), ref.pieces(t, s); !slices.Equal(got, want) {
			t.Fatalf("pieces of %+q:\n got       %+q\n reference %+q", s, got, want)
		}
	})
}
