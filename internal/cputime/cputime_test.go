package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestProcessCountsWorkDone spins for a while and requires the process's
// CPU time to have grown by most of it.
func TestProcessCountsWorkDone(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("process CPU time is read on unix only")
	}
	before := Process()
	end := time.Now().Add(100 * time.Millisecond)
	n := 0
	for time.Now().Before(end) {
		n++
	}
	if got := Process() - before; got < 50*time.Millisecond {
		t.Fatalf("100 ms of spinning (%d rounds) counted as %v of CPU time", n, got)
	}
}
