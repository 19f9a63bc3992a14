package store

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// idAlphabet is Crockford's base32 in lower case; its characters are in
// ascending byte order, so IDs compare like the bytes they encode.
const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// idLen is the length of an ID: 128 bits in 5-bit characters.
const idLen = 26

// idSource makes IDs: 48 bits of unix milliseconds followed by 80 bits
// that are random for the first ID of a millisecond and incremented for
// each further ID in the same millisecond, as 26 lower-case base32
// characters. So IDs from one store sort strictly in the order they were
// made, and IDs made in later milliseconds sort after earlier ones on
// every replica, without coordination.
type idSource struct {
	mu   sync.Mutex
	ms   uint64
	tail [10]byte // the 80 bits after the time
}

// NewID returns a new unique, time-ordered identifier (see idSource).
func (s *Store) NewID() string { return s.ids.next(time.Now()) }

func (g *idSource) next(t time.Time) string {
	ms := uint64(t.UnixMilli())
	g.mu.Lock()
	if ms > g.ms {
		g.ms = ms
		rand.Read(g.tail[:]) // crypto/rand.Read never returns an error.
	} else {
		// Same (or an earlier, clock stepped back) millisecond: stay after
		// the last ID by incrementing its tail.
		for i := len(g.tail) - 1; i >= 0; i-- {
			g.tail[i]++
			if g.tail[i] != 0 {
				break
			}
		}
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], g.ms<<16)
	copy(b[6:], g.tail[:])
	g.mu.Unlock()
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [idLen]byte
	// 128 bits -> 26 characters; the first character carries the top 3 bits.
	for i := idLen - 1; i >= 0; i-- {
		out[i] = idAlphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// validID reports whether s has the shape NewID produces.
func validID(s string) bool {
	if len(s) != idLen || s[0] > '7' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') || c == 'i' || c == 'l' || c == 'o' || c == 'u' {
			return false
		}
	}
	return true
}
