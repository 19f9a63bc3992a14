package gateway

import (
	"testing"
	"time"
)

func TestLifetimeSpellsTheLargestWholeUnit(t *testing.T) {
	for d, want := range map[time.Duration]string{
		15 * time.Minute:        "15 minutes",
		30 * time.Minute:        "30 minutes",
		time.Minute:             "1 minute",
		time.Hour:               "1 hour",
		2 * time.Hour:           "2 hours",
		90 * time.Minute:        "90 minutes",
		90 * time.Second:        "90 seconds",
		1500 * time.Millisecond: "1.5s",
	} {
		if got := lifetime(d); got != want {
			t.Errorf("lifetime(%v) = %q, want %q", d, got, want)
		}
	}
}
