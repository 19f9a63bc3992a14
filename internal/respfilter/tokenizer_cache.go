package respfilter

import (
	"hash/maphash"
	"strings"
	"sync"
)

// Bounds of the piece cache: pieces repeat heavily (JSON keys, common
// words), so remembering the token count of recent multi-token pieces saves
// most merges. A shard that reaches its cap is emptied, which keeps memory
// bounded (about 64 bytes of key and 64 of overhead per entry, so a few
// megabytes in all) without bookkeeping on hits.
const (
	cacheShards   = 16
	cacheShardCap = 2048
	// cacheMaxPiece is the longest piece worth remembering; longer ones
	// rarely repeat.
	cacheMaxPiece = 64
)

// countCache maps a piece to its token count. It is safe for concurrent
// use; sharding keeps goroutines counting at once off each other's locks.
type countCache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
}

// cacheShard is one lock and the map it guards.
type cacheShard struct {
	mu sync.Mutex
	m  map[string]int32
}

// newCountCache returns an empty cache.
func newCountCache() *countCache {
	c := &countCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string]int32, cacheShardCap)
	}
	return c
}

// shard returns the shard that holds piece.
func (c *countCache) shard(piece string) *cacheShard {
	return &c.shards[maphash.String(c.seed, piece)%cacheShards]
}

// get returns the remembered count of piece.
func (c *countCache) get(piece string) (int, bool) {
	sh := c.shard(piece)
	sh.mu.Lock()
	n, ok := sh.m[piece]
	sh.mu.Unlock()
	return int(n), ok
}

// put remembers the count of piece, emptying the shard first when full. The
// key is copied so the cache never pins the text the piece came from.
func (c *countCache) put(piece string, n int) {
	sh := c.shard(piece)
	key := strings.Clone(piece)
	sh.mu.Lock()
	if len(sh.m) >= cacheShardCap {
		clear(sh.m)
	}
	sh.m[key] = int32(n)
	sh.mu.Unlock()
}
