package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
)

// maxRunBatch bounds how many runs one commit stores.
const maxRunBatch = 256

// runGather is how long the recorder lets runs that nobody waits for
// gather before committing them, so a busy server shares one commit among
// many calls. A run somebody waits for (an intent, an operator's call, a
// flush) is committed at once, with whatever gathered before it.
const runGather = 5 * time.Millisecond

// runQueueSize bounds the runs waiting to be stored; a caller that finds
// the queue full waits, so records are never dropped.
const runQueueSize = 4096

// pendingRun is a run waiting for the recorder, and where its result goes.
// A pendingRun without a run is a flush barrier.
type pendingRun struct {
	run *runlog.Run
	// staleAt, when set, makes run an intent, pending until then.
	staleAt time.Time
	// handle, when set, is the result handle the call made, stored in the
	// same commit as its run.
	handle *store.Handle
	done   chan error // nil when nobody waits
}

// recorder stores runs in batches, one commit per batch. Agent calls hand
// their run over and answer at once (the run ID is assigned beforehand);
// operator calls wait until their run is committed, and so does a write
// whose intent must be stored before it is sent: concurrent writes share
// one commit. Readers call flush
// first, so a run is visible to anyone who got its ID.
type recorder struct {
	store   *store.Store
	log     *slog.Logger
	queue   chan pendingRun
	stopped chan struct{}

	// mu guards closed: senders hold the read lock, close closes the
	// queue under the write lock, so no send races the close.
	mu     sync.RWMutex
	closed bool
}

func newRecorder(st *store.Store, log *slog.Logger) *recorder {
	r := &recorder{store: st, log: log, queue: make(chan pendingRun, runQueueSize), stopped: make(chan struct{})}
	go r.loop()
	return r
}

// enqueue hands p to the loop.
func (r *recorder) enqueue(p pendingRun) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return fmt.Errorf("gateway: recording run: gateway is closed")
	}
	r.queue <- p
	return nil
}

// record stores run and h (when not nil); with wait it returns once they
// are committed.
func (r *recorder) record(ctx context.Context, run *runlog.Run, h *store.Handle, wait bool) error {
	p := pendingRun{run: run, handle: h}
	if wait {
		p.done = make(chan error, 1)
	}
	if err := r.enqueue(p); err != nil || !wait {
		return err
	}
	return r.await(ctx, p.done)
}

// intent stores run as a write's intent, stale at staleAt, and returns once
// it is committed, even if ctx ends: the request waits for it.
func (r *recorder) intent(ctx context.Context, run *runlog.Run, staleAt time.Time) error {
	p := pendingRun{run: run, staleAt: staleAt, done: make(chan error, 1)}
	if err := r.enqueue(p); err != nil {
		return err
	}
	return r.await(context.WithoutCancel(ctx), p.done)
}

// flush returns once every run queued before it is stored.
func (r *recorder) flush(ctx context.Context) error {
	done := make(chan error, 1)
	if err := r.enqueue(pendingRun{done: done}); err != nil {
		return err
	}
	return r.await(ctx, done)
}

// await waits for a batch result. The run is stored even when the caller
// gives up waiting: a call that was made is always recorded.
func (r *recorder) await(ctx context.Context, done chan error) error {
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("gateway: recording run: %w", ctx.Err())
	}
}

// loop commits whatever is queued, batch after batch, until close.
func (r *recorder) loop() {
	defer close(r.stopped)
	batch := make([]pendingRun, 0, maxRunBatch)
	var b store.RunBatch
	for first := range r.queue {
		batch = r.gather(append(batch[:0], first))
		b.Runs, b.Intents, b.Handles = b.Runs[:0], b.Intents[:0], b.Handles[:0]
		for _, p := range batch {
			if p.handle != nil {
				b.Handles = append(b.Handles, *p.handle)
			}
			switch {
			case p.run == nil:
			case !p.staleAt.IsZero():
				b.Intents = append(b.Intents, store.Intent{Run: p.run, StaleAt: p.staleAt})
			default:
				b.Runs = append(b.Runs, p.run)
			}
		}
		var err error
		if n := len(b.Runs) + len(b.Intents); n > 0 {
			if err = r.store.SaveRuns(context.Background(), b); err != nil {
				r.log.Error("storing run records", "runs", n, "err", err)
			}
		}
		for _, p := range batch {
			if p.done != nil {
				p.done <- err
			}
		}
	}
}

// gather adds to batch what is queued, then, while nobody waits for the
// batch, what arrives within runGather, up to maxRunBatch runs.
func (r *recorder) gather(batch []pendingRun) []pendingRun {
	waited := batch[0].done != nil
drain:
	for len(batch) < maxRunBatch {
		select {
		case p, ok := <-r.queue:
			if !ok {
				return batch
			}
			batch = append(batch, p)
			waited = waited || p.done != nil
		default:
			break drain
		}
	}
	if waited || len(batch) >= maxRunBatch {
		return batch
	}
	timer := time.NewTimer(runGather)
	defer timer.Stop()
	for len(batch) < maxRunBatch {
		select {
		case p, ok := <-r.queue:
			if !ok {
				return batch
			}
			batch = append(batch, p)
			if p.done != nil {
				return batch
			}
		case <-timer.C:
			return batch
		}
	}
	return batch
}

// close stores what is queued and stops the loop; later calls fail.
// Closing twice is harmless.
func (r *recorder) close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	<-r.stopped
}
