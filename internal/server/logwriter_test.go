package server

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the flushing goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Buffered log lines reach the writer within the flush interval without
// a Close, every line reaches it on Close, and lines after Close are
// written through at once.
func TestLogWriterLosesNoLine(t *testing.T) {
	var out lockedBuffer
	w := NewLogWriter(&out)
	if _, err := w.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * logFlushInterval)
	for !strings.Contains(out.String(), "first\n") {
		if time.Now().After(deadline) {
			t.Fatalf("a buffered line was not written within %v", 10*logFlushInterval)
		}
		time.Sleep(logFlushInterval / 4)
	}
	var want strings.Builder
	want.WriteString("first\n")
	for i := range 5000 { // more than the buffer holds
		line := strings.Repeat("x", i%97) + "\n"
		want.WriteString(line)
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != want.String() {
		t.Fatalf("after Close the writer holds %d bytes, want %d in order", len(out.String()), want.Len())
	}
	if _, err := w.Write([]byte("late\n")); err != nil || !strings.HasSuffix(out.String(), "late\n") {
		t.Fatalf("a line after Close: %v, output ends %q", err, out.String()[max(0, len(out.String())-10):])
	}
	if err := w.Close(); err != nil {
		t.Fatalf("closing twice: %v", err)
	}
}
