package respfilter

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// TestCountConcurrentAndCacheBounded counts many distinct multi-token
// pieces from several goroutines: every count must match a single-threaded
// one, though the goroutines replace each other's memo slots all along
// (the memo's tables have a fixed size, so it stays bounded).
func TestCountConcurrentAndCacheBounded(t *testing.T) {
	tok, err := NewTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const letters = "bcdfghjklmnpqrstvwxzq"
	texts := make([]string, 64)
	for i := range texts {
		var b strings.Builder
		for range 1500 {
			b.WriteByte(' ')
			for range 7 {
				b.WriteByte(letters[rng.IntN(len(letters))])
			}
		}
		texts[i] = b.String()
	}
	want := make([]int, len(texts))
	for i, s := range texts {
		for _, p := range tok.pieces(s) {
			if len(p) == 1 {
				want[i]++
			} else if tok.ranks.rank(p) != noRank {
				want[i]++
			} else {
				want[i] += tok.ranks.mergeCount(p)
			}
		}
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range texts {
				i = (i + w*16) % len(texts)
				if got := tok.Count(texts[i]); got != want[i] {
					t.Errorf("text %d: Count = %d, want %d", i, got, want[i])
				}
			}
		})
	}
	wg.Wait()
	held := 0
	for i := range tok.memo.long {
		if tok.memo.long[i].Load() != nil {
			held++
		}
	}
	if held == 0 {
		t.Error("the memo holds no long piece")
	}
}
