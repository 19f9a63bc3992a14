// Package jsonlimittest measures what one input costs the server, for
// tests that keep the bounds of hostile inputs: the bytes allocated by the
// whole process (the loopback servers of a test included) and the wall
// time, while running a function.
package jsonlimittest

import (
	"runtime"
	"testing"
	"time"
)

// Cost is what running a function took.
type Cost struct {
	// Bytes is the heap allocated meanwhile by every goroutine.
	Bytes uint64
	// Time is the wall time.
	Time time.Duration
}

// Measure runs fn once and returns its cost.
func Measure(fn func()) Cost {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return Cost{Bytes: after.TotalAlloc - before.TotalAlloc, Time: elapsed}
}

// Within runs fn once and fails t when it allocated more than maxBytes or
// took longer than maxTime. It logs the cost either way, so the figures
// can be read with go test -v.
func Within(t testing.TB, name string, maxBytes uint64, maxTime time.Duration, fn func()) Cost {
	t.Helper()
	c := Measure(fn)
	t.Logf("%s: %.2f MiB allocated, %v", name, float64(c.Bytes)/(1<<20), c.Time.Round(time.Microsecond))
	if c.Bytes > maxBytes {
		t.Errorf("%s allocated %.2f MiB, want at most %.2f MiB", name, float64(c.Bytes)/(1<<20), float64(maxBytes)/(1<<20))
	}
	if c.Time > maxTime {
		t.Errorf("%s took %v, want at most %v", name, c.Time, maxTime)
	}
	return c
}
