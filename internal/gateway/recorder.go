package gateway

import (
	"context"
	"fmt"
	"sync"

	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
)

// maxRunBatch bounds how many runs one commit stores.
const maxRunBatch = 256

// pendingRun is a run waiting for the recorder, and where its result goes.
type pendingRun struct {
	run  *runlog.Run
	done chan error
}

// recorder stores runs with group commit: callers wait until their run is
// stored, as with a plain insert, but every run that arrives while a commit
// is under way joins the next one. Under load this turns one commit per
// call into one commit per batch; when idle it costs one channel hop.
type recorder struct {
	store   *store.Store
	queue   chan pendingRun
	stopped chan struct{}

	// mu guards closed: record sends under the read lock, close closes the
	// queue under the write lock, so no send races the close.
	mu     sync.RWMutex
	closed bool
}

func newRecorder(st *store.Store) *recorder {
	r := &recorder{store: st, queue: make(chan pendingRun, maxRunBatch), stopped: make(chan struct{})}
	go r.loop()
	return r
}

// record stores run and returns when it is committed.
func (r *recorder) record(ctx context.Context, run *runlog.Run) error {
	p := pendingRun{run: run, done: make(chan error, 1)}
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return fmt.Errorf("gateway: recording run: gateway is closed")
	}
	r.queue <- p
	r.mu.RUnlock()
	// The run is stored even when the caller gives up waiting: a call that
	// was made is always recorded.
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("gateway: recording run: %w", ctx.Err())
	}
}

// loop commits whatever is queued, batch after batch, until close.
func (r *recorder) loop() {
	defer close(r.stopped)
	batch := make([]pendingRun, 0, maxRunBatch)
	runs := make([]*runlog.Run, 0, maxRunBatch)
	for first := range r.queue {
		batch = append(batch[:0], first)
	drain:
		for len(batch) < maxRunBatch {
			select {
			case p, ok := <-r.queue:
				if !ok {
					break drain
				}
				batch = append(batch, p)
			default:
				break drain
			}
		}
		runs = runs[:0]
		for _, p := range batch {
			runs = append(runs, p.run)
		}
		err := r.store.InsertRuns(context.Background(), runs)
		for _, p := range batch {
			p.done <- err
		}
	}
}

// close stores what is queued and stops the loop; later record calls
// fail. Closing twice is harmless.
func (r *recorder) close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	<-r.stopped
}
