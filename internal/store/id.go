package store

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

// idAlphabet is Crockford's base32 in lower case; its characters are in
// ascending byte order, so IDs compare like the bytes they encode.
const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// idLen is the length of an ID: 128 bits in 5-bit characters.
const idLen = 26

// NewID returns a new unique, time-ordered identifier: 48 bits of unix
// milliseconds followed by 80 random bits, as 26 lower-case base32
// characters. IDs made in later milliseconds sort after earlier ones, on
// every replica, without coordination.
func NewID() string { return newIDAt(time.Now()) }

func newIDAt(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	rand.Read(b[6:]) // crypto/rand.Read never returns an error.
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
