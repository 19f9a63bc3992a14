//go:build !race

package respfiltertest

// raceSlowdown is how much slower the race detector makes generation:
// it is off.
const raceSlowdown = 1
