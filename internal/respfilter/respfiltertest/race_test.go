//go:build race

package respfiltertest

// raceSlowdown is how much slower the race detector makes generation.
const raceSlowdown = 10
