package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestProcessCountsWorkDone spins until the process's CPU time has grown
// by 50 ms, which a shared machine's load may slow but not stop, and
// requires that growth within 10 s of wall time and no more than the wall
// time allows on the machine's processors.
func TestProcessCountsWorkDone(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("process CPU time is read on unix only")
	}
	start, before := time.Now(), Process()
	n := 0
	for Process()-before < 50*time.Millisecond {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%v of spinning (%d rounds) counted as %v of CPU time", time.Since(start).Round(time.Millisecond), n, Process()-before)
		}
		for range 10_000 {
			n++
		}
	}
	got, wall := Process()-before, time.Since(start)
	if limit := wall*time.Duration(runtime.NumCPU()) + 20*time.Millisecond; got > limit {
		t.Fatalf("%v of wall time counted as %v of CPU time, more than %d processors can do", wall, got, runtime.NumCPU())
	}
}
