package gateway

import (
	"crypto/sha256"
	"sync"
	"time"
)

// authTTL is how long a token found in the store is trusted without asking
// the store again. A token revoked through this gateway stops working at
// once (forgetToken); one revoked by another replica or a command-line
// process stops within authTTL.
const authTTL = 500 * time.Millisecond

// maxAuthEntries bounds the cache; past it the cache starts over.
const maxAuthEntries = 10000

// authEntry is a token the store confirmed at checkedAt.
type authEntry struct {
	p         Principal
	checkedAt time.Time
}

// authCache keeps recently confirmed tokens by the digest of their
// plaintext, so most requests authenticate without a database query.
type authCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]authEntry
	// gen counts forgets: a lookup that raced a forget is not cached, so a
	// revocation can never be undone by a store answer read before it.
	gen uint64
}

// get returns the principal cached for digest when it was confirmed less
// than authTTL before now.
func (c *authCache) get(digest [sha256.Size]byte, now time.Time) (Principal, bool) {
	c.mu.Lock()
	e, ok := c.entries[digest]
	c.mu.Unlock()
	if !ok || now.Sub(e.checkedAt) >= authTTL || now.Before(e.checkedAt) {
		return Principal{}, false
	}
	return e.p, true
}

// generation returns the forget counter, read before a store lookup.
func (c *authCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put caches p for digest unless a token was forgotten since gen was read.
func (c *authCache) put(digest [sha256.Size]byte, p Principal, checkedAt time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxAuthEntries {
		c.entries = map[[sha256.Size]byte]authEntry{}
	}
	c.entries[digest] = authEntry{p: p, checkedAt: checkedAt}
}

// drop removes the entry of digest (a token the store no longer knows).
func (c *authCache) drop(digest [sha256.Size]byte) {
	c.mu.Lock()
	delete(c.entries, digest)
	c.mu.Unlock()
}

// forget removes every entry of the token with this id.
func (c *authCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if e.p.TokenID == id {
			delete(c.entries, k)
		}
	}
}

// forgetToken makes the token with this id stop working on this replica at
// once. Every revocation made through this gateway calls it after the
// store has revoked the token.
func (g *Gateway) forgetToken(id string) { g.auth.forget(id) }
