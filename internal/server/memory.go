package server

import (
	"context"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Soft memory limit of the serve process (see TrimMemory).
const (
	// memoryFloor is the least the limit is set to.
	memoryFloor = 96 << 20
	// memoryHeadroom times the live heap is the limit above the floor.
	memoryHeadroom = 2
	// memoryInterval is how often the limit follows the live heap.
	memoryInterval = 2 * time.Second
)

// TrimMemory keeps a soft memory limit (runtime/debug.SetMemoryLimit) of
// memoryHeadroom times the live heap, at least memoryFloor, until ctx is
// done. When many calls in flight finish at once, their garbage would
// otherwise grow the heap to twice its peak before the collector catches
// up; the limit makes it collect sooner instead. It only trims such peaks:
// the usual pacing (GOGC) sets a lower goal whenever the live heap is
// steady, and a heap that really grows raises the limit with it. When
// GOMEMLIMIT is set, the operator's limit is kept and TrimMemory returns
// at once.
func TrimMemory(ctx context.Context) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	defer debug.SetMemoryLimit(math.MaxInt64)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(memoryInterval)
	defer t.Stop()
	for {
		metrics.Read(sample)
		limit := int64(memoryFloor)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			limit = max(limit, int64(sample[0].Value.Uint64())*memoryHeadroom)
		}
		debug.SetMemoryLimit(limit)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
