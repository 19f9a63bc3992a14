package server

import (
	"bufio"
	"fmt"
	"io"
	"sync"
	"time"
)

// logFlushInterval is how long a log line may wait in a LogWriter's buffer.
const logFlushInterval = 100 * time.Millisecond

// logBufferSize is how much a LogWriter holds before it writes at once.
const logBufferSize = 64 << 10

// LogWriter buffers log lines and writes them out every logFlushInterval,
// or sooner when the buffer fills, so a busy server does not make a write
// system call for every line (two per call: the access line and the run).
// Close writes what is left. A process killed outright loses at most the
// last logFlushInterval of lines; run records are kept by the store, not
// the log.
type LogWriter struct {
	mu     sync.Mutex
	buf    *bufio.Writer
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

// NewLogWriter returns a LogWriter writing to w.
func NewLogWriter(w io.Writer) *LogWriter {
	l := &LogWriter{buf: bufio.NewWriterSize(w, logBufferSize), stop: make(chan struct{}), done: make(chan struct{})}
	go l.loop()
	return l
}

// Write buffers p; after Close it writes p through at once.
func (l *LogWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.buf.Write(p)
	if err == nil && l.closed {
		err = l.buf.Flush()
	}
	if err != nil {
		return n, fmt.Errorf("server: writing log: %w", err)
	}
	return n, nil
}

// Close writes what is buffered and stops the flushing; later lines are
// written through unbuffered. Closing twice is harmless.
func (l *LogWriter) Close() error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.stop)
	}
	l.mu.Unlock()
	<-l.done
	return l.flush()
}

func (l *LogWriter) flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.buf.Flush(); err != nil {
		return fmt.Errorf("server: writing log: %w", err)
	}
	return nil
}

func (l *LogWriter) loop() {
	defer close(l.done)
	t := time.NewTicker(logFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.flush() // the next Write or Close reports a failing writer
		}
	}
}
