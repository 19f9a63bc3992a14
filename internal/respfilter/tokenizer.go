package respfilter

import (
	"fmt"
	"unicode/utf8"

	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// o200kRanksFile is the name under which the offline loader holds the
// o200k_base merge ranks.
const o200kRanksFile = "o200k_base.tiktoken"

// exactCountLimit bounds how much of a body CountRaw tokenizes exactly.
const exactCountLimit = 16 << 10

// A body larger than exactCountLimit is estimated from rawSamples windows
// of rawWindow bytes each, 32 KiB in all.
const (
	rawSamples = 256
	rawWindow  = 128
)

// countSamples is the number of evenly spread windows countSampled
// tokenizes.
const countSamples = 16

// Tokenizer counts tokens with the o200k_base encoding (the one used by
// current OpenAI models), giving exactly the counts of that encoding: text
// is split into pieces by the encoding's pre-tokenization rules, a piece
// that is itself a token counts one, and other pieces are byte-pair merged;
// the counts of recent pieces are remembered. Its merge ranks are embedded
// in the binary, so it never reaches the network. Building one takes about
// 150 milliseconds and 10 MB, plus a memo of recent pieces under half a
// megabyte; build it once and share it: it is safe for concurrent use.
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
		if e-i > 1 && e-i <= packedMax && i+8 <= len(s) {
			n += t.shortCount(packAt(s, i, e-i), s[i:e])
		} else {
			n += t.pieceCount(s[i:e])
		}
		i = e
	}
	return n
}

// packAt is packKey(s[i:i+n]) for n <= packedMax when eight bytes from i
// are in s, reading them at once.
func packAt(s string, i, n int) uint64 {
	w := s[i : i+8]
	v := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	return v&(1<<(8*n)-1) | uint64(n)<<56
}

// pieceCount returns the number of tokens of one piece: from the memo when
// the piece was seen recently, else from the ranks.
func (t *Tokenizer) pieceCount(p string) int {
	switch {
	case len(p) == 1:
		return 1
	case len(p) <= packedMax:
		return t.shortCount(packKey(p), p)
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

// shortCount returns the number of tokens of a piece of 2 to packedMax
// bytes, whose packKey is key.
func (t *Tokenizer) shortCount(key uint64, p string) int {
	if n, ok := t.memo.getShort(key); ok {
		return n
	}
	n := 1
	if _, ok := t.ranks.short[key]; !ok {
		n = t.ranks.mergeCount(p)
	}
	t.memo.putShort(key, n)
	return n
}

// CountRaw counts the tokens of a response body: exactly when it is at
// most 16 KiB, and otherwise by the estimate of the package comment, whose
// cost stays bounded (about 32 KiB tokenized) whatever the body's size.
// estimated says which.
func (t *Tokenizer) CountRaw(s string) (tokens int, estimated bool) {
	return countRaw(t, s)
}

// CountBody is CountRaw for a body held as bytes, copying only what it
// tokenizes.
func (t *Tokenizer) CountBody(b []byte) (tokens int, estimated bool) {
	return countRaw(t, b)
}

func countRaw[T string | []byte](t *Tokenizer, s T) (int, bool) {
	if len(s) <= exactCountLimit {
		return t.Count(string(s)), false
	}
	return estimate(t, s), true
}

// countSampled counts s exactly when it is at most limit bytes, otherwise
// extrapolates from evenly spread windows totalling limit bytes. It is
// coarser than estimate and serves the budget search, which confirms its
// figure with an exact count.
func (t *Tokenizer) countSampled(s string, limit int) int {
	if len(s) <= limit {
		return t.Count(s)
	}
	window := limit / countSamples
	stride := len(s) / countSamples
	tokens, sampled := 0, 0
	for i := range countSamples {
		start := runeStart(s, i*stride)
		end := runeStart(s, min(start+window, len(s)))
		tokens += t.Count(s[start:end])
		sampled += end - start
	}
	if sampled == 0 {
		return 0
	}
	return int(float64(tokens) * float64(len(s)) / float64(sampled))
}

// estimate extrapolates the token count of s, which is longer than
// exactCountLimit, from rawSamples windows of rawWindow bytes, one at a
// fixed pseudo-random offset within each of rawSamples equal strides of s
// (so the windows cover the whole body and do not fall in step with a body
// that repeats itself). A window counts every piece that starts inside it,
// whole: it skips the piece it starts inside of, after which the split is
// in step with the whole text's, and finishes the piece that crosses its
// end. Every piece of s so has the same chance to be counted whatever its
// length, and the tokens counted, divided by the bytes of the pieces
// counted, estimate the tokens per byte of s. A window holding bytes that
// are not UTF-8 is counted by Count's rule instead.
func estimate[T string | []byte](t *Tokenizer, s T) int {
	stride := len(s) / rawSamples
	tokens, sampled := 0, 0
	for i := range rawSamples {
		start := i * stride
		if room := stride - rawWindow; room > 0 {
			start += int(splitmix(uint64(i)) % uint64(room))
		}
		start = runeStart(s, start)
		// The window and the piece that may cross its end, cut on rune
		// boundaries and copied if s is held as bytes.
		w := string(s[start:runeStart(s, min(start+rawWindow+memoMaxPiece, len(s)))])
		if !utf8.ValidString(w) {
			w = string(s[start:runeStart(s, min(start+rawWindow, len(s)))])
			tokens += t.Count(w)
			sampled += len(w)
			continue
		}
		n, b := t.countWindow(w, start > 0)
		tokens += n
		sampled += b
	}
	if sampled == 0 {
		return 0
	}
	return int(float64(tokens)*float64(len(s))/float64(sampled) + 0.5)
}

// splitmix returns a well-mixed 64-bit value of x (SplitMix64's finalizer).
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// countWindow counts the pieces that start in the first rawWindow bytes of
// w, after the first piece when skipFirst, and returns their tokens and
// bytes.
func (t *Tokenizer) countWindow(w string, skipFirst bool) (tokens, bytes int) {
	i := 0
	if skipFirst {
		i = t.split.pieceEnd(w, 0)
	}
	first := i
	for i < len(w) && i < rawWindow {
		e := t.split.pieceEnd(w, i)
		tokens += t.pieceCount(w[i:e])
		i = e
	}
	return tokens, i - first
}

// runeStart moves i back to the start of the rune it falls in.
func runeStart[T string | []byte](s T, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
