package respfilter

import (
	"container/heap"
	"hash/maphash"
	"math"
)

// noRank marks a pair of adjacent parts that is not a token.
const noRank = math.MaxInt32

// shortPiece is the longest piece merged by rescanning all pairs after
// each merge (quadratic, but allocation-free and fastest on short pieces);
// longer pieces use a heap so their cost stays O(n log n).
const shortPiece = 64

// packedMax is the longest token keyed by a packed integer: an integer key
// is hashed and compared without reading the key's bytes from elsewhere in
// memory, which makes the lookups that dominate counting (most pieces and
// pairs are short) measurably faster and the table smaller.
const packedMax = 7

// ranks maps the bytes of every o200k_base token to its rank; a lower rank
// merges first. It holds no pointers but two slices, so the garbage
// collector never walks its hundreds of thousands of entries.
type ranks struct {
	// short holds the tokens of up to packedMax bytes by packKey.
	short map[uint64]int32
	// long holds the longer tokens.
	long longRanks
}

// longRanks is an open-addressing table of the tokens longer than
// packedMax bytes, whose text is kept end to end in one byte slice.
type longRanks struct {
	seed  maphash.Seed
	slots []longSlot // a power of two long, at most half full
	text  []byte
}

// longSlot is one token of longRanks; n is 0 in an empty slot.
type longSlot struct {
	hash uint64
	off  uint32
	n    uint16
	rank int32
}

// newRanks indexes the ranks the loader returns.
func newRanks(m map[string]int) ranks {
	r := ranks{short: make(map[uint64]int32)}
	long := 0
	for tok, rank := range m {
		if len(tok) <= packedMax {
			r.short[packKey(tok)] = int32(rank)
		} else {
			long++
		}
	}
	size := 1
	for size < 2*long {
		size *= 2
	}
	r.long = longRanks{seed: maphash.MakeSeed(), slots: make([]longSlot, size)}
	for tok, rank := range m {
		if len(tok) > packedMax {
			r.long.put(tok, int32(rank))
		}
	}
	return r
}

// put adds a token, which is not yet in the table.
func (l *longRanks) put(tok string, rank int32) {
	h := maphash.String(l.seed, tok)
	mask := uint64(len(l.slots) - 1)
	i := h & mask
	for l.slots[i].n != 0 {
		i = (i + 1) & mask
	}
	l.slots[i] = longSlot{hash: h, off: uint32(len(l.text)), n: uint16(len(tok)), rank: rank}
	l.text = append(l.text, tok...)
}

// get returns the rank of the token b, or noRank.
func (l *longRanks) get(b string) int32 {
	h := maphash.String(l.seed, b)
	mask := uint64(len(l.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &l.slots[i]
		if s.n == 0 {
			return noRank
		}
		if s.hash == h && int(s.n) == len(b) && string(l.text[s.off:s.off+uint32(s.n)]) == b {
			return s.rank
		}
	}
}

// packKey packs up to packedMax bytes and their count into an integer.
func packKey(b string) uint64 {
	k := uint64(len(b)) << 56
	for i := range len(b) {
		k |= uint64(b[i]) << (8 * i)
	}
	return k
}

// rank returns the rank of the token b, or noRank.
func (r ranks) rank(b string) int32 {
	if len(b) > packedMax {
		return r.long.get(b)
	}
	v, ok := r.short[packKey(b)]
	if !ok {
		return noRank
	}
	return v
}

// mergeCount byte-pair merges p, which has at least two bytes, and returns
// the number of tokens it becomes. Starting from single bytes, it merges
// the adjacent pair whose concatenation has the lowest rank, the leftmost
// one on ties, until no adjacent pair is a token.
func (r ranks) mergeCount(p string) int {
	if len(p) > shortPiece {
		return r.mergeCountLong(p)
	}
	// Part k spans p[start[k]:start[k+1]]; pair[k] is the rank of part k
	// joined with part k+1.
	var startBuf [shortPiece + 1]int32
	var pairBuf [shortPiece]int32
	parts := len(p)
	start, pair := startBuf[:parts+1], pairBuf[:parts]
	for k := range start {
		start[k] = int32(k)
	}
	for k := range parts - 1 {
		pair[k] = r.rank(p[k : k+2])
	}
	pair[parts-1] = noRank
	joined := func(k int) int32 {
		if k+2 > parts {
			return noRank
		}
		return r.rank(p[start[k]:start[k+2]])
	}
	for parts > 1 {
		best, at := int32(noRank), -1
		for k, v := range pair[:parts-1] {
			if v < best {
				best, at = v, k
			}
		}
		if at < 0 {
			break
		}
		copy(start[at+1:], start[at+2:parts+1])
		copy(pair[at+1:], pair[at+2:parts])
		parts--
		pair[at] = joined(at)
		if at > 0 {
			pair[at-1] = joined(at - 1)
		}
	}
	return parts
}

// mergeCountLong is mergeCount for long pieces. Parts are a linked list
// indexed by their first byte; a heap holds candidate pairs ordered by rank
// then position, which selects the same pair as a full rescan would. A
// heap entry is stale once its part's pair changed: the pair starting at a
// given byte only ever grows, so its rank never returns to an old value.
func (r ranks) mergeCountLong(p string) int {
	n := len(p)
	next := make([]int32, n)
	prev := make([]int32, n)
	pair := make([]int32, n)
	h := make(pairHeap, 0, n)
	for k := range n {
		next[k], prev[k], pair[k] = int32(k+1), int32(k-1), noRank
		if k+1 < n {
			if pair[k] = r.rank(p[k : k+2]); pair[k] != noRank {
				h = append(h, pairEntry{pair[k], int32(k)})
			}
		}
	}
	heap.Init(&h)
	// joined returns the rank of part k joined with the part after it.
	joined := func(k int32) int32 {
		j := next[k]
		if int(j) >= n {
			return noRank
		}
		return r.rank(p[k:next[j]])
	}
	parts := n
	for h.Len() > 0 {
		e := heap.Pop(&h).(pairEntry)
		k := e.start
		if pair[k] != e.rank {
			continue
		}
		j := next[k]
		next[k] = next[j]
		if int(next[j]) < n {
			prev[next[j]] = k
		}
		pair[j] = noRank
		parts--
		if pair[k] = joined(k); pair[k] != noRank {
			heap.Push(&h, pairEntry{pair[k], k})
		}
		if q := prev[k]; q >= 0 {
			if pair[q] = joined(q); pair[q] != noRank {
				heap.Push(&h, pairEntry{pair[q], q})
			}
		}
	}
	return parts
}

// pairEntry is a candidate merge: the pair starting at byte start has the
// given rank.
type pairEntry struct {
	rank, start int32
}

// pairHeap is a min-heap of candidate merges by rank, then position.
type pairHeap []pairEntry

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	return h[i].rank < h[j].rank || (h[i].rank == h[j].rank && h[i].start < h[j].start)
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pairEntry)) }
func (h *pairHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
