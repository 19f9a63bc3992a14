package respfilter

import (
	"hash/maphash"
	"sync/atomic"
)

// Sizes of the piece memo. Pieces repeat heavily (JSON keys and
// punctuation, common words), and looking one up in the 200 000 ranks of
// o200k_base misses the processor's caches almost every time; a small table
// of recent pieces stays in them. Each table is direct-mapped: a piece has
// one slot, and a new piece simply replaces the old one there, so memory is
// fixed (128 KiB plus the long entries, at most 4096 of about 80 bytes)
// and nothing is kept per hit.
const (
	memoShortBits = 14
	memoLongBits  = 12
	// memoMaxPiece is the longest piece worth remembering; longer ones
	// rarely repeat.
	memoMaxPiece = 64
)

// A short slot packs a piece of 2 to packedMax bytes (packKey: the bytes
// and their count, 59 bits) with its token count (at most 7, 3 bits) above
// them; 0 is an empty slot.
const (
	memoCountShift = 59
	memoKeyMask    = 1<<memoCountShift - 1
)

// pieceMemo maps pieces to their token counts. It is safe for concurrent
// use without locks: a slot is read and written whole, atomically.
type pieceMemo struct {
	seed  maphash.Seed
	short [1 << memoShortBits]atomic.Uint64
	long  [1 << memoLongBits]atomic.Pointer[longPiece]
}

// longPiece is a remembered piece longer than packedMax bytes.
type longPiece struct {
	text string
	n    int
}

// newPieceMemo returns an empty memo.
func newPieceMemo() *pieceMemo {
	return &pieceMemo{seed: maphash.MakeSeed()}
}

// shortSlot returns the slot of the packed piece key.
func (m *pieceMemo) shortSlot(key uint64) *atomic.Uint64 {
	return &m.short[(key*0x9e3779b97f4a7c15)>>(64-memoShortBits)]
}

// getShort returns the remembered count of the packed piece key.
func (m *pieceMemo) getShort(key uint64) (int, bool) {
	e := m.shortSlot(key).Load()
	if e&memoKeyMask != key {
		return 0, false
	}
	return int(e >> memoCountShift), true
}

// putShort remembers the count of the packed piece key.
func (m *pieceMemo) putShort(key uint64, n int) {
	m.shortSlot(key).Store(key | uint64(n)<<memoCountShift)
}

// longSlot returns the slot of a piece longer than packedMax bytes.
func (m *pieceMemo) longSlot(p string) *atomic.Pointer[longPiece] {
	return &m.long[maphash.String(m.seed, p)>>(64-memoLongBits)]
}

// getLong returns the remembered count of p.
func (m *pieceMemo) getLong(p string) (int, bool) {
	if e := m.longSlot(p).Load(); e != nil && e.text == p {
		return e.n, true
	}
	return 0, false
}

// putLong remembers the count of p. The text is copied so the memo never
// pins the body the piece came from.
func (m *pieceMemo) putLong(p string, n int) {
	m.longSlot(p).Store(&longPiece{text: string([]byte(p)), n: n})
}
