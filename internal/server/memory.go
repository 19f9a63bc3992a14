package server

import (
	"context"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Memory settings of the serve process (see TuneMemory).
const (
	// gcPercent is the collector's goal (GOGC): collect when the heap has
	// grown by this many percent of the live heap since the last collection.
	gcPercent = 200
	// memoryFloor is the least the limit is set to.
	memoryFloor = 96 << 20
	// memoryHeadroom times the live heap is the limit above the floor.
	memoryHeadroom = 2
	// memoryInterval is how often the limit follows the live heap.
	memoryInterval = 2 * time.Second
)

// TuneMemory sets the collector's goal to gcPercent and keeps a soft
// memory limit (runtime/debug.SetMemoryLimit) of memoryHeadroom times the
// live heap, at least memoryFloor, until ctx is done. A server's live heap
// is mostly the tokenizer's tables, which every collection marks again;
// collecting less often saves that work on every call, and the limit keeps
// the heap from growing past what the default goal would allow once it is
// larger than the floor. When many calls in flight finish at once, their
// garbage would otherwise grow the heap well past its peak before the
// collector catches up; the limit makes it collect sooner instead, and a
// live heap that really grows raises the limit with it. GOGC and
// GOMEMLIMIT, when set, win over these settings.
func TuneMemory(ctx context.Context) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
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
