//go:build unix

// Package cputime reads the CPU time the running process has used (user
// and system, every thread), the figure the benchmarks report per call
// because it barely moves when other work shares the machine, where wall
// time does.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user and system CPU time the process has used so
// far; 0 when the system cannot say.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
