package respfilter

import (
	"fmt"
	"unicode/utf8"

	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// o200kRanksFile is the name under which the offline loader holds the
// o200k_base merge ranks.
const o200kRanksFile = "o200k_base.tiktoken"

// exactCountLimit bounds how much of a body CountApprox tokenizes exactly.
// Beyond it, CountApprox tokenizes evenly spread samples of this total size
// and scales the count by the byte ratio.
const exactCountLimit = 16 << 10

// countSamples is the number of evenly spread windows CountApprox tokenizes
// for a body larger than exactCountLimit.
const countSamples = 16

// Tokenizer counts tokens with the o200k_base encoding (the one used by
// current OpenAI models), giving exactly the counts of that encoding: text
// is split into pieces by the encoding's pre-tokenization rules, a piece
// that is itself a token counts one, and other pieces are byte-pair merged;
// the counts of recent pieces are remembered. Its merge ranks are embedded in
// the binary, so it never reaches the network. Building one takes about
// 150 milliseconds and 10 MB, plus a memo of recent pieces under half a megabyte; build it
// once and share it: it is safe for concurrent use.
type Tokenizer struct {
	ranks ranks
	split splitter
	memo  *pieceMemo
}

// NewTokenizer loads the embedded o200k_base ranks and returns a Tokenizer.
func NewTokenizer() (*Tokenizer, error) {
	r, err := tiktokenloader.NewOfflineLoader().LoadTiktokenBpe(o200kRanksFile)
	if err != nil {
		return nil, fmt.Errorf("respfilter: loading o200k_base ranks: %w", err)
	}
	return &Tokenizer{ranks: newRanks(r), split: splitter{bmp: newBMPClasses()}, memo: newPieceMemo()}, nil
}

// Count returns the exact number of o200k_base tokens in s. Special-token
// text such as "<|endoftext|>" is counted as ordinary text, and each byte
// of s that is not valid UTF-8 is counted as U+FFFD, as tiktoken-go's
// encoder does.
func (t *Tokenizer) Count(s string) int {
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	n := 0
	for i := 0; i < len(s); {
		e := t.split.pieceEnd(s, i)
		n += t.pieceCount(s[i:e])
		i = e
	}
	return n
}

// pieceCount returns the number of tokens of one piece: from the memo when
// the piece was seen recently, else from the ranks.
func (t *Tokenizer) pieceCount(p string) int {
	switch {
	case len(p) == 1:
		return 1
	case len(p) <= packedMax:
		key := packKey(p)
		if n, ok := t.memo.getShort(key); ok {
			return n
		}
		n := 1
		if _, ok := t.ranks.short[key]; !ok {
			n = t.ranks.mergeCount(p)
		}
		t.memo.putShort(key, n)
		return n
	case len(p) > memoMaxPiece:
		if t.ranks.rank(p) != noRank {
			return 1
		}
		return t.ranks.mergeCount(p)
	}
	if n, ok := t.memo.getLong(p); ok {
		return n
	}
	n := 1
	if t.ranks.rank(p) == noRank {
		n = t.ranks.mergeCount(p)
	}
	t.memo.putLong(p, n)
	return n
}

// CountApprox returns Count(s) exactly when s is at most 16 KiB. For a
// larger s it tokenizes sixteen evenly spread windows of 1 KiB each (cut on
// rune boundaries) and extrapolates by bytes, so the cost stays bounded
// (well under a millisecond) even on multi-megabyte bodies; on API JSON and logs the estimate was
// within 2% of the exact count in our measurements (docs/benchmarks.md).
func (t *Tokenizer) CountApprox(s string) int {
	return t.countSampled(s, exactCountLimit)
}

// countBody is CountApprox for a body held as bytes, copying only what it
// tokenizes.
func (t *Tokenizer) countBody(b []byte) int {
	return countSampled(t, b, exactCountLimit)
}

// countSampled counts s exactly when it is at most limit bytes, otherwise
// extrapolates from evenly spread windows totalling limit bytes.
func (t *Tokenizer) countSampled(s string, limit int) int {
	return countSampled(t, s, limit)
}

func countSampled[T string | []byte](t *Tokenizer, s T, limit int) int {
	if len(s) <= limit {
		return t.Count(string(s))
	}
	window := limit / countSamples
	stride := len(s) / countSamples
	tokens, sampled := 0, 0
	for i := range countSamples {
		start := runeStart(s, i*stride)
		end := runeStart(s, min(start+window, len(s)))
		tokens += t.Count(string(s[start:end]))
		sampled += end - start
	}
	if sampled == 0 {
		return 0
	}
	return int(float64(tokens) * float64(len(s)) / float64(sampled))
}

// runeStart moves i back to the start of the rune it falls in.
func runeStart[T string | []byte](s T, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
