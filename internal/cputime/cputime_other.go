//go:build !unix

// Package cputime reads the CPU time the running process has used (user
// and system, every thread), the figure the benchmarks report per call
// because it barely moves when other work shares the machine, where wall
// time does.
package cputime

import "time"

// Process returns 0: this platform's process CPU time is not read.
func Process() time.Duration { return 0 }
