package respfilter

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMergeCountLongMatchesShort checks that the heap merge and the rescan
// merge agree, on pieces short enough for both, and that long pieces count
// as the reference does.
func TestMergeCountLongMatchesShort(t *testing.T) {
	tok, ref := testTokenizers(t)
	rng := rand.New(rand.NewPCG(3, 5))
	alphabets := []string{"abcdefghijklmnopqrstuvwxyz", "ab", "etaoin", " ", "0123456789abcdef", "日本語のテキスト"}
	for range 2000 {
		a := []rune(alphabets[rng.IntN(len(alphabets))])
		var b strings.Builder
		for range rng.IntN(shortPiece-4) + 2 {
			b.WriteRune(a[rng.IntN(len(a))])
		}
		p := b.String()
		if len(p) < 2 || len(p) > shortPiece {
			continue
		}
		if short, long := tok.ranks.mergeCount(p), tok.ranks.mergeCountLong(p); short != long {
			t.Fatalf("piece %q: rescan merge gives %d, heap merge %d", p, short, long)
		}
	}
	for _, p := range []string{strings.Repeat("a", 1000), strings.Repeat("abcdefghij", 150), strings.Repeat("日本", 200), strings.Repeat("xyzzy", 41)} {
		if got, want := tok.Count(p), ref.count(p); got != want {
			t.Errorf("long piece of %d bytes: Count = %d, reference %d", len(p), got, want)
		}
	}
}
