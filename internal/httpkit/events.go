package httpkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// HeartbeatInterval is how long an event stream stays silent before a
// comment line keeps proxies and clients from taking it for dead.
const HeartbeatInterval = 15 * time.Second

// EventStream writes Server-Sent Events to one response. The response's
// headers go out with the first event or the first heartbeat, whichever
// comes first, so a request that fails at once still answers a plain
// error with its status. Every event is flushed as it is written. Once a
// write fails (the client went away) the stream drops what follows; the
// request's context, cancelled with the connection, stops the work that
// feeds it. It is safe for concurrent use.
type EventStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController

	mu      sync.Mutex
	started bool
	err     error
	last    time.Time

	stop chan struct{}
	done chan struct{}
}

// NewEventStream returns a stream on w whose heartbeat, a comment line
// written when nothing was written for interval, runs until Close or the
// end of r's context.
func NewEventStream(w http.ResponseWriter, r *http.Request, interval time.Duration) *EventStream {
	s := &EventStream{w: w, rc: http.NewResponseController(w), last: time.Now(),
		stop: make(chan struct{}), done: make(chan struct{})}
	go s.heartbeat(r, interval)
	return s
}

// heartbeat writes a comment whenever the stream was silent for interval.
func (s *EventStream) heartbeat(r *http.Request, interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval / 4)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-r.Context().Done():
			return
		case now := <-t.C:
			s.mu.Lock()
			if now.Sub(s.last) >= interval {
				s.writeLocked([]byte(": keep-alive\n\n"))
			}
			s.mu.Unlock()
		}
	}
}

// Started reports whether the stream's headers were sent, after which an
// error can only be reported as an event.
func (s *EventStream) Started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

// Event writes one event named name ("" for none) whose data is v as JSON.
func (s *EventStream) Event(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("httpkit: encoding a %s event: %w", name, err)
	}
	return s.Raw(name, data)
}

// Raw writes one event named name ("" for none) with data, which must be
// one line.
func (s *EventStream) Raw(name string, data []byte) error {
	var b bytes.Buffer
	if name != "" {
		b.WriteString("event: ")
		b.WriteString(name)
		b.WriteByte('\n')
	}
	b.WriteString("data: ")
	b.Write(data)
	b.WriteString("\n\n")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeLocked(b.Bytes())
	return s.err
}

// writeLocked sends the headers when they are not sent yet, then p, and
// flushes; s.mu is held.
func (s *EventStream) writeLocked(p []byte) {
	if s.err != nil {
		return
	}
	if !s.started {
		s.started = true
		h := s.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		h.Set("X-Content-Type-Options", "nosniff")
		_ = s.rc.SetWriteDeadline(time.Time{}) // a turn may stream for minutes
		s.w.WriteHeader(http.StatusOK)
	}
	s.last = time.Now()
	if _, err := s.w.Write(p); err != nil {
		s.err = fmt.Errorf("httpkit: writing to the event stream: %w", err)
		return
	}
	if err := s.rc.Flush(); err != nil {
		s.err = fmt.Errorf("httpkit: flushing the event stream: %w", err)
	}
}

// Close stops the heartbeat and waits for it to end. Events written
// after it still go out; only the heartbeat does not.
func (s *EventStream) Close() {
	close(s.stop)
	<-s.done
}
