package web

import (
	"slices"
	"sync"
	"time"

	"github.com/actiongate/actiongate/internal/importer"
)

// Bounds of the sources the import page keeps between its steps.
const (
	// importDraftTTL is how long an import is kept after its last use.
	importDraftTTL = 30 * time.Minute
	// importDraftsPerSession is how many imports one session keeps; a new
	// one evicts that session's oldest.
	importDraftsPerSession = 4
	// importDraftBytes bounds the sources kept for all sessions together;
	// a new one evicts the oldest of any session until it fits.
	importDraftBytes = 2 * importer.MaxSourceBytes
)

// importDraft is one source read by the import page, kept on the server
// so that it (and any credential it carries) never travels back to the
// browser.
type importDraft struct {
	id string
	// owner is the CSRF token of the session that read the source, which
	// is unique to that sign-in.
	owner   string
	format  importer.Format
	source  []byte
	options importer.Options
	// operations are the source's operations as the first read found them.
	operations []importer.Operation
	expires    time.Time
}

// importDrafts holds the import page's sources in memory, each reachable
// only by its random id from the session that read it, until it expires
// or is evicted. It is safe for concurrent use.
type importDrafts struct {
	mu     sync.Mutex
	drafts []*importDraft // oldest first
	bytes  int
}

// put keeps d under a new random id, evicting what the bounds ask for,
// and returns the id.
func (ds *importDrafts) put(now time.Time, d *importDraft) string {
	d.id = randomToken()
	d.expires = now.Add(importDraftTTL)
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.expire(now)
	mine := 0
	for _, o := range ds.drafts {
		if o.owner == d.owner {
			mine++
		}
	}
	for i := 0; i < len(ds.drafts) && mine >= importDraftsPerSession; {
		if ds.drafts[i].owner == d.owner {
			ds.remove(i)
			mine--
			continue
		}
		i++
	}
	for len(ds.drafts) > 0 && ds.bytes+len(d.source) > importDraftBytes {
		ds.remove(0)
	}
	ds.drafts = append(ds.drafts, d)
	ds.bytes += len(d.source)
	return d.id
}

// get returns the draft id of owner, extending its life; another
// session's draft, an expired one and an unknown id are not found.
func (ds *importDrafts) get(now time.Time, owner, id string) (*importDraft, bool) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.expire(now)
	i := ds.find(owner, id)
	if i < 0 {
		return nil, false
	}
	d := ds.drafts[i]
	d.expires = now.Add(importDraftTTL)
	return d, true
}

// drop forgets the draft id of owner.
func (ds *importDrafts) drop(owner, id string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if i := ds.find(owner, id); i >= 0 {
		ds.remove(i)
	}
}

// find returns the index of the draft id of owner, or -1.
func (ds *importDrafts) find(owner, id string) int {
	return slices.IndexFunc(ds.drafts, func(d *importDraft) bool { return d.id == id && d.owner == owner })
}

// expire removes the drafts whose time is up.
func (ds *importDrafts) expire(now time.Time) {
	for i := 0; i < len(ds.drafts); {
		if !now.Before(ds.drafts[i].expires) {
			ds.remove(i)
			continue
		}
		i++
	}
}

// remove deletes the draft at index i.
func (ds *importDrafts) remove(i int) {
	ds.bytes -= len(ds.drafts[i].source)
	ds.drafts = slices.Delete(ds.drafts, i, i+1)
}
